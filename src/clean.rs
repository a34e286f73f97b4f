//! The one boundary for text from outside: every string that can reach a
//! feed, a page or a mail (post files and their TOML escapes, character
//! references in Markdown and raw HTML, the config, imported feeds, the
//! templates, the recipients file) passes [`text`] or [`html`] where it
//! enters the content model, so nothing downstream needs to check again.
//!
//! A character is *unfit* when XML 1.0 forbids it (C0 controls but tab, line
//! feed and carriage return; U+FFFE, U+FFFF) or when HTML calls it a parse
//! error in its input stream (DEL and the C1 controls, which XML 1.0 allows
//! but discourages, and every Unicode noncharacter). Noncharacters are
//! reserved by Unicode for a program's internal use, which is what
//! [`crate::digest`] uses two of for: since cleaned text never holds them,
//! post text can never pose as its markers.

use std::borrow::Cow;

use serde::Deserialize;

/// Whether `c` is unfit for XML 1.0 or HTML text (see the module docs).
pub(crate) fn is_unfit(c: char) -> bool {
    matches!(c, '\0'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{fdd0}'..='\u{fdef}')
        || u32::from(c) & 0xfffe == 0xfffe
}

/// Whether `text` holds an unfit character.
pub(crate) fn has_unfit(text: &str) -> bool {
    // Byte pre-scan: every unfit character starts with a control byte, 0xC2
    // (U+0080..U+009F), 0xEF (U+FDD0.., U+FFFE) or 0xF0..0xF4 (the other
    // planes); most text has none. A branch-free fold, so that it vectorises.
    let suspicious = text.as_bytes().chunks(64).any(|chunk| {
        chunk.iter().fold(false, |acc, &b| {
            acc | (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r')
                | (b == 0x7f)
                | (b == 0xc2)
                | (b == 0xef)
                | (b >= 0xf0)
        })
    });
    suspicious && text.contains(is_unfit)
}

/// `text` without its unfit characters; borrowed when it has none.
pub(crate) fn text(text: &str) -> Cow<'_, str> {
    if has_unfit(text) {
        Cow::Owned(text.chars().filter(|&c| !is_unfit(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// Raw HTML without unfit characters, neither as characters nor as numeric
/// character references (`&#1;`, `&#x1F`, `&#xFFFE;`), which an HTML parser
/// would turn into them. References that HTML parsers refuse (to U+0000, a
/// surrogate, past U+10FFFF, or a carriage return) go too.
pub(crate) fn html(html: &str) -> Cow<'_, str> {
    let cleaned = text(html);
    if !cleaned.contains("&#") {
        return cleaned;
    }
    let mut out = String::with_capacity(cleaned.len());
    let mut rest = cleaned.as_ref();
    while let Some(at) = rest.find("&#") {
        out.push_str(&rest[..at]);
        let (len, code) = numeric_reference(&rest[at + 2..]);
        let unfit = char::from_u32(code).is_none_or(|c| is_unfit(c) || c == '\r') || code == 0;
        let whole = &rest[at..at + 2 + len];
        if len == 0 || !unfit {
            out.push_str(whole);
        }
        rest = &rest[at + 2 + len..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// After `&#`: the length of the reference's remainder (digits, `x`, `;`),
/// 0 when none follows, and the code point it names (saturating).
fn numeric_reference(after: &str) -> (usize, u32) {
    let (radix, start) = match after.as_bytes().first() {
        Some(b'x' | b'X') => (16, 1),
        _ => (10, 0),
    };
    let digits = after[start..]
        .bytes()
        .take_while(|b| (*b as char).is_digit(radix))
        .count();
    if digits == 0 {
        return (0, 0);
    }
    let code = after[start..start + digits].bytes().fold(0u32, |n, b| {
        let digit = (b as char).to_digit(radix).unwrap_or(0);
        n.saturating_mul(radix).saturating_add(digit)
    });
    let semicolon = usize::from(after[start + digits..].starts_with(';'));
    (start + digits + semicolon, code)
}

/// Why `id` cannot be an identifier, if it cannot: ids name posts in feeds,
/// mail headers and the ledger, so they are one line of fit characters.
/// Unlike other text, an id is never silently changed: it is refused.
pub(crate) fn id_problem(id: &str) -> Option<String> {
    let line_break = |c: char| {
        matches!(
            c,
            '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
        )
    };
    let c = id
        .chars()
        .find(|&c| is_unfit(c) || c.is_control() || line_break(c))?;
    Some(if line_break(c) {
        "a line break".to_string()
    } else if c.is_control() {
        format!("the control character U+{:04X}", u32::from(c))
    } else {
        format!("the noncharacter U+{:04X}", u32::from(c))
    })
}

/// A string read from a TOML file, its unfit characters removed after TOML
/// has unescaped it (`"\u0001"`): use it for every text key of a post's
/// front matter and of the config.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub(crate) struct Cleaned(String);

impl From<String> for Cleaned {
    fn from(value: String) -> Cleaned {
        match text(&value) {
            Cow::Borrowed(_) => Cleaned(value),
            Cow::Owned(cleaned) => Cleaned(cleaned),
        }
    }
}

impl Cleaned {
    /// The cleaned string.
    pub(crate) fn into_string(self) -> String {
        self.0
    }

    /// The cleaned string, borrowed.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfit_characters_are_removed_and_others_kept() {
        let kept = "ok\ttab\r\n å 🎉 \u{e000}\u{a0}\u{fdcf}\u{fdf0}\u{fffd}";
        assert!(matches!(text(kept), Cow::Borrowed(_)));
        assert_eq!(
            text("a\u{0}\u{1}\u{b}\u{c}\u{1f}\u{7f}\u{85}\u{9f}b\u{fdd0}\u{fdef}\u{fffe}\u{ffff}\u{1fffe}\u{10ffff}c"),
            "abc"
        );
    }

    #[test]
    fn references_to_unfit_characters_are_removed_from_html() {
        assert_eq!(
            html("<p title=\"a&#1;b\">x&#x1F;y&#X1f&#65534;z&#0;&#xD800;&#13;&#x110000;&#99999999999;</p>"),
            "<p title=\"ab\">xyz</p>"
        );
        let kept = "&#9;&#10;&#x20AC;&#128512;&amp;&#;&#x;&#a &# 1";
        assert_eq!(html(kept), kept);
        assert_eq!(html("\u{1}&#x41;"), "&#x41;");
    }

    #[test]
    fn ids_are_one_line_of_fit_characters() {
        assert_eq!(id_problem("tag:example.se,2013:a"), None);
        assert_eq!(
            id_problem("a\u{1}b").as_deref(),
            Some("the control character U+0001")
        );
        assert_eq!(id_problem("a\nb").as_deref(), Some("a line break"));
        assert_eq!(id_problem("a\u{2028}b").as_deref(), Some("a line break"));
        assert_eq!(
            id_problem("a\tb").as_deref(),
            Some("the control character U+0009")
        );
        assert_eq!(
            id_problem("a\u{fffe}").as_deref(),
            Some("the noncharacter U+FFFE")
        );
    }

    #[test]
    fn toml_strings_are_cleaned_after_unescaping() {
        #[derive(Deserialize)]
        struct T {
            s: Cleaned,
        }
        let t: T = toml::from_str("s = \"a\\u0001b\\uffffc\"").unwrap();
        assert_eq!(t.s.as_str(), "abc");
    }
}
