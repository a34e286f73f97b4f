//! RSS 0.9x, 1.0 (RDF) and 2.0 and Atom 0.3 and 1.0, read from one
//! namespace-aware XML tree (`roxmltree`): whatever comes before the root
//! element (comments, processing instructions, a DOCTYPE) is skipped, and a
//! prefixed root (`<atom:feed>`) is the same element as an unprefixed one.

use base64::Engine;
use roxmltree::{Document, Node, ParsingOptions};

use super::charset::printable;
use super::item::{Body, Item};

const ATOM: [&str; 2] = ["http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#"];
const DC: &str = "http://purl.org/dc/elements/1.1/";
const DCTERMS: &str = "http://purl.org/dc/terms/";
const CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";

/// The items of the feed `text`, in feed order, or why it is no feed.
pub(super) fn items(text: &str) -> Result<Vec<Item>, String> {
    if nesting(text) > MAX_NESTING {
        return Err(format!(
            "elements nested more than {MAX_NESTING} deep; no feed is, and the parser would run out of stack"
        ));
    }
    let options = ParsingOptions {
        allow_dtd: true,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, options)
        .map_err(|e| format!("not well-formed XML: {}", printable(&e.to_string())))?;
    let root = doc.root_element();
    match root.tag_name().name() {
        "feed" => {
            let author = child(root, atom, "author").and_then(|a| text_of(a, atom, "name"));
            let entries = children(root, atom, "entry");
            Ok(entries.map(|e| atom_entry(e, author.as_deref())).collect())
        }
        "rss" | "RDF" | "channel" => {
            let channel = child(root, rss, "channel").unwrap_or(root);
            // RSS 1.0 puts its items beside the channel, RSS 2.0 inside it.
            let inside = children(channel, rss, "item");
            let beside = children(root, rss, "item").filter(|_| channel != root);
            Ok(inside.chain(beside).map(rss_item).collect())
        }
        other => Err(format!(
            "neither RSS, Atom nor JSON Feed: the root element <{}>",
            other
                .chars()
                .filter(|c| !c.is_control())
                .collect::<String>()
        )),
    }
}

/// How deep elements may nest. roxmltree parses recursively, so a file
/// nested a few ten thousand deep would exhaust the stack; real feeds nest
/// a dozen deep.
const MAX_NESTING: usize = 1000;

/// About how deep the elements of `text` nest: start tags minus end tags,
/// skipping comments, CDATA, processing instructions and declarations (a
/// `>` inside an attribute value may make it a little off, which does not
/// matter against [`MAX_NESTING`]).
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut rest = text;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let end = ["<!--", "<![CDATA[", "<?"]
            .iter()
            .zip(["-->", "]]>", "?>"])
            .find(|(open, _)| rest.starts_with(**open))
            .map_or(">", |(_, close)| close);
        let len = rest.find(end).map_or(rest.len(), |i| i + end.len());
        let tag = &rest[..len];
        if tag.starts_with("</") {
            depth = depth.saturating_sub(1);
        } else if !tag.starts_with("<!") && !tag.starts_with("<?") && !tag.ends_with("/>") {
            depth += 1;
            deepest = deepest.max(depth);
        }
        rest = &rest[len..];
    }
    deepest
}

/// Whether `node` is in an Atom namespace (or none, as some feeds write it).
fn atom(node: Node) -> bool {
    node.tag_name()
        .namespace()
        .is_none_or(|ns| ATOM.contains(&ns))
}

/// Whether `node` is an RSS element: in no namespace or one of RSS's own
/// (RSS 0.90, 1.0 and Userland's 2.0), not in a module's.
fn rss(node: Node) -> bool {
    node.tag_name().namespace().is_none_or(|ns| {
        (ns.contains("rss") || ns.contains("netscape")) && !ns.contains("/modules/")
    })
}

fn in_ns(ns: &'static str) -> impl Fn(Node) -> bool {
    move |node| node.tag_name().namespace() == Some(ns)
}

fn children<'a, 'i>(
    node: Node<'a, 'i>,
    ns: impl Fn(Node) -> bool + 'a,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name && ns(*c))
}

fn child<'a, 'i>(
    node: Node<'a, 'i>,
    ns: impl Fn(Node) -> bool + 'a,
    name: &'a str,
) -> Option<Node<'a, 'i>> {
    children(node, ns, name).next()
}

/// The text of the first such child, trimmed; `None` when missing or empty.
fn text_of(node: Node, ns: impl Fn(Node) -> bool, name: &str) -> Option<String> {
    child(node, ns, name)
        .map(all_text)
        .filter(|t| !t.is_empty())
}

/// All text inside `node`, trimmed.
fn all_text(node: Node) -> String {
    let text: String = node
        .descendants()
        .filter(Node::is_text)
        .filter_map(|n| n.text())
        .collect();
    text.trim().to_string()
}

