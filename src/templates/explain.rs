//! Template problems in the README's words: `file:line:column: message`.
//!
//! handlebars reports a misspelt variable as `Failed to access variable in
//! strict mode Some("post.titel")` and an unclosed block as the list of
//! everything its grammar expected at the end of the file. An operator needs
//! the variable as written and the name it probably meant, and the block
//! that is open and where it opened.

use std::collections::BTreeSet;
use std::path::Path;

use handlebars::{RenderError, RenderErrorReason, TemplateError, TemplateErrorReason};
use serde_json::Value;

use crate::diag::Diagnostic;

/// The syntax errors of `source` (the template in `path`) that handlebars
/// refused with `err`: every block left open, or a plain description.
pub fn syntax(path: &Path, source: &str, err: &TemplateError) -> Vec<Diagnostic> {
    let blocks = unclosed(source);
    if !blocks.is_empty() {
        return blocks
            .into_iter()
            .map(|(line, column, message)| Diagnostic::at_column(path, line, column, message))
            .collect();
    }
    let (line, column) = err.pos().unwrap_or((1, 1));
    let message = match err.reason() {
        TemplateErrorReason::InvalidParam(param) => format!("invalid parameter {param}"),
        TemplateErrorReason::NestedSubexpression => {
            "a subexpression inside a subexpression is not supported".to_string()
        }
        // The grammar's list of expected rules says nothing to an operator.
        _ => format!(
            "handlebars cannot read the template here: {}",
            excerpt(source, line, column)
        ),
    };
    vec![Diagnostic::at_column(path, line, column, message)]
}

/// A rendering failure of the template in `path`, with `data` (what the
/// template saw) to suggest a name, while rendering `page`.
pub fn render(path: &Path, err: &RenderError, data: &Value, page: &str) -> Diagnostic {
    let what = match err.reason() {
        RenderErrorReason::MissingVariable(Some(name)) => unknown_variable(name, data),
        RenderErrorReason::MissingVariable(None) => "unknown variable".to_string(),
        RenderErrorReason::PartialNotFound(name) => {
            format!("unknown partial {name} (no {name}.hbs in the templates folder)")
        }
        RenderErrorReason::HelperNotFound(name) => format!("unknown helper {name}"),
        RenderErrorReason::TemplateNotFound(name) => format!("unknown template {name}"),
        other => other.to_string(),
    };
    let message = format!("{what} while rendering {page}");
    match (err.line_no, err.column_no) {
        (Some(line), Some(column)) => Diagnostic::at_column(path, line, column, message),
        (Some(line), None) => Diagnostic::at(path, line, message),
        _ => Diagnostic::file(path, message),
    }
}

/// `unknown variable post.titel (did you mean post.title?)`, or why a
/// variable that exists is empty here.
fn unknown_variable(name: &str, data: &Value) -> String {
    let (prefix, path) = split_prefix(name);
    if let Some(empty) = empty_on_the_way(path, data) {
        return format!(
            "{name}: {empty} is empty on this page (test it first: {{{{#if {empty}}}}} … {{{{/if}}}})"
        );
    }
    match suggestion(path, data) {
        Some(better) => format!("unknown variable {name} (did you mean {prefix}{better}?)"),
        None => format!("unknown variable {name}"),
    }
}

/// The prefix that moves in the data (`this.`, `../`, `@root.`) and the rest.
fn split_prefix(name: &str) -> (&str, &str) {
    let mut rest = name;
    while let Some(r) = ["this.", "../", "@root."]
        .iter()
        .find_map(|p| rest.strip_prefix(p))
    {
        rest = r;
    }
    (&name[..name.len() - rest.len()], rest)
}

/// The first part of `path` that exists in `data` as null (`newer` on the
/// newest post's page), so that `newer.title` is explained, not corrected.
fn empty_on_the_way(path: &str, data: &Value) -> Option<String> {
    let mut node = data;
    let segments: Vec<&str> = path.split('.').collect();
    for (i, segment) in segments.iter().enumerate() {
        node = node.as_object()?.get(*segment)?;
        if node.is_null() && i + 1 < segments.len() {
            return Some(segments[..=i].join("."));
        }
    }
    None
}

