//! RSS 2.0, Atom 1.0 and JSON Feed 1.1, built with the feed crates.
//!
//! Every feed shows the newest `limit` published posts. Post HTML is made
//! absolute against the post's URL and sanitised once per post, then shared
//! by all feeds that include it.

/// The lead image of a post as Media RSS extension elements, in the
/// extension types of `rss` or `atom_syndication` (look-alike structs of two
/// crates): `media_extensions!(post, rss::extension::Extension)`.
macro_rules! media_extensions {
    ($post:expr, $ext:ident) => {{
        fn convert(e: super::MediaElement) -> $ext {
            let mut children = std::collections::BTreeMap::new();
            for child in e.children {
                children.insert(child.name.to_string(), vec![convert(child)]);
            }
            $ext {
                name: format!("media:{}", e.name),
                value: e.text,
                attrs: e
                    .attrs
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
                children,
            }
        }
        let mut elements = std::collections::BTreeMap::new();
        for e in super::media_elements($post) {
            elements.insert(e.name.to_string(), vec![convert(e)]);
        }
        let mut map = std::collections::BTreeMap::new();
        if !elements.is_empty() {
            map.insert("media".to_string(), elements);
        }
        map
    }};
}

mod atom;
mod json;
mod rss;

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rayon::prelude::*;
use url::Url;

use crate::config::Config;
use crate::content::{self, Post, Tag};
use crate::error::Result;
use crate::html::{self, Sanitizer};
use crate::output::OutputFile;

/// One feed's worth of posts and where it lives.
struct Feed<'a> {
    /// Feed title.
    title: String,
    /// Folder below the site root, `""` or `tags/<slug>/`.
    dir: String,
    /// The HTML page this feed mirrors.
    home: Url,
    /// The tag of a tag feed.
    tag: Option<&'a Tag>,
    /// The entries, newest first.
    items: Vec<Item<'a>>,
    /// Newest modification among the items; `None` for an empty feed.
    updated: Option<DateTime<Tz>>,
}

/// A post with its feed-ready HTML.
struct Item<'a> {
    post: &'a Post,
    summary: &'a str,
    content: &'a str,
}

/// Feed-ready HTML of one post: absolute URLs, no active content.
struct Prepared {
    summary: String,
    content: String,
}

/// Every feed file of the site: the main three and, with `tag_feeds`, RSS and Atom per tag.
pub fn build(
    config: &Config,
    posts: &[Post],
    tags: &[(Tag, Vec<&Post>)],
    now: DateTime<Utc>,
) -> Result<Vec<OutputFile>> {
    let limit = |n: usize| {
        if config.feeds.limit == 0 {
            n
        } else {
            n.min(config.feeds.limit)
        }
    };
    let mut selections: Vec<(String, String, Option<&Tag>, Vec<&Post>)> = vec![(
        config.site.title.clone(),
        String::new(),
        None,
        posts[..limit(posts.len())].iter().collect(),
    )];
    if config.feeds.tag_feeds {
        for (tag, tagged) in tags {
            let title = format!("{} – {}", config.site.title, tag.name);
            selections.push((
                title,
                format!("tags/{}/", tag.slug),
                Some(tag),
                tagged[..limit(tagged.len())].to_vec(),
            ));
        }
    }
    let prepared = prepare(config, selections.iter().flat_map(|s| s.3.iter().copied()))?;
    let feeds: Vec<Feed> = selections
        .into_iter()
        .map(|(title, dir, tag, chosen)| {
            let items: Vec<Item> = chosen
                .into_iter()
                .map(|post| {
                    let p = &prepared[post.id.as_str()];
                    Item {
                        post,
                        summary: &p.summary,
                        content: &p.content,
                    }
                })
                .collect();
            Feed {
                home: config
                    .site
                    .base_url
                    .join(&dir)
                    .expect("tag slugs are URL-safe"),
                updated: items.iter().map(|i| i.post.modified()).max(),
                title,
                dir,
                tag,
                items,
            }
        })
        .collect();
    let mut files = Vec::new();
    for (i, feed) in feeds.iter().enumerate() {
        files.push(file(
            &feed.dir,
            &config.feeds.rss,
            rss::write(config, feed)?,
        ));
        files.push(file(
            &feed.dir,
            &config.feeds.atom,
            atom::write(config, feed, now)?,
        ));
        if i == 0 {
            files.push(file(
                &feed.dir,
                &config.feeds.json,
                json::write(config, feed)?,
            ));
        }
    }
    Ok(files)
}

