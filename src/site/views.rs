//! What templates see: small view structs, documented in the README.

use std::borrow::Cow;

use serde::Serialize;

use crate::config::Config;
use crate::content::Tag;
use crate::i18n::Texts;

/// What every template sees as `site`.
#[derive(Debug, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    pub url: String,
    pub language: String,
    pub author: String,
    pub rss_url: String,
    pub atom_url: String,
    pub json_url: String,
    pub subscribe_url: String,
}

impl SiteView {
    /// The site as every page and mail template sees it.
    pub fn new(config: &Config) -> SiteView {
        let base = &config.site.base_url;
        let at = |path: &str| {
            base.join(path)
                .expect("site paths are URL-safe")
                .to_string()
        };
        SiteView {
            title: config.site.title.clone(),
            description: config.site.description.clone(),
            url: base.to_string(),
            language: config.site.language.clone(),
            author: config.site.author.name.clone(),
            rss_url: at(&config.feeds.rss),
            atom_url: at(&config.feeds.atom),
            json_url: at(&config.feeds.json),
            subscribe_url: at(&format!("{}/", config.site.lang.subscribe_slug())),
        }
    }
}

/// A post as templates see it.
#[derive(Debug, Serialize)]
pub struct PostView<'a> {
    pub title: &'a str,
    pub url: &'a str,
    /// Long date in the site's language: "fredag 27 september 2013".
    pub date: String,
    /// RFC 3339, for `<time datetime>`.
    pub date_iso: String,
    pub updated: Option<String>,
    pub updated_iso: Option<String>,
    pub author: &'a str,
    pub tags: Vec<TagLink<'a>>,
    /// Summary HTML with absolute URLs.
    pub summary: &'a str,
    /// The lead image (front matter `image`, else the first image).
    pub image: Option<ImageView>,
}

/// An image as templates see it: absolute URLs, intrinsic size of `src`.
#[derive(Debug, Serialize)]
pub struct ImageView {
    pub src: String,
    pub srcset: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
}

/// A tag with the URL of its page: the same shape in page and digest templates.
#[derive(Debug, Serialize)]
pub struct TagLink<'a> {
    pub name: Cow<'a, str>,
    pub url: String,
}

impl<'a> TagLink<'a> {
    /// `tag` and its page on the site at `site_url`.
    pub fn new(site_url: &str, tag: &'a Tag) -> Self {
        TagLink {
            name: Cow::Borrowed(&tag.name),
            url: format!("{site_url}tags/{}/", tag.slug),
        }
    }

    /// The same link, owning its name (for views that outlive the posts).
    pub fn into_owned(self) -> TagLink<'static> {
        TagLink {
            name: Cow::Owned(self.name.into_owned()),
            url: self.url,
        }
    }
}

/// A link to another post (newer or older neighbour).
#[derive(Debug, Serialize)]
pub struct PostLink<'a> {
    pub title: &'a str,
    pub url: &'a str,
}

/// An autodiscovery `<link rel="alternate">`.
#[derive(Debug, Serialize)]
pub struct FeedLink {
    pub title: String,
    pub url: String,
    pub mime: &'static str,
}

/// Where a list page stands among its siblings.
#[derive(Debug, Serialize)]
pub struct Pagination {
    /// 1-based number of this page.
    pub page: usize,
    pub pages: usize,
    /// The page with newer posts, if any.
    pub newer_url: Option<String>,
    /// The page with older posts, if any.
    pub older_url: Option<String>,
}

/// Every page: the common fields, then the page's own (`body`, flattened).
#[derive(Serialize)]
pub struct Page<'a, T: Serialize> {
    pub site: &'a SiteView,
    pub t: &'static Texts,
    /// Title and canonical URL of this page.
    pub title: &'a str,
    pub url: String,
    pub feeds: Vec<FeedLink>,
    #[serde(flatten)]
    pub body: T,
}

/// The index and tag pages.
#[derive(Serialize)]
pub struct ListBody<'a> {
    pub posts: Vec<PostView<'a>>,
    pub tag: Option<TagLink<'a>>,
    pub pagination: Pagination,
}

/// A post's own page (its body HTML is added as `content`).
#[derive(Serialize)]
pub struct PostBody<'a> {
    pub post: PostView<'a>,
    pub newer: Option<PostLink<'a>>,
    pub older: Option<PostLink<'a>>,
}

/// The subscribe page has only the common fields.
#[derive(Serialize)]
pub struct SubscribeBody {}
