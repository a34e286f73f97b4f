//! Dates and texts in the site's language (Swedish or English): the one
//! place for them, pages' texts in [`texts`], the digest's in [`mail`].
//!
//! Feeds keep RFC formats; everything a person reads (pages, mail) uses these.

mod mail;
mod texts;

pub(crate) use mail::MailTexts;
pub(crate) use texts::Texts;

use chrono::{DateTime, Datelike, TimeZone};

/// The languages herald has texts for; other tags fall back to English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Swedish (`sv`, `sv-SE`, `sv-FI`).
    Sv,
    /// English, and the fallback for every other language.
    En,
}

/// Weekday and month names, shared with the importer that reads them back.
pub(crate) const SV_WEEKDAYS: [&str; 7] = [
    "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag",
];
pub(crate) const SV_MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];
pub(crate) const EN_WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
pub(crate) const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Lang {
    /// The language of a BCP 47 tag, by its primary subtag.
    pub fn from_tag(tag: &str) -> Lang {
        let primary = tag.split('-').next().unwrap_or("");
        if primary.eq_ignore_ascii_case("sv") {
            Lang::Sv
        } else {
            Lang::En
        }
    }

    /// A long date as people write it: "fredag 27 september 2013", "Friday, 27 September 2013".
    pub fn long_date<Tz: TimeZone>(self, date: &DateTime<Tz>) -> String {
        let day = date.weekday().num_days_from_monday() as usize;
        let month = date.month0() as usize;
        match self {
            Lang::Sv => format!(
                "{} {} {} {}",
                SV_WEEKDAYS[day],
                date.day(),
                SV_MONTHS[month],
                date.year()
            ),
            Lang::En => format!(
                "{}, {} {} {}",
                EN_WEEKDAYS[day],
                date.day(),
                EN_MONTHS[month],
                date.year()
            ),
        }
    }

    /// The ISO week as people say it: "vecka 39", "week 39".
    pub fn week<Tz: TimeZone>(self, date: &DateTime<Tz>) -> String {
        let week = date.iso_week().week();
        match self {
            Lang::Sv => format!("vecka {week}"),
            Lang::En => format!("week {week}"),
        }
    }

    /// The path of the subscribe page, below the site root.
    pub fn subscribe_slug(self) -> &'static str {
        match self {
            Lang::Sv => "prenumerera",
            Lang::En => "subscribe",
        }
    }

    /// The path of the archive page (every post by year and month).
    pub fn archive_slug(self) -> &'static str {
        match self {
            Lang::Sv => "arkiv",
            Lang::En => "archive",
        }
    }

    /// A month as an archive heading names it: "september" (Swedish writes
    /// months in lower case; the year is the heading above), "September".
    pub fn month(self, month0: usize) -> &'static str {
        match self {
            Lang::Sv => SV_MONTHS[month0],
            Lang::En => EN_MONTHS[month0],
        }
    }
}

/// The OpenGraph locale (`language_TERRITORY`) of a BCP 47 tag: its own
/// region when it names one ("sv-FI" → "sv_FI"), else the language's home
/// ("sv" → "sv_SE", "en" → "en_US"), else the language alone.
pub(crate) fn og_locale(tag: &str) -> String {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or("").to_ascii_lowercase();
    let region = parts.find(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()));
    match (region, language.as_str()) {
        (Some(region), _) => format!("{language}_{}", region.to_ascii_uppercase()),
        (None, "sv") => "sv_SE".into(),
        (None, "en") => "en_US".into(),
        (None, _) => language,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Stockholm;

    #[test]
    fn swedish_long_date_and_week() {
        let d = Stockholm.with_ymd_and_hms(2013, 9, 27, 8, 0, 0).unwrap();
        assert_eq!(Lang::Sv.long_date(&d), "fredag 27 september 2013");
        assert_eq!(Lang::Sv.week(&d), "vecka 39");
        assert_eq!(Lang::En.long_date(&d), "Friday, 27 September 2013");
    }

    #[test]
    fn og_locales() {
        assert_eq!(og_locale("sv"), "sv_SE");
        assert_eq!(og_locale("sv-FI"), "sv_FI");
        assert_eq!(og_locale("en"), "en_US");
        assert_eq!(og_locale("en-gb"), "en_GB");
        assert_eq!(og_locale("fi"), "fi");
        assert_eq!(Lang::Sv.month(8), "september");
        assert_eq!(Lang::Sv.archive_slug(), "arkiv");
    }

    #[test]
    fn language_from_tag() {
        assert_eq!(Lang::from_tag("sv-SE"), Lang::Sv);
        assert_eq!(Lang::from_tag("SV"), Lang::Sv);
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert_eq!(Lang::from_tag("fi"), Lang::En);
    }
}