/// Absolute, sanitised HTML for each distinct post, computed in parallel.
fn prepare<'a>(
    config: &Config,
    posts: impl Iterator<Item = &'a Post>,
) -> Result<BTreeMap<&'a str, Prepared>> {
    let mut unique: BTreeMap<&str, &Post> = BTreeMap::new();
    for post in posts {
        unique.insert(&post.id, post);
    }
    let sanitizer = Sanitizer::default();
    let full = config.feeds.full_content;
    unique
        .into_par_iter()
        .map(|(id, post)| {
            let clean = |html: &str| sanitizer.clean(&html::absolutize(html, &post.url));
            let content = if full {
                clean(&content::body_html(post, content::Images::Single)?)
            } else {
                String::new()
            };
            let summary = clean(&post.summary_html);
            Ok((id, Prepared { summary, content }))
        })
        .collect()
}

impl<'a> Feed<'a> {
    /// The tags an entry lists: all the post's in the site's feed, only its
    /// own in a tag feed. A post with many tags is in many tag feeds; listing
    /// all its tags in each would grow its output with the square of them.
    fn categories(&self, post: &'a Post) -> &'a [Tag] {
        match self.tag {
            Some(tag) => std::slice::from_ref(tag),
            None => &post.tags,
        }
    }

    /// The XML namespaces the feed's extensions need: Media RSS when a post
    /// has a lead image.
    fn namespaces(&self) -> BTreeMap<String, String> {
        let media = self.items.iter().any(|i| i.post.lead.is_some());
        let pairs = media.then(|| ("media".to_string(), MEDIA_NS.to_string()));
        pairs.into_iter().collect()
    }

    /// The URL of this feed's file `name`.
    fn url(&self, name: &str) -> String {
        self.home
            .join(name)
            .expect("feed names are plain file names")
            .to_string()
    }
}

fn file(dir: &str, name: &str, bytes: Vec<u8>) -> OutputFile {
    OutputFile {
        path: PathBuf::from(format!("{dir}{name}")),
        bytes,
    }
}

/// The Media RSS namespace (https://www.rssboard.org/media-rss), used in
/// RSS and Atom for the lead image: how feed readers find thumbnails.
const MEDIA_NS: &str = "http://search.yahoo.com/mrss/";

/// One Media RSS element: its name without prefix, attributes, text, children.
struct MediaElement {
    name: &'static str,
    attrs: Vec<(&'static str, String)>,
    text: Option<String>,
    children: Vec<MediaElement>,
}

/// The Media RSS elements of a post's lead image: `media:content` (with
/// its text alternative as `media:description`) and `media:thumbnail`.
fn media_elements(post: &Post) -> Vec<MediaElement> {
    let Some(lead) = post.lead_image() else {
        return Vec::new();
    };
    let (thumb, tw, th) = lead.thumbnail;
    let description = (!lead.alt.is_empty()).then(|| MediaElement {
        name: "description",
        attrs: vec![("type", "plain".into())],
        text: Some(lead.alt.clone()),
        children: Vec::new(),
    });
    vec![
        MediaElement {
            name: "content",
            attrs: vec![
                ("url", lead.src.to_string()),
                ("type", lead.mime.into()),
                ("medium", "image".into()),
                ("width", lead.width.to_string()),
                ("height", lead.height.to_string()),
            ],
            text: None,
            children: description.into_iter().collect(),
        },
        MediaElement {
            name: "thumbnail",
            attrs: vec![
                ("url", thumb.to_string()),
                ("width", tw.to_string()),
                ("height", th.to_string()),
            ],
            text: None,
            children: Vec::new(),
        },
    ]
}

/// The name shown for a post's author.
fn author_name<'a>(config: &'a Config, post: &'a Post) -> &'a str {
    post.author.as_deref().unwrap_or(&config.site.author.name)
}

/// The site description, or the title when there is none (RSS requires one).
fn description(config: &Config) -> &str {
    if config.site.description.trim().is_empty() {
        &config.site.title
    } else {
        &config.site.description
    }
}

#[cfg(test)]
mod tests;
