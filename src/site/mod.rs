//! The blog's HTML pages, rendered from handlebars templates.
//!
//! Templates see small view structs ([`views`]), never the internal post
//! type. Pages are rendered in parallel as the output module asks for them,
//! and post bodies are read when their page is rendered, so a large site
//! never sits in memory as a whole.

mod fixed;
mod views;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use handlebars::{Context, Handlebars};
use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::content::{self, Post, Standalone, Tag, Unpublished};
use crate::error::{Error, Result};
use crate::html;
use crate::output::OutputFile;
use crate::templates;
pub use views::*;

/// Stands in for the page body while the layout renders. A Unicode
/// noncharacter, which no escaping alters and which [`crate::clean`] removes
/// from every title, text and template: post text can never pose as it.
const BODY_PLACEHOLDER: &str = "\u{fdd2}";

/// Everything needed to render the pages of one site.
pub struct Site<'a> {
    config: &'a Config,
    registry: &'a Handlebars<'static>,
    posts: &'a [Post],
    tags: &'a [(Tag, Vec<&'a Post>)],
    standalone: &'a [Standalone],
    view: SiteView,
}

/// Where a page goes and what frames it.
struct Target<'t> {
    template: &'static str,
    path: PathBuf,
    /// What the page is, without the site's name (empty for the front page).
    title: &'t str,
    url: String,
    feeds: Vec<FeedLink>,
    meta: Meta,
}

/// One page to render.
enum Job<'a> {
    /// A page of the index (`tag` = None) or of a tag's page.
    List {
        tag: Option<&'a Tag>,
        posts: Vec<&'a Post>,
        page: usize,
        pages: usize,
    },
    /// The post at this position of the site's posts (newest first).
    Post(usize),
    Subscribe,
    Archive,
    NotFound,
    /// The standalone page at this position (navigation order).
    Standalone(usize),
}

