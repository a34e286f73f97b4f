//! Posts: files in `posts/` with TOML front matter and a Markdown body.
//!
//! Loading reads and renders every post in parallel and reports every problem
//! in every file; publishing applies the rules shared by pages, feeds and mail.

mod figure;
pub(crate) mod frontmatter;
mod links;
pub(crate) mod markdown;
pub(crate) mod media;
mod nesting;
pub(crate) mod slug;
mod source;
pub(crate) mod standalone;
mod stray;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rayon::prelude::*;
use url::Url;

use crate::clean::Cleaned;
use crate::config::Config;
use crate::diag::{self, Diagnostic};
use crate::error::{Error, Result};
pub use frontmatter::parse_date;
pub use markdown::{Images, MORE};
use media::{LocalRef, Media};
use source::{decode, read_source};
pub use standalone::Standalone;
pub use stray::stray_markdown;

/// One post, parsed and rendered.
#[derive(Debug, Clone)]
pub struct Post {
    /// The file it came from.
    pub source: PathBuf,
    /// Stable identity: front matter `id`, else `tag:<host>,<date>:<slug>`.
    pub id: String,
    /// The URL path segment: `[a-z0-9-]` only.
    pub slug: String,
    /// The permalink, `<base_url><slug>/`.
    pub url: Url,
    /// Plain-text title.
    pub title: String,
    /// Publication time in the site time zone.
    pub date: DateTime<Tz>,
    /// Last significant change, if any.
    pub updated: Option<DateTime<Tz>>,
    /// Tags in the order written, duplicates (by slug) removed.
    pub tags: Vec<Tag>,
    /// The post's author when not the site's.
    pub author: Option<String>,
    /// Drafts are never published.
    pub draft: bool,
    /// Set only by [`preview`]: why a real build leaves this post out.
    pub unpublished: Option<Unpublished>,
    /// Summary as HTML with absolute URLs (front matter `summary`, text before
    /// `<!-- more -->`, or first paragraph).
    pub summary_html: String,
    /// Summary as plain text.
    pub summary_text: String,
    /// The post's own folder (`posts/<name>/` holding `index.md`), whose
    /// files are published beside the post; `None` for a plain `<name>.md`.
    pub folder: Option<PathBuf>,
    /// Links and images in the body naming local files, and the front
    /// matter's `image`.
    pub refs: Vec<LocalRef>,
    /// The lead image: front matter `image`, else the first image; a path
    /// in [`Post::folder`] and its text alternative.
    pub lead: Option<(String, String)>,
    /// What the local references resolve to, once the files are processed.
    pub media: Arc<Media>,
    lines: KeyLines,
    /// The body as loaded (and checked): rendering reads it again.
    body_hash: u64,
}

/// Lines of keys that cross-post checks report on.
#[derive(Debug, Clone, Copy)]
struct KeyLines {
    id: usize,
    slug: usize,
    date: usize,
}

/// A tag: the name as written and its slug (`tags/<slug>/`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tag {
    /// The tag as written in the front matter.
    pub name: String,
    /// The tag page's folder name.
    pub slug: String,
}

impl Post {
    /// The lead image: front matter `image`, else the first image.
    pub fn lead_image(&self) -> Option<media::Lead> {
        media::Lead::of(&self.url, self.lead.as_ref(), &self.media)
    }

    /// `updated` when set, else `date`.
    pub fn modified(&self) -> DateTime<Tz> {
        self.updated.unwrap_or(self.date)
    }

    /// The line of the front matter's `date`, for messages about the date.
    pub fn date_line(&self) -> usize {
        self.lines.date
    }
}

/// The most tags a post may have. Each tag has its own page and feeds, and
/// each tag feed lists the post: a post's output grows with its tags, so
/// the count is bounded (100 is far more than any post needs).
pub const MAX_TAGS: usize = 100;

/// The most posts one task takes at a time in parallel work. Rayon otherwise
/// hands out large pieces, and on two cores one of them may run alone for a
/// tenth of the build at the end; 64 posts cost well under a millisecond of
/// scheduling overhead per piece.
pub const CHUNK: usize = 64;

