//! Dates and page texts in the site's language (Swedish or English).
//!
//! Feeds keep RFC formats; everything a person reads (pages, mail) uses these.

use chrono::{DateTime, Datelike, TimeZone};
use serde::Serialize;

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

    /// The fixed texts templates use, as `{{t.<name>}}`.
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Sv => &SV,
            Lang::En => &EN,
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

/// Fixed texts for the default templates. Overriding templates may ignore them.
#[derive(Debug, Serialize)]
pub struct Texts {
    pub home: &'static str,
    pub read_more: &'static str,
    pub tagged: &'static str,
    pub tags: &'static str,
    pub subscribe: &'static str,
    pub subscribe_intro: &'static str,
    pub outlook_heading: &'static str,
    pub outlook_steps: [&'static str; 4],
    pub reader_heading: &'static str,
    pub reader_text: &'static str,
    pub email_heading: &'static str,
    pub email_text: &'static str,
    pub feed_rss: &'static str,
    pub feed_atom: &'static str,
    pub feed_json: &'static str,
    pub published: &'static str,
    pub updated: &'static str,
    pub newer: &'static str,
    pub older: &'static str,
    pub page: &'static str,
    pub draft: &'static str,
    pub scheduled: &'static str,
    pub archive: &'static str,
    pub archive_intro: &'static str,
    pub not_found: &'static str,
    pub not_found_text: &'static str,
    pub back_home: &'static str,
    /// The skip link to the page's main content.
    pub skip: &'static str,
    /// The label of the header's navigation landmark.
    pub nav_main: &'static str,
    /// The label of a list's pagination landmark.
    pub nav_pages: &'static str,
    /// The label of a post's newer/older landmark.
    pub nav_posts: &'static str,
    /// The label of a post's table, before its number ("Tabell 2").
    pub table: &'static str,
}

static SV: Texts = Texts {
    home: "Start",
    read_more: "Läs mer",
    tagged: "Inlägg om",
    tags: "Ämnen",
    subscribe: "Prenumerera",
    subscribe_intro: "Du kan följa bloggen på tre sätt: i Outlook, i en flödesläsare eller som veckobrev i din e-post.",
    outlook_heading: "I Outlook",
    outlook_steps: [
        "Kopiera flödets adress nedan (RSS).",
        "Högerklicka på mappen RSS-flöden i Outlook och välj Lägg till ett nytt RSS-flöde.",
        "Klistra in adressen och klicka på Lägg till.",
        "Nya inlägg visas sedan i mappen, precis som e-post.",
    ],
    reader_heading: "I en flödesläsare",
    reader_text: "Lägg till bloggens adress eller någon av flödesadresserna nedan i din flödesläsare (till exempel Feedly, Inoreader eller NetNewsWire).",
    email_heading: "Som veckobrev",
    email_text: "Alla medarbetare får varje vecka ett veckobrev med veckans inlägg i sin e-post. Du behöver inte göra något.",
    feed_rss: "RSS-flöde",
    feed_atom: "Atom-flöde",
    feed_json: "JSON-flöde",
    published: "Publicerad",
    updated: "Uppdaterad",
    newer: "Nyare inlägg",
    older: "Äldre inlägg",
    page: "Sida",
    draft: "Utkast",
    scheduled: "Schemalagt",
    archive: "Arkiv",
    archive_intro: "Alla inlägg, de senaste först.",
    not_found: "Sidan finns inte",
    not_found_text: "Sidan du söker finns inte här. Den kan ha flyttats eller tagits bort, eller så är adressen felstavad.",
    back_home: "Till startsidan",
    skip: "Hoppa till innehållet",
    nav_main: "Huvudmeny",
    nav_pages: "Sidor",
    nav_posts: "Nyare och äldre inlägg",
    table: "Tabell",
};

static EN: Texts = Texts {
    home: "Home",
    read_more: "Read more",
    tagged: "Posts about",
    tags: "Topics",
    subscribe: "Subscribe",
    subscribe_intro: "You can follow this blog in three ways: in Outlook, in a feed reader, or as a weekly email.",
    outlook_heading: "In Outlook",
    outlook_steps: [
        "Copy the feed address below (RSS).",
        "Right-click the RSS Feeds folder in Outlook and choose Add a New RSS Feed.",
        "Paste the address and click Add.",
        "New posts then appear in that folder, just like email.",
    ],
    reader_heading: "In a feed reader",
    reader_text: "Add the blog's address or one of the feed addresses below to your feed reader (for example Feedly, Inoreader or NetNewsWire).",
    email_heading: "As a weekly email",
    email_text: "Every week all staff receive an email with that week's posts. There is nothing you need to do.",
    feed_rss: "RSS feed",
    feed_atom: "Atom feed",
    feed_json: "JSON feed",
    published: "Published",
    updated: "Updated",
    newer: "Newer posts",
    older: "Older posts",
    page: "Page",
    draft: "Draft",
    scheduled: "Scheduled",
    archive: "Archive",
    archive_intro: "Every post, newest first.",
    not_found: "Page not found",
    not_found_text: "The page you are looking for is not here. It may have been moved or removed, or the address may be misspelt.",
    back_home: "Go to the home page",
    skip: "Skip to content",
    nav_main: "Main menu",
    nav_pages: "Pages",
    nav_posts: "Newer and older posts",
    table: "Table",
};

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
