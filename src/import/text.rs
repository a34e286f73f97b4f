//! `herald import text`: a plain-text archive split into posts at its date
//! headings.
//!
//! A heading is a line that is only a date phrase (`fredag 27 september
//! 2013`), or a date phrase glued to the end of a paragraph after its final
//! punctuation (`...forskningens värld.fredag 20 september 2013`). A date
//! phrase that is part of a sentence is no heading: one inside a line
//! (`Vi ses på torsdag 16 januari 2014 kl 16.`), and one on its own line
//! when the line after continues it (starts in lower case), or when the line
//! before runs into it (no closing punctuation) and text follows directly.

use std::path::Path;

use super::dates::{self, Phrase};
use super::draft::{Draft, Found};
use super::prose;
use crate::diag::Diagnostic;

/// Where a text entry's title comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TitleFrom {
    /// The entry's first sentence, shortened at a word boundary.
    #[default]
    FirstSentence,
    /// The date heading as written.
    Date,
}

/// Titles made from the first sentence are at most this many characters.
pub(super) const TITLE_MAX: usize = 60;

/// One entry of the archive: its heading and the lines below it.
struct Entry<'a> {
    phrase: Phrase,
    heading: &'a str,
    line: usize,
    lines: Vec<&'a str>,
}

/// How a line of the archive reads.
enum Line<'a> {
    /// Text of the current entry.
    Text(&'a str),
    /// A date heading on its own line.
    Heading(Phrase, &'a str),
    /// The end of a paragraph with a date heading glued to it.
    Glued(&'a str, Phrase, &'a str),
}

/// Splits `text`, the archive `path`, into drafts in file order; the
/// warnings name lines of `path`.
pub(super) fn split(path: &Path, text: &str, title_from: TitleFrom) -> Found {
    let lines: Vec<&str> = text.lines().collect();
    let mut warnings = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    let mut preamble = 0;
    for i in 0..lines.len() {
        let (text, heading) = match classify(&lines, i, &mut |m| {
            warnings.push(Diagnostic::at(path, i + 1, m))
        }) {
            Line::Text(text) => (Some(text), None),
            Line::Heading(phrase, heading) => (None, Some((phrase, heading))),
            Line::Glued(before, phrase, heading) => (Some(before), Some((phrase, heading))),
        };
        match (text, entries.last_mut()) {
            (Some(text), Some(entry)) => entry.lines.push(text),
            (Some(text), None) if !text.trim().is_empty() => preamble += 1,
            _ => {}
        }
        if let Some((phrase, heading)) = heading {
            if let Some(problem) = phrase.weekday_mismatch() {
                warnings.push(Diagnostic::at(
                    path,
                    i + 1,
                    format!("heading `{heading}`: {problem}"),
                ));
            }
            entries.push(Entry {
                phrase,
                heading,
                line: i + 1,
                lines: Vec::new(),
            });
        }
    }
    if preamble > 0 {
        let message = format!(
            "{preamble} line(s) before the first date heading are not part of any post; left out"
        );
        warnings.push(Diagnostic::at(path, 1, message));
    }
    let mut drafts = Vec::new();
    let mut left_out = 0;
    for entry in entries {
        match to_draft(&entry, title_from) {
            Some(draft) => drafts.push(draft),
            None => {
                left_out += 1;
                warnings.push(Diagnostic::at(
                    path,
                    entry.line,
                    format!("`{}` has no text; left out", entry.heading),
                ));
            }
        }
    }
    Found {
        drafts,
        warnings,
        left_out,
    }
}

/// Why a date phrase is kept as text rather than taken as a heading, if it is.
fn why_not_heading(in_sentence: bool, phrase: &dates::Phrase) -> Option<&'static str> {
    if in_sentence {
        Some("reads as part of a sentence, so it does not start a new post")
    } else if phrase.date().is_none() {
        Some("looks like a date heading but is no real date; kept as text")
    } else {
        None
    }
}

/// Reads line `i` in its context; `warn` hears about date phrases that look
/// like headings but are not taken as one.
fn classify<'a>(lines: &[&'a str], i: usize, warn: &mut dyn FnMut(String)) -> Line<'a> {
    let line = lines[i];
    let next_continues = lines.get(i + 1).is_some_and(|next| {
        next.trim_start()
            .chars()
            .next()
            .is_some_and(char::is_lowercase)
    });
    if let Some(phrase) = dates::parse(line) {
        let prev = if i == 0 { "" } else { lines[i - 1].trim_end() };
        let prev_continues = prev
            .chars()
            .next_back()
            .is_some_and(|c| !dates::ends_sentence(c));
        let next_blank = lines.get(i + 1).is_none_or(|next| next.trim().is_empty());
        let heading = line.trim();
        match why_not_heading(next_continues || prev_continues && !next_blank, &phrase) {
            Some(why) => warn(format!("`{heading}` {why}")),
            None => return Line::Heading(phrase, heading),
        }
    } else if let Some((before, phrase)) = dates::glued(line) {
        let heading = line[before.len()..].trim();
        match why_not_heading(next_continues, &phrase) {
            Some(why) => warn(format!("`{heading}` {why}")),
            None => return Line::Glued(before, phrase, heading),
        }
    }
    Line::Text(line)
}

