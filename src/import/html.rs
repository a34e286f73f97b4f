//! Feed content (HTML) to Markdown, with the `htmd` crate in its faithful
//! mode: whatever Markdown can say (paragraphs, emphasis, links, images,
//! lists, quotes, code, headings, simple tables) becomes Markdown; an element
//! Markdown cannot express without losing something (a `class`, a `<sup>`,
//! an `<iframe>`, a table cell spanning columns) stays HTML, which herald's
//! Markdown passes through unchanged.
//!
//! Every conversion is checked: the Markdown, rendered the way `herald build`
//! renders it, must have the same elements and the same text as the original.
//! When it does not, the whole content is kept as HTML.

use htmd::options::{BrStyle, BulletListMarker, HrStyle, Options, TranslationMode};
use htmd::HtmlToMarkdown;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use lol_html::{doc_text, element, rewrite_str, RewriteStrSettings};
use pulldown_cmark::Parser;
use std::cell::RefCell;

/// A post body made from feed HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Converted {
    /// The body, ending with a line break (empty for no content).
    pub markdown: String,
    /// Whether Markdown would have changed the content, so it was kept as HTML.
    pub kept_html: bool,
}

/// The Markdown for `html`; see the module documentation.
pub(super) fn to_markdown(html: &str) -> Converted {
    let html = tidy(html);
    let markdown = convert(&html);
    if signature(&render(&markdown)) == signature(&html) {
        return Converted {
            markdown,
            kept_html: false,
        };
    }
    // An HTML block runs to the next blank line, so the HTML must have none;
    // a line feed written as `&#10;` reads the same in HTML, even in `<pre>`.
    let mut kept = html.trim().replace("\r\n", "\n");
    while kept.contains("\n\n") {
        kept = kept.replace("\n\n", "\n&#10;");
    }
    Converted {
        markdown: format!("<div>\n{kept}\n</div>\n"),
        kept_html: true,
    }
}

fn convert(html: &str) -> String {
    let converter = HtmlToMarkdown::builder()
        .options(Options {
            br_style: BrStyle::Backslash,
            hr_style: HrStyle::Dashes,
            bullet_list_marker: BulletListMarker::Dash,
            ul_bullet_spacing: 1,
            ol_number_spacing: 1,
            translation_mode: TranslationMode::Faithful,
            ..Options::default()
        })
        .build();
    // htmd fails only when reading its input, which is already in memory.
    let markdown = converter.convert(html).unwrap_or_default();
    let markdown = markdown.trim();
    if markdown.is_empty() {
        String::new()
    } else {
        format!("{markdown}\n")
    }
}

/// Link attributes that only tell browsers how to open a link.
const LINK_REL: [&str; 5] = ["noopener", "noreferrer", "nofollow", "ugc", "external"];

/// `html` without what a post does not need: `script`, `style` and
/// `noscript` elements, `target` and browser-only `rel` on links, and line
/// breaks right after `<br>` (which Markdown would turn into a leading space).
fn tidy(html: &str) -> String {
    let settings = RewriteStrSettings {
        element_content_handlers: vec![
            element!("script, style, noscript", |el| {
                el.remove();
                Ok(())
            }),
            element!("a", |el| {
                el.remove_attribute("target");
                let rel = el.get_attribute("rel").unwrap_or_default();
                if rel
                    .split_whitespace()
                    .all(|r| LINK_REL.contains(&r.to_ascii_lowercase().as_str()))
                {
                    el.remove_attribute("rel");
                }
                Ok(())
            }),
        ],
        ..RewriteStrSettings::new()
    };
    // lol_html only fails in strict mode or on memory limits, neither of which is set.
    let html = rewrite_str(html, settings).unwrap_or_else(|_| html.to_string());
    if html.contains("<pre") {
        return html;
    }
    ["<br>", "<br/>", "<br />"]
        .iter()
        .fold(html, |html, br| html.replace(&format!("{br}\n"), br))
}

/// Markdown to HTML with the extensions `herald build` uses.
fn render(markdown: &str) -> String {
    use pulldown_cmark::Options as O;
    let mut out = String::new();
    let options = O::ENABLE_TABLES | O::ENABLE_FOOTNOTES | O::ENABLE_STRIKETHROUGH;
    pulldown_cmark::html::push_html(&mut out, Parser::new_ext(markdown, options));
    out
}

