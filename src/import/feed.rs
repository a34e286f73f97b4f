//! `herald import feed`: the items of an RSS, Atom or JSON feed as posts.
//!
//! Each post keeps the item's title, its dates with their offsets, its author
//! (when not the site's), its categories as tags and, most of all, its
//! original `guid` or `id`, so that readers subscribed to the old feed do not
//! see every post again. Content becomes Markdown where that keeps its
//! meaning (see [`super::html`]). An item without a date, or with one that
//! cannot be read, is left out with a warning: herald never invents a date.
//!
//! The bytes are decoded in their declared encoding ([`charset`]), the
//! references old feeds use are made well-formed ([`entities`]), and the
//! formats are read by [`xml`] and [`json`] into [`item::Item`]s, which this
//! file turns into drafts.

mod charset;
mod entities;
mod footnotes;
mod item;
mod json;
mod timestamp;
mod xml;

use std::path::Path;

use item::{Body, Item};
use timestamp::Stamp;

use super::draft::{Draft, Found};
use super::{html, prose, text::TITLE_MAX};
use crate::config::Config;
use crate::content::slug;
use crate::diag::Diagnostic;

/// The start of the message for a file that is no feed.
const NO_FEED: &str = "neither RSS, Atom nor JSON Feed";

/// Reads the feed file `path` (its `bytes`) into drafts, in feed order.
/// Items that cannot be imported are left out with a warning; a file that
/// is no feed is an error.
pub(super) fn parse(path: &Path, bytes: &[u8], config: &Config) -> Result<Found, Diagnostic> {
    let text = charset::decode(bytes).map_err(|m| Diagnostic::file(path, m))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let items = match text.trim_start().chars().next() {
        Some('{') => json::items(text),
        Some('<') => xml::items(&entities::for_xml(text)).or_else(|e| {
            // A DOCTYPE the parser cannot read (parameter entities, say) is
            // no reason to refuse a feed: HTML's entities are known anyway.
            entities::without_doctype(text).map_or(Err(e), |t| xml::items(&entities::for_xml(&t)))
        }),
        _ => Err(format!(
            "{NO_FEED}: the file starts with neither `<` nor `{{`"
        )),
    }
    .map_err(|m| Diagnostic::file(path, m))?;
    let mut found = Found::default();
    for (n, item) in items.into_iter().enumerate() {
        let label = item
            .title
            .as_ref()
            .map(title_text)
            .filter(|t| !t.is_empty())
            .map_or(String::new(), |t| format!(" `{t}`"));
        let origin = format!("item {}{label}", n + 1);
        let warn = |found: &mut Found, message: &str| {
            found
                .warnings
                .push(Diagnostic::file(path, format!("{origin}: {message}")));
        };
        let converted = match convert(item, config) {
            Ok(converted) => converted,
            Err(problem) => {
                found.left_out += 1;
                warn(&mut found, &problem);
                continue;
            }
        };
        for note in &converted.notes {
            warn(&mut found, note);
        }
        if converted.draft.id.is_none() {
            warn(
                &mut found,
                "no guid, id or link; its id is made from its date and title",
            );
        }
        if converted.kept_html {
            warn(
                &mut found,
                "the content is kept as HTML, as Markdown would change it",
            );
        }
        found.drafts.push(Draft {
            origin,
            ..converted.draft
        });
    }
    Ok(found)
}

const NO_DATE: &str =
    "no date (pubDate, dc:date, published, updated, issued, modified, date_published); left out";

/// A draft, whether its content was kept as HTML, and what to tell about it.
struct Converted {
    draft: Draft,
    kept_html: bool,
    notes: Vec<String>,
}

fn convert(item: Item, config: &Config) -> Result<Converted, String> {
    let tz = config.site.timezone;
    let read = |text: &Option<String>| -> Result<Option<Stamp>, String> {
        match text {
            None => Ok(None),
            Some(text) => timestamp::read(text, tz)
                .map(Some)
                .ok_or(format!("the date `{text}` cannot be read; left out")),
        }
    };
    let (published, updated) = (read(&item.published)?, read(&item.updated)?);
    let notes = [&published, &updated]
        .into_iter()
        .flatten()
        .filter_map(|s| s.warning.clone())
        .collect();
    let (date, updated) = match (published, updated) {
        (Some(p), Some(u)) if p.written != u.written => (p, Some(u.written)),
        (Some(date), _) | (None, Some(date)) => (date, None),
        (None, None) => return Err(NO_DATE.into()),
    };
    let (body, kept_html) = match &item.body {
        None => (String::new(), false),
        Some(Body::Text(text)) => {
            let markdown = prose::paragraphs(text);
            let end = if markdown.is_empty() { "" } else { "\n" };
            (markdown + end, false)
        }
        Some(Body::Html(value)) => html_body(value, item.link.as_deref()),
        Some(Body::Link(src)) => (format!("<{src}>\n"), false),
        Some(Body::Other(kind)) => {
            return Err(format!(
                "content of type `{kind}` cannot be a post; left out"
            ))
        }
    };
    let raw = match &item.body {
        Some(Body::Text(t) | Body::Html(t)) => t.as_str(),
        _ => "",
    };
    let title = item.title.as_ref().map(title_text).unwrap_or_default();
    let slug = item.link.as_deref().and_then(|link| own_slug(link, config));
    let draft = Draft {
        title: title_or_first_sentence(&title, raw),
        day: date.day,
        date: date.written,
        updated,
        id: item.id.or(item.link).map(|s| s.trim().to_string()),
        slug,
        author: item.author.map(|a| author_name(&a)),
        tags: tags(item.tags.iter().map(String::as_str)),
        body,
        origin: String::new(),
    };
    Ok(Converted {
        draft: finish(draft, config),
        kept_html,
        notes,
    })
}

/// The Markdown of HTML content and whether it was kept as HTML; herald's
/// own footnotes become Markdown footnotes again ([`footnotes`]).
fn html_body(value: &str, link: Option<&str>) -> (String, bool) {
    if let Some(notes) = link.and_then(|l| footnotes::split(value, l.trim())) {
        let converted = html::to_markdown(&notes.html);
        if !converted.kept_html {
            let body = notes.restore(&converted.markdown, |h| html::to_markdown(h).markdown);
            return (body, false);
        }
    }
    let converted = html::to_markdown(value);
    (converted.markdown, converted.kept_html)
}

/// The slug of a post of this very site (`<base_url><slug>/`), so that a
/// feed herald built imports back into posts at the same addresses.
fn own_slug(link: &str, config: &Config) -> Option<String> {
    let rest = link.trim().strip_prefix(config.site.base_url.as_str())?;
    let slug = rest.strip_suffix('/')?;
    slug::is_valid(slug).then(|| slug.to_string())
}

fn title_text(title: &Body) -> String {
    match title {
        Body::Html(html) => html::to_plain_text(html),
        Body::Text(text) | Body::Link(text) | Body::Other(text) => {
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        }
    }
}

/// `kommunchefen@example.se (Kommunchefen)` → `Kommunchefen`.
fn author_name(author: &str) -> String {
    let author = author.trim();
    match (author.find('('), author.strip_suffix(')')) {
        (Some(open), Some(inner)) => inner[open + 1..].trim().to_string(),
        _ => author.to_string(),
    }
}

/// `title`, or else a title from the first sentence of `html`.
fn title_or_first_sentence(title: &str, html: &str) -> String {
    if title.is_empty() {
        prose::title(
            &prose::first_sentence(&html::to_plain_text(html)),
            TITLE_MAX,
        )
    } else {
        title.to_string()
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
