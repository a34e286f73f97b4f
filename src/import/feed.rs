//! `herald import feed`: the items of an RSS 2.0 or Atom feed as posts.
//!
//! Each post keeps the item's title, its dates with their offsets, its author
//! (when not the site's), its categories as tags and, most of all, its
//! original `guid` or Atom `id`, so that readers subscribed to the old feed do
//! not see every post again. Content becomes Markdown where that keeps its
//! meaning (see [`super::html`]).

use std::path::Path;

use atom_syndication::{Content, Entry, Text, TextType};
use chrono::{DateTime, FixedOffset, SecondsFormat};
use rss::Item;

use super::draft::{Draft, Found};
use super::html;
use super::{prose, text::TITLE_MAX};
use crate::config::Config;
use crate::diag::Diagnostic;

/// Reads the feed `text` (the file `path`) into drafts, in feed order. Items
/// that cannot be imported are left out with a warning; a file that is no
/// feed is an error.
pub fn parse(path: &Path, text: &str, config: &Config) -> Result<Found, Diagnostic> {
    let results: Vec<(String, Result<Converted, String>)> = match root_element(text).as_deref() {
        Some("rss" | "rdf:RDF") => {
            let channel = rss::Channel::read_from(text.as_bytes())
                .map_err(|e| Diagnostic::file(path, format!("not a readable RSS feed: {e}")))?;
            channel
                .items()
                .iter()
                .map(|item| (rss_label(item), from_rss(item, config)))
                .collect()
        }
        Some("feed") => {
            let feed = atom_syndication::Feed::read_from(text.as_bytes())
                .map_err(|e| Diagnostic::file(path, format!("not a readable Atom feed: {e}")))?;
            let feed_author = feed.authors().first().map(|p| p.name().to_string());
            let entry = |e: &Entry| {
                (
                    format!("`{}`", e.title().as_str()),
                    from_atom(e, feed_author.as_deref(), config),
                )
            };
            feed.entries().iter().map(entry).collect()
        }
        other => {
            let found = other.map_or("no XML element".to_string(), |name| {
                format!("the root element <{name}>")
            });
            return Err(Diagnostic::file(
                path,
                format!("neither RSS 2.0 nor Atom: {found}"),
            ));
        }
    };
    let mut drafts = Vec::new();
    let mut warnings = Vec::new();
    let mut left_out = 0;
    for (n, (label, result)) in results.into_iter().enumerate() {
        let origin = format!("item {} {label}", n + 1);
        let (draft, kept_html) = match result {
            Ok((draft, kept_html)) => (draft, kept_html),
            Err(problem) => {
                left_out += 1;
                warnings.push(Diagnostic::file(path, format!("{origin}: {problem}")));
                continue;
            }
        };
        if draft.id.is_none() {
            let message =
                format!("{origin}: no guid, id or link; its id is made from its date and title");
            warnings.push(Diagnostic::file(path, message));
        }
        if kept_html {
            let message =
                format!("{origin}: the content is kept as HTML, as Markdown would change it");
            warnings.push(Diagnostic::file(path, message));
        }
        drafts.push(Draft { origin, ..draft });
    }
    Ok(Found {
        drafts,
        warnings,
        left_out,
    })
}

/// The name of the first element: `rss`, `feed`, ...
fn root_element(text: &str) -> Option<String> {
    let mut rest = text;
    loop {
        let open = rest.find('<')?;
        rest = &rest[open + 1..];
        if rest.starts_with(['?', '!']) {
            continue;
        }
        let end = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
        return Some(rest[..end].to_string());
    }
}

/// A draft and whether its content was kept as HTML.
type Converted = (Draft, bool);

fn rss_label(item: &Item) -> String {
    item.title()
        .map_or(String::new(), |t| format!("`{}`", t.trim()))
}

fn from_rss(item: &Item, config: &Config) -> Result<Converted, String> {
    let dc = item.dublin_core_ext();
    let date = match (
        item.pub_date(),
        dc.and_then(|dc| dc.dates().first()).map(String::as_str),
    ) {
        (Some(d), _) | (None, Some(d)) => parse_date(d).ok_or(format!(
            "the date `{d}` is not RFC 822 or RFC 3339; left out"
        ))?,
        (None, None) => return Err("no pubDate; left out".into()),
    };
    let content = item.content().or(item.description()).unwrap_or("");
    let author = match dc.and_then(|dc| dc.creators().first()) {
        Some(creator) => Some(creator.trim().to_string()),
        None => item.author().map(rss_author_name),
    };
    let mut draft = draft(date, config);
    draft.title = title_or_first_sentence(item.title().unwrap_or(""), content);
    draft.id = item
        .guid()
        .map(|g| g.value())
        .or(item.link())
        .map(|s| s.trim().to_string());
    draft.author = author;
    draft.tags = tags(item.categories().iter().map(|c| c.name()));
    let converted = html::to_markdown(content);
    draft.body = converted.markdown;
    Ok((finish(draft, config), converted.kept_html))
}

