//! TOML front matter between `+++` lines, and post dates.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use std::path::Path;

use crate::clean::Cleaned;
use crate::diag::Diagnostic;

/// The keys a post may set. Unknown keys are an error. Text is [`Cleaned`]
/// as it is read; `slug` and `id` are kept as written, to be refused whole.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FrontMatter {
    pub title: Option<Spanned<Cleaned>>,
    pub date: Option<Spanned<toml::Value>>,
    pub updated: Option<Spanned<toml::Value>>,
    pub slug: Option<Spanned<String>>,
    pub tags: Option<Spanned<Vec<Cleaned>>>,
    pub summary: Option<Cleaned>,
    pub author: Option<Cleaned>,
    #[serde(default)]
    pub draft: bool,
    pub id: Option<Spanned<String>>,
    /// The lead image, a file in the post's folder.
    pub image: Option<Spanned<String>>,
    /// The lead image's text alternative.
    pub image_alt: Option<Cleaned>,
}

/// A post file split into its front matter and body.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Split<'a> {
    /// The TOML text between the `+++` lines.
    pub front: &'a str,
    /// The file line where `front` starts.
    pub front_line: usize,
    /// The Markdown after the closing `+++`.
    pub body: &'a str,
}

/// Why a file could not be split; each carries the line to report.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum SplitError {
    /// The first line is not `+++`.
    Missing,
    /// The `+++` on line 1 has no closing `+++`.
    Unclosed,
}

/// Splits `text` (without BOM) at its `+++` fences.
pub(super) fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "+++" {
        return Err(SplitError::Missing);
    }
    let rest_start = (first_end + 1).min(text.len());
    let mut offset = rest_start;
    for line in text[rest_start..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Ok(Split {
                front: &text[rest_start..offset],
                front_line: 2,
                body: &text[offset + line.len()..],
            });
        }
        offset += line.len();
    }
    Err(SplitError::Unclosed)
}

/// Splits the post or page file `path` at its `+++` fences, or says why
/// it cannot (at line 1, where the fences belong).
pub(super) fn split_file<'a>(path: &Path, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    split(text).map_err(|e| {
        let message = match e {
            // Hugo and Jekyll users write YAML between `---` lines out of habit.
            SplitError::Missing if text.starts_with("---") => {
                "front matter between `---` lines is YAML; herald reads TOML between `+++` lines \
                 (`title = \"…\"`, `date = \"2013-09-27\"`)"
            }
            SplitError::Missing => "the file must start with a `+++` line opening the front matter",
            SplitError::Unclosed => {
                "the front matter opened here is never closed with a `+++` line"
            }
        };
        Diagnostic::at(path, 1, message)
    })
}

/// Parses a post date: RFC 3339 (with offset), or `YYYY-MM-DD HH:MM` or
/// `YYYY-MM-DD` in the site time zone, the latter at `default_time`.
/// Accepts TOML date values as well as strings.
pub fn parse_date(
    value: &toml::Value,
    tz: Tz,
    default_time: NaiveTime,
) -> Result<DateTime<Tz>, String> {
    let text = match value {
        toml::Value::String(s) => s.trim().to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        other => {
            return Err(format!(
                "a date must be a string such as \"2013-09-27\", not {}",
                other.type_str()
            ))
        }
    };
    if let Ok(date) = DateTime::parse_from_rfc3339(&text) {
        return Ok(date.with_timezone(&tz));
    }
    let local = if let Ok(dt) = NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M") {
        dt
    } else if let Ok(dt) = NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S") {
        dt
    } else if let Ok(d) = NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
        d.and_time(default_time)
    } else {
        return Err(format!(
            "`{text}` is not a valid date; write `2013-09-27`, `2013-09-27 15:00` or RFC 3339 such as `2013-09-27T15:00:00+02:00`"
        ));
    };
    match tz.from_local_datetime(&local) {
        LocalResult::Single(date) => Ok(date),
        // In the autumn hour that happens twice, the first (summer time) is meant.
        LocalResult::Ambiguous(first, _) => Ok(first),
        LocalResult::None => Err(format!(
            "`{text}` does not exist in {tz}: the clocks jump forward over that hour; pick another time"
        )),
    }
}

