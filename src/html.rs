//! HTML post-processing with real HTML parsers: absolute URLs and sanitising.
//!
//! Post pages keep the author's HTML as written. Everything read away from the
//! post's own URL (feeds, excerpts on other pages, mail) gets absolute URLs,
//! and everything read in another program (feeds, mail) is sanitised, since
//! feed readers and validators reject scripts and event handlers.

use std::borrow::Cow;

use lol_html::html_content::{ContentType, Element};
use lol_html::{element, rewrite_str, RewriteStrSettings};
use url::Url;

/// Attributes that hold a single URL.
const URL_ATTRIBUTES: [&str; 3] = ["href", "src", "poster"];

/// Makes every relative URL in `href`, `src`, `srcset` and `poster` attributes
/// absolute against `base` (the post's own URL). Returns the input unchanged
/// when it has no such attribute.
pub(crate) fn absolutize<'a>(html: &'a str, base: &Url) -> Cow<'a, str> {
    // Cheap test first: most excerpts have no links at all.
    if !["href", "src", "poster"].iter().any(|a| html.contains(a)) {
        return Cow::Borrowed(html);
    }
    let settings = RewriteStrSettings {
        element_content_handlers: vec![element!("[href], [src], [srcset], [poster]", |el| {
            rewrite_element(el, base);
            Ok(())
        })],
        ..RewriteStrSettings::new()
    };
    // lol_html only fails in strict mode or on memory limits, neither of which is set.
    match rewrite_str(html, settings) {
        Ok(out) => Cow::Owned(out),
        Err(_) => Cow::Borrowed(html),
    }
}

fn rewrite_element(el: &mut Element, base: &Url) {
    for name in URL_ATTRIBUTES {
        if let Some(absolute) = el.get_attribute(name).and_then(|v| resolve(base, &v)) {
            // Attribute names are fixed and valid, so this cannot fail.
            let _ = el.set_attribute(name, &absolute);
        }
    }
    if let Some(srcset) = el.get_attribute("srcset") {
        let _ = el.set_attribute("srcset", &absolutize_srcset(&srcset, base));
    }
}

/// `value` made absolute against `base`; `None` when it is already absolute
/// (or cannot be resolved).
pub(crate) fn resolve(base: &Url, value: &str) -> Option<String> {
    match Url::parse(value.trim()) {
        Ok(_) => None,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            base.join(value.trim()).ok().map(String::from)
        }
        Err(_) => None,
    }
}

