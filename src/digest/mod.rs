//! The weekly email digest: which posts, to whom, composed how.
//!
//! Selection ([`new_posts`], [`posts_in_week`]), addressing ([`recipients`])
//! and composition ([`compose`]) are pure: they return values. Sending and
//! the ledger live in [`crate::delivery`] and [`crate::state`]; [`command`]
//! ties them together for `herald digest`.

pub mod command;
pub mod compose;
mod personal;
pub mod recipients;
pub mod schedule;
pub mod text;
mod texts;

use std::collections::HashSet;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use crate::content::Post;

/// The ISO week of `date` as a digest id: `2013-W39`.
pub fn week_id<Z: TimeZone>(date: &DateTime<Z>) -> String {
    let week = date.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// The Monday of an ISO week written `2013-W39`, or why it is not one.
pub fn parse_week(text: &str) -> Result<NaiveDate, String> {
    let bad = || format!("`{text}` is not an ISO week such as 2013-W39");
    let (year, week) = text.split_once("-W").ok_or_else(bad)?;
    let year: i32 = year.parse().map_err(|_| bad())?;
    let week: u32 = week.parse().map_err(|_| bad())?;
    NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or_else(bad)
}

/// Published posts (newest first) that no other digest held and that are at
/// most `max_age_days` old at `now`.
pub fn new_posts<'a>(
    published: &'a [Post],
    held: &HashSet<&str>,
    now: DateTime<Utc>,
    max_age_days: u32,
) -> Vec<&'a Post> {
    let oldest = now - chrono::Duration::days(i64::from(max_age_days));
    published
        .iter()
        .filter(|p| !held.contains(p.id.as_str()) && p.date >= oldest)
        .collect()
}

/// Published posts dated in the ISO week starting `monday` (site time zone).
pub fn posts_in_week(published: &[Post], monday: NaiveDate, tz: Tz) -> Vec<&Post> {
    let target = monday.iso_week();
    published
        .iter()
        .filter(|p| p.date.with_timezone(&tz).iso_week() == target)
        .collect()
}

/// A short stable hash (FNV-1a, 64 bits, hex): message ids and MIME
/// boundaries must not change between runs or Rust versions.
pub fn stable_hash(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Stockholm;

    #[test]
    fn week_ids_follow_iso_and_the_site_zone() {
        let friday = Stockholm.with_ymd_and_hms(2013, 9, 27, 8, 0, 0).unwrap();
        assert_eq!(week_id(&friday), "2013-W39");
        // Sunday 23:30 in Stockholm is still week 39 although UTC says otherwise nowhere near;
        // and 2014-12-29 belongs to ISO year 2015.
        let sunday = Stockholm.with_ymd_and_hms(2013, 9, 29, 23, 30, 0).unwrap();
        assert_eq!(week_id(&sunday), "2013-W39");
        let monday = Stockholm.with_ymd_and_hms(2014, 12, 29, 0, 30, 0).unwrap();
        assert_eq!(week_id(&monday), "2015-W01");
    }

    #[test]
    fn weeks_parse_and_reject() {
        assert_eq!(
            parse_week("2013-W39").unwrap(),
            NaiveDate::from_ymd_opt(2013, 9, 23).unwrap()
        );
        assert!(parse_week("2013-39").is_err());
        assert!(parse_week("2013-W54").is_err());
    }

    #[test]
    fn stable_hash_is_fixed() {
        assert_eq!(stable_hash(""), "cbf29ce484222325");
        assert_ne!(stable_hash("a@example.se"), stable_hash("b@example.se"));
    }
}
