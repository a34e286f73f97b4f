//! Dates as feeds write them: RFC 822 (RSS `pubDate`) and W3C-DTF / RFC
//! 3339 (Atom, `dc:date`, JSON Feed), in the forms found in the wild.
//!
//! chrono reads the standard forms (named zones such as `EST` and `GMT`,
//! two-digit years, times without seconds); this file adds what chrono
//! refuses but feeds write: a weekday that does not match the date (the
//! date is used, with a warning), offsets without a colon (`-0500`) or with
//! seconds (`+00:53:28`, local mean time before 1900), and a date alone
//! (`2005-07-04`). Nothing is ever invented: what cannot be read is `None`.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone};
use chrono_tz::Tz;

/// A feed date as herald writes it into a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stamp {
    /// The front-matter form: RFC 3339 with the feed's own offset, or the
    /// day alone when the feed gave only a day.
    pub written: String,
    /// The day in the site's time zone.
    pub day: NaiveDate,
    /// Something to tell about how the date was read, if anything.
    pub warning: Option<String>,
}

/// Reads `text`; `None` when it is no date herald can read without guessing.
pub(super) fn read(text: &str, tz: Tz) -> Option<Stamp> {
    let text = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(Stamp {
            written: day.format("%Y-%m-%d").to_string(),
            day,
            warning: None,
        });
    }
    let (date, warning) = match w3c(text) {
        Some(date) => (date, None),
        None => rfc822(text)?,
    };
    Some(Stamp {
        written: written(date, tz),
        day: date.with_timezone(&tz).date_naive(),
        warning,
    })
}

/// RFC 3339 with the date's own offset. chrono writes offsets in whole
/// minutes, so a date whose offset has seconds (local mean time) is written
/// as the local time of the site's zone instead, which keeps the instant
/// exactly and, when the site's zone is the one the feed used, the offset.
fn written(date: DateTime<FixedOffset>, tz: Tz) -> String {
    if date.offset().local_minus_utc() % 60 == 0 {
        date.to_rfc3339_opts(SecondsFormat::AutoSi, false)
    } else {
        let local = date.with_timezone(&tz).naive_local();
        local.format("%Y-%m-%dT%H:%M:%S").to_string()
    }
}

/// `2003-12-31T10:14:55Z`, `…T10:14-05:00`, `…T10:14:55-0500`,
/// `…T10:14:55+00:53:28`, also with a space for the `T`.
fn w3c(text: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(date) = DateTime::parse_from_rfc3339(text) {
        return Some(date);
    }
    let (local, zone) = split_zone(text)?;
    let local = local.replacen(' ', "T", 1);
    let time = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&local, f).ok())?;
    let offset = offset(zone)?;
    offset.from_local_datetime(&time).single()
}

/// The local part and the zone (`Z`, `+05:00`, `-0500`, `+00:53:28`).
fn split_zone(text: &str) -> Option<(&str, &str)> {
    if let Some(local) = text.strip_suffix(['Z', 'z']) {
        return Some((local, "Z"));
    }
    // The zone's sign comes after the time, so after the `T` or space.
    let time_at = text.find(['T', 't', ' '])?;
    let sign = text[time_at..].rfind(['+', '-'])? + time_at;
    Some((&text[..sign], &text[sign..]))
}

fn offset(zone: &str) -> Option<FixedOffset> {
    if zone == "Z" {
        return FixedOffset::east_opt(0);
    }
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let digits: String = zone[1..].chars().filter(|&c| c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || ![2, 4, 6].contains(&digits.len()) {
        return None;
    }
    let part = |i: usize| {
        digits
            .get(i..i + 2)
            .map_or(Some(0), |p| p.parse::<i32>().ok())
    };
    let (h, m, s) = (part(0)?, part(2)?, part(4)?);
    if m > 59 || s > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60 + s))
}

