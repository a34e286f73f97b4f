//! JSON Feed 1.0 and 1.1 (<https://www.jsonfeed.org/version/1.1/>), read
//! with serde: 1.1's `authors` and 1.0's `author` alike.

use serde::Deserialize;

use super::item::{Body, Item};

#[derive(Deserialize)]
struct Feed {
    version: String,
    #[serde(default)]
    items: Vec<JsonItem>,
    #[serde(default)]
    authors: Vec<Author>,
    author: Option<Author>,
}

#[derive(Deserialize)]
struct JsonItem {
    id: Option<serde_json::Value>,
    url: Option<String>,
    title: Option<String>,
    content_html: Option<String>,
    content_text: Option<String>,
    summary: Option<String>,
    date_published: Option<String>,
    date_modified: Option<String>,
    #[serde(default)]
    authors: Vec<Author>,
    author: Option<Author>,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
struct Author {
    name: Option<String>,
}

/// The items of the JSON Feed `text`, in feed order, or why it is none.
pub(super) fn items(text: &str) -> Result<Vec<Item>, String> {
    let feed: Feed =
        serde_json::from_str(text).map_err(|e| format!("not a readable JSON Feed: {e}"))?;
    if !feed.version.starts_with("https://jsonfeed.org/version/1") {
        return Err(format!(
            "not a JSON Feed of version 1.0 or 1.1: `version` is `{}`",
            feed.version
        ));
    }
    let feed_author = first_name(&feed.authors, feed.author.as_ref());
    Ok(feed
        .items
        .into_iter()
        .map(|item| convert(item, feed_author.as_deref()))
        .collect())
}

fn first_name(authors: &[Author], author: Option<&Author>) -> Option<String> {
    authors
        .iter()
        .chain(author)
        .find_map(|a| a.name.clone())
        .filter(|n| !n.trim().is_empty())
}

fn convert(item: JsonItem, feed_author: Option<&str>) -> Item {
    // JSON Feed 1.0 allowed numbers as ids; they are kept as written.
    let id = match item.id {
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let body = item
        .content_html
        .map(Body::Html)
        .or(item.content_text.map(Body::Text))
        .or(item.summary.map(Body::Text));
    Item {
        title: item.title.map(Body::Text),
        id: id.filter(|s| !s.trim().is_empty()),
        link: item.url,
        published: item.date_published,
        updated: item.date_modified,
        author: first_name(&item.authors, item.author.as_ref()).or(feed_author.map(str::to_string)),
        tags: item.tags,
        body,
    }
}