/// The name in `data` closest to `path` (as many segments, from any level:
/// inside `{{#each posts}}` the variables are a post's), if one is close.
fn suggestion(path: &str, data: &Value) -> Option<String> {
    let depth = path.split('.').count();
    let mut names = BTreeSet::new();
    every_level(data, depth, &mut names, 0);
    let limit = (path.chars().count() / 3).max(1);
    names
        .into_iter()
        .map(|name| (strsim::osa_distance(path, &name), name))
        .filter(|(distance, _)| (1..=limit).contains(distance))
        .min()
        .map(|(_, name)| name)
}

/// Adds the names `depth` segments long below every object of `node`.
fn every_level(node: &Value, depth: usize, names: &mut BTreeSet<String>, level: usize) {
    // Templates' data is a few levels deep; the bound keeps a strange one cheap.
    if level > 8 {
        return;
    }
    match node {
        Value::Object(map) => {
            names_below(node, depth, String::new(), names);
            map.values()
                .for_each(|v| every_level(v, depth, names, level + 1));
        }
        // The items of a list share a shape: the first stands for all.
        Value::Array(items) => {
            if let Some(first) = items.first() {
                every_level(first, depth, names, level + 1);
            }
        }
        _ => {}
    }
}

fn names_below(node: &Value, depth: usize, prefix: String, names: &mut BTreeSet<String>) {
    let Value::Object(map) = node else { return };
    for (key, value) in map {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if depth == 1 {
            names.insert(name);
        } else {
            names_below(value, depth - 1, name, names);
        }
    }
}

/// A block opened in a template: its name, its opening tag, and where.
struct Open {
    name: String,
    tag: String,
    line: usize,
    column: usize,
}

/// Every block of `source` that is not closed: `(line, column, message)` at
/// its opening tag. A closing tag that matches no open block is reported
/// where it stands.
fn unclosed(source: &str) -> Vec<(usize, usize, String)> {
    let mut stack: Vec<Open> = Vec::new();
    for (offset, inner) in tags(source) {
        let (line, column) = position(source, offset);
        let inner = inner.trim_matches(|c: char| c == '~' || c == '{' || c == '}');
        let inner = inner.trim();
        if let Some(rest) = inner.strip_prefix('#').or_else(|| {
            // `{{^name}}` opens an inverse block; `{{^}}` alone is `else`.
            inner.strip_prefix('^').filter(|r| !r.trim().is_empty())
        }) {
            let rest = rest.trim_start_matches(['>', '*']).trim_start();
            let name = rest.split_whitespace().next().unwrap_or("").to_string();
            let tag = format!("{{{{{}}}}}", shorten(inner));
            stack.push(Open {
                name,
                tag,
                line,
                column,
            });
        } else if let Some(rest) = inner.strip_prefix('/') {
            let name = rest.trim();
            match stack.iter().rposition(|open| open.name == name) {
                None => {
                    return vec![(
                        line,
                        column,
                        format!("{{{{/{name}}}}} closes no open block"),
                    )]
                }
                Some(i) if i + 1 == stack.len() => {
                    stack.pop();
                }
                Some(_) => {
                    let open = stack.pop().expect("a block is open");
                    let message = format!(
                        "{} is not closed: add {{{{/{}}}}} before {{{{/{name}}}}} on line {line}",
                        open.tag, open.name
                    );
                    return vec![(open.line, open.column, message)];
                }
            }
        }
    }
    stack
        .into_iter()
        .map(|open| {
            let message = format!("{} is never closed: add {{{{/{}}}}}", open.tag, open.name);
            (open.line, open.column, message)
        })
        .collect()
}

/// The handlebars tags of `source`: the byte offset of each `{{` and the text
/// up to its `}}`. Comments and raw blocks are skipped.
fn tags(source: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(start) = source[at..].find("{{").map(|i| at + i) {
        let rest = &source[start..];
        let (end_mark, skip) = if rest.starts_with("{{!--") {
            ("--}}", true)
        } else if rest.starts_with("{{!") {
            ("}}", true)
        } else if rest.starts_with("{{{{") {
            ("}}}}", true)
        } else {
            ("}}", false)
        };
        let Some(len) = rest[2..].find(end_mark) else {
            break;
        };
        if !skip {
            found.push((start, &rest[2..2 + len]));
        }
        at = start + 2 + len + end_mark.len();
    }
    found
}

