//! herald's own footnotes, as its feeds carry them, back into Markdown
//! footnotes, so that a feed herald built imports into the same posts.
//!
//! A feed's HTML is sanitised, which drops the footnotes' `class` and `id`:
//! a reference is left as `<sup><a href="<post>#<label>">1</a></sup>` and
//! a definition as `<div><sup>1</sup>…</div>`. Only that exact shape, with
//! links to the item's own page, is taken for footnotes; any other `<sup>`
//! stays what it is. Each footnote is replaced by a marker word that the
//! HTML-to-Markdown conversion keeps as it is, and the markers are then
//! replaced by `[^label]` and `[^label]: …`.

use percent_encoding::percent_decode_str;

/// Content with its footnotes taken out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Footnotes {
    /// The HTML with a marker word for each reference and each definition.
    pub html: String,
    /// Marker and label of each reference.
    refs: Vec<(String, String)>,
    /// Marker, label and HTML of each definition.
    pub definitions: Vec<(String, String, String)>,
}

/// The footnotes of `html`, the content of the post at `link`; `None` when
/// it has none.
pub(super) fn split(html: &str, link: &str) -> Option<Footnotes> {
    let (html, refs) = references(html, link);
    if refs.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(html.len());
    let mut definitions = Vec::new();
    let mut rest = html.as_str();
    while let Some((at, label, open_len)) = next_definition(rest, &refs) {
        out.push_str(&rest[..at]);
        let chunk = &rest[at + open_len..];
        let next = next_definition(chunk, &refs).map_or(chunk.len(), |(i, _, _)| i);
        let Some(end) = chunk[..next].rfind("</div>") else {
            out.push_str(&rest[at..at + open_len]);
            rest = chunk;
            continue;
        };
        let marker = format!("HeraldFootnoteDefinition{}x", definitions.len());
        out.push_str(&format!("<p>{marker}</p>"));
        definitions.push((marker, label, chunk[..end].trim().to_string()));
        rest = &chunk[end + "</div>".len()..];
    }
    out.push_str(rest);
    Some(Footnotes {
        html: out,
        refs: refs
            .into_iter()
            .map(|(marker, _, label)| (marker, label))
            .collect(),
        definitions,
    })
}

/// `html` with each reference to a footnote of `link` replaced by a
/// marker; the references as (marker, number, label).
fn references(html: &str, link: &str) -> (String, Vec<(String, String, String)>) {
    let open = format!("<sup><a href=\"{link}#");
    let mut out = String::with_capacity(html.len());
    let mut refs = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&open) {
        out.push_str(&rest[..at]);
        let after = &rest[at + open.len()..];
        match reference(after) {
            Some((fragment, number, used)) => {
                let marker = format!("HeraldFootnoteReference{}x", refs.len());
                out.push_str(&marker);
                let label = percent_decode_str(fragment)
                    .decode_utf8_lossy()
                    .into_owned();
                refs.push((marker, number.to_string(), label));
                rest = &after[used..];
            }
            None => {
                out.push_str(&open);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (out, refs)
}

/// After `<sup><a href="…#`: the fragment, the number shown and the bytes
/// up to the end of `</a></sup>`.
fn reference(after: &str) -> Option<(&str, &str, usize)> {
    let quote = after.find('"')?;
    let text_at = quote + after[quote..].find('>')? + 1;
    let close = text_at + after[text_at..].find("</a></sup>")?;
    let number = &after[text_at..close];
    let digits = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
    digits.then_some((&after[..quote], number, close + "</a></sup>".len()))
}

/// The next `<div><sup>N</sup>` whose N a reference shows: where it starts,
/// its label and the length of that opening.
fn next_definition(
    html: &str,
    refs: &[(String, String, String)],
) -> Option<(usize, String, usize)> {
    let mut from = 0;
    while let Some(i) = html[from..].find("<div><sup>") {
        let at = from + i;
        let number_at = at + "<div><sup>".len();
        if let Some(end) = html[number_at..].find("</sup>") {
            let number = &html[number_at..number_at + end];
            if let Some((_, _, label)) = refs.iter().find(|(_, n, _)| n == number) {
                return Some((at, label.clone(), number_at + end + "</sup>".len() - at));
            }
        }
        from = number_at;
    }
    None
}

impl Footnotes {
    /// The Markdown made from [`Footnotes::html`] with its markers replaced:
    /// `[^label]` for a reference, and for a definition `[^label]: ` and
    /// the Markdown of its content (`definition`), indented after its first line.
    pub(super) fn restore(&self, markdown: &str, definition: impl Fn(&str) -> String) -> String {
        let mut markdown = markdown.to_string();
        for (marker, label) in &self.refs {
            markdown = markdown.replace(marker, &format!("[^{label}]"));
        }
        for (marker, label, html) in &self.definitions {
            let text = definition(html);
            let lines: Vec<String> = text
                .trim()
                .lines()
                .enumerate()
                .map(|(i, line)| match (i, line.is_empty()) {
                    (0, _) | (_, true) => line.to_string(),
                    _ => format!("    {line}"),
                })
                .collect();
            markdown = markdown.replace(marker, &format!("[^{label}]: {}", lines.join("\n")));
        }
        markdown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "https://k.example.se/lunden/";

    #[test]
    fn herald_footnotes_become_markdown_footnotes() {
        let html = "<p>A<sup><a href=\"https://k.example.se/lunden/#tv%C3%A5\" rel=\"noopener noreferrer\">1</a></sup> b.</p>\n<div><sup>1</sup>\n<p>Note <em>x</em>.</p>\n</div>\n";
        let found = split(html, LINK).unwrap();
        assert_eq!(
            found.html,
            "<p>AHeraldFootnoteReference0x b.</p>\n<p>HeraldFootnoteDefinition0x</p>\n"
        );
        assert_eq!(found.definitions[0].1, "två");
        assert_eq!(found.definitions[0].2, "<p>Note <em>x</em>.</p>");
        let markdown = "AHeraldFootnoteReference0x b.\n\nHeraldFootnoteDefinition0x\n";
        assert_eq!(
            found.restore(markdown, |_| "Note *x*.\n\nMore.\n".into()),
            "A[^två] b.\n\n[^två]: Note *x*.\n\n    More.\n"
        );
    }

    #[test]
    fn other_superscripts_are_no_footnotes() {
        assert_eq!(
            split(
                "<p>10<sup>3</sup> <sup><a href=\"https://other.se/#1\">1</a></sup></p>",
                LINK
            ),
            None
        );
        let found = split(
            "<p>x<sup><a href=\"https://k.example.se/lunden/#a\">a</a></sup></p>",
            LINK,
        );
        assert_eq!(found, None, "a reference shows a number");
    }
}
