//! Date headings in a plain-text archive: `fredag 27 september 2013`,
//! `Friday, 27 September 2013` or `Friday, September 27, 2013`.
//!
//! Only the shape is recognised here; whether a line that has the shape really
//! starts a new entry depends on the lines around it, which the archive
//! splitter (`text.rs`, a user of this file) decides.

use chrono::{Datelike, NaiveDate, Weekday};

use crate::i18n::{EN_MONTHS, EN_WEEKDAYS, SV_MONTHS, SV_WEEKDAYS};

/// The language a heading is written in; used to name weekdays back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lang {
    /// `fredag 27 september 2013`.
    Swedish,
    /// `Friday, 27 September 2013`.
    English,
}

/// A date phrase as written: its weekday and its day, month and year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Phrase {
    /// The weekday as written.
    pub weekday: Weekday,
    /// The language of the weekday name.
    pub lang: Lang,
    /// Year, month (1–12) and day as written; not necessarily a real date.
    pub ymd: (i32, u32, u32),
}

impl Phrase {
    /// The date, when day, month and year make one.
    pub(super) fn date(&self) -> Option<NaiveDate> {
        let (y, m, d) = self.ymd;
        NaiveDate::from_ymd_opt(y, m, d)
    }

    /// A warning when the weekday written does not fall on the date.
    pub(super) fn weekday_mismatch(&self) -> Option<String> {
        let date = self.date()?;
        (date.weekday() != self.weekday).then(|| {
            format!(
                "{date} is a {}, not a {}; the date is used",
                day_name(date.weekday(), self.lang),
                day_name(self.weekday, self.lang)
            )
        })
    }
}

/// The name of `day` in `lang`, as the site's pages write it.
pub(super) fn day_name(day: Weekday, lang: Lang) -> &'static str {
    let names = match lang {
        Lang::Swedish => &SV_WEEKDAYS,
        Lang::English => &EN_WEEKDAYS,
    };
    names[day.num_days_from_monday() as usize]
}

/// Parses `text` when all of it (surrounding whitespace aside) is a date phrase.
pub(super) fn parse(text: &str) -> Option<Phrase> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let [day_word, a, b, year] = words.as_slice() else {
        return None;
    };
    let (weekday, lang) = weekday(day_word.strip_suffix(',').unwrap_or(day_word))?;
    let year = year
        .parse::<i32>()
        .ok()
        .filter(|_| year.len() == 4 && year.bytes().all(|c| c.is_ascii_digit()))?;
    // `27 september 2013`, or in English also `September 27, 2013`.
    let (day, month) = match (day_of_month(a), month(b.strip_suffix(',').unwrap_or(b))) {
        (Some(d), Some(m)) => (d, m),
        _ if lang == Lang::English => (day_of_month(b.strip_suffix(',')?)?, month(a)?),
        _ => return None,
    };
    Some(Phrase {
        weekday,
        lang,
        ymd: (year, month, day),
    })
}

/// Finds a date phrase that ends `line` and is glued to the text before it
/// after sentence-ending punctuation, as in `...forskningens värld.fredag 20
/// september 2013`. Returns the text before the phrase and the phrase.
pub(super) fn glued(line: &str) -> Option<(&str, Phrase)> {
    let line = line.trim_end();
    let mut previous = None;
    for (at, c) in line.char_indices() {
        if previous.is_some_and(ends_sentence) && c.is_alphabetic() {
            if let Some(phrase) = parse(&line[at..]) {
                return Some((&line[..at], phrase));
            }
        }
        previous = Some(c);
    }
    None
}

/// Whether `c` can end a sentence (including a closing quote or bracket).
pub(super) fn ends_sentence(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '"' | '”' | '»' | ')' | '…')
}

fn weekday(word: &str) -> Option<(Weekday, Lang)> {
    let word = word.to_lowercase();
    let find = |names: &[&str; 7]| names.iter().position(|n| n.to_lowercase() == word);
    let (index, lang) = match find(&SV_WEEKDAYS) {
        Some(i) => (i, Lang::Swedish),
        None => (find(&EN_WEEKDAYS)?, Lang::English),
    };
    Some((Weekday::try_from(index as u8).ok()?, lang))
}

fn month(word: &str) -> Option<u32> {
    let word = word.to_lowercase();
    let find = |names: &[&str; 12]| names.iter().position(|n| n.to_lowercase() == word);
    find(&SV_MONTHS)
        .or_else(|| find(&EN_MONTHS))
        .map(|i| i as u32 + 1)
}

/// `27`, and in English also `27th`.
fn day_of_month(word: &str) -> Option<u32> {
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|s| word.strip_suffix(s))
        .unwrap_or(word);
    let ok = (1..=2).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| digits.parse().ok())
        .flatten()
        .filter(|d| (1..=31).contains(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(text: &str) -> Option<(i32, u32, u32)> {
        parse(text).map(|p| p.ymd)
    }

    #[test]
    fn swedish_and_english_headings() {
        assert_eq!(ymd("fredag 27 september 2013"), Some((2013, 9, 27)));
        assert_eq!(ymd("  Fredag 6 September 2013 "), Some((2013, 9, 6)));
        assert_eq!(ymd("torsdag 16 januari 2014"), Some((2014, 1, 16)));
        assert_eq!(ymd("Friday, 27 September 2013"), Some((2013, 9, 27)));
        assert_eq!(ymd("Friday, September 27, 2013"), Some((2013, 9, 27)));
        assert_eq!(ymd("Friday 27th September 2013"), Some((2013, 9, 27)));
        assert_eq!(
            parse("lördag 28 september 2013").unwrap().lang,
            Lang::Swedish
        );
    }

    #[test]
    fn other_text_is_no_heading() {
        assert_eq!(ymd("Vi ses på torsdag 16 januari 2014 kl 16."), None);
        assert_eq!(ymd("fredag 27 september"), None);
        assert_eq!(ymd("fredag 27 september 13"), None);
        assert_eq!(ymd("fredag 32 september 2013"), None);
        assert_eq!(
            ymd("fredag september 27, 2013"),
            None,
            "month first is English only"
        );
        assert_eq!(ymd("långfredag 18 april 2014"), None);
    }

    #[test]
    fn weekday_must_match_the_date() {
        assert_eq!(
            parse("fredag 27 september 2013")
                .unwrap()
                .weekday_mismatch(),
            None
        );
        let wrong = parse("torsdag 27 september 2013")
            .unwrap()
            .weekday_mismatch()
            .unwrap();
        assert_eq!(
            wrong,
            "2013-09-27 is a fredag, not a torsdag; the date is used"
        );
        let wrong = parse("Monday, 27 September 2013")
            .unwrap()
            .weekday_mismatch()
            .unwrap();
        assert!(wrong.contains("is a Friday, not a Monday"), "{wrong}");
        assert!(parse("fredag 31 februari 2013").unwrap().date().is_none());
    }

    #[test]
    fn glued_headings_follow_punctuation() {
        let (before, phrase) = glued("inom forskningens värld.fredag 20 september 2013").unwrap();
        assert_eq!(before, "inom forskningens värld.");
        assert_eq!(phrase.ymd, (2013, 9, 20));
        assert_eq!(
            glued("Välkommen!”tisdag 1 oktober 2013 ").unwrap().0,
            "Välkommen!”"
        );
        assert!(
            glued("Vi ses på torsdag 16 januari 2014").is_none(),
            "a space is no glue"
        );
        assert!(glued("Vi ses på torsdag 16 januari 2014 kl 16.").is_none());
        assert!(
            glued("fredag 20 september 2013").is_none(),
            "a whole line is not glued"
        );
    }
}
