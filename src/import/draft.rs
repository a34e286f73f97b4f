//! One post to import, as the converters (`text.rs`, `feed.rs`) make it and
//! the planner (`plan.rs`) places it. A leaf that names no other file of
//! `import`, so the converters and the planner share it without a cycle.

use chrono::NaiveDate;

use crate::diag::Diagnostic;

/// One post to import, before it gets its file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Draft {
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
    /// The slug the post had, when the source says (a post of this very
    /// site); `None` makes one from the title.
    pub slug: Option<String>,
    /// The author, when not the site's.
    pub author: Option<String>,
    /// Tag names.
    pub tags: Vec<String>,
    /// The Markdown body.
    pub body: String,
    /// Where in the source the post comes from, for messages.
    pub origin: String,
}

impl Draft {
    /// The draft without unfit characters ([`crate::clean`]): whatever the
    /// converters decoded (`&amp;#1;` in a feed's HTML becomes U+0001) is
    /// not written into a post.
    pub(super) fn cleaned(self) -> Draft {
        let text = |s: String| crate::clean::text(&s).into_owned();
        Draft {
            title: text(self.title),
            id: self.id.map(text),
            author: self.author.map(text),
            tags: self.tags.into_iter().map(text).collect(),
            body: text(self.body),
            ..self
        }
    }
}

/// What a converter found in its source.
#[derive(Debug, Default)]
pub(super) struct Found {
    /// The posts to import, in source order.
    pub drafts: Vec<Draft>,
    /// Problems worth telling, each naming its place in the source.
    pub warnings: Vec<Diagnostic>,
    /// How many posts of the source were left out (each with a warning).
    pub left_out: usize,
}
