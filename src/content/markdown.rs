//! CommonMark (with tables, footnotes and strikethrough) to HTML, and summaries.

use pulldown_cmark::{html, CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};
use std::borrow::Cow;

use url::Url;

use super::figure;
pub use super::figure::Images;
use super::media::Media;
use crate::clean;

/// The marker that ends a hand-picked summary.
pub const MORE: &str = "<!-- more -->";

/// A post's summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Summary {
    /// As HTML: the part before [`MORE`], else the first paragraph.
    pub html: String,
    /// As plain text, for JSON Feed and mail previews.
    pub text: String,
}

/// The Markdown extensions posts may use (the importer's tests write for the same).
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}

/// The parser of post bodies, with the extensions posts may use.
pub(super) fn parser(body: &str) -> Parser<'_> {
    Parser::new_ext(body, options())
}

/// The events of `body`, cleaned: pulldown-cmark decodes character
/// references (`&#1;`) into text, link targets and code block info strings,
/// and passes raw HTML on as written, so each is cleaned here
/// ([`crate::clean`]). Bodies with no `&#` and no unfit character (most of
/// them) skip the per-event work.
fn parse(body: &str) -> impl Iterator<Item = Event<'_>> {
    let suspect = body.contains("&#") || clean::has_unfit(body);
    parser(body).map(move |event| if suspect { cleaned(event) } else { event })
}

fn cleaned<'a>(event: Event<'a>) -> Event<'a> {
    let text = |s: CowStr<'a>| keep_or(s, clean::text);
    let html = |s: CowStr<'a>| keep_or(s, clean::html);
    match event {
        Event::Text(t) => Event::Text(text(t)),
        Event::Code(t) => Event::Code(text(t)),
        Event::Html(t) => Event::Html(html(t)),
        Event::InlineHtml(t) => Event::InlineHtml(html(t)),
        Event::FootnoteReference(label) => Event::FootnoteReference(text(label)),
        Event::Start(Tag::FootnoteDefinition(label)) => {
            Event::Start(Tag::FootnoteDefinition(text(label)))
        }
        Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(text(info))))
        }
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: text(dest_url),
            title: text(title),
            id: text(id),
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: text(dest_url),
            title: text(title),
            id: text(id),
        }),
        other => other,
    }
}

/// `s`, or `f(s)` when that differs.
fn keep_or<'a>(s: CowStr<'a>, f: fn(&str) -> Cow<'_, str>) -> CowStr<'a> {
    match f(&s) {
        Cow::Borrowed(_) => s,
        Cow::Owned(changed) => changed.into(),
    }
}

/// Renders the whole of `body` as HTML, local images and links replaced by
/// what `media` resolves them to (see [`super::media`]).
pub(super) fn to_html(body: &str, media: &Media, images: Images) -> String {
    let mut out = String::with_capacity(body.len() + body.len() / 4);
    if media.is_empty() {
        html::push_html(&mut out, parse(body));
    } else {
        html::push_html(&mut out, figure::resolve(parse(body), media, images));
    }
    out
}