/// Reads every `*.md` file in the posts folder, and every `index.md` in a
/// folder of it (a post folder), in name order.
pub fn load(config: &Config) -> Result<Vec<Post>> {
    let dir = &config.paths.posts;
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::read(dir, e))? {
        let entry = entry.map_err(|e| Error::read(dir, e))?;
        let path = entry.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        // The entry's type comes with the listing; `path.is_file()` would cost a
        // system call per post (symbolic links still get one).
        let is_file = entry.file_type().is_ok_and(|t| t.is_file()) || path.is_file();
        if name.ends_with(".md") && !name.starts_with('.') && is_file {
            files.push(path);
        } else if !name.starts_with('.') && path.join("index.md").is_file() {
            files.push(path.join("index.md"));
        }
    }
    files.sort();
    let parsed: Vec<Result<Post, Vec<Diagnostic>>> = files
        .par_iter()
        // Small pieces, so that neither core waits for the other at the end.
        .with_max_len(CHUNK)
        .map(|path| {
            let bytes = read_source(path)
                .map_err(|e| vec![Diagnostic::file(path, format!("cannot read: {e}"))])?;
            parse(path, &bytes, config)
        })
        .collect();
    let mut posts = Vec::with_capacity(parsed.len());
    let mut problems = Vec::new();
    for result in parsed {
        match result {
            Ok(post) => posts.push(post),
            Err(found) => problems.extend(found),
        }
    }
    problems.extend(check_unique(&posts, config));
    problems.extend(links::link_posts(&mut posts));
    if problems.is_empty() {
        Ok(posts)
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Parses one post file.
pub fn parse(path: &Path, bytes: &[u8], config: &Config) -> Result<Post, Vec<Diagnostic>> {
    let text = decode(path, bytes).map_err(|d| vec![d])?;
    let split = frontmatter::split_file(path, &text).map_err(|d| vec![d])?;
    let front: frontmatter::FrontMatter = toml::from_str(split.front)
        .map_err(|e| vec![diag::from_toml(path, split.front, split.front_line, &e)])?;
    let line_at = |span: std::ops::Range<usize>| {
        diag::line_of(split.front, span.start) + split.front_line - 1
    };
    let mut problems = Vec::new();
    let site = &config.site;
    let title = match &front.title {
        Some(t) if !t.get_ref().as_str().trim().is_empty() => {
            t.get_ref().as_str().trim().to_string()
        }
        Some(t) => {
            problems.push(Diagnostic::at(
                path,
                line_at(t.span()),
                "the title is empty",
            ));
            String::new()
        }
        None => {
            problems.push(Diagnostic::at(
                path,
                1,
                "missing `title` in the front matter",
            ));
            String::new()
        }
    };
    let mut date_of = |value: &toml::Spanned<toml::Value>| {
        frontmatter::parse_date(value.get_ref(), site.timezone, site.default_publish_time)
            .map_err(|m| problems.push(Diagnostic::at(path, line_at(value.span()), m)))
            .ok()
    };
    let date = front.date.as_ref().and_then(&mut date_of);
    let updated = front.updated.as_ref().and_then(&mut date_of);
    if front.date.is_none() {
        problems.push(Diagnostic::at(
            path,
            1,
            "missing `date` in the front matter, e.g. date = \"2013-09-27\"",
        ));
    }
    let folder = links::bundle_folder(path, &config.paths.posts);
    let body_line = split.front_line + split.front.matches('\n').count() + 1;
    let image = front.image.as_ref().map(|i| {
        let alt = front.image_alt.as_ref().map_or("", |a| a.as_str());
        (i.get_ref().as_str(), alt, line_at(i.span()))
    });
    let (refs, depth) = links::scan(split.body, body_line);
    let (refs, lead) =
        links::collect(path, refs, folder.as_deref(), image).unwrap_or_else(|found| {
            problems.extend(found);
            (Vec::new(), None)
        });
    let slug = match &front.slug {
        Some(s) if slug::is_valid(s.get_ref()) => s.get_ref().clone(),
        Some(s) => {
            problems.push(Diagnostic::at(
                path,
                line_at(s.span()),
                format!(
                    "slug `{}` may only contain a-z, 0-9 and -",
                    s.get_ref().escape_debug()
                ),
            ));
            String::new()
        }
        None => slug::from_file_stem(
            folder
                .as_deref()
                .unwrap_or(path)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or(""),
        ),
    };
    let tags = front.tags.map_or_else(Vec::new, |t| {
        let line = line_at(t.span());
        let list = tags(t.into_inner());
        if list.len() > MAX_TAGS {
            let message = format!("{} tags; a post may have at most {MAX_TAGS}", list.len());
            problems.push(Diagnostic::at(path, line, message));
        }
        list
    });
    if let Err(deep) = depth {
        problems.push(nesting::diagnose(path, split.body, body_line, &deep));
    }
    if let Some(id) = &front.id {
        let problem = match crate::clean::id_problem(id.get_ref()) {
            _ if id.get_ref().trim().is_empty() => Some("the id is empty".to_string()),
            Some(what) => Some(format!(
                "the id contains {what}; an id is one line of visible text"
            )),
            None => None,
        };
        if let Some(message) = problem {
            problems.push(Diagnostic::at(path, line_at(id.span()), message));
        }
    }
    let Some(date) = date.filter(|_| problems.is_empty()) else {
        return Err(problems);
    };
    let lines = KeyLines {
        id: front.id.as_ref().map_or(1, |s| line_at(s.span())),
        slug: front.slug.as_ref().map_or(1, |s| line_at(s.span())),
        date: front.date.as_ref().map_or(1, |s| line_at(s.span())),
    };
    let id = match front.id {
        Some(id) => id.into_inner().trim().to_string(),
        None => tag_uri(config.host(), &date, &slug),
    };
    let url = site
        .base_url
        .join(&format!("{slug}/"))
        .expect("a valid slug joins onto a base URL");
    let (summary_html, summary_text) = match front.summary {
        Some(s) => (
            format!("<p>{}</p>\n", handlebars::html_escape(s.as_str().trim())),
            s.as_str().trim().to_string(),
        ),
        // Summaries are shown away from the post's URL (index, tag pages, feeds).
        None => {
            let mut summary = markdown::summary(split.body, &url);
            if folder.is_some() {
                // Lists and feeds show the lead image beside the summary.
                summary.html = crate::html::without_images(&summary.html);
            }
            (summary.html, summary.text)
        }
    };
    Ok(Post {
        source: path.to_path_buf(),
        url,
        id,
        slug,
        title,
        date,
        updated,
        tags,
        author: front.author.map(Cleaned::into_string),
        draft: front.draft,
        unpublished: None,
        summary_html,
        summary_text,
        folder,
        refs,
        lead,
        media: Arc::default(),
        lines,
        body_hash: hash(split.body),
    })
}

/// The post's full body as HTML, URLs as the author wrote them (make them
/// absolute with [`crate::html::absolutize`] for use away from the post's URL).
///
/// Bodies are not kept in memory: they are read again and rendered when a
/// page, feed or mail needs them, so a site of 100,000 posts fits in memory.
pub fn body_html(post: &Post, images: Images) -> Result<String> {
    let bytes = read_source(&post.source).map_err(|e| Error::read(&post.source, e))?;
    let text = decode(&post.source, &bytes).map_err(|d| Error::Invalid(vec![d]))?;
    let split = frontmatter::split(&text).map_err(|_| {
        let message = "the front matter changed during the build; run again";
        Error::Invalid(vec![Diagnostic::at(&post.source, 1, message)])
    })?;
    // Only the body checked at load is rendered: every stage after loading
    // relies on its bounded nesting.
    if hash(split.body) != post.body_hash {
        let message = "the post changed during the build; run again";
        return Err(Error::Invalid(vec![Diagnostic::at(
            &post.source,
            1,
            message,
        )]));
    }
    Ok(markdown::to_html(split.body, &post.media, images))
}

/// Tells a body read again for rendering from the one checked at load (an
/// edit in between), not an adversary's collision: foldhash reads 16 bytes a
/// step, where std's SipHash took 4.5 % of a build's instructions hashing
/// every body twice (and BLAKE3 as many).
fn hash(body: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0).hash_one(body)
}

