//! How deeply a post's body nests, measured once when the post is loaded.
//!
//! Everything after loading walks the post's HTML as a tree: the sanitiser,
//! the CSS inliner and the plain-text converter of the digest (all built on
//! html5ever), some of them recursively. A body nested thousands of levels
//! deep overflows their stacks, and html5ever itself spends time in
//! proportion to the depth on every tag, so the cost grows with its square.
//! Loading therefore refuses bodies deeper than [`MAX_DEPTH`], so that every
//! later stage may rely on a bounded depth; the measure stops as soon as the
//! bound is passed, so it costs time in proportion to the text.
//!
//! Markdown alone renders to well-nested HTML, so its depth is read from the
//! parser's events. A body with raw HTML (any `<`) is rendered and parsed the
//! way the later stages parse it, by html5ever, into a tree of parent links
//! only: misnested or unclosed tags can nest deeper than the tags suggest
//! (html5ever reopens formatting elements closed too early).

use std::borrow::Cow;
use std::cell::{Cell, Ref, RefCell};
use std::fmt;
use std::ops::Range;
use std::path::Path;

use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{parse_document, Attribute, ParseOpts, QualName};
use pulldown_cmark::{html, Event, Tag};

use crate::diag::Diagnostic;

/// The deepest a post's HTML may nest: elements inside one another, each
/// block quote, list, list item, paragraph or HTML tag counting one.
pub(super) const MAX_DEPTH: usize = 100;

/// The body nests deeper than [`MAX_DEPTH`] at byte `offset` of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TooDeep {
    pub offset: usize,
}

/// The problem of a body (starting at file line `body_line` of `path`)
/// nested deeper than [`MAX_DEPTH`], at the line where it gets too deep.
pub(super) fn diagnose(path: &Path, body: &str, body_line: usize, deep: &TooDeep) -> Diagnostic {
    Diagnostic::at(
        path,
        body_line + crate::diag::line_of(body, deep.offset) - 1,
        format!(
            "the text is nested more than {MAX_DEPTH} levels deep (quotes, lists or HTML elements inside one another); flatten it"
        ),
    )
}

/// Checks that the HTML of `body` nests at most [`MAX_DEPTH`] elements deep,
/// reading `events`, the body's parser events with their byte ranges: the
/// caller gathers what else it needs from the same events, so that loading
/// parses each body once.
pub(super) fn check<'a>(
    body: &str,
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
) -> Result<(), TooDeep> {
    let at = Cell::new(0);
    let events = events.map(|(event, range)| {
        at.set(range.start);
        event
    });
    if body.contains('<') {
        parsed_depth(events, &at)
    } else {
        event_depth(events, &at)
    }
}

/// The depth of Markdown without raw HTML, from the parser's events.
fn event_depth<'a>(
    events: impl Iterator<Item = Event<'a>>,
    at: &Cell<usize>,
) -> Result<(), TooDeep> {
    let mut depth = 0;
    for event in events {
        match &event {
            Event::Start(tag) => depth += elements(tag),
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_DEPTH {
            return Err(TooDeep { offset: at.get() });
        }
    }
    Ok(())
}

/// How many nested elements the HTML writer opens for `tag` (one for most;
/// a code block is `<pre><code>`, a table head `<thead><tr>`, a table
/// `<table><tbody>`). Its end counts one, which over-counts by at most one.
fn elements(tag: &Tag) -> usize {
    match tag {
        Tag::CodeBlock(_) | Tag::TableHead | Tag::Table(_) => 2,
        _ => 1,
    }
}

/// The depth of the tree html5ever builds from the rendered body.
fn parsed_depth<'a>(
    events: impl Iterator<Item = Event<'a>>,
    at: &Cell<usize>,
) -> Result<(), TooDeep> {
    let tree = Tree::new(at);
    let mut feed = Feed {
        parser: parse_document(&tree, ParseOpts::default()),
        tree: &tree,
    };
    if html::write_html_fmt(&mut feed, events).is_err() {
        return Err(TooDeep { offset: at.get() });
    }
    feed.parser.finish();
    match tree.deepest() {
        Some(offset) => Err(TooDeep { offset }),
        None => Ok(()),
    }
}

