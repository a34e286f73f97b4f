//! `build` and `check`: config → posts → feeds and pages → output.

use std::path::Path;

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use crate::assets;
use crate::config::Config;
use crate::content::{self, Post, Published};
use crate::error::{Error, Result};
use crate::log::Log;
use crate::output;
use crate::site::Site;
use crate::{feeds, templates};

/// What a build produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Published posts.
    pub posts: usize,
    /// Drafts left out.
    pub drafts: usize,
    /// Posts dated after `now`, left out.
    pub scheduled: usize,
    /// Files written (or that would be written, for `check`).
    pub files: usize,
}

/// Loads posts and templates, reporting the problems of both at once.
pub fn load(config: &Config) -> Result<(Vec<Post>, handlebars::Handlebars<'static>)> {
    let (posts, registry) = rayon::join(
        || content::load(config),
        || templates::load(&config.paths.templates),
    );
    match (posts, registry) {
        (Ok(posts), Ok(registry)) => Ok((posts, registry)),
        (Err(Error::Invalid(mut a)), Err(Error::Invalid(b))) => {
            a.extend(b);
            Err(Error::Invalid(a))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// Builds the site into `out` (default: the configured output folder), or,
/// with `write = false`, renders everything and discards it (`check`).
pub fn build(
    config: &Config,
    now: DateTime<Utc>,
    out: Option<&Path>,
    write: bool,
    log: &Log,
) -> Result<Summary> {
    if let Some(out) = out.filter(|_| write) {
        refuse_overlap(config, out)?;
    }
    let (posts, registry) = load(config)?;
    let Published {
        mut posts,
        drafts,
        scheduled,
    } = content::publish(posts, now);
    // Only a build that publishes may forget cached images it no longer uses.
    let assets = assets::build(config, &posts, write)?;
    assets::attach(&mut posts, assets.media);
    if drafts + scheduled > 0 {
        log.info(format!(
            "left out {drafts} draft(s) and {scheduled} post(s) dated after {}",
            now.to_rfc3339()
        ));
    }
    let tags = content::by_tag(&posts);
    let site = Site::new(config, &registry, &posts, &tags);
    // The feeds are one task among the pages, so that no core waits for them.
    let feeds = rayon::iter::once(()).flat_map_iter(|()| {
        let files = feeds::build(config, &posts, &tags, now).and_then(|mut files| {
            files.push(templates::stylesheet(&config.paths.templates)?);
            Ok(files)
        });
        files.map_or_else(|e| vec![Err(e)], |f| f.into_iter().map(Ok).collect())
    });
    let all = feeds.chain(site.pages());
    let files = if write {
        output::write_site(out.unwrap_or(&config.paths.output), all, &assets.files)?
    } else {
        let generated = all
            .map(|f| f.map(|f| f.path))
            .collect::<Result<std::collections::HashSet<_>>>()?;
        if let Some(copy) = assets.files.iter().find(|c| generated.contains(&c.path)) {
            return Err(output::clash(copy));
        }
        generated.len() + assets.files.len()
    };
    Ok(Summary {
        posts: posts.len(),
        drafts,
        scheduled,
        files,
    })
}

/// The posts that may be shown at `now`, with their images and
/// attachments resolved (the cache is not pruned): for the digest.
pub fn published(config: &Config, now: DateTime<Utc>) -> Result<Vec<Post>> {
    let mut posts = content::publish(content::load(config)?, now).posts;
    let assets = assets::build(config, &posts, false)?;
    assets::attach(&mut posts, assets.media);
    Ok(posts)
}

/// `build --out DIR` is held to the same rule as `[paths] output`.
fn refuse_overlap(config: &Config, out: &Path) -> Result<()> {
    match config.overlap(out).map_err(|e| Error::read(out, e))? {
        Some(overlap) => Err(Error::Usage(format!("--out {}", overlap.explain()))),
        None => Ok(()),
    }
}