/// The summary of `body`, its URLs made absolute against `base` (the post's
/// URL), since summaries are shown on other pages. The whole body is parsed
/// for its block structure (so reference links defined further down still
/// resolve), but inline parsing and HTML output stop at the end of the first
/// paragraph: listing thousands of posts costs a fraction of rendering them.
pub(super) fn summary(body: &str, base: &Url) -> Summary {
    let mut events: Vec<Event> = match find_more(body) {
        Some(end) => parse(&body[..end]).collect(),
        None => quick_first_paragraph(body).unwrap_or_else(|| first_paragraph(parse(body)).0),
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

/// The events of the first paragraph, its start and end tags included, and
/// whether it stands outside any list, quote or other container.
fn first_paragraph<'a>(events: impl Iterator<Item = Event<'a>>) -> (Vec<Event<'a>>, bool) {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut top_level = false;
    for event in events {
        match &event {
            Event::Start(Tag::Paragraph) if out.is_empty() => top_level = depth == 0,
            Event::Start(_) if out.is_empty() => depth += 1,
            Event::End(_) if out.is_empty() => depth = depth.saturating_sub(1),
            _ => {}
        }
        if matches!(event, Event::Start(Tag::Paragraph)) || !out.is_empty() {
            let end = matches!(event, Event::End(TagEnd::Paragraph));
            out.push(event);
            if end {
                break;
            }
        }
    }
    (out, top_level)
}

/// The first paragraph, parsed from the start of `body` only, when that is
/// sure to give what parsing the whole body gives; `None` otherwise.
///
/// pulldown-cmark parses the block structure of the whole text before the
/// first event, so a summary would cost a full parse of every post. The
/// prefix ends with a blank line, which closes any paragraph before it (no
/// setext heading or table can claim it), and the paragraph must stand
/// outside containers (a list's looseness depends on what follows). Only
/// link reference and footnote definitions (`]:`) can reach back from later
/// text; bodies that have any are parsed whole.
fn quick_first_paragraph(body: &str) -> Option<Vec<Event<'_>>> {
    const PREFIX: usize = 1024;
    if body.len() <= PREFIX || body.contains("]:") {
        return None;
    }
    let start = (PREFIX..body.len()).find(|&i| body.is_char_boundary(i))?;
    let end = start + body[start..].find("\n\n")? + 2;
    let (events, top_level) = first_paragraph(parse(&body[..end]));
    (top_level && !events.is_empty()).then_some(events)
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
pub(super) fn plain_text(events: &[Event]) -> String {
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
        let html = to_html(body, &Media::default(), Images::Srcset);
        assert!(html.contains("<h1>Rubrik</h1>"));
        assert!(html.contains("<p>Andra stycket.</p>"));
    }

    /// The first paragraph as a full parse finds it.
    fn slow(body: &str) -> Vec<Event<'_>> {
        first_paragraph(Parser::new_ext(body, options())).0
    }

    #[test]
    fn quick_summary_agrees_with_a_full_parse() {
        let filler = "Fyllnadstext om kommunens arbete med skolor och vård.\n\n".repeat(40);
        let long = format!("{}\n\n", "Ett långt första stycke. ".repeat(60));
        let cases = [
            format!("Första stycket.\n\n{filler}"),
            format!("# Rubrik\n\nStycket.\n\n{filler}"),
            // A list made loose by a blank line far below, then a paragraph.
            format!("- a\n- b\n\n{filler}- c\n"),
            format!("- a\n\n  b\n\n{filler}"),
            format!("{}\n- sista\n\n{filler}", "- punkt\n".repeat(200)),
            format!("> citat\n\n{filler}"),
            format!("```\nkod\n\n{filler}```\n\nEfter koden.\n"),
            format!("<pre>\n\n{filler}</pre>\n\nEfter.\n"),
            format!("{long}{filler}"),
            format!("{filler}Rubrik\n======\n"),
            format!("Se [här][1].\n\n{filler}[1]: https://example.se/\n"),
            format!("Not[^1].\n\n{filler}[^1]: Fotnot.\n"),
            format!("Text\r\n\r\n{filler}"),
            // Byte 1024 falls inside a character.
            format!("x{}\n\n{filler}", "ö".repeat(600)),
        ];
        for body in &cases {
            let quick = quick_first_paragraph(body);
            if let Some(events) = &quick {
                assert_eq!(events, &slow(body), "{body:.80}");
            }
            let mut expected = String::new();
            html::push_html(&mut expected, slow(body).into_iter());
            let mut resolved = summary(body, &base()).html;
            resolved = resolved.replace("https://example.se/blogg/inlagg/", "");
            assert_eq!(
                resolved,
                expected.replace("https://example.se/blogg/inlagg/", "")
            );
        }
        // The quick path is taken for ordinary posts.
        assert!(quick_first_paragraph(&cases[0]).is_some());
        assert!(quick_first_paragraph(&cases[8]).is_some());
        assert!(quick_first_paragraph(&cases[13]).is_some());
        assert!(
            quick_first_paragraph(&cases[3]).is_none(),
            "paragraph in a list"
        );
        assert!(
            quick_first_paragraph(&cases[10]).is_none(),
            "reference definition"
        );
    }

    #[test]
    fn more_marker_ends_the_summary() {
        let body = "Ett.\n\nTvå.\n\n<!-- more -->\n\nTre.\n";
        let s = summary(body, &base());
        assert_eq!(s.html, "<p>Ett.</p>\n<p>Två.</p>\n");
        assert_eq!(s.text, "Ett. Två.");
        assert!(to_html(body, &Media::default(), Images::Srcset).contains("<p>Tre.</p>"));
    }

    fn to_html_plain(body: &str) -> String {
        to_html(body, &Media::default(), Images::Srcset)
    }

    #[test]
    fn extensions_are_enabled() {
        let html = to_html_plain(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~bort~~ text[^1]\n\n[^1]: Fotnot.\n",
        );
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
        assert_eq!(to_html("", &Media::default(), Images::Srcset), "");
    }
}
