//! Atom 1.0 (RFC 4287).

use atom_syndication::extension::Extension;
use atom_syndication::{Category, Content, Entry, FixedDateTime, Generator, Link, Person, Text};
use chrono::{DateTime, Utc};

use super::{author_name, description, Feed, Item};
use crate::config::Config;
use crate::error::{Error, Result};

/// The Atom document for `feed`. An empty feed is dated `now`, as Atom requires a date.
pub(super) fn write(config: &Config, feed: &Feed, now: DateTime<Utc>) -> Result<Vec<u8>> {
    let site = &config.site;
    let updated: FixedDateTime = match feed.updated {
        Some(date) => date.fixed_offset(),
        None => now.with_timezone(&site.timezone).fixed_offset(),
    };
    let atom = atom_syndication::Feed {
        title: Text::plain(feed.title.clone()),
        id: feed.home.to_string(),
        updated,
        authors: vec![Person {
            name: site.author.name.clone(),
            email: site.author.email.clone(),
            uri: Some(site.base_url.to_string()),
            ..Default::default()
        }],
        generator: Some(Generator {
            value: "herald".into(),
            ..Default::default()
        }),
        links: vec![
            link("self", feed.url(&config.feeds.atom), "application/atom+xml"),
            link("alternate", feed.home.to_string(), "text/html"),
        ],
        subtitle: Some(Text::plain(description(config).to_string())),
        lang: Some(site.language.clone()),
        namespaces: feed.namespaces(),
        entries: feed
            .items
            .iter()
            .map(|item| entry(config, feed, item))
            .collect(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(4096 + feed.items.len() * 8192);
    atom.write_with_config(
        &mut out,
        atom_syndication::WriteConfig {
            write_document_declaration: true,
            indent_size: Some(2),
        },
    )
    .map_err(|e| Error::Feed {
        kind: "Atom",
        source: Box::new(e),
    })?;
    out.push(b'\n');
    Ok(out)
}

fn link(rel: &str, href: String, mime_type: &str) -> Link {
    Link {
        href,
        rel: rel.into(),
        mime_type: Some(mime_type.into()),
        ..Default::default()
    }
}

fn entry(config: &Config, feed: &Feed, item: &Item) -> Entry {
    let post = item.post;
    Entry {
        title: Text::plain(post.title.clone()),
        id: post.id.clone(),
        updated: post.modified().fixed_offset(),
        published: Some(post.date.fixed_offset()),
        authors: vec![Person {
            name: author_name(config, post).to_string(),
            ..Default::default()
        }],
        categories: feed
            .categories(post)
            .iter()
            .map(|tag| Category {
                term: tag.name.clone(),
                ..Default::default()
            })
            .collect(),
        links: vec![link("alternate", post.url.to_string(), "text/html")],
        extensions: media_extensions!(post, Extension),
        summary: Some(Text::html(item.summary.to_string())),
        content: (!item.content.is_empty()).then(|| Content {
            value: Some(item.content.to_string()),
            content_type: Some("html".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}