/// `kommunchefen@example.se (Kommunchefen)` → `Kommunchefen`.
fn rss_author_name(author: &str) -> String {
    let author = author.trim();
    match (author.find('('), author.strip_suffix(')')) {
        (Some(open), Some(inner)) => inner[open + 1..].trim().to_string(),
        _ => author.to_string(),
    }
}

fn parse_date(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    DateTime::parse_from_rfc2822(text)
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
}

fn from_atom(
    entry: &Entry,
    feed_author: Option<&str>,
    config: &Config,
) -> Result<Converted, String> {
    let mut draft = draft(*entry.published().unwrap_or(entry.updated()), config);
    if entry.published().is_some_and(|p| p != entry.updated()) {
        draft.updated = Some(written(*entry.updated()));
    }
    let body = match (entry.content(), entry.summary()) {
        (Some(content), _) => atom_content(content)?,
        (None, Some(summary)) => text_body(summary.r#type, &summary.value),
        (None, None) => (String::new(), false),
    };
    let raw = entry
        .content()
        .and_then(Content::value)
        .or(entry.summary().map(|s| s.value.as_str()));
    let alternate = entry
        .links()
        .iter()
        .find(|l| l.rel() == "alternate")
        .map(|l| l.href());
    draft.title = title_or_first_sentence(&text_of(entry.title()), raw.unwrap_or(""));
    draft.id = Some(entry.id()).or(alternate).map(|s| s.trim().to_string());
    draft.author = entry
        .authors()
        .first()
        .map(|p| p.name())
        .or(feed_author)
        .map(str::to_string);
    draft.tags = tags(
        entry
            .categories()
            .iter()
            .map(|c| c.label().unwrap_or(c.term())),
    );
    draft.body = body.0;
    Ok((finish(draft, config), body.1))
}

/// The body of Atom content, and whether it was kept as HTML.
fn atom_content(content: &Content) -> Result<(String, bool), String> {
    if let Some(src) = content.src() {
        return Ok((format!("<{}>\n", src.trim()), false));
    }
    let value = content.value().unwrap_or("");
    match content.content_type().map(str::trim) {
        None | Some("text" | "text/plain") => Ok(text_body(TextType::Text, value)),
        Some("html" | "text/html") => Ok(text_body(TextType::Html, value)),
        Some("xhtml" | "application/xhtml+xml") => Ok(text_body(TextType::Xhtml, value)),
        Some(other) => Err(format!(
            "content of type `{other}` cannot be a post; left out"
        )),
    }
}

fn text_body(kind: TextType, value: &str) -> (String, bool) {
    match kind {
        TextType::Text => {
            let markdown = prose::paragraphs(value);
            let end = if markdown.is_empty() { "" } else { "\n" };
            (markdown + end, false)
        }
        TextType::Html | TextType::Xhtml => {
            let converted = html::to_markdown(without_xhtml_div(value));
            (converted.markdown, converted.kept_html)
        }
    }
}

/// Atom XHTML content is wrapped in a `<div>` that is not part of it (RFC 4287, 3.1.1.3).
fn without_xhtml_div(value: &str) -> &str {
    let value = value.trim();
    match (
        value.starts_with("<div"),
        value.find('>'),
        value.strip_suffix("</div>"),
    ) {
        (true, Some(open), Some(inner)) if open < inner.len() => &inner[open + 1..],
        _ => value,
    }
}

fn text_of(text: &Text) -> String {
    match text.r#type {
        TextType::Text => text.value.split_whitespace().collect::<Vec<_>>().join(" "),
        TextType::Html | TextType::Xhtml => html::to_plain_text(&text.value),
    }
}

/// `title` with its whitespace tidied, or else a title from the first sentence of `html`.
fn title_or_first_sentence(title: &str, html: &str) -> String {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        prose::title(
            &prose::first_sentence(&html::to_plain_text(html)),
            TITLE_MAX,
        )
    } else {
        title
    }
}

/// Tag names trimmed, without empty ones and repeats.
fn tags<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for name in names.map(str::trim).filter(|t| !t.is_empty()) {
        if !tags.iter().any(|t| t == name) {
            tags.push(name.to_string());
        }
    }
    tags
}

/// A date as written into the front matter: RFC 3339 with its own offset.
fn written(date: DateTime<FixedOffset>) -> String {
    date.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// An empty draft dated `date`.
fn draft(date: DateTime<FixedOffset>, config: &Config) -> Draft {
    Draft {
        title: String::new(),
        day: date.with_timezone(&config.site.timezone).date_naive(),
        date: written(date),
        updated: None,
        id: None,
        author: None,
        tags: Vec::new(),
        body: String::new(),
        origin: String::new(),
    }
}

/// Drops an empty id and the site's own author; dates a post with no title.
fn finish(mut draft: Draft, config: &Config) -> Draft {
    draft.id = draft.id.filter(|id| !id.is_empty());
    draft.author = draft
        .author
        .filter(|a| !a.trim().is_empty() && *a != config.site.author.name);
    if draft.title.is_empty() {
        draft.title = draft.date.clone();
    }
    draft
}

#[cfg(test)]
mod tests;
