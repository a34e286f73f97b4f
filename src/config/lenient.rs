//! Reading `config.toml` into its `Raw*` structs while collecting every
//! problem serde finds, not only the first.
//!
//! Serde stops at the first unknown key or wrongly typed value. So after each
//! one the problem is recorded in plain words at the value's own line, and the
//! text is mended without moving any line: an unknown key is blanked out, a
//! wrongly typed value is replaced by a stand-in of the expected type. Then
//! parsing is retried, until it succeeds or fails in a way that cannot be
//! mended (a syntax error, a missing required key).

use std::ops::Range;
use std::path::Path;

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::diag::{self, Diagnostic};

/// What came of reading the file.
pub(super) struct Read<T> {
    /// The structs, when the file could be read once its problems were mended.
    pub raw: Option<T>,
    /// Every problem serde found, in file order.
    pub problems: Vec<Diagnostic>,
    /// The lines whose values were replaced by stand-ins: later checks of
    /// those values would only report the stand-in.
    pub mended: Vec<usize>,
    /// The text as mended, on the same lines as the file: the spans in
    /// `raw` are byte offsets into it.
    pub text: String,
}

/// Reads `text` (the file `file`) as `T`, collecting every problem.
pub(super) fn read<T: DeserializeOwned>(file: &Path, text: &str) -> Read<T> {
    let mut text = text.to_string();
    let mut read = Read {
        raw: None,
        problems: Vec::new(),
        mended: Vec::new(),
        text: String::new(),
    };
    loop {
        let err = match toml::from_str::<T>(&text) {
            Ok(raw) => {
                read.raw = Some(raw);
                break;
            }
            Err(err) => err,
        };
        // A syntax error that only appeared after mending is ours, not the user's.
        if !read.problems.is_empty() && text.parse::<toml::Table>().is_err() {
            break;
        }
        let Some(span) = err.span() else {
            read.problems.push(diag::from_toml(file, &text, 1, &err));
            break;
        };
        let line = diag::line_of(&text, span.start);
        if err.message().starts_with("unknown field") {
            read.problems.push(diag::from_toml(file, &text, 1, &err));
            // Each round must change the text, or the same error would come
            // back for ever (a runaway loop once filled 23 GB here).
            if !blank_entry(&mut text, span.start) {
                break;
            }
            continue;
        }
        // A line mended before that still fails: the stand-in did not fit.
        let mended_before = read.mended.contains(&line);
        let mismatch = Mismatch::find(&text, span.clone(), err.message());
        let Some(mismatch) = mismatch.filter(|_| !mended_before) else {
            read.problems.push(diag::from_toml(file, &text, 1, &err));
            break;
        };
        read.problems
            .push(Diagnostic::at(file, line, mismatch.message()));
        read.mended.push(line);
        // Keep every later line where it was: pad with the newlines replaced.
        let lost = text[span.clone()].matches('\n').count();
        let kept = mismatch.stand_in.matches('\n').count();
        let stand_in = mismatch.stand_in + &"\n".repeat(lost.saturating_sub(kept));
        text.replace_range(span, &stand_in);
    }
    read.problems.sort();
    read.text = text;
    read
}

/// A value of the wrong type or outside the values its key accepts.
struct Mismatch {
    /// The dotted key, e.g. `feeds.limit`.
    key: String,
    /// What was written, in words: `the text "20"`.
    found: String,
    /// What the key accepts, in words: `a whole number`.
    wanted: String,
    /// TOML of the expected type, on one line, to parse on with.
    stand_in: String,
}

impl Mismatch {
    /// The mismatch serde's `message` reports for the value at `span`, if it is one.
    fn find(text: &str, span: Range<usize>, message: &str) -> Option<Mismatch> {
        let expected = ["invalid type: ", "invalid value: ", "unknown variant "]
            .iter()
            .any(|start| message.starts_with(start))
            .then(|| message.rsplit_once(", expected ").map(|(_, e)| e.trim()))??;
        let document = DeTable::parse(text).ok()?;
        let (key, value) = value_at(document.get_ref(), &span, "")?;
        let (wanted, stand_in) = wanted(expected, value, &text[span]);
        Some(Mismatch {
            key,
            found: found(value),
            wanted,
            stand_in,
        })
    }

    fn message(&self) -> String {
        format!("`{}` must be {}, not {}", self.key, self.wanted, self.found)
    }
}

/// The dotted key and value written at `span` (an array's element is named by the array's key).
fn value_at<'t, 'i>(
    table: &'t DeTable<'i>,
    span: &Range<usize>,
    prefix: &str,
) -> Option<(String, &'t DeValue<'i>)> {
    table.iter().find_map(|(key, value)| {
        let key = format!("{prefix}{}", key.get_ref());
        within(&key, value, span)
    })
}