fn rss_item(node: Node) -> Item {
    let dc = in_ns(DC);
    let terms = in_ns(DCTERMS);
    let body = text_of(node, in_ns(CONTENT), "encoded")
        .or_else(|| text_of(node, rss, "description"))
        .or_else(|| text_of(node, atom, "summary"))
        .map(Body::Html);
    let about = node
        .attributes()
        .find(|a| a.name() == "about")
        .map(|a| a.value().trim().to_string());
    let mut tags: Vec<String> = children(node, rss, "category").map(all_text).collect();
    tags.extend(children(node, in_ns(DC), "subject").map(all_text));
    Item {
        title: text_of(node, rss, "title").map(Body::Text),
        // Some RSS items borrow Atom's elements, with or without its namespace.
        id: text_of(node, rss, "guid").or_else(|| text_of(node, atom, "id")),
        link: text_of(node, rss, "link").or(about),
        published: text_of(node, rss, "pubDate")
            .or_else(|| text_of(node, atom, "published"))
            .or_else(|| text_of(node, &terms, "issued"))
            .or_else(|| text_of(node, &terms, "created")),
        updated: text_of(node, &dc, "date")
            .or_else(|| text_of(node, &terms, "modified"))
            .or_else(|| text_of(node, atom, "updated")),
        author: text_of(node, &dc, "creator").or_else(|| text_of(node, rss, "author")),
        tags,
        body,
    }
}

fn atom_entry(node: Node, feed_author: Option<&str>) -> Item {
    let link = children(node, atom, "link")
        .find(|l| l.attribute("rel").is_none_or(|r| r.trim() == "alternate"))
        .and_then(|l| l.attribute("href"))
        .map(|h| h.trim().to_string());
    let author = child(node, atom, "author").and_then(|a| text_of(a, atom, "name"));
    let tags = children(node, atom, "category")
        .filter_map(|c| c.attribute("label").or(c.attribute("term")))
        .map(|t| t.trim().to_string())
        .chain(children(node, in_ns(DC), "subject").map(all_text))
        .collect();
    let body = child(node, atom, "content")
        .or_else(|| child(node, atom, "summary"))
        .map(atom_text);
    Item {
        title: child(node, atom, "title").map(atom_text),
        id: text_of(node, atom, "id"),
        link,
        published: text_of(node, atom, "published")
            .or_else(|| text_of(node, atom, "issued"))
            .or_else(|| text_of(node, atom, "created")),
        updated: text_of(node, atom, "updated").or_else(|| text_of(node, atom, "modified")),
        author: author.or(feed_author.map(str::to_string)),
        tags,
        body,
    }
}

/// An Atom text construct or content: `type` (1.0: `text`, `html`,
/// `xhtml` or a media type; 0.3: a media type) and 0.3's `mode` (`xml`,
/// `escaped`, `base64`).
fn atom_text(node: Node) -> Body {
    if let Some(src) = node.attribute("src") {
        return Body::Link(src.trim().to_string());
    }
    let kind = node.attribute("type").unwrap_or("text").trim();
    let mode = node.attribute("mode").unwrap_or("").trim();
    let value = match mode {
        "base64" => base64::engine::general_purpose::STANDARD
            .decode(all_text(node).split_whitespace().collect::<String>())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default(),
        _ if kind == "xhtml" || kind == "application/xhtml+xml" || mode == "xml" => {
            return Body::Html(inner_xml(xhtml_div(node).unwrap_or(node)));
        }
        _ => all_text(node),
    };
    match kind {
        "text" | "text/plain" => Body::Text(value),
        "html" | "text/html" => Body::Html(value),
        other => Body::Other(other.to_string()),
    }
}

/// The `<div>` that wraps Atom XHTML content and is not part of it (RFC 4287, 3.1.1.3).
fn xhtml_div<'a, 'i>(node: Node<'a, 'i>) -> Option<Node<'a, 'i>> {
    let mut elements = node.children().filter(Node::is_element);
    let div = elements.next().filter(|d| d.tag_name().name() == "div")?;
    let only = elements.next().is_none();
    let no_text = node
        .children()
        .filter(Node::is_text)
        .all(|t| t.text().unwrap_or("").trim().is_empty());
    (only && no_text).then_some(div)
}

/// The children of `node` written out as HTML (element names without their prefix).
fn inner_xml(node: Node) -> String {
    let mut out = String::new();
    for child in node.children() {
        write_node(child, &mut out, 0);
    }
    out.trim().to_string()
}

/// How deep elements are written out; below, only their text is kept, so
/// that a hostile feed nested a million deep cannot exhaust the stack.
const MAX_DEPTH: usize = 100;

fn write_node(node: Node, out: &mut String, depth: usize) {
    if let Some(text) = node.is_text().then(|| node.text()).flatten() {
        out.push_str(&escape(text, false));
        return;
    }
    if depth >= MAX_DEPTH {
        out.push_str(&escape(&all_text(node), false));
        return;
    }
    if !node.is_element() {
        return;
    }
    let name = node.tag_name().name();
    out.push('<');
    out.push_str(name);
    for attribute in node.attributes().filter(|a| a.namespace().is_none()) {
        out.push_str(&format!(
            " {}=\"{}\"",
            attribute.name(),
            escape(attribute.value(), true)
        ));
    }
    out.push('>');
    for child in node.children() {
        write_node(child, out, depth + 1);
    }
    if !matches!(
        name,
        "br" | "hr"
            | "img"
            | "input"
            | "meta"
            | "link"
            | "area"
            | "base"
            | "col"
            | "embed"
            | "source"
            | "track"
            | "wbr"
    ) {
        out.push_str(&format!("</{name}>"));
    }
}

fn escape(text: &str, attribute: bool) -> String {
    let text = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    if attribute {
        text.replace('"', "&quot;")
    } else {
        text
    }
}
