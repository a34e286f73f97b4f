//! What `herald serve` adds to the pages it serves: the script that reloads
//! the tab after a build, and the last build's error over the page.
//!
//! Added to each HTML response rather than to the templates, so that a
//! site's own templates get them too and a real build never has them.

use mime_guess::mime::{self, Mime};

use crate::templates::escape_html;

/// The path of the event stream. Two underscores: no site file is named so.
pub(super) const EVENTS: &str = "/__herald/events";

/// The page for a path the site does not have (when it has no `404.html`).
pub(super) const NOT_FOUND: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Not found</title>\n</head>\n<body>\n<h1>Not found</h1>\n<p>The site has no page here (yet). <a href=\"/\">The front page</a>.</p>\n</body>\n</html>\n";

/// One server-sent event: the build with this id is the newest.
pub(super) fn event(build: &str) -> String {
    format!("event: reload\ndata: {build}\n\n")
}

/// Whether a file of this type is text: served as UTF-8, with the site's
/// URL adapted to the browser's name for the server.
pub(super) fn is_text(mime: &Mime) -> bool {
    mime.type_() == mime::TEXT
        || matches!(mime.subtype().as_str(), "json" | "xml" | "javascript")
        || mime
            .suffix()
            .is_some_and(|s| s == mime::XML || s == mime::JSON)
}

/// `html` with the reload script, and `failure` shown over the page, put
/// before `</body>` (or at the end when the page has none).
pub(super) fn inject(html: &str, build: &str, failure: Option<&str>) -> String {
    let mut added = String::new();
    if let Some(failure) = failure {
        added.push_str(&overlay(failure));
    }
    added.push_str(&script(build));
    let at = html
        .to_ascii_lowercase()
        .rfind("</body>")
        .unwrap_or(html.len());
    format!("{}{added}{}", &html[..at], &html[at..])
}

/// Reloads the tab when a build newer than `build` (the page's own) is
/// announced; the stream announces the newest at once on every
/// (re)connection, so a build finished while it was down is not missed.
fn script(build: &str) -> String {
    format!(
        "<script>\n(() => {{\n  const shown = \"{build}\";\n  new EventSource(\"{EVENTS}\").addEventListener(\"reload\", (e) => {{\n    if (e.data !== shown) location.reload();\n  }});\n}})();\n</script>\n"
    )
}

/// The error box: fixed at the top of the window, above the page it
/// leaves readable below, announced to screen readers.
fn overlay(failure: &str) -> String {
    format!(
        "<div id=\"herald-serve-error\" role=\"alert\" style=\"position:fixed;top:0;left:0;right:0;max-height:60vh;overflow:auto;z-index:2147483647;margin:0;padding:1rem;background:#fff4f4;color:#5c0000;border-bottom:4px solid #b00000;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap;overflow-wrap:anywhere\"><strong>herald serve: the build failed. Below is the last good build, if there was one.</strong>\n{}</div>\n",
        escape_html(failure)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_and_the_error_go_before_the_body_ends() {
        let page = "<html><body><p>x</p></BODY></html>";
        let served = inject(page, "7-2", Some("posts/a.md:2: <bad>"));
        let script = served.find("<script>").unwrap();
        let error = served.find("herald-serve-error").unwrap();
        let end = served.find("</BODY>").unwrap();
        assert!(error < script && script < end, "{served}");
        assert!(served.contains("posts/a.md:2: &lt;bad&gt;"), "{served}");
        assert!(served.contains("const shown = \"7-2\""), "{served}");
        assert!(!inject(page, "7-2", None).contains("herald-serve-error"));
    }

    #[test]
    fn a_page_without_a_body_end_gets_the_script_at_its_end() {
        assert!(inject("<p>x", "1-1", None).starts_with("<p>x<script>"));
    }

    #[test]
    fn feeds_and_styles_are_text_images_are_not() {
        let of = |name: &str| mime_guess::from_path(name).first_or_octet_stream();
        for name in ["a.html", "feed.xml", "feed.json", "style.css", "robots.txt"] {
            assert!(is_text(&of(name)), "{name}");
        }
        for name in ["a.png", "a.webp", "a.jpg", "a.pdf"] {
            assert!(!is_text(&of(name)), "{name}");
        }
    }
}
