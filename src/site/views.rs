//! What templates see: small view structs, documented in the README.

use std::borrow::Cow;

use serde::Serialize;

use crate::config::Config;
use crate::content::Tag;
use crate::i18n::Texts;

/// What every template sees as `site`.
#[derive(Debug, Serialize)]
pub struct SiteView {
    /// `[site] title`.
    pub title: String,
    /// `[site] description`.
    pub description: String,
    /// The site root, absolute, ending with `/`.
    pub url: String,
    /// `[site] language`, for `lang` attributes.
    pub language: String,
    /// The default author's name.
    pub author: String,
    /// The RSS feed, absolute.
    pub rss_url: String,
    /// The Atom feed, absolute.
    pub atom_url: String,
    /// The JSON feed, absolute.
    pub json_url: String,
    /// The page that explains how to subscribe.
    pub subscribe_url: String,
    /// The archive page (every post by year and month).
    pub archive_url: String,
    /// The OpenGraph locale, e.g. `sv_SE`.
    pub locale: String,
    /// The standalone pages, in navigation order (empty in the digest:
    /// pages are never part of the email).
    pub nav: Vec<NavLink>,
    /// `[site] logo`, absolute, with its alt text.
    pub logo: Option<LogoView>,
    /// `[site] accent` as `#rrggbb`, when set.
    pub accent: Option<String>,
}

/// A standalone page's link in the navigation.
#[derive(Debug, Serialize)]
pub struct NavLink {
    /// The page's title.
    pub title: String,
    /// The page, absolute.
    pub url: String,
}

/// The organisation's logo as templates see it.
#[derive(Debug, Serialize)]
pub struct LogoView {
    /// The image, absolute.
    pub url: String,
    /// Its text alternative.
    pub alt: String,
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
            archive_url: at(&format!("{}/", config.site.lang.archive_slug())),
            locale: crate::i18n::og_locale(&config.site.language),
            nav: Vec::new(),
            logo: config.site.logo.as_ref().map(|logo| LogoView {
                url: at(&logo.path),
                alt: logo.alt.clone(),
            }),
            accent: config.site.accent.map(|colour| colour.to_string()),
        }
    }
}

/// A post as templates see it.
#[derive(Debug, Serialize)]
pub struct PostView<'a> {
    /// The post's title.
    pub title: &'a str,
    /// The post's page, absolute.
    pub url: &'a str,
    /// Long date in the site's language: "fredag 27 september 2013".
    pub date: String,
    /// RFC 3339, for `<time datetime>`.
    pub date_iso: String,
    /// Long date of the last change, when the post has `updated`.
    pub updated: Option<String>,
    /// RFC 3339 of `updated`.
    pub updated_iso: Option<String>,
    /// The post's author (else the site's).
    pub author: &'a str,
    /// The post's tags with their pages.
    pub tags: Vec<TagLink<'a>>,
    /// Summary HTML with absolute URLs, its tables in scrolling boxes.
    pub summary: Cow<'a, str>,
    /// The lead image (front matter `image`, else the first image).
    pub image: Option<ImageView>,
    /// Under `herald serve --drafts`, why a real build leaves the post out
    /// (`t.draft`, `t.scheduled`); null otherwise.
    pub status: Option<&'static str>,
}

/// An image as templates see it: absolute URLs, intrinsic size of `src`.
#[derive(Debug, Serialize)]
pub struct ImageView {
    /// The middle-width copy, absolute.
    pub src: String,
    /// Every width, for `srcset`.
    pub srcset: String,
    /// Intrinsic width of `src` in pixels.
    pub width: u32,
    /// Intrinsic height of `src` in pixels.
    pub height: u32,
    /// The text alternative (empty for a decorative image).
    pub alt: String,
}

/// A tag with the URL of its page: the same shape in page and digest templates.
#[derive(Debug, Serialize)]
pub struct TagLink<'a> {
    /// The tag as written.
    pub name: Cow<'a, str>,
    /// The tag's page, absolute.
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
    /// The other post's title.
    pub title: &'a str,
    /// The other post's page, absolute.
    pub url: &'a str,
}

/// An autodiscovery `<link rel="alternate">`.
#[derive(Debug, Serialize)]
pub struct FeedLink {
    /// What the link is called, e.g. the site title and the format.
    pub title: String,
    /// The feed, absolute.
    pub url: String,
    /// The feed's media type.
    pub mime: &'static str,
}

/// Where a list page stands among its siblings.
#[derive(Debug, Serialize)]
pub struct Pagination {
    /// 1-based number of this page.
    pub page: usize,
    /// How many pages the list has.
    pub pages: usize,
    /// The page with newer posts, if any.
    pub newer_url: Option<String>,
    /// The page with older posts, if any.
    pub older_url: Option<String>,
}