/// Front matter as herald writes it for a new post (`herald new`, `herald
/// import`): the one writer, so every post file herald makes reads back the
/// same way. Keys appear in this order; `None` keys are left out.
#[derive(Debug, Default, Serialize)]
pub(crate) struct NewFront<'a> {
    /// The title.
    pub(crate) title: &'a str,
    /// The date as post dates are written (`2013-09-27 15:00`, RFC 3339 …).
    pub(crate) date: &'a str,
    /// When the post last changed, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) updated: Option<&'a str>,
    /// The post's permanent id.
    pub(crate) id: &'a str,
    /// The author, when not the site's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) author: Option<&'a str>,
    /// The tags; `None` leaves the key out, an empty list writes `tags = []`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tags: Option<&'a [String]>,
    /// `true` for a draft.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) draft: Option<bool>,
}

impl NewFront<'_> {
    /// The post file: the front matter between `+++` lines, a blank line, `body`.
    pub(crate) fn with_body(&self, body: &str) -> String {
        let toml = toml::to_string(self).expect("text, lists of text and booleans are TOML");
        format!("+++\n{toml}+++\n\n{body}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Stockholm;

    fn eight() -> NaiveTime {
        NaiveTime::from_hms_opt(8, 0, 0).unwrap()
    }

    fn date(s: &str) -> Result<String, String> {
        parse_date(&toml::Value::String(s.into()), Stockholm, eight()).map(|d| d.to_rfc3339())
    }

    #[test]
    fn splits_front_matter() {
        let s = split("+++\ntitle = \"a\"\n+++\nHej\n").unwrap();
        assert_eq!(s.front, "title = \"a\"\n");
        assert_eq!(s.body, "Hej\n");
        assert_eq!(split("+++\r\ntitle = 1\r\n+++\r\n").unwrap().body, "");
        assert_eq!(split("title = 1"), Err(SplitError::Missing));
        assert_eq!(split("+++\ntitle = 1\n"), Err(SplitError::Unclosed));
    }

    #[test]
    fn date_forms() {
        assert_eq!(date("2013-09-27").unwrap(), "2013-09-27T08:00:00+02:00");
        assert_eq!(
            date("2013-09-27 15:30").unwrap(),
            "2013-09-27T15:30:00+02:00"
        );
        assert_eq!(
            date("2013-09-27T15:30:00Z").unwrap(),
            "2013-09-27T17:30:00+02:00"
        );
        assert_eq!(date("2013-12-06").unwrap(), "2013-12-06T08:00:00+01:00");
        let toml_date: toml::Value = "d = 2013-09-27".parse::<toml::Table>().unwrap()["d"].clone();
        assert_eq!(
            parse_date(&toml_date, Stockholm, eight())
                .unwrap()
                .to_rfc3339(),
            "2013-09-27T08:00:00+02:00"
        );
    }

    #[test]
    fn impossible_dates_are_errors() {
        assert!(date("2013-02-30").unwrap_err().contains("2013-02-30"));
        assert!(date("27 september").is_err());
    }

    #[test]
    fn daylight_saving_changes_in_stockholm() {
        // 2013-03-31: 02:00 jumps to 03:00.
        assert_eq!(
            date("2013-03-31 01:59").unwrap(),
            "2013-03-31T01:59:00+01:00"
        );
        assert!(date("2013-03-31 02:30")
            .unwrap_err()
            .contains("does not exist"));
        assert_eq!(
            date("2013-03-31 03:00").unwrap(),
            "2013-03-31T03:00:00+02:00"
        );
        // 2013-10-27: 03:00 falls back to 02:00; 02:30 happens twice, the first is taken.
        assert_eq!(
            date("2013-10-27 02:30").unwrap(),
            "2013-10-27T02:30:00+02:00"
        );
        assert_eq!(
            date("2013-10-27 03:00").unwrap(),
            "2013-10-27T03:00:00+01:00"
        );
        assert_eq!(date("2013-10-26").unwrap(), "2013-10-26T08:00:00+02:00");
        assert_eq!(date("2013-10-28").unwrap(), "2013-10-28T08:00:00+01:00");
    }
}
