//! The blog's HTML pages, rendered from handlebars templates.
//!
//! Templates see small view structs (documented in the README), never the
//! internal post type. Pages are rendered in parallel as the output module
//! asks for them, so a large site never sits in memory as a whole.

use std::path::PathBuf;

use handlebars::Handlebars;
use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::content::{Post, Tag};
use crate::error::{Error, Result};
use crate::i18n::Texts;
use crate::output::OutputFile;

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
    /// Full body HTML as written (only on the post's own page).
    pub content: &'a str,
}

/// A tag with the URL of its page.
#[derive(Debug, Serialize)]
pub struct TagLink<'a> {
    pub name: &'a str,
    pub url: String,
}

/// An autodiscovery `<link rel="alternate">`.
#[derive(Debug, Serialize)]
pub struct FeedLink {
    pub title: String,
    pub url: String,
    pub mime: &'static str,
}

#[derive(Serialize)]
struct Page<'a, T: Serialize> {
    site: &'a SiteView,
    t: &'static Texts,
    /// Title and canonical URL of this page.
    title: &'a str,
    url: String,
    feeds: Vec<FeedLink>,
    #[serde(flatten)]
    body: T,
}

#[derive(Serialize)]
struct ListBody<'a> {
    posts: Vec<PostView<'a>>,
    tag: Option<TagLink<'a>>,
}

#[derive(Serialize)]
struct PostBody<'a> {
    post: PostView<'a>,
}

#[derive(Serialize)]
struct SubscribeBody {}

/// What `layout.hbs` sees besides the common fields: the rendered page body.
#[derive(Serialize)]
struct Layout {
    body: &'static str,
}

/// Stands in for the page body while the layout renders; letters and digits
/// only, so no escaping can alter it.
const BODY_PLACEHOLDER: &str = "heraldPageBody5c1e0a9f";

/// Everything needed to render the pages of one site.
pub struct Site<'a> {
    config: &'a Config,
    registry: &'a Handlebars<'static>,
    posts: &'a [Post],
    tags: &'a [(Tag, Vec<&'a Post>)],
    view: SiteView,
}