/// The default post id: a tag URI (RFC 4151) from the host, date and first slug.
pub fn tag_uri(host: &str, date: &DateTime<Tz>, slug: &str) -> String {
    format!("tag:{host},{}:{slug}", date.format("%Y-%m-%d"))
}

fn tags(names: Vec<Cleaned>) -> Vec<Tag> {
    let mut out: Vec<Tag> = Vec::with_capacity(names.len());
    for name in names {
        let name = name.as_str().trim().to_string();
        if name.is_empty() {
            continue;
        }
        let slug = slug::slugify(&name);
        if !out.iter().any(|t| t.slug == slug) {
            out.push(Tag { name, slug });
        }
    }
    out
}

/// Slugs that the site's own pages use.
fn reserved(config: &Config) -> [&'static str; 4] {
    let lang = config.site.lang;
    ["tags", "page", lang.subscribe_slug(), lang.archive_slug()]
}

fn check_unique(posts: &[Post], config: &Config) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut slugs: HashMap<&str, &Post> = HashMap::new();
    let mut ids: HashMap<&str, &Post> = HashMap::new();
    for post in posts {
        if reserved(config).contains(&post.slug.as_str()) {
            problems.push(Diagnostic::at(
                &post.source,
                post.lines.slug,
                format!(
                    "slug `{}` is used by the site's own pages; choose another",
                    post.slug
                ),
            ));
        }
        if let Some(first) = slugs.insert(&post.slug, post) {
            problems.push(Diagnostic::at(
                &post.source,
                post.lines.slug,
                format!(
                    "slug `{}` is already used by {}; set a different `slug`",
                    post.slug,
                    first.source.display()
                ),
            ));
        }
        if let Some(first) = ids.insert(&post.id, post) {
            problems.push(Diagnostic::at(
                &post.source,
                post.lines.id,
                format!(
                    "id `{}` is already used by {}; ids must be unique",
                    post.id,
                    first.source.display()
                ),
            ));
        }
    }
    problems
}