/// The html5ever parser fed as the HTML writer writes, a little at a time,
/// stopping (with an error) once the tree is too deep.
struct Feed<'t, 'a> {
    parser: html5ever::Parser<&'t Tree<'a>>,
    tree: &'t Tree<'a>,
}

impl fmt::Write for Feed<'_, '_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        // One line of 100,000 `<div>`s is one write; in small pieces, the
        // parser never works on much more than the bound allows.
        const PIECE: usize = 1024;
        let mut rest = text;
        while !rest.is_empty() {
            let mut end = rest.len().min(PIECE);
            while !rest.is_char_boundary(end) {
                end += 1;
            }
            self.parser.process(StrTendril::from_slice(&rest[..end]));
            if self.tree.too_deep.get() {
                return Err(fmt::Error);
            }
            rest = &rest[end..];
        }
        Ok(())
    }
}

/// Elements and their parents, no text: all that depth needs.
struct Tree<'a> {
    nodes: RefCell<Vec<Node>>,
    /// The byte offset in the body of the Markdown being rendered.
    at: &'a Cell<usize>,
    too_deep: Cell<bool>,
}

struct Node {
    name: QualName,
    element: bool,
    parent: Option<usize>,
    children: Vec<usize>,
    /// Where in the body the element was made.
    offset: usize,
    template_contents: Option<usize>,
}

/// The `<html>` and `<body>` around every post, which are not the post's.
const WRAPPERS: usize = 2;

impl<'a> Tree<'a> {
    fn new(at: &'a Cell<usize>) -> Self {
        let tree = Tree {
            nodes: RefCell::new(Vec::new()),
            at,
            too_deep: Cell::new(false),
        };
        tree.add(
            QualName::new(None, html5ever::ns!(), html5ever::local_name!("")),
            false,
        );
        tree
    }

    fn add(&self, name: QualName, element: bool) -> usize {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(Node {
            name,
            element,
            parent: None,
            children: Vec::new(),
            offset: self.at.get(),
            template_contents: None,
        });
        nodes.len() - 1
    }

    fn attach(&self, parent: usize, child: usize) {
        let mut nodes = self.nodes.borrow_mut();
        nodes[child].parent = Some(parent);
        nodes[parent].children.push(child);
        // Counting up the parents costs at most the bound per element.
        let mut depth = 0;
        let mut node = Some(child);
        while let Some(n) = node.filter(|_| depth <= MAX_DEPTH + WRAPPERS) {
            depth += usize::from(nodes[n].element);
            node = nodes[n].parent;
        }
        if depth > MAX_DEPTH + WRAPPERS {
            self.too_deep.set(true);
        }
    }

    fn detach(&self, child: usize) {
        let mut nodes = self.nodes.borrow_mut();
        if let Some(parent) = nodes[child].parent.take() {
            let siblings = &mut nodes[parent].children;
            // The node moved is nearly always the last child.
            if let Some(i) = siblings.iter().rposition(|&c| c == child) {
                siblings.remove(i);
            }
        }
    }

    /// Where the first element too deep was made, if any: elements moved
    /// under another (misnested tags) take their children along, deeper.
    fn deepest(&self) -> Option<usize> {
        let nodes = self.nodes.borrow();
        let mut stack = vec![(0, 0)];
        while let Some((n, depth)) = stack.pop() {
            let depth = depth + usize::from(nodes[n].element);
            if depth > MAX_DEPTH + WRAPPERS {
                return Some(nodes[n].offset);
            }
            stack.extend(nodes[n].children.iter().map(|&c| (c, depth)));
        }
        None
    }
}

impl<'a> TreeSink for &Tree<'a> {
    type Handle = usize;
    type Output = ();
    type ElemName<'n>
        = Ref<'n, QualName>
    where
        Self: 'n;

    fn finish(self) {}