/// The draft of one entry; `None` when it has no text.
fn to_draft(entry: &Entry, title_from: TitleFrom) -> Option<Draft> {
    let mut paragraphs: Vec<Vec<&str>> = vec![Vec::new()];
    for line in &entry.lines {
        match paragraphs.last_mut() {
            Some(current) if !line.trim().is_empty() => current.push(line),
            Some(current) if !current.is_empty() => paragraphs.push(Vec::new()),
            _ => {}
        }
    }
    paragraphs.retain(|p| !p.is_empty());
    let first = paragraphs.first()?;
    let title = match title_from {
        TitleFrom::FirstSentence => {
            prose::title(&prose::first_sentence(&first.join("\n")), TITLE_MAX)
        }
        TitleFrom::Date => entry.heading.to_string(),
    };
    let day = entry.phrase.date()?;
    let body: Vec<String> = paragraphs.iter().map(|p| prose::paragraph(p)).collect();
    Some(Draft {
        title,
        day,
        date: day.format("%Y-%m-%d").to_string(),
        updated: None,
        id: None,
        slug: None,
        author: None,
        tags: Vec::new(),
        body: body.join("\n\n") + "\n",
        origin: format!("line {}", entry.line),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (Vec<Draft>, Vec<String>) {
        let found = split(Path::new("a.txt"), text, TitleFrom::FirstSentence);
        let warnings = found.warnings.iter().map(ToString::to_string).collect();
        (found.drafts, warnings)
    }

    #[test]
    fn splits_at_headings_of_any_weekday() {
        let (drafts, warnings) =
            run("fredag 27 september 2013\n\nEtt.\n\nTvå.\n\n\ntorsdag 19 september 2013\nTre.\n");
        assert_eq!(warnings, Vec::<String>::new());
        assert_eq!(drafts.len(), 2);
        assert_eq!(
            (drafts[0].date.as_str(), drafts[0].body.as_str()),
            ("2013-09-27", "Ett.\n\nTvå.\n")
        );
        assert_eq!(
            (drafts[1].date.as_str(), drafts[1].body.as_str()),
            ("2013-09-19", "Tre.\n")
        );
        assert_eq!(drafts[1].title, "Tre");
    }

    #[test]
    fn glued_heading_ends_the_previous_entry() {
        let (drafts, _) = run("fredag 27 september 2013\n\nDet här är något jag\nalltid trott på.fredag 20 september 2013\n\nIdag.");
        assert_eq!(drafts[0].body, "Det här är något jag alltid trott på.\n");
        assert_eq!(drafts[1].date, "2013-09-20");
        assert_eq!(drafts[1].body, "Idag.\n");
    }

    #[test]
    fn dates_inside_sentences_are_text() {
        let text = "fredag 10 januari 2014\n\nVi ses på torsdag 16 januari 2014 kl 16.\nVi ses på\ntorsdag 16 januari 2014\nkl 16 i Plenisalen.\n";
        let (drafts, warnings) = run(text);
        assert_eq!(drafts.len(), 1);
        assert!(
            drafts[0]
                .body
                .contains("Vi ses på torsdag 16 januari 2014 kl 16."),
            "{}",
            drafts[0].body
        );
        assert!(drafts[0]
            .body
            .ends_with("Vi ses på torsdag 16 januari 2014 kl 16 i Plenisalen.\n"));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0]
            .starts_with("a.txt:5: `torsdag 16 januari 2014` reads as part of a sentence"));
    }

    #[test]
    fn wrong_weekdays_are_warned_about() {
        let (drafts, warnings) = run("\ntorsdag 27 september 2013\n\nText.\n");
        assert_eq!(drafts[0].date, "2013-09-27");
        assert_eq!(warnings, ["a.txt:2: heading `torsdag 27 september 2013`: 2013-09-27 is a fredag, not a torsdag; the date is used"]);
    }

    #[test]
    fn english_headings_and_title_from_date() {
        let text = "Friday, 27 September 2013\n\nFirst.\n";
        let drafts = split(Path::new("a.txt"), text, TitleFrom::Date).drafts;
        assert_eq!(drafts[0].title, "Friday, 27 September 2013");
    }

    #[test]
    fn text_before_the_first_heading_and_empty_entries() {
        let (drafts, warnings) =
            run("Arkiv\nfredag 27 september 2013\n\nfredag 20 september 2013\nText.");
        assert_eq!(drafts.len(), 1);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("before the first date heading"));
        assert!(warnings[1].starts_with("a.txt:2: `fredag 27 september 2013` has no text"));
    }

    #[test]
    fn impossible_dates_are_text() {
        let (drafts, warnings) =
            run("fredag 27 september 2013\n\nA.\n\nfredag 31 februari 2013\n\nB.");
        assert_eq!(drafts.len(), 1);
        assert!(warnings[0].contains("no real date"), "{warnings:?}");
    }
}
