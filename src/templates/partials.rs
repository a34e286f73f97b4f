//! Partials that include each other, found before anything is rendered.
//!
//! handlebars refuses a template that includes itself directly only while
//! rendering, and follows `a` → `b` → `a` until the stack overflows. The
//! parsed templates name the partials they include, so every loop is found
//! when the templates are loaded, for pages and digest alike.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use handlebars::template::{Parameter, Template, TemplateElement};
use handlebars::Handlebars;
use serde_json::Value;

use crate::diag::Diagnostic;

/// A partial named in a template, and the line that names it.
struct Include {
    name: String,
    line: usize,
}

/// One diagnostic per loop of includes among the templates of `registry`,
/// reported in the file `file_of` gives for the first template of the loop.
pub(super) fn loops(registry: &Handlebars, file_of: impl Fn(&str) -> PathBuf) -> Vec<Diagnostic> {
    let graph: BTreeMap<&str, Vec<Include>> = registry
        .get_templates()
        .iter()
        .map(|(name, template)| {
            let mut found = Vec::new();
            includes(template, &mut found);
            (name.as_str(), found)
        })
        .collect();
    let mut state: BTreeMap<&str, Visit> = BTreeMap::new();
    let mut problems = Vec::new();
    for &start in graph.keys() {
        visit(start, &graph, &mut state, &mut |chain, line| {
            let path = file_of(chain[0]);
            problems.push(report(&path, line, chain));
        });
    }
    problems
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    /// On the path being followed.
    Open,
    /// Followed to the end: no loop through it that is not reported.
    Done,
}

/// Depth-first walk from `start`, with a stack of its own (a site may have
/// any number of templates); `found` gets each loop (its templates, the first
/// repeated at the end) and the line where the first includes the second.
fn visit<'g>(
    start: &'g str,
    graph: &'g BTreeMap<&str, Vec<Include>>,
    state: &mut BTreeMap<&'g str, Visit>,
    found: &mut impl FnMut(&[&str], usize),
) {
    if state.contains_key(start) {
        return;
    }
    state.insert(start, Visit::Open);
    // Each entry: a template on the path and how many of its includes are done.
    let mut path: Vec<(&str, usize)> = vec![(start, 0)];
    while let Some((name, next)) = path.last_mut() {
        let Some(include) = graph[*name].get(*next) else {
            state.insert(name, Visit::Done);
            path.pop();
            continue;
        };
        *next += 1;
        // Not a registered template: handlebars says so when rendering.
        let Some((&target, _)) = graph.get_key_value(include.name.as_str()) else {
            continue;
        };
        match state.get(target) {
            Some(Visit::Open) => {
                let from = path.iter().position(|(n, _)| *n == target).unwrap_or(0);
                let mut chain: Vec<&str> = path[from..].iter().map(|(n, _)| *n).collect();
                chain.push(target);
                let (first, done) = path[from];
                found(&chain, graph[first][done - 1].line);
            }
            Some(Visit::Done) => {}
            None => {
                state.insert(target, Visit::Open);
                path.push((target, 0));
            }
        }
    }
}

fn report(path: &Path, line: usize, chain: &[&str]) -> Diagnostic {
    let chain = chain
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" includes ");
    Diagnostic::at(
        path,
        line,
        format!("partial {chain}: a template may not include itself, directly or through others"),
    )
}

/// The partials `template` names, in blocks and `else` branches too.
/// Partials chosen while rendering (`{{> (lookup …)}}`) have no name here.
fn includes(template: &Template, found: &mut Vec<Include>) {
    for (i, element) in template.elements.iter().enumerate() {
        let line = template.mapping.get(i).map_or(1, |m| m.0);
        match element {
            TemplateElement::PartialExpression(d) | TemplateElement::PartialBlock(d) => {
                if let Some(name) = static_name(&d.name) {
                    found.push(Include { name, line });
                }
                d.template.iter().for_each(|t| includes(t, found));
            }
            TemplateElement::DecoratorBlock(d) => {
                d.template.iter().for_each(|t| includes(t, found));
            }
            TemplateElement::HelperBlock(h) => {
                h.template.iter().for_each(|t| includes(t, found));
                h.inverse.iter().for_each(|t| includes(t, found));
            }
            _ => {}
        }
    }
}

fn static_name(name: &Parameter) -> Option<String> {
    match name {
        Parameter::Literal(Value::String(s)) => Some(s.clone()),
        other => other.as_name().map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loops_in(templates: &[(&str, &str)]) -> Vec<String> {
        let mut registry = Handlebars::new();
        for (name, text) in templates {
            registry.register_template_string(name, *text).unwrap();
        }
        loops(&registry, |n| PathBuf::from(format!("templates/{n}.hbs")))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_template_including_itself_is_named_with_its_line() {
        assert_eq!(
            loops_in(&[("post", "<h1>x</h1>\n{{#if a}}\n{{> post}}\n{{/if}}")]),
            ["templates/post.hbs:3: partial `post` includes `post`: a template may not include itself, directly or through others"]
        );
    }

    #[test]
    fn partials_including_each_other_are_named_in_order() {
        let found = loops_in(&[
            ("post", "{{> a}}"),
            ("a", "A\n{{#each x}}{{else}}{{> b}}{{/each}}"),
            ("b", "{{#> a}}fallback{{/a}}"),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("templates/a.hbs:2: partial `a` includes `b` includes `a`"),
            "{found:?}"
        );
    }

    #[test]
    fn includes_without_a_loop_pass() {
        let found = loops_in(&[
            ("layout", "{{> header}}{{> footer}}"),
            ("header", "{{> logo}}"),
            ("footer", "{{> logo}}{{> missing}}"),
            ("logo", "L"),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }
}
