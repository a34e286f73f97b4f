//! CommonMark (with tables, footnotes and strikethrough) to HTML, and summaries.

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};
use url::Url;

/// The marker that ends a hand-picked summary.
pub const MORE: &str = "<!-- more -->";

/// A post's summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// As HTML: the part before [`MORE`], else the first paragraph.
    pub html: String,
    /// As plain text, for JSON Feed and mail previews.
    pub text: String,
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}

/// Renders the whole of `body` as HTML.
pub fn to_html(body: &str) -> String {
    let mut out = String::with_capacity(body.len() + body.len() / 4);
    html::push_html(&mut out, Parser::new_ext(body, options()));
    out
}

/// The summary of `body`, its URLs made absolute against `base` (the post's
/// URL), since summaries are shown on other pages. The whole body is parsed
/// for its block structure (so reference links defined further down still
/// resolve), but inline parsing and HTML output stop at the end of the first
/// paragraph: listing thousands of posts costs a fraction of rendering them.
pub fn summary(body: &str, base: &Url) -> Summary {
    let mut events: Vec<Event> = match find_more(body) {
        Some(end) => Parser::new_ext(&body[..end], options()).collect(),
        None => first_paragraph(Parser::new_ext(body, options())),
    };
    // Link targets are rewritten in the events; only raw HTML or footnote
    // links (rare in summaries) need the HTML rewriter afterwards.
    let mut needs_rewriter = false;
    for event in &mut events {
        match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                if let Some(absolute) = crate::html::resolve(base, dest_url) {
                    *dest_url = absolute.into();
                }
            }
            Event::Html(_) | Event::InlineHtml(_) | Event::FootnoteReference(_) => {
                needs_rewriter = true
            }
            _ => {}
        }
    }
    let mut html_out = String::new();
    html::push_html(&mut html_out, events.iter().cloned());
    if needs_rewriter {
        html_out = crate::html::absolutize(&html_out, base).into_owned();
    }
    Summary {
        html: html_out,
        text: plain_text(&events),
    }
}

/// The events of the first paragraph, its start and end tags included.
fn first_paragraph<'a>(events: impl Iterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    for event in events.skip_while(|e| !matches!(e, Event::Start(Tag::Paragraph))) {
        let end = matches!(event, Event::End(TagEnd::Paragraph));
        out.push(event);
        if end {
            break;
        }
    }
    out
}

/// The byte offset of a more marker standing on its own line.
fn find_more(body: &str) -> Option<usize> {
    if !body.contains(MORE) {
        return None;
    }
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        if line.trim() == MORE {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// The readable text of `events`: text and code, breaks as spaces, no markup.
pub fn plain_text(events: &[Event]) -> String {
    let mut out = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph) if !out.is_empty() => out.push(' '),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://example.se/blogg/inlagg/").unwrap()
    }

    #[test]
    fn summary_urls_are_absolute() {
        let s = summary(
            "Se [bild](bild.jpg), ![](../a.png), [ut](https://x.se/) och <a href=\"b/\">b</a>.\n",
            &base(),
        );
        assert!(
            s.html
                .contains(r#"href="https://example.se/blogg/inlagg/bild.jpg""#),
            "{}",
            s.html
        );
        assert!(
            s.html.contains(r#"src="https://example.se/blogg/a.png""#),
            "{}",
            s.html
        );
        assert!(s.html.contains(r#"href="https://x.se/""#), "{}", s.html);
        assert!(
            s.html
                .contains(r#"href="https://example.se/blogg/inlagg/b/""#),
            "{}",
            s.html
        );
        let footnote = summary("Text[^1].\n\n[^1]: Not.\n", &base());
        assert!(
            footnote
                .html
                .contains(r#"href="https://example.se/blogg/inlagg/#1""#),
            "{}",
            footnote.html
        );
    }

    #[test]
    fn first_paragraph_is_the_summary() {
        let body = "# Rubrik\n\nFörsta *stycket*\nfortsätter [här][1].\n\nAndra stycket.\n\n[1]: https://example.se/\n";
        let s = summary(body, &base());
        assert_eq!(
            s.html,
            "<p>Första <em>stycket</em>\nfortsätter <a href=\"https://example.se/\">här</a>.</p>\n"
        );
        assert_eq!(s.text, "Första stycket fortsätter här.");
        let html = to_html(body);
        assert!(html.contains("<h1>Rubrik</h1>"));
        assert!(html.contains("<p>Andra stycket.</p>"));
    }

    #[test]
    fn more_marker_ends_the_summary() {
        let body = "Ett.\n\nTvå.\n\n<!-- more -->\n\nTre.\n";
        let s = summary(body, &base());
        assert_eq!(s.html, "<p>Ett.</p>\n<p>Två.</p>\n");
        assert_eq!(s.text, "Ett. Två.");
        assert!(to_html(body).contains("<p>Tre.</p>"));
    }

    #[test]
    fn extensions_are_enabled() {
        let html =
            to_html("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~bort~~ text[^1]\n\n[^1]: Fotnot.\n");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>bort</del>"), "{html}");
        assert!(html.contains("footnote"), "{html}");
    }

    #[test]
    fn empty_body_has_empty_summary() {
        let empty = Summary {
            html: String::new(),
            text: String::new(),
        };
        assert_eq!(summary("", &base()), empty);
        assert_eq!(summary("# Bara rubrik\n", &base()), empty);
        assert_eq!(to_html(""), "");
    }
}