/// Every page: the common fields, then the page's own (`body`, flattened).
#[derive(Serialize)]
pub struct Page<'a, T: Serialize> {
    /// The site, as every template sees it.
    pub site: &'a SiteView,
    /// Fixed texts in the site's language.
    pub t: &'static Texts,
    /// The document's title, saying where the reader is: the page's own
    /// title, then the site's ("förskola – Kommunchefens blogg"); the site's
    /// alone on the front page.
    pub title: &'a str,
    /// This page's canonical URL.
    pub url: String,
    /// Autodiscovery links.
    pub feeds: Vec<FeedLink>,
    /// What a link preview (OpenGraph, Twitter card) shows.
    pub meta: Meta,
    /// The page's own fields.
    #[serde(flatten)]
    pub body: T,
}

/// A page's link preview: `<meta name="description">`, OpenGraph and the
/// Twitter card.
#[derive(Debug, Serialize)]
pub struct Meta {
    /// Plain text, at most [`DESCRIPTION_CHARS`] characters.
    pub description: String,
    /// `og:type`: `article` for a post, else `website`.
    pub og_type: &'static str,
    /// `twitter:card`: `summary_large_image` with an image, else `summary`.
    pub card: &'static str,
    /// The lead image, absolute, with its size and text alternative.
    pub image: Option<ImageView>,
}

/// The longest description a preview gets; chat apps and search engines
/// cut around 150–200 characters anyway.
pub const DESCRIPTION_CHARS: usize = 200;

impl Meta {
    /// A preview of a page of type `og_type` described by `text`, with `image`.
    pub fn new(og_type: &'static str, text: &str, image: Option<ImageView>) -> Meta {
        Meta {
            description: shorten(text),
            og_type,
            card: if image.is_some() {
                "summary_large_image"
            } else {
                "summary"
            },
            image,
        }
    }
}

/// `text` on one line, cut at a word before [`DESCRIPTION_CHARS`] with "…".
fn shorten(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= DESCRIPTION_CHARS {
        return text;
    }
    let cut: String = text.chars().take(DESCRIPTION_CHARS - 1).collect();
    let words = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!(
        "{}…",
        words.trim_end_matches([',', '.', ';', ':', '–', '-'])
    )
}

/// The archive page: years, newest first, each with its months.
#[derive(Serialize)]
pub struct ArchiveBody<'a> {
    /// Every year with posts, newest first.
    pub years: Vec<ArchiveYear<'a>>,
}

/// One year of the archive.
#[derive(Serialize)]
pub struct ArchiveYear<'a> {
    /// The year, e.g. 2013.
    pub year: i32,
    /// Its months with posts, newest first.
    pub months: Vec<ArchiveMonth<'a>>,
}

/// One month of the archive.
#[derive(Serialize)]
pub struct ArchiveMonth<'a> {
    /// The month's name in the site's language ("september").
    pub name: &'static str,
    /// `YYYY-MM`, for an `id` or `<time datetime>`.
    pub iso: String,
    /// Its posts, newest first.
    pub posts: Vec<ArchiveEntry<'a>>,
}

/// A post in the archive.
#[derive(Serialize)]
pub struct ArchiveEntry<'a> {
    /// The post's title.
    pub title: &'a str,
    /// The post's page, absolute.
    pub url: &'a str,
    /// Long date in the site's language.
    pub date: String,
    /// RFC 3339, for `<time datetime>`.
    pub date_iso: String,
}

/// The index and tag pages.
#[derive(Serialize)]
pub struct ListBody<'a> {
    /// The posts on this page, newest first.
    pub posts: Vec<PostView<'a>>,
    /// The tag of a tag page.
    pub tag: Option<TagLink<'a>>,
    /// Where this page stands among its siblings.
    pub pagination: Pagination,
}

/// A post's own page (its body HTML is added as `content`).
#[derive(Serialize)]
pub struct PostBody<'a> {
    /// The post.
    pub post: PostView<'a>,
    /// The next newer post, if any.
    pub newer: Option<PostLink<'a>>,
    /// The next older post, if any.
    pub older: Option<PostLink<'a>>,
}

/// A page with only the common fields: the subscribe page, the 404 page.
#[derive(Serialize)]
pub struct PlainBody {}

/// A standalone page (its body HTML added as `content`).
#[derive(Serialize)]
pub struct StandaloneBody<'a> {
    /// The page's own title, for its `h1` (`title` is the document's,
    /// with the site's name after it).
    pub heading: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_one_line_and_cut_at_a_word() {
        assert_eq!(shorten("  Hej\n  hopp  "), "Hej hopp");
        let long = "samhällsbyggnad ".repeat(30);
        let short = shorten(&long);
        assert!(short.ends_with("samhällsbyggnad…"), "{short}");
        assert!(short.chars().count() <= DESCRIPTION_CHARS);
    }
}