impl<'a> Site<'a> {
    /// Prepares rendering of `posts` (published, newest first), their tags
    /// and the standalone pages (in navigation order).
    pub fn new(
        config: &'a Config,
        registry: &'a Handlebars<'static>,
        posts: &'a [Post],
        tags: &'a [(Tag, Vec<&'a Post>)],
        standalone: &'a [Standalone],
    ) -> Self {
        let mut view = SiteView::new(config);
        view.nav = standalone
            .iter()
            .map(|p| NavLink {
                title: p.nav_title.clone(),
                url: p.url.to_string(),
            })
            .collect();
        Site {
            config,
            registry,
            posts,
            tags,
            standalone,
            view,
        }
    }

    /// Every page, rendered lazily and in parallel.
    pub fn pages(&'a self) -> impl ParallelIterator<Item = Result<OutputFile>> + 'a {
        let mut jobs = vec![Job::Subscribe, Job::Archive, Job::NotFound];
        jobs.extend((0..self.standalone.len()).map(Job::Standalone));
        self.paginate(None, self.posts.iter().collect(), &mut jobs);
        for (tag, posts) in self.tags {
            self.paginate(Some(tag), posts.clone(), &mut jobs);
        }
        jobs.extend((0..self.posts.len()).map(Job::Post));
        jobs.into_par_iter()
            .with_max_len(content::CHUNK)
            .map(move |job| self.render(job))
    }

    /// Splits a list of posts into pages of `per_page` (0: one page).
    fn paginate(&self, tag: Option<&'a Tag>, posts: Vec<&'a Post>, jobs: &mut Vec<Job<'a>>) {
        let per_page = match self.config.pages.per_page {
            0 => posts.len().max(1),
            n => n,
        };
        let pages = posts.len().div_ceil(per_page).max(1);
        let mut chunks: Vec<Vec<&Post>> = posts.chunks(per_page).map(<[&Post]>::to_vec).collect();
        chunks.resize(pages, Vec::new());
        for (i, posts) in chunks.into_iter().enumerate() {
            jobs.push(Job::List {
                tag,
                posts,
                page: i + 1,
                pages,
            });
        }
    }

    fn render(&self, job: Job) -> Result<OutputFile> {
        match job {
            Job::List {
                tag,
                posts,
                page,
                pages,
            } => self.render_list(tag, &posts, page, pages),
            Job::Post(i) => self.render_post(i),
            Job::Subscribe => self.render_subscribe(),
            Job::Archive => self.render_archive(),
            Job::NotFound => self.render_not_found(),
            Job::Standalone(i) => self.render_standalone(&self.standalone[i]),
        }
    }

    fn render_list(
        &self,
        tag: Option<&Tag>,
        posts: &[&Post],
        page: usize,
        pages: usize,
    ) -> Result<OutputFile> {
        let dir = tag.map_or(String::new(), |t| format!("tags/{}/", t.slug));
        let url_of = |n: usize| match n {
            1 => format!("{}{dir}", self.view.url),
            n => format!("{}{dir}page/{n}/", self.view.url),
        };
        let mut feeds = self.main_feeds();
        if let (Some(tag), true) = (tag, self.config.feeds.tag_feeds) {
            feeds.extend(
                self.feed_links(&format!("{} – {}", self.view.title, tag.name), &url_of(1)),
            );
        }
        let body = ListBody {
            posts: posts.iter().map(|p| self.post_view(p)).collect(),
            tag: tag.map(|t| self.tag_link(t)),
            pagination: Pagination {
                page,
                pages,
                newer_url: (page > 1).then(|| url_of(page - 1)),
                older_url: (page < pages).then(|| url_of(page + 1)),
            },
        };
        let path = match page {
            1 => PathBuf::from(format!("{dir}index.html")),
            n => PathBuf::from(format!("{dir}page/{n}/index.html")),
        };
        let t = self.config.site.lang.texts();
        let page_number = format!("{} {page}", t.page);
        let title = match (tag, page) {
            (Some(tag), 1) => tag.name.clone(),
            (Some(tag), _) => format!("{}, {}", tag.name, page_number.to_lowercase()),
            (None, 1) => String::new(),
            (None, _) => page_number,
        };
        let template = if tag.is_some() { "tag" } else { "index" };
        let url = url_of(page);
        self.page(
            Target {
                template,
                path,
                title: &title,
                url,
                feeds,
                meta: self.site_meta(),
            },
            body,
            None,
        )
    }

    fn render_post(&self, i: usize) -> Result<OutputFile> {
        let post = &self.posts[i];
        let link = |p: &'a Post| PostLink {
            title: &p.title,
            url: p.url.as_str(),
        };
        let body = PostBody {
            post: self.post_view(post),
            newer: i.checked_sub(1).map(|j| link(&self.posts[j])),
            older: self.posts.get(i + 1).map(link),
        };
        let target = Target {
            template: "post",
            path: PathBuf::from(&post.slug).join("index.html"),
            title: &post.title,
            url: post.url.to_string(),
            feeds: self.main_feeds(),
            meta: Meta::new("article", &post.summary_text, image_view(post)),
        };
        self.page(
            target,
            body,
            Some(content::body_html(post, content::Images::Srcset)?),
        )
    }

    /// Renders `template` (the page's body), then `layout` around it. The
    /// page is turned into template data once and reused for the layout, with
    /// a placeholder body that is replaced afterwards, so a large body is not
    /// copied through the template engine again. `content` (a post's body) is
    /// moved into the data rather than copied.
    fn page<T: Serialize>(
        &self,
        target: Target,
        body: T,
        content: Option<String>,
    ) -> Result<OutputFile> {
        let Target {
            template,
            path,
            title,
            url,
            feeds,
            meta,
        } = target;
        let t = self.config.site.lang.texts();
        let title = match title {
            "" => self.view.title.clone(),
            own => format!("{own} – {}", self.view.title),
        };
        let page = Page {
            site: &self.view,
            t,
            title: &title,
            url,
            feeds,
            meta,
            body,
        };
        let mut context = Context::wraps(&page)
            .map_err(|e| self.render_error(template, &e, &Context::null(), &path))?;
        if let (Some(map), Some(content)) = (context.data_mut().as_object_mut(), content) {
            let content = match html::scrolling_tables(&content, t.table) {
                Cow::Borrowed(_) => content,
                Cow::Owned(wrapped) => wrapped,
            };
            map.insert("content".into(), content.into());
        }
        let inner = self.render_template(template, &context, &path)?;
        if let Some(map) = context.data_mut().as_object_mut() {
            map.insert("body".into(), BODY_PLACEHOLDER.into());
        }
        let html = self
            .render_template("layout", &context, &path)?
            .replace(BODY_PLACEHOLDER, &inner);
        Ok(OutputFile {
            path,
            bytes: html.into_bytes(),
        })
    }

    fn render_template(&self, template: &str, context: &Context, page: &Path) -> Result<String> {
        self.registry
            .render_with_context(template, context)
            .map_err(|e| self.render_error(template, &e, context, page))
    }

    /// A template that fails while rendering `page` is a problem in the
    /// template's file (`templates/post.hbs:2:5: unknown variable …`).
    fn render_error(
        &self,
        template: &str,
        err: &handlebars::RenderError,
        context: &Context,
        page: &Path,
    ) -> Error {
        let name = err.template_name.as_deref().unwrap_or(template);
        let file = templates::file_of(&self.config.paths.templates, name);
        let page = page.display().to_string();
        Error::Invalid(vec![templates::explain::render(
            &file,
            err,
            context.data(),
            &page,
        )])
    }

    fn post_view(&self, post: &'a Post) -> PostView<'a> {
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
            summary: html::scrolling_tables(&post.summary_html, lang.texts().table),
            image: image_view(post),
            status: post.unpublished.map(|why| match why {
                Unpublished::Draft => lang.texts().draft,
                Unpublished::Scheduled => lang.texts().scheduled,
            }),
        }
    }

    fn tag_link<'t>(&self, tag: &'t Tag) -> TagLink<'t> {
        TagLink::new(&self.view.url, tag)
    }

    /// The site's three feeds, told apart by their format in the title.
    fn main_feeds(&self) -> Vec<FeedLink> {
        let mut links = self.feed_links(&self.view.title, &self.view.url);
        links.push(FeedLink {
            title: format!("{} (JSON)", self.view.title),
            url: self.view.json_url.clone(),
            mime: "application/feed+json",
        });
        links
    }

    fn feed_links(&self, title: &str, dir_url: &str) -> Vec<FeedLink> {
        vec![
            FeedLink {
                title: format!("{title} (RSS)"),
                url: format!("{dir_url}{}", self.config.feeds.rss),
                mime: "application/rss+xml",
            },
            FeedLink {
                title: format!("{title} (Atom)"),
                url: format!("{dir_url}{}", self.config.feeds.atom),
                mime: "application/atom+xml",
            },
        ]
    }
}

/// The post's lead image as templates see it.
fn image_view(post: &Post) -> Option<ImageView> {
    post.lead_image().map(|lead| ImageView {
        src: lead.src.to_string(),
        srcset: lead.srcset,
        width: lead.width,
        height: lead.height,
        alt: lead.alt,
    })
}