/// RFC 822/2822 as chrono reads it; a weekday that does not fall on the date
/// is dropped and warned about, as the date is what the writer meant.
fn rfc822(text: &str) -> Option<(DateTime<FixedOffset>, Option<String>)> {
    if let Ok(date) = DateTime::parse_from_rfc2822(text) {
        return Some((date, None));
    }
    let (weekday, rest) = text.split_once(',')?;
    let date = DateTime::parse_from_rfc2822(rest.trim()).ok()?;
    let actual = date.weekday().to_string();
    let written = weekday.trim();
    let matches = actual.eq_ignore_ascii_case(written.get(..3).unwrap_or(written));
    let warning = (!matches).then(|| {
        format!(
            "the date `{text}` names the wrong weekday ({} is a {}); the date is used",
            date.date_naive(),
            day_name(date.weekday())
        )
    });
    Some((date, warning))
}

fn day_name(day: chrono::Weekday) -> &'static str {
    crate::i18n::EN_WEEKDAYS[day.num_days_from_monday() as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::{Berlin, Stockholm};

    fn w(text: &str) -> Option<String> {
        read(text, Stockholm).map(|s| s.written)
    }

    #[test]
    fn standard_forms_keep_their_offset() {
        assert_eq!(
            w("Fri, 27 Sep 2013 16:05:00 +0200").as_deref(),
            Some("2013-09-27T16:05:00+02:00")
        );
        assert_eq!(
            w("2013-09-27T16:05:00-05:00").as_deref(),
            Some("2013-09-27T16:05:00-05:00")
        );
        assert_eq!(
            w("Thu, 01 Jan 2004 19:48:21 GMT").as_deref(),
            Some("2004-01-01T19:48:21+00:00")
        );
    }

    #[test]
    fn real_world_forms() {
        assert_eq!(
            w("2003-12-31T10:14:55-0500").as_deref(),
            Some("2003-12-31T10:14:55-05:00")
        );
        assert_eq!(
            w("2003-12-31T10:14Z").as_deref(),
            Some("2003-12-31T10:14:00+00:00")
        );
        assert_eq!(
            w("2003-12-31 10:14:55+01:00").as_deref(),
            Some("2003-12-31T10:14:55+01:00")
        );
        assert_eq!(w("2005-07-04").as_deref(), Some("2005-07-04"));
        assert_eq!(
            w("Thu, 01 Jan 04 19:48 EST").as_deref(),
            Some("2004-01-01T19:48:00-05:00")
        );
        assert_eq!(
            w("01 Jan 2004 19:48:21 +0100").as_deref(),
            Some("2004-01-01T19:48:21+01:00")
        );
    }

    #[test]
    fn a_wrong_weekday_is_warned_about_and_the_date_used() {
        let stamp = read("Mon, 27 Sep 2013 16:05:00 +0200", Stockholm).unwrap();
        assert_eq!(stamp.written, "2013-09-27T16:05:00+02:00");
        let warning = stamp.warning.unwrap();
        assert!(warning.contains("2013-09-27 is a Friday"), "{warning}");
        assert_eq!(
            read("Fri, 27 Sep 2013 16:05:00 +0200", Stockholm)
                .unwrap()
                .warning,
            None
        );
    }

    #[test]
    fn offsets_with_seconds_keep_the_instant_and_the_site_offset() {
        let stamp = read("1890-05-01T08:00:00+00:53:28", Berlin).unwrap();
        assert_eq!(stamp.written, "1890-05-01T08:00:00");
        let local = NaiveDateTime::parse_from_str(&stamp.written, "%Y-%m-%dT%H:%M:%S").unwrap();
        let back = Berlin.from_local_datetime(&local).single().unwrap();
        assert_eq!(back.fixed_offset().offset().local_minus_utc(), 53 * 60 + 28);
    }

    #[test]
    fn unreadable_dates_are_none() {
        for text in [
            "",
            "yesterday",
            "2013-13-01",
            "2013-09-27T25:00:00Z",
            "Fri, 32 Sep 2013 10:00 GMT",
            "2013-09",
        ] {
            assert_eq!(w(text), None, "{text}");
        }
    }
}