/// The posts that may be shown at `now`, newest first (ties broken by id).
#[derive(Debug, Clone)]
pub struct Published {
    /// Published posts, newest first.
    pub posts: Vec<Post>,
    /// The drafts left out, in file order.
    pub drafts: Vec<Post>,
    /// The posts dated after `now`, left out, in file order.
    pub scheduled: Vec<Post>,
}

/// Applies the publishing rules shared by pages, feeds and mail.
pub fn publish(posts: Vec<Post>, now: DateTime<Utc>) -> Published {
    let (drafts, rest): (Vec<Post>, Vec<Post>) = posts.into_iter().partition(|p| p.draft);
    let (mut posts, scheduled): (Vec<Post>, Vec<Post>) =
        rest.into_iter().partition(|p| p.date <= now);
    newest_first(&mut posts);
    let by_file = |mut list: Vec<Post>| {
        list.sort_by(|a, b| a.source.cmp(&b.source));
        list
    };
    Published {
        posts,
        drafts: by_file(drafts),
        scheduled: by_file(scheduled),
    }
}

/// Why a post shown by [`preview`] would be left out of a real build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unpublished {
    /// `draft = true`.
    Draft,
    /// Dated after now.
    Scheduled,
}

/// For `herald serve --drafts`: what [`publish`] shows, with the drafts and
/// scheduled posts it leaves out put among them (by the same order), each
/// marked with why a real build leaves it out.
pub fn preview(posts: Vec<Post>, now: DateTime<Utc>) -> Published {
    let Published {
        mut posts,
        drafts,
        scheduled,
    } = publish(posts, now);
    let mark = |why| {
        move |post| Post {
            unpublished: Some(why),
            ..post
        }
    };
    posts.extend(drafts.into_iter().map(mark(Unpublished::Draft)));
    posts.extend(scheduled.into_iter().map(mark(Unpublished::Scheduled)));
    newest_first(&mut posts);
    Published {
        posts,
        drafts: Vec::new(),
        scheduled: Vec::new(),
    }
}

/// The order of every list of posts: newest first, ties broken by id, so
/// the order is total and builds are reproducible.
fn newest_first(posts: &mut [Post]) {
    posts.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
}

/// Published posts grouped by tag slug, tags in slug order, posts newest first.
/// A tag's display name is the one its newest post uses.
pub fn by_tag(posts: &[Post]) -> Vec<(Tag, Vec<&Post>)> {
    let mut groups: BTreeMap<&str, (Tag, Vec<&Post>)> = BTreeMap::new();
    for post in posts {
        for tag in &post.tags {
            groups
                .entry(&tag.slug)
                .or_insert_with(|| (tag.clone(), Vec::new()))
                .1
                .push(post);
        }
    }
    groups.into_values().collect()
}

#[cfg(test)]
mod tests;
