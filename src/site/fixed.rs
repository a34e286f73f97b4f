//! The pages that are neither a list of posts nor a post: the subscribe
//! page, the archive, the 404 page and the standalone pages.

use std::path::PathBuf;

use chrono::Datelike;

use super::views::{
    ArchiveBody, ArchiveEntry, ArchiveMonth, ArchiveYear, Meta, PlainBody, StandaloneBody,
};
use super::{Site, Target};
use crate::content::{Post, Standalone};
use crate::error::Result;
use crate::i18n::Lang;
use crate::output::OutputFile;

/// The 404 page's file: web servers are told to serve it for a missing
/// page (the README says how), so it sits at the root, not in a folder.
const NOT_FOUND_FILE: &str = "404.html";

impl Site<'_> {
    pub(super) fn render_subscribe(&self) -> Result<OutputFile> {
        let slug = self.config.site.lang.subscribe_slug();
        let target = Target {
            template: "subscribe",
            path: PathBuf::from(slug).join("index.html"),
            title: self.config.site.lang.texts().subscribe,
            url: self.view.subscribe_url.clone(),
            feeds: self.main_feeds(),
            meta: self.site_meta(),
        };
        self.page(target, PlainBody {}, None)
    }

    pub(super) fn render_archive(&self) -> Result<OutputFile> {
        let lang = self.config.site.lang;
        let target = Target {
            template: "archive",
            path: PathBuf::from(lang.archive_slug()).join("index.html"),
            title: lang.texts().archive,
            url: self.view.archive_url.clone(),
            feeds: self.main_feeds(),
            meta: self.site_meta(),
        };
        let body = ArchiveBody {
            years: archive(self.posts, lang),
        };
        self.page(target, body, None)
    }

    pub(super) fn render_not_found(&self) -> Result<OutputFile> {
        let target = Target {
            template: "404",
            path: PathBuf::from(NOT_FOUND_FILE),
            title: self.config.site.lang.texts().not_found,
            url: format!("{}{NOT_FOUND_FILE}", self.view.url),
            feeds: self.main_feeds(),
            meta: self.site_meta(),
        };
        self.page(target, PlainBody {}, None)
    }

    pub(super) fn render_standalone(&self, page: &Standalone) -> Result<OutputFile> {
        let target = Target {
            template: "page",
            path: PathBuf::from(&page.slug).join("index.html"),
            title: &page.title,
            url: page.url.to_string(),
            feeds: self.main_feeds(),
            meta: Meta::new("website", &page.summary, None),
        };
        let body = StandaloneBody {
            heading: &page.title,
        };
        self.page(target, body, Some(page.html.clone()))
    }

    /// The preview of a page about the whole site: its description.
    pub(super) fn site_meta(&self) -> Meta {
        Meta::new("website", &self.view.description, None)
    }
}

/// `posts` (newest first) grouped by year and month of their dates in the
/// site's time zone, newest first.
fn archive(posts: &[Post], lang: Lang) -> Vec<ArchiveYear<'_>> {
    let mut years: Vec<ArchiveYear> = Vec::new();
    for post in posts {
        let (year, month0) = (post.date.year(), post.date.month0() as usize);
        if years.last().is_none_or(|y| y.year != year) {
            years.push(ArchiveYear {
                year,
                months: Vec::new(),
            });
        }
        let months = &mut years.last_mut().expect("pushed above").months;
        let iso = format!("{year:04}-{:02}", month0 + 1);
        if months.last().is_none_or(|m| m.iso != iso) {
            months.push(ArchiveMonth {
                name: lang.month(month0),
                iso,
                posts: Vec::new(),
            });
        }
        months
            .last_mut()
            .expect("pushed above")
            .posts
            .push(ArchiveEntry {
                title: &post.title,
                url: post.url.as_str(),
                date: lang.long_date(&post.date),
                date_iso: post.date.to_rfc3339(),
            });
    }
    years
}