    fn parse_error(&self, _message: Cow<'static, str>) {}

    fn get_document(&self) -> usize {
        0
    }

    fn elem_name<'n>(&'n self, target: &'n usize) -> Ref<'n, QualName> {
        Ref::map(self.nodes.borrow(), |nodes| &nodes[*target].name)
    }

    fn create_element(&self, name: QualName, _: Vec<Attribute>, _: ElementFlags) -> usize {
        self.add(name, true)
    }

    fn create_comment(&self, _text: StrTendril) -> usize {
        self.add(
            QualName::new(None, html5ever::ns!(), html5ever::local_name!("")),
            false,
        )
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> usize {
        self.create_comment(StrTendril::new())
    }

    fn append(&self, parent: &usize, child: NodeOrText<usize>) {
        if let NodeOrText::AppendNode(child) = child {
            self.attach(*parent, child);
        }
    }

    fn append_based_on_parent_node(
        &self,
        element: &usize,
        previous: &usize,
        child: NodeOrText<usize>,
    ) {
        let parent = self.nodes.borrow()[*element].parent;
        match parent {
            Some(_) => self.append_before_sibling(element, child),
            None => self.append(previous, child),
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &usize) -> usize {
        let existing = self.nodes.borrow()[*target].template_contents;
        existing.unwrap_or_else(|| {
            let contents = self.create_comment(StrTendril::new());
            self.nodes.borrow_mut()[*target].template_contents = Some(contents);
            self.attach(*target, contents);
            contents
        })
    }

    fn same_node(&self, x: &usize, y: &usize) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &usize, child: NodeOrText<usize>) {
        let parent = self.nodes.borrow()[*sibling].parent;
        if let (Some(parent), NodeOrText::AppendNode(child)) = (parent, child) {
            self.attach(parent, child);
        }
    }

    fn add_attrs_if_missing(&self, _target: &usize, _attrs: Vec<Attribute>) {}

    fn remove_from_parent(&self, target: &usize) {
        self.detach(*target);
    }

    fn reparent_children(&self, node: &usize, new_parent: &usize) {
        let children = std::mem::take(&mut self.nodes.borrow_mut()[*node].children);
        for child in children {
            self.nodes.borrow_mut()[child].parent = None;
            self.attach(*new_parent, child);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(body: &str) -> Result<(), TooDeep> {
        check(
            body,
            crate::content::markdown::parser(body).into_offset_iter(),
        )
    }

    fn depth_ok(body: &str) -> bool {
        depth(body).is_ok()
    }

    #[test]
    fn markdown_and_html_at_the_bound_pass_and_one_more_is_refused() {
        let n = MAX_DEPTH;
        assert!(depth_ok(&format!("{} x\n", ">".repeat(n - 1))));
        assert!(!depth_ok(&format!("{} x\n", ">".repeat(n))));
        assert!(depth_ok(&format!("{}x\n", "- ".repeat(n / 2))));
        assert!(!depth_ok(&format!("{}x\n", "- ".repeat(n / 2 + 1))));
        let divs = |k: usize| format!("{}x{}\n", "<div>".repeat(k), "</div>".repeat(k));
        assert!(depth_ok(&divs(n)));
        assert!(!depth_ok(&divs(n + 1)));
    }

    #[test]
    fn the_offset_is_on_the_line_where_the_bound_is_passed() {
        let line = |body: &str| {
            let offset = depth(body).unwrap_err().offset;
            body[..offset].matches('\n').count() + 1
        };
        assert_eq!(
            line(&format!("Hej.\n\n{} x\n", ">".repeat(MAX_DEPTH + 5))),
            3
        );
        let html = format!("Hej <b>då</b>.\n\n{}\n", "<div>".repeat(MAX_DEPTH + 5));
        assert_eq!(line(&html), 3);
    }

    #[test]
    fn reopened_formatting_tags_count_as_html5ever_nests_them() {
        // Each `<b>` closed by `</div>` is reopened inside the next: 150
        // tags, never more than two open by their own count, nest 150 deep.
        let body = (0..150)
            .map(|i| format!("<div><b id=\"{i}\"></div>"))
            .collect::<String>();
        assert!(!depth_ok(&format!("{body}x\n")));
    }

    #[test]
    fn ordinary_html_passes() {
        let body = "<table><tr><td>1<td>2</table>\n\n<p>a<p>b<p>c\n\n".repeat(200)
            + "<svg><circle/><circle/></svg> <a href=\"x\">y</a>\n";
        assert!(depth_ok(&body));
    }
}
