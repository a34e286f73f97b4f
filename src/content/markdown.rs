//! CommonMark (with tables, footnotes and strikethrough) to HTML, and summaries.

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

/// The marker that ends a hand-picked summary.
pub const MORE: &str = "<!-- more -->";

/// A rendered post body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The whole body as HTML.
    pub html: String,
    /// The summary as HTML: the part before [`MORE`], else the first paragraph.
    pub summary_html: String,
    /// The summary as plain text, for JSON Feed and mail previews.
    pub summary_text: String,
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}

/// Renders `body`; the summary comes from the same parse unless a more marker is present.
pub fn render(body: &str) -> Rendered {
    let mut html_out = String::with_capacity(body.len() + body.len() / 4);
    let more = find_more(body);
    let mut summary_events: Vec<Event> = Vec::new();
    let mut state = Capture::Waiting;
    let events = Parser::new_ext(body, options()).inspect(|event| {
        if more.is_none() {
            state = state.step(event, &mut summary_events);
        }
    });
    html::push_html(&mut html_out, events);
    let (summary_html, summary_text) = match more {
        Some(end) => {
            let events: Vec<Event> = Parser::new_ext(&body[..end], options()).collect();
            (to_html(&events), plain_text(&events))
        }
        None => (to_html(&summary_events), plain_text(&summary_events)),
    };
    Rendered {
        html: html_out,
        summary_html,
        summary_text,
    }
}

/// The byte offset of a more marker standing on its own line.
fn find_more(body: &str) -> Option<usize> {
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        if line.trim() == MORE {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// Collects the events of the first paragraph.
#[derive(Clone, Copy)]
enum Capture {
    Waiting,
    Inside,
    Done,
}

impl Capture {
    fn step<'a>(self, event: &Event<'a>, into: &mut Vec<Event<'a>>) -> Capture {
        match (self, event) {
            (Capture::Waiting, Event::Start(Tag::Paragraph)) => {
                into.push(event.clone());
                Capture::Inside
            }
            (Capture::Inside, Event::End(TagEnd::Paragraph)) => {
                into.push(event.clone());
                Capture::Done
            }
            (Capture::Inside, _) => {
                into.push(event.clone());
                Capture::Inside
            }
            (state, _) => state,
        }
    }
}

fn to_html(events: &[Event]) -> String {
    let mut out = String::new();
    html::push_html(&mut out, events.iter().cloned());
    out
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

    #[test]
    fn first_paragraph_is_the_summary() {
        let r = render("# Rubrik\n\nFörsta *stycket*\nfortsätter.\n\nAndra stycket.\n");
        assert_eq!(
            r.summary_html,
            "<p>Första <em>stycket</em>\nfortsätter.</p>\n"
        );
        assert_eq!(r.summary_text, "Första stycket fortsätter.");
        assert!(r.html.contains("<h1>Rubrik</h1>"));
        assert!(r.html.contains("<p>Andra stycket.</p>"));
    }

    #[test]
    fn more_marker_ends_the_summary() {
        let r = render("Ett.\n\nTvå.\n\n<!-- more -->\n\nTre.\n");
        assert_eq!(r.summary_html, "<p>Ett.</p>\n<p>Två.</p>\n");
        assert_eq!(r.summary_text, "Ett. Två.");
        assert!(r.html.contains("<p>Tre.</p>"));
    }

    #[test]
    fn extensions_are_enabled() {
        let r = render("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~bort~~ text[^1]\n\n[^1]: Fotnot.\n");
        assert!(r.html.contains("<table>"), "{}", r.html);
        assert!(r.html.contains("<del>bort</del>"), "{}", r.html);
        assert!(r.html.contains("footnote"), "{}", r.html);
    }

    #[test]
    fn empty_body_has_empty_summary() {
        let r = render("");
        assert_eq!(r.summary_html, "");
        assert_eq!(r.summary_text, "");
    }
}
