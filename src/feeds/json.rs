//! JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), from serde structs.

use serde::Serialize;

use super::{author_name, description, Feed, Item};
use crate::config::Config;
use crate::error::{Error, Result};

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: String,
    feed_url: String,
    description: &'a str,
    language: &'a str,
    authors: Vec<Author<'a>>,
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    url: String,
    title: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    content_html: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    summary: &'a str,
    date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<&'a str>,
    authors: Vec<Author<'a>>,
    /// The lead image, absolute.
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
}

/// The JSON Feed document for `feed`.
pub(super) fn write(config: &Config, feed: &Feed) -> Result<Vec<u8>> {
    let site = &config.site;
    let doc = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: &feed.title,
        home_page_url: feed.home.to_string(),
        feed_url: feed.url(&config.feeds.json),
        description: description(config),
        language: &site.language,
        authors: vec![Author {
            name: &site.author.name,
            url: Some(site.base_url.to_string()),
        }],
        items: feed
            .items
            .iter()
            .map(|item| json_item(config, item))
            .collect(),
    };
    let mut out = serde_json::to_vec_pretty(&doc).map_err(|e| Error::Feed {
        kind: "JSON",
        source: Box::new(e),
    })?;
    out.push(b'\n');
    Ok(out)
}

fn json_item<'a>(config: &'a Config, item: &'a Item) -> JsonItem<'a> {
    let post = item.post;
    JsonItem {
        id: &post.id,
        url: post.url.to_string(),
        title: &post.title,
        content_html: if item.content.is_empty() {
            item.summary
        } else {
            item.content
        },
        summary: &post.summary_text,
        date_published: post.date.to_rfc3339(),
        date_modified: post.updated.map(|d| d.to_rfc3339()),
        tags: post.tags.iter().map(|t| t.name.as_str()).collect(),
        authors: vec![Author {
            name: author_name(config, post),
            url: None,
        }],
        image: post.lead_image().map(|lead| lead.src.to_string()),
    }
}