/// 1-based line and column (in characters) of byte `offset`.
fn position(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset];
    let line = crate::diag::line_of(source, offset);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// What stands at `line`, `column` of `source`, briefly.
fn excerpt(source: &str, line: usize, column: usize) -> String {
    let text = source.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let from: String = text.chars().skip(column.saturating_sub(1)).collect();
    match from.trim() {
        "" => "the template ends here".to_string(),
        rest => format!("`{}`", shorten(rest)),
    }
}

/// At most 40 characters of `text`, with `…` when cut.
fn shorten(text: &str) -> String {
    let mut chars = text.chars();
    let short: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() {
        format!("{short}…")
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use handlebars::Handlebars;

    fn syntax_of(source: &str) -> Vec<String> {
        let err = Handlebars::new()
            .register_template_string("post", source)
            .expect_err("a syntax error");
        syntax(Path::new("templates/post.hbs"), source, &err)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn render_of(source: &str, data: Value) -> String {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_template_string("post", source).unwrap();
        let err = registry.render("post", &data).expect_err("a render error");
        render(Path::new("templates/post.hbs"), &err, &data, "a/index.html").to_string()
    }

    #[test]
    fn a_misspelt_variable_is_named_with_the_one_meant() {
        let data = serde_json::json!({"post": {"title": "T", "tags": []}});
        assert_eq!(
            render_of("<article>\n<h1>{{post.titel}}</h1>", data),
            "templates/post.hbs:2:5: unknown variable post.titel (did you mean post.title?) while rendering a/index.html"
        );
    }

    #[test]
    fn variables_inside_a_block_are_matched_at_their_level() {
        let data = serde_json::json!({"posts": [{"title": "T", "url": "u"}]});
        assert_eq!(
            render_of("{{#each posts}}\n  {{titel}}{{/each}}", data),
            "templates/post.hbs:2:3: unknown variable titel (did you mean title?) while rendering a/index.html"
        );
    }

    #[test]
    fn a_variable_far_from_every_name_gets_no_guess() {
        let data = serde_json::json!({"post": {"title": "T"}});
        assert_eq!(
            render_of("{{weather}}", data),
            "templates/post.hbs:1:1: unknown variable weather while rendering a/index.html"
        );
    }

    #[test]
    fn an_empty_neighbour_is_explained() {
        let data = serde_json::json!({"newer": null});
        let message = render_of("{{newer.title}}", data);
        assert!(
            message.contains(
                "newer.title: newer is empty on this page (test it first: {{#if newer}} … {{/if}})"
            ),
            "{message}"
        );
    }

    #[test]
    fn an_unclosed_block_is_named_where_it_opened() {
        assert_eq!(
            syntax_of("<p>\n  {{#if post.tags}}\nhej\n"),
            ["templates/post.hbs:2:3: {{#if post.tags}} is never closed: add {{/if}}"]
        );
    }

    #[test]
    fn a_block_closed_by_another_is_named_with_the_close() {
        assert_eq!(
            syntax_of("{{#if post.title}}\nhej\n{{#each post.tags}}\n{{/if}}\n"),
            ["templates/post.hbs:3:1: {{#each post.tags}} is not closed: add {{/each}} before {{/if}} on line 4"]
        );
    }

    #[test]
    fn a_stray_close_is_named_where_it_stands() {
        assert_eq!(
            syntax_of("a\n{{! {{#if}} }}b {{/if}}"),
            ["templates/post.hbs:2:17: {{/if}} closes no open block"]
        );
    }

    #[test]
    fn other_syntax_errors_quote_the_place_not_the_grammar() {
        let found = syntax_of("<h1>{{post.title</h1>\n");
        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with("templates/post.hbs:1:"), "{found:?}");
        assert!(
            found[0].contains("handlebars cannot read the template here"),
            "{found:?}"
        );
        assert!(!found[0].contains("expected"), "{found:?}");
    }
}