/// A srcset is a comma-separated list of `url [descriptor]` candidates.
fn absolutize_srcset(srcset: &str, base: &Url) -> String {
    srcset
        .split(',')
        .map(|candidate| {
            let candidate = candidate.trim();
            let (url, descriptor) = candidate
                .split_once(char::is_whitespace)
                .unwrap_or((candidate, ""));
            let url = resolve(base, url).unwrap_or_else(|| url.to_string());
            if descriptor.is_empty() {
                url
            } else {
                format!("{url} {}", descriptor.trim())
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Wraps every `<table>` of page HTML in a box that scrolls sideways on its
/// own (`.table-wrap` in the theme), so that a wide table never widens the
/// page (WCAG 1.4.10 Reflow). The box is a labelled region with
/// `tabindex="0"`, so a keyboard can scroll it too: "`label` 1", "`label` 2" …
/// in page order. Returns the input unchanged when it has no table.
pub(crate) fn scrolling_tables<'a>(html: &'a str, label: &str) -> Cow<'a, str> {
    if !has_tag(html, b"<table") {
        return Cow::Borrowed(html);
    }
    let mut count = 0;
    let settings = RewriteStrSettings {
        element_content_handlers: vec![element!("table", |el| {
            count += 1;
            in_box(
                el,
                &format!(
                    "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"{label} {count}\">"
                ),
            );
            Ok(())
        })],
        ..RewriteStrSettings::new()
    };
    // lol_html only fails in strict mode or on memory limits, neither of which is set.
    match rewrite_str(html, settings) {
        Ok(out) => Cow::Owned(out),
        Err(_) => Cow::Borrowed(html),
    }
}

/// Whether `html` holds `tag` (such as `<table`), in any case.
fn has_tag(html: &str, tag: &[u8]) -> bool {
    html.as_bytes()
        .windows(tag.len())
        .any(|w| w.eq_ignore_ascii_case(tag))
}

/// Puts the element in a box that scrolls sideways on its own: the table
/// boxes of pages and mail, opened by `open` (a `<div …>`).
fn in_box(el: &mut Element, open: &str) {
    el.before(open, ContentType::Html);
    el.after("</div>", ContentType::Html);
}

/// Readies post HTML for mail clients.
///
/// Each image gets a `width` of at most `column` pixels (Outlook for Windows
/// ignores `max-width`; an image of unknown width gets the column),
/// `height:auto`, `border="0"` and an `alt`, so a client that blocks images
/// still reads well. With `show_images` false, each image is replaced by its
/// text alternative on a line of its own (a decorative image, `alt=""`, by
/// nothing).
///
/// Each table is wrapped in a box that scrolls sideways (`class="table-wrap"`):
/// a table wider than a phone then scrolls on its own instead of widening
/// the whole message.
pub(crate) fn for_mail(html: &str, column: u32, show_images: bool) -> String {
    if !has_tag(html, b"<img") && !has_tag(html, b"<table") {
        return html.to_string();
    }
    let settings = RewriteStrSettings {
        element_content_handlers: vec![
            element!("img", |el| {
                mail_image(el, column, show_images)?;
                Ok(())
            }),
            element!("table", |el| {
                in_box(
                    el,
                    r#"<div class="table-wrap" style="overflow-x:auto;max-width:100%">"#,
                );
                Ok(())
            }),
        ],
        ..RewriteStrSettings::new()
    };
    // lol_html only fails in strict mode or on memory limits, neither of which is set.
    rewrite_str(html, settings).unwrap_or_else(|_| html.to_string())
}

fn mail_image(
    el: &mut Element,
    column: u32,
    show: bool,
) -> Result<(), lol_html::errors::AttributeNameError> {
    // The value as written: character references stay encoded.
    let alt = el.get_attribute("alt");
    if !show {
        let raw = alt.unwrap_or_default();
        let line = raw.trim().replace('<', "&lt;").replace('>', "&gt;");
        let text = if line.is_empty() {
            String::new()
        } else {
            format!("{line}<br>")
        };
        el.replace(&text, ContentType::Html);
        return Ok(());
    }
    let width = el
        .get_attribute("width")
        .and_then(|w| w.trim().parse::<u32>().ok())
        .map_or(column, |w| w.min(column));
    el.set_attribute("width", &width.to_string())?;
    el.remove_attribute("height");
    el.set_attribute("style", "height:auto;max-width:100%")?;
    el.set_attribute("border", "0")?;
    if alt.is_none() {
        el.set_attribute("alt", "")?;
    }
    Ok(())
}

/// `html` without its `<img>` elements.
pub(crate) fn without_images(html: &str) -> String {
    if !has_tag(html, b"<img") {
        return html.to_string();
    }
    let settings = RewriteStrSettings {
        element_content_handlers: vec![element!("img", |el| {
            el.remove();
            Ok(())
        })],
        ..RewriteStrSettings::new()
    };
    rewrite_str(html, settings).unwrap_or_else(|_| html.to_string())
}

/// The `style` values of aligned Markdown table cells.
const ALIGNMENTS: [&str; 3] = [
    "text-align: left",
    "text-align: center",
    "text-align: right",
];

/// Removes scripts, styles, event handlers and other active content, keeping
/// ordinary formatting, links, images, tables and media.
pub(crate) struct Sanitizer(ammonia::Builder<'static>);

impl Default for Sanitizer {
    fn default() -> Self {
        let mut builder = ammonia::Builder::default();
        builder
            .add_tags([
                "figure",
                "figcaption",
                "picture",
                "source",
                "video",
                "audio",
            ])
            .add_tag_attributes("img", ["srcset", "sizes"])
            .add_tag_attributes("source", ["src", "srcset", "type", "media"])
            .add_tag_attributes("video", ["src", "poster", "controls", "width", "height"])
            .add_tag_attributes("audio", ["src", "controls"])
            // The column alignment of a Markdown table, exactly as
            // pulldown-cmark writes it; any other style is active content.
            .add_tag_attribute_values("th", "style", ALIGNMENTS)
            .add_tag_attribute_values("td", "style", ALIGNMENTS)
            .url_relative(ammonia::UrlRelative::PassThrough);
        Sanitizer(builder)
    }
}

impl Sanitizer {
    /// The sanitised copy of `html`.
    pub(crate) fn clean(&self, html: &str) -> String {
        self.0.clean(html).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://example.se/blogg/lundens-forskola/").unwrap()
    }

    #[test]
    fn relative_urls_become_absolute() {
        let html = r#"<a href="../annat/">x</a><img src="bild.jpg" srcset="a.jpg 1x, /b.jpg 2x"><video poster="p.png"></video>"#;
        let out = absolutize(html, &base());
        assert!(
            out.contains(r#"href="https://example.se/blogg/annat/""#),
            "{out}"
        );
        assert!(
            out.contains(r#"src="https://example.se/blogg/lundens-forskola/bild.jpg""#),
            "{out}"
        );
        assert!(
            out.contains(r#"srcset="https://example.se/blogg/lundens-forskola/a.jpg 1x, https://example.se/b.jpg 2x""#),
            "{out}"
        );
        assert!(
            out.contains(r#"poster="https://example.se/blogg/lundens-forskola/p.png""#),
            "{out}"
        );
    }

    #[test]
    fn absolute_and_fragment_urls() {
        let html = r##"<a href="https://www.natkom.se/">n</a><a href="mailto:a@b.se">m</a><a href="#fn1">1</a>"##;
        let out = absolutize(html, &base());
        assert!(out.contains(r#"href="https://www.natkom.se/""#));
        assert!(out.contains(r#"href="mailto:a@b.se""#));
        assert!(
            out.contains(r#"href="https://example.se/blogg/lundens-forskola/#fn1""#),
            "{out}"
        );
    }

    #[test]
    fn text_without_urls_is_borrowed() {
        assert!(matches!(
            absolutize("<p>Hej</p>", &base()),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn images_can_be_removed() {
        let html = r#"<p>Se <img src="a.jpg" alt="A"> här.</p>"#;
        assert_eq!(without_images(html), "<p>Se  här.</p>");
    }

    #[test]
    fn mail_images_fit_the_column() {
        let html = r#"<p><img src="a.jpg" width="960" height="640" alt="Barn"> <img src="b.png" alt="Logga &amp; namn"> <img src="c.png" width="100"> <img src="d.png" alt=""></p>"#;
        let out = for_mail(html, 536, true);
        assert!(out.contains(r#"<img src="a.jpg" width="536" alt="Barn" style="height:auto;max-width:100%" border="0">"#), "{out}");
        assert!(
            out.contains(r#"src="b.png" alt="Logga &amp; namn" width="536""#),
            "{out}"
        );
        assert!(out.contains(r#"src="c.png" width="100""#), "{out}");
        assert!(!out.contains("height=\""), "{out}");
        let text = for_mail(html, 536, false);
        assert_eq!(text, "<p>Barn<br> Logga &amp; namn<br>  </p>");
    }

    #[test]
    fn sanitizer_removes_active_content() {
        let out = Sanitizer::default().clean(r#"<p onclick="x()">Hej<script>alert(1)</script></p><img src="https://e.se/a.png" srcset="https://e.se/b.png 2x">"#);
        assert!(!out.contains("script"), "{out}");
        assert!(!out.contains("onclick"), "{out}");
        assert!(out.contains("srcset"), "{out}");
    }

    #[test]
    fn table_alignment_survives_and_other_styles_do_not() {
        let html = r#"<table><tr><th style="text-align: right">Kr</th><td style="text-align: center">1</td><td style="color: red">2</td><td style="text-align: right; position: fixed">3</td></tr></table>"#;
        let out = Sanitizer::default().clean(html);
        assert!(out.contains(r#"<th style="text-align: right">"#), "{out}");
        assert!(out.contains(r#"<td style="text-align: center">"#), "{out}");
        assert_eq!(out.matches("style=").count(), 2, "{out}");
    }

    #[test]
    fn tags_in_capitals_are_found_too() {
        assert_eq!(without_images(r#"<p>A<IMG src="x.png"></p>"#), "<p>A</p>");
        assert!(for_mail("<TABLE><tr><td>1</td></tr></TABLE>", 536, true).contains("table-wrap"));
    }

    #[test]
    fn mail_tables_scroll_in_their_own_box() {
        let out = for_mail("<p>A</p><table><tr><td>1</td></tr></table>", 536, true);
        assert_eq!(
            out,
            r#"<p>A</p><div class="table-wrap" style="overflow-x:auto;max-width:100%"><table><tr><td>1</td></tr></table></div>"#
        );
    }

    #[test]
    fn tables_scroll_in_their_own_labelled_box() {
        let html = "<p>x</p><table><tr><td>a</td></tr></table><Table><tr><td>b</td></tr></Table>";
        let out = scrolling_tables(html, "Tabell");
        assert_eq!(
            out,
            "<p>x</p><div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Tabell 1\"><table><tr><td>a</td></tr></table></div>\
             <div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Tabell 2\"><Table><tr><td>b</td></tr></Table></div>"
        );
        assert!(matches!(
            scrolling_tables("<p>Hej</p>", "Tabell"),
            Cow::Borrowed(_)
        ));
    }
}
