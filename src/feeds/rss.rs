//! RSS 2.0 following the RSS Advisory Board's Best Practices Profile.

use rss::extension::atom::{AtomExtension, Link};
use rss::extension::dublincore::DublinCoreExtension;
use rss::extension::Extension;
use rss::{Category, ChannelBuilder, Guid, Item, ItemBuilder};

use super::{author_name, description, Feed};
use crate::config::Config;
use crate::error::{Error, Result};

/// The RSS document for `feed`.
pub(super) fn write(config: &Config, feed: &Feed) -> Result<Vec<u8>> {
    let site = &config.site;
    let self_link = Link {
        href: feed.url(&config.feeds.rss),
        rel: "self".into(),
        mime_type: Some("application/rss+xml".into()),
        ..Default::default()
    };
    let channel = ChannelBuilder::default()
        .title(feed.title.clone())
        .link(feed.home.to_string())
        .description(description(config).to_string())
        .language(Some(site.language.clone()))
        // The profile wants `email (Name)`; without an email the element is left out.
        .managing_editor(
            site.author
                .email
                .as_ref()
                .map(|e| format!("{e} ({})", site.author.name)),
        )
        .last_build_date(feed.updated.map(|d| rfc822(&d)))
        .generator(Some("herald".to_string()))
        .docs(Some(
            "https://www.rssboard.org/rss-specification".to_string(),
        ))
        .namespaces(feed.namespaces())
        .atom_ext(Some(AtomExtension {
            links: vec![self_link],
        }))
        .items(
            feed.items
                .iter()
                .map(|item| to_item(config, feed, item))
                .collect::<Vec<_>>(),
        )
        .build();
    let mut out = Vec::with_capacity(4096 + feed.items.len() * 8192);
    channel
        .pretty_write_to(&mut out, b' ', 2)
        .map_err(|e| Error::Feed {
            kind: "RSS",
            source: Box::new(e),
        })?;
    out.push(b'\n');
    Ok(out)
}

fn to_item(config: &Config, feed: &super::Feed, item: &super::Item) -> Item {
    let post = item.post;
    let dublin_core = DublinCoreExtension {
        creators: vec![author_name(config, post).to_string()],
        ..Default::default()
    };
    let categories = feed
        .categories(post)
        .iter()
        .map(|tag| Category {
            name: tag.name.clone(),
            domain: None,
        })
        .collect::<Vec<_>>();
    ItemBuilder::default()
        .title(Some(post.title.clone()))
        .link(Some(post.url.to_string()))
        .guid(Some(Guid {
            value: post.id.clone(),
            permalink: false,
        }))
        .pub_date(Some(rfc822(&post.date)))
        .description(Some(item.summary.to_string()))
        .content((!item.content.is_empty()).then(|| item.content.to_string()))
        .categories(categories)
        .dublin_core_ext(Some(dublin_core))
        .extensions(media_extensions!(post, Extension))
        .build()
}

/// RFC 822 with English names, a two-digit day, a four-digit year and the
/// site's numeric offset: `Fri, 06 Dec 2013 08:00:00 +0100`.
fn rfc822(date: &chrono::DateTime<chrono_tz::Tz>) -> String {
    date.format("%a, %d %b %Y %H:%M:%S %z").to_string()
}
