//! A digest's identity: its ISO week, with exactly one spelling.
//!
//! The ledger knows a digest by its id, so two spellings of one week would
//! be two digests, and the second would be sent again. Every id is made
//! here, from a date or from `--week`, and always written `2013-W39`.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Weekday};

/// An ISO week, the id of a digest: `2013-W39`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoWeek(chrono::IsoWeek);

/// Text that is not an ISO week in one of the two accepted spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an ISO week: write it as 2013-W39 (or 2013W39), with week 01–52, or 53 in a year that has one")]
pub struct NotAWeek(String);

impl IsoWeek {
    /// The ISO week of `at` in its own time zone.
    pub fn of<Z: TimeZone>(at: &DateTime<Z>) -> IsoWeek {
        IsoWeek(at.iso_week())
    }

    /// The week's number in its year, 1–53.
    pub fn number(self) -> u32 {
        self.0.week()
    }

    /// The Monday that starts the week.
    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.0.year(), self.0.week(), Weekday::Mon)
            .expect("every ISO week chrono makes has a Monday")
    }
}

impl fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-W{:02}", self.0.year(), self.0.week())
    }
}

impl FromStr for IsoWeek {
    type Err = NotAWeek;

    /// Accepts `YYYY-Www` (extended) and `YYYYWww` (basic) only: four digits
    /// of year and two of week, nothing else (no signs, spaces or padding).
    fn from_str(text: &str) -> Result<IsoWeek, NotAWeek> {
        let bad = || NotAWeek(text.escape_debug().to_string());
        let bytes = text.as_bytes();
        let week_at = match bytes {
            [_, _, _, _, b'-', b'W', _, _] => 6,
            [_, _, _, _, b'W', _, _] => 5,
            _ => return Err(bad()),
        };
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = &bytes[range];
            part.iter()
                .all(u8::is_ascii_digit)
                .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
        };
        let (year, week) = digits(0..4)
            .zip(digits(week_at..bytes.len()))
            .ok_or_else(bad)?;
        let year = i32::try_from(year).map_err(|_| bad())?;
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
            .map(|monday| IsoWeek(monday.iso_week()))
            .ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Stockholm;

    fn week(text: &str) -> Result<String, NotAWeek> {
        text.parse::<IsoWeek>().map(|w| w.to_string())
    }

    #[test]
    fn weeks_follow_iso_and_the_zone_of_the_date() {
        let friday = Stockholm.with_ymd_and_hms(2013, 9, 27, 8, 0, 0).unwrap();
        assert_eq!(IsoWeek::of(&friday).to_string(), "2013-W39");
        let sunday = Stockholm.with_ymd_and_hms(2013, 9, 29, 23, 30, 0).unwrap();
        assert_eq!(IsoWeek::of(&sunday).to_string(), "2013-W39");
        // 2014-12-29 belongs to ISO year 2015; week numbers keep two digits.
        let monday = Stockholm.with_ymd_and_hms(2014, 12, 29, 0, 30, 0).unwrap();
        assert_eq!(IsoWeek::of(&monday).to_string(), "2015-W01");
        assert_eq!(IsoWeek::of(&monday).number(), 1);
    }

    #[test]
    fn one_week_has_one_spelling() {
        assert_eq!(week("2013-W39").unwrap(), "2013-W39");
        assert_eq!(week("2013W39").unwrap(), "2013-W39");
        assert_eq!(week("2015-W53").unwrap(), "2015-W53");
        assert_eq!(
            "2013-W39".parse::<IsoWeek>().unwrap().monday(),
            NaiveDate::from_ymd_opt(2013, 9, 23).unwrap()
        );
        for other in [
            "2013-W039",
            "+2013-W+39",
            "2013-W+9",
            "2013-w39",
            "2013-W3",
            "02013-W39",
            " 2013-W39",
            "2013-W39 ",
            "2013-W39-5",
            "2013-39",
            "2013-W00",
            "2013-W53",
            "2013-W54",
            "2013-Wå9",
            "åå13-W39",
            "",
        ] {
            assert!(week(other).is_err(), "{other:?} was accepted");
        }
        assert_eq!(
            week("2013-W0\n9").unwrap_err().to_string(),
            "`2013-W0\\n9` is not an ISO week: write it as 2013-W39 (or 2013W39), with week 01–52, or 53 in a year that has one"
        );
    }
}
