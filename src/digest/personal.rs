//! Personalisation without re-rendering: when the templates use the
//! recipient only as plain values (`{{recipient.name}}`) and in `#if`/`#unless`
//! tests, each template is rendered (and its CSS inlined) once per *shape* of
//! recipient — which fields are empty — with markers for the values, and each
//! message only fills in its recipient's values. Rendering and inlining a
//! 45 KB message for each of 10,000 recipients would otherwise dominate a run.

use std::collections::BTreeMap;

use super::recipients::Recipient;

// Unicode noncharacters, reserved for a program's internal use: the one
// boundary for text (`crate::clean`) removes them from posts, config,
// templates and recipients, so only a stand-in's values can hold them, and
// post text (private-use characters included) is never taken for a field.
const OPEN: char = '\u{fdd0}';
const CLOSE: char = '\u{fdd1}';

/// Which fields of a recipient are empty: what `#if` tests can see.
pub(super) type Shape = Vec<(String, bool)>;

/// A rendered template cut at the recipient's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    /// Text as rendered.
    Text(String),
    /// The value of this recipient field.
    Field(String),
}

/// `true` when every use of `recipient` in `source` is a plain value or an
/// `#if`/`#unless` test, so that the marker rendering is exact.
pub(super) fn is_simple(source: &str) -> bool {
    source.match_indices("recipient").all(|(at, _)| {
        let before = source[..at].trim_end();
        let after = &source[at + "recipient".len()..];
        let plain_before = before.ends_with("{{")
            || before.ends_with("{{#if")
            || before.ends_with("{{#unless")
            || before.ends_with("{{{");
        let field: String = after
            .strip_prefix('.')
            .unwrap_or("")
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let rest = after.get(1 + field.len()..).unwrap_or("").trim_start();
        plain_before && !field.is_empty() && rest.starts_with("}}")
    })
}

/// The shape of `r`.
pub(super) fn shape(r: &Recipient) -> Shape {
    let mut shape = vec![
        ("email".to_string(), r.email.is_empty()),
        ("name".to_string(), r.name.is_empty()),
    ];
    shape.extend(r.fields.iter().map(|(k, v)| (k.clone(), v.is_empty())));
    shape
}

/// A recipient of `shape` whose non-empty values are markers.
pub(super) fn stand_in(shape: &Shape) -> Recipient {
    let marker = |(key, empty): &(String, bool)| {
        if *empty {
            String::new()
        } else {
            format!("{OPEN}{key}{CLOSE}")
        }
    };
    let fields: BTreeMap<String, String> = shape[2..]
        .iter()
        .map(|f| (f.0.clone(), marker(f)))
        .collect();
    Recipient {
        email: marker(&shape[0]),
        name: marker(&shape[1]),
        fields,
    }
}

/// Cuts text rendered for a [`stand_in`] at its markers.
pub(super) fn split(rendered: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rest = rendered;
    while let Some(open) = rest.find(OPEN) {
        let after = &rest[open + OPEN.len_utf8()..];
        let Some(close) = after.find(CLOSE) else {
            break;
        };
        pieces.push(Piece::Text(rest[..open].to_string()));
        pieces.push(Piece::Field(after[..close].to_string()));
        rest = &after[close + CLOSE.len_utf8()..];
    }
    pieces.push(Piece::Text(rest.to_string()));
    pieces
}

/// Fills `pieces` with `r`'s values, HTML-escaped when `escape`.
pub(super) fn fill(pieces: &[Piece], r: &Recipient, escape: bool) -> String {
    let mut out = String::with_capacity(pieces.iter().map(len).sum::<usize>() + 64);
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Field(key) => {
                let value = match key.as_str() {
                    "email" => &r.email,
                    "name" => &r.name,
                    other => r.fields.get(other).map_or("", String::as_str),
                };
                if escape {
                    out.push_str(&handlebars::html_escape(value));
                } else {
                    out.push_str(value);
                }
            }
        }
    }
    out
}

fn len(piece: &Piece) -> usize {
    match piece {
        Piece::Text(t) => t.len(),
        Piece::Field(_) => 16,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_uses_are_recognised() {
        assert!(is_simple(
            "Hej {{recipient.name}}! {{#if recipient.name}}x{{/if}} {{ recipient.email }}"
        ));
        assert!(is_simple("no such fields at all: {{site.title}}"));
        assert!(!is_simple(
            "{{#if (eq recipient.avdelning \"Skola\")}}x{{/if}}"
        ));
        assert!(!is_simple("{{#with recipient}}{{name}}{{/with}}"));
    }

    #[test]
    fn markers_round_trip_with_escaping() {
        let mut r = Recipient::address_only("a@example.se");
        r.name = "Åsa & <Bo>".into();
        let stand_in = stand_in(&shape(&r));
        let rendered = format!("<p>Hej {}! ({})</p>", stand_in.name, stand_in.email);
        let pieces = split(&rendered);
        assert_eq!(
            fill(&pieces, &r, true),
            "<p>Hej Åsa &amp; &lt;Bo&gt;! (a@example.se)</p>"
        );
        assert_eq!(
            fill(&pieces, &r, false),
            "<p>Hej Åsa & <Bo>! (a@example.se)</p>"
        );
    }

    #[test]
    fn empty_values_change_the_shape() {
        let a = Recipient::address_only("a@example.se");
        let mut b = a.clone();
        b.name = "B".into();
        assert_ne!(shape(&a), shape(&b));
        assert_eq!(stand_in(&shape(&a)).name, "");
    }
}