fn within<'t, 'i>(
    key: &str,
    value: &'t Spanned<DeValue<'i>>,
    span: &Range<usize>,
) -> Option<(String, &'t DeValue<'i>)> {
    if value.span() == *span {
        return Some((key.to_string(), value.get_ref()));
    }
    match value.get_ref() {
        DeValue::Table(table) => value_at(table, span, &format!("{key}.")),
        DeValue::Array(items) => items.iter().find_map(|item| within(key, item, span)),
        _ => None,
    }
}

/// A written value in words.
fn found(value: &DeValue) -> String {
    match value {
        DeValue::String(s) => format!("the text {}", toml::Value::String(s.to_string())),
        DeValue::Integer(n) => format!("the number {n}"),
        DeValue::Float(n) => format!("the number {n}"),
        DeValue::Boolean(b) => format!("`{b}`"),
        DeValue::Datetime(d) => format!("the date {d}"),
        DeValue::Array(_) => "a list".into(),
        DeValue::Table(_) => "a table".into(),
    }
}

/// What serde's `expected` means, in words, and a stand-in value of that type
/// (`source` is the value as written: a single value where a list is expected
/// becomes that list of one).
fn wanted(expected: &str, value: &DeValue, source: &str) -> (String, String) {
    let (wanted, stand_in) = match expected {
        "u8" => ("a whole number from 0 to 255", "1"),
        "u16" => ("a whole number from 0 to 65535", "1"),
        "u32" | "u64" | "usize" => match value {
            DeValue::Integer(n) if n.as_str().starts_with('-') => {
                ("a whole number, 0 or more", "1")
            }
            _ => ("a whole number", "1"),
        },
        "i64" | "an integer" => ("a whole number", "1"),
        "f64" | "a float" => ("a number", "1.0"),
        "a boolean" => ("`true` or `false`", "false"),
        "a string" | "a borrowed string" | "path string" => ("text in quotes", "\"-\""),
        "a sequence" if !matches!(value, DeValue::Table(_)) => {
            return ("a list in brackets".into(), format!("[{source}]"));
        }
        "a sequence" => ("a list in brackets", "[]"),
        variants if variants.contains('`') => {
            let first = variants.split('`').nth(1).unwrap_or_default();
            return (
                variants.into(),
                toml::Value::String(first.into()).to_string(),
            );
        }
        table if table.starts_with("struct ") || table == "a map" => ("a table", "{}"),
        other => return (other.into(), "\"-\"".into()),
    };
    (wanted.into(), stand_in.into())
}

/// Blanks the line holding byte `at`; for a table header, the whole table.
/// Returns whether anything was left to blank.
fn blank_entry(text: &mut String, at: usize) -> bool {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let is_header = text[start..].trim_start().starts_with('[');
    let mut end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    if is_header {
        while end < text.len() && !text[end + 1..].trim_start().starts_with('[') {
            end = text[end + 1..]
                .find('\n')
                .map_or(text.len(), |i| end + 1 + i);
        }
    }
    let blanked: String = text[start..end]
        .chars()
        .map(|c| if c == '\n' { '\n' } else { ' ' })
        .collect();
    let changed = blanked != text[start..end];
    text.replace_range(start..end, &blanked);
    changed
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // only read to be checked
    struct Table {
        title: String,
        subject: Option<String>,
        limit: Option<u32>,
        to: Option<Vec<String>>,
    }

    fn messages(text: &str) -> (bool, Vec<String>) {
        let read = read::<Table>(Path::new("c.toml"), text);
        let lines: Vec<_> = read.problems.iter().map(ToString::to_string).collect();
        (read.raw.is_some(), lines)
    }

    #[test]
    fn every_wrong_type_is_named_at_its_line_and_later_lines_stay_put() {
        let text = "title = 5\nsubject = [\n  \"a\",\n  \"b\",\n]\ncolour = 1\nlimit = -2\nto = \"x@example.se\"\n";
        let (read, found) = messages(text);
        assert!(read, "mended, the rest of the file is read");
        assert_eq!(
            found,
            [
                "c.toml:1: `title` must be text in quotes, not the number 5",
                "c.toml:2: `subject` must be text in quotes, not a list",
                "c.toml:6: unknown field `colour`, expected one of `title`, `subject`, `limit`, `to`",
                "c.toml:7: `limit` must be a whole number, 0 or more, not the number -2",
                "c.toml:8: `to` must be a list in brackets, not the text \"x@example.se\"",
            ]
        );
    }

    #[test]
    fn a_list_element_is_named_by_its_list() {
        let (_, found) = messages("title = \"t\"\nto = [\n  \"a\",\n  true,\n]\n");
        assert_eq!(found, ["c.toml:4: `to` must be text in quotes, not `true`"]);
    }

    #[test]
    fn a_missing_key_still_stops_the_reading() {
        let (read, found) = messages("limit = \"3\"\n");
        assert!(!read);
        assert_eq!(
            found,
            [
                "c.toml:1: `limit` must be a whole number, not the text \"3\"",
                "c.toml:1: missing field `title`",
            ]
        );
    }
}
