//! `herald import`: posts from an old blog's plain-text archive or feed.

mod dates;
mod html;
mod prose;
mod text;

use chrono::NaiveDate;

/// Where a text entry's title comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TitleFrom {
    /// The entry's first sentence, shortened at a word boundary.
    #[default]
    FirstSentence,
    /// The date heading as written.
    Date,
}

/// One post to import, before it gets its file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Plain-text title.
    pub title: String,
    /// The day in the site's time zone, for the file name and a made id.
    pub day: NaiveDate,
    /// The date as written into the front matter.
    pub date: String,
    /// The last change as written into the front matter, if any.
    pub updated: Option<String>,
    /// The original id; `None` makes a tag URI from the host, day and slug.
    pub id: Option<String>,
    /// The author, when not the site's.
    pub author: Option<String>,
    /// Tag names.
    pub tags: Vec<String>,
    /// The Markdown body.
    pub body: String,
    /// Where in the source the post comes from, for messages.
    pub origin: String,
}