enum Job<'a> {
    Index,
    Post(&'a Post),
    Tag(&'a Tag, &'a [&'a Post]),
    Subscribe,
}

impl<'a> Site<'a> {
    /// Prepares rendering of `posts` (published, newest first).
    pub fn new(
        config: &'a Config,
        registry: &'a Handlebars<'static>,
        posts: &'a [Post],
        tags: &'a [(Tag, Vec<&'a Post>)],
    ) -> Self {
        let base = &config.site.base_url;
        let at = |path: &str| {
            base.join(path)
                .expect("site paths are URL-safe")
                .to_string()
        };
        let view = SiteView {
            title: config.site.title.clone(),
            description: config.site.description.clone(),
            url: base.to_string(),
            language: config.site.language.clone(),
            author: config.site.author.name.clone(),
            rss_url: at(&config.feeds.rss),
            atom_url: at(&config.feeds.atom),
            json_url: at(&config.feeds.json),
            subscribe_url: at(&format!("{}/", config.site.lang.subscribe_slug())),
        };
        Site {
            config,
            registry,
            posts,
            tags,
            view,
        }
    }

    /// Every page, rendered lazily and in parallel.
    pub fn pages(&'a self) -> impl ParallelIterator<Item = Result<OutputFile>> + 'a {
        let mut jobs = vec![Job::Index, Job::Subscribe];
        jobs.extend(
            self.tags
                .iter()
                .map(|(tag, posts)| Job::Tag(tag, posts.as_slice())),
        );
        jobs.extend(self.posts.iter().map(Job::Post));
        jobs.into_par_iter().map(move |job| self.render(job))
    }

    fn render(&self, job: Job) -> Result<OutputFile> {
        let texts = self.config.site.lang.texts();
        match job {
            Job::Index => {
                let body = ListBody {
                    posts: self.list(self.posts.iter()),
                    tag: None,
                };
                self.page(
                    "index",
                    "index.html".into(),
                    &self.view.title,
                    self.view.url.clone(),
                    self.main_feeds(),
                    body,
                )
            }
            Job::Post(post) => {
                let body = PostBody {
                    post: self.post_view(post, true),
                };
                let path = PathBuf::from(&post.slug).join("index.html");
                self.page(
                    "post",
                    path,
                    &post.title,
                    post.url.to_string(),
                    self.main_feeds(),
                    body,
                )
            }
            Job::Tag(tag, posts) => {
                let link = self.tag_link(tag);
                let mut feeds = self.main_feeds();
                if self.config.feeds.tag_feeds {
                    feeds.extend(
                        self.feed_links(&format!("{} – {}", self.view.title, tag.name), &link.url),
                    );
                }
                let url = link.url.clone();
                let body = ListBody {
                    posts: self.list(posts.iter().copied()),
                    tag: Some(link),
                };
                let path = PathBuf::from("tags").join(&tag.slug).join("index.html");
                self.page("tag", path, &tag.name, url, feeds, body)
            }
            Job::Subscribe => {
                let slug = self.config.site.lang.subscribe_slug();
                let url = self.view.subscribe_url.clone();
                self.page(
                    "subscribe",
                    PathBuf::from(slug).join("index.html"),
                    texts.subscribe,
                    url,
                    self.main_feeds(),
                    SubscribeBody {},
                )
            }
        }
    }

    /// Renders `template` (the page's body), then `layout` around it. The
    /// layout is rendered with a placeholder body that is then replaced, so
    /// a large body is not copied through the template engine a second time.
    fn page<T: Serialize>(
        &self,
        template: &str,
        path: PathBuf,
        title: &str,
        url: String,
        feeds: Vec<FeedLink>,
        body: T,
    ) -> Result<OutputFile> {
        let t = self.config.site.lang.texts();
        let mut page = Page {
            site: &self.view,
            t,
            title,
            url,
            feeds,
            body,
        };
        let inner = self.render_template(template, &page)?;
        let layout = Page {
            site: page.site,
            t,
            title,
            url: std::mem::take(&mut page.url),
            feeds: std::mem::take(&mut page.feeds),
            body: Layout {
                body: BODY_PLACEHOLDER,
            },
        };
        let html = self
            .render_template("layout", &layout)?
            .replace(BODY_PLACEHOLDER, &inner);
        Ok(OutputFile {
            path,
            bytes: html.into_bytes(),
        })
    }

    fn render_template<T: Serialize>(&self, template: &str, data: &T) -> Result<String> {
        self.registry
            .render(template, data)
            .map_err(|e| Error::Render {
                name: format!("{template}.hbs"),
                source: Box::new(e),
            })
    }

    fn list(&self, posts: impl Iterator<Item = &'a Post>) -> Vec<PostView<'a>> {
        posts.map(|p| self.post_view(p, false)).collect()
    }

    fn post_view(&self, post: &'a Post, with_content: bool) -> PostView<'a> {
        let lang = self.config.site.lang;
        PostView {
            title: &post.title,
            url: post.url.as_str(),
            date: lang.long_date(&post.date),
            date_iso: post.date.to_rfc3339(),
            updated: post.updated.map(|d| lang.long_date(&d)),
            updated_iso: post.updated.map(|d| d.to_rfc3339()),
            author: post
                .author
                .as_deref()
                .unwrap_or(&self.config.site.author.name),
            tags: post.tags.iter().map(|t| self.tag_link(t)).collect(),
            summary: &post.summary_html,
            content: if with_content { &post.html } else { "" },
        }
    }

    fn tag_link<'t>(&self, tag: &'t Tag) -> TagLink<'t> {
        TagLink {
            name: &tag.name,
            url: format!("{}tags/{}/", self.view.url, tag.slug),
        }
    }

    fn main_feeds(&self) -> Vec<FeedLink> {
        let mut links = self.feed_links(&self.view.title, &self.view.url);
        links.push(FeedLink {
            title: self.view.title.clone(),
            url: self.view.json_url.clone(),
            mime: "application/feed+json",
        });
        links
    }

    fn feed_links(&self, title: &str, dir_url: &str) -> Vec<FeedLink> {
        vec![
            FeedLink {
                title: title.to_string(),
                url: format!("{dir_url}{}", self.config.feeds.rss),
                mime: "application/rss+xml",
            },
            FeedLink {
                title: title.to_string(),
                url: format!("{dir_url}{}", self.config.feeds.atom),
                mime: "application/atom+xml",
            },
        ]
    }
}