/// What must survive a conversion: the elements in order (with wrappers that
/// carry no meaning left out and synonyms merged) and the text without
/// whitespace.
fn signature(html: &str) -> (Vec<String>, String) {
    let mut tags = Vec::new();
    let mut text = String::new();
    let settings = RewriteStrSettings {
        element_content_handlers: vec![element!("*", |el| {
            let name = el.tag_name();
            let name = match name.as_str() {
                "b" => "strong".to_string(),
                "i" => "em".to_string(),
                "s" | "strike" => "del".to_string(),
                _ => name,
            };
            if !matches!(name.as_str(), "p" | "div" | "span" | "tbody" | "thead") {
                tags.push(name);
            }
            Ok(())
        })],
        document_content_handlers: vec![doc_text!(|chunk| {
            text.push_str(chunk.as_str());
            Ok(())
        })],
        ..RewriteStrSettings::new()
    };
    let _ = rewrite_str(html, settings);
    let text = decode_entities(&text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    (tags, text)
}

/// The text of a little HTML such as an Atom `type="html"` title: tags
/// dropped, entities decoded, whitespace collapsed.
pub(super) fn to_plain_text(html: &str) -> String {
    decode_entities(html)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of `html` with every character reference decoded as a browser
/// does (html5ever's tokenizer: all HTML5 named entities, and `&#146;` as
/// the windows-1252 apostrophe); tags are dropped.
fn decode_entities(html: &str) -> String {
    #[derive(Default)]
    struct Text(RefCell<String>);
    impl TokenSink for Text {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            if let Token::CharacterTokens(chars) = token {
                self.0.borrow_mut().push_str(&chars);
            }
            TokenSinkResult::Continue
        }
    }
    let tokenizer = Tokenizer::new(Text::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.take()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(html: &str) -> String {
        let converted = to_markdown(html);
        assert!(
            !converted.kept_html,
            "{html} was kept as HTML: {}",
            converted.markdown
        );
        converted.markdown
    }

    #[test]
    fn markdown_where_markdown_can_say_it() {
        let html = "<p>Ett <em>två</em> <b>tre</b> <a href=\"https://x.se/a_b\">länk</a>.</p>\n<p>Rad<br>rad två</p>";
        assert_eq!(
            md(html),
            "Ett *två* **tre** [länk](https://x.se/a_b).\n\nRad\\\nrad två\n"
        );
        let html = "<ul><li>a</li><li>b <code>c</code></li></ul><ol><li>x</li></ol><blockquote><p>citat</p></blockquote>";
        assert_eq!(md(html), "- a\n- b `c`\n\n1. x\n\n> citat\n");
        assert_eq!(
            md("<p>5 * 3 = _15_ [x] &amp; &lt;b&gt;</p><h2>Rubrik</h2><hr>"),
            "5 \\* 3 = \\_15\\_ \\[x\\] & \\<b>\n\n## Rubrik\n\n- - -\n"
        );
        assert_eq!(md("Bara text &hellip; utan p"), "Bara text … utan p\n");
        assert_eq!(md(""), "");
    }

    #[test]
    fn html_where_markdown_would_lose_something() {
        let converted = to_markdown("<p>a <sup>2</sup> och <span class=\"x\">b</span></p><iframe src=\"https://v.se\"></iframe>");
        assert!(!converted.kept_html);
        assert!(
            converted
                .markdown
                .contains("a <sup>2</sup> och <span class=\"x\">b</span>"),
            "{}",
            converted.markdown
        );
        assert!(
            converted
                .markdown
                .contains("<iframe src=\"https://v.se\"></iframe>"),
            "{}",
            converted.markdown
        );
        let figure = to_markdown(
            "<figure><img src=\"a.jpg\" alt=\"bild\"><figcaption>Text</figcaption></figure>",
        );
        assert!(
            figure.markdown.contains("<figcaption>Text</figcaption>"),
            "{}",
            figure.markdown
        );
    }

    #[test]
    fn blank_lines_never_end_kept_html() {
        let html = "<table><tr><td colspan=\"2\">a</td></tr>\n\n<tr><td>b *c*</td></tr></table><p>Efter</p>";
        let converted = to_markdown(html);
        assert!(
            !converted.markdown.contains("\n\n<tr>"),
            "{}",
            converted.markdown
        );
        assert_eq!(signature(&render(&converted.markdown)), signature(html));
    }

    #[test]
    fn a_changed_meaning_keeps_all_as_html() {
        // htmd drops the no-break space, and `- Hur` would become a list.
        let html = "<p>\u{a0}- Hur träffas avtal?</p>\n\n<pre>a\n\nb</pre>";
        let converted = to_markdown(html);
        assert!(converted.kept_html);
        assert_eq!(
            converted.markdown,
            "<div>\n<p>\u{a0}- Hur träffas avtal?</p>\n&#10;<pre>a\n&#10;b</pre>\n</div>\n"
        );
        assert_eq!(signature(&render(&converted.markdown)).1, signature(html).1);
    }

    #[test]
    fn scripts_and_browser_hints_are_dropped() {
        assert_eq!(
            md("<p>Hej<script>alert(1)</script></p><style>p{}</style>"),
            "Hej\n"
        );
        let html =
            "<p><a href=\"https://a.se\" rel=\"noopener noreferrer\" target=\"_blank\">a</a></p>";
        assert_eq!(md(html), "[a](https://a.se)\n");
        assert!(md("<p><a href=\"https://a.se\" rel=\"me\">a</a></p>").contains("rel=\"me\""));
    }

    #[test]
    fn lines_after_hard_breaks_start_clean() {
        assert_eq!(
            md("<p>Ett.<br>\nTvå.<br />\n- tre</p>"),
            "Ett.\\\nTvå.\\\n\\- tre\n"
        );
    }

    #[test]
    fn plain_text_of_little_html() {
        assert_eq!(
            to_plain_text("Ett <b>fett</b> &amp; &#246;l&#x21;  ok"),
            "Ett fett & öl! ok"
        );
        assert_eq!(to_plain_text("a &bogus; b & c"), "a &bogus; b & c");
        assert_eq!(
            to_plain_text("it&#146;s &eacute;t&eacute; &frac34; &Zeta; &hearts;"),
            "it’s été ¾ Ζ ♥"
        );
    }
}
