//! `build` and `check`: config → posts → feeds and pages → output.

use std::path::Path;

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use crate::assets;
use crate::config::Config;
use crate::content::{self, Post, Published, Standalone};
use crate::error::{Error, Result};
use crate::log::Log;
use crate::output;
use crate::site::Site;
use crate::{feeds, sitemap, templates, when};

/// What a build produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Summary {
    /// Published posts.
    pub posts: usize,
    /// Drafts left out.
    pub drafts: usize,
    /// Posts dated after `now`, left out.
    pub scheduled: usize,
    /// Files written (or that would be written, for `check`).
    pub files: usize,
}

/// What a build reads: the posts, the standalone pages and the templates.
pub(crate) struct Loaded {
    /// Every post, drafts and future ones too.
    pub posts: Vec<Post>,
    /// The standalone pages, in navigation order.
    pub pages: Vec<Standalone>,
    /// The checked templates.
    pub registry: handlebars::Handlebars<'static>,
}

/// Loads posts, pages and templates, reporting the problems of all at once
/// (a page whose slug a post or the site takes among them).
pub(crate) fn load(config: &Config) -> Result<Loaded> {
    let (posts, (registry, pages)) = rayon::join(
        || content::load(config),
        || {
            rayon::join(
                || templates::load(&config.paths.templates),
                || content::standalone::load(config),
            )
        },
    );
    let mut problems = Vec::new();
    let mut fatal = None;
    let mut keep = |e: Error| match e {
        Error::Invalid(found) => problems.extend(found),
        other => fatal = fatal.take().or(Some(other)),
    };
    let posts = posts.map_err(&mut keep).ok();
    let registry = registry.map_err(&mut keep).ok();
    let pages = pages.map_err(&mut keep).ok();
    if let Some(e) = fatal {
        return Err(e);
    }
    if let (Some(posts), Some(pages)) = (&posts, &pages) {
        problems.extend(content::standalone::collisions(pages, posts, config));
    }
    match (posts, pages, registry) {
        (Some(posts), Some(pages), Some(registry)) if problems.is_empty() => Ok(Loaded {
            posts,
            pages,
            registry,
        }),
        _ => Err(Error::Invalid(problems)),
    }
}

/// Builds the site into `out` (default: the configured output folder), or,
/// with `write = false`, renders everything and discards it (`check`).
pub(crate) fn build(
    config: &Config,
    now: DateTime<Utc>,
    out: Option<&Path>,
    write: bool,
    log: &Log,
) -> Result<Summary> {
    let how = How {
        out,
        write,
        prune: write,
        drafts: false,
    };
    render(config, now, how, log)
}

/// `herald serve`'s build: into `out`, a folder of its own, keeping the
/// image cache's unused entries (a preview decides nothing about them);
/// with `drafts`, drafts and scheduled posts are shown, marked.
pub(crate) fn preview(
    config: &Config,
    now: DateTime<Utc>,
    out: &Path,
    drafts: bool,
    log: &Log,
) -> Result<Summary> {
    let how = How {
        out: Some(out),
        write: true,
        prune: false,
        drafts,
    };
    render(config, now, how, log)
}

/// Where a build goes and what it shows.
#[derive(Debug, Clone, Copy)]
struct How<'a> {
    /// The output folder (default: the configured one).
    out: Option<&'a Path>,
    /// Write the site (else render and discard it: `check`).
    write: bool,
    /// Forget cached images no post uses any more.
    prune: bool,
    /// Show drafts and scheduled posts, marked ([`content::preview`]).
    drafts: bool,
}

fn render(config: &Config, now: DateTime<Utc>, how: How, log: &Log) -> Result<Summary> {
    let How { out, write, .. } = how;
    if let Some(out) = out.filter(|_| write) {
        refuse_overlap(config, out)?;
    }
    let Loaded {
        posts,
        pages,
        registry,
    } = load(config)?;
    stray(config, log);
    let published = if how.drafts {
        content::preview(posts, now)
    } else {
        content::publish(posts, now)
    };
    left_out(config, &published, now, log);
    let Published {
        mut posts,
        drafts,
        scheduled,
    } = published;
    let (drafts, scheduled) = (drafts.len(), scheduled.len());
    // Only a build that publishes may forget cached images it no longer uses.
    let assets = assets::build(config, &posts, how.prune)?;
    assets::attach(&mut posts, assets.media);
    let tags = content::by_tag(&posts);
    let site = Site::new(config, &registry, &posts, &tags, &pages);
    // A robots.txt of the user's own (in the static folder) is kept.
    let robots = !assets
        .files
        .iter()
        .any(|c| c.path.as_os_str() == sitemap::ROBOTS);
    // The feeds are one task among the pages, so that no core waits for them.
    let feeds = rayon::iter::once(()).flat_map_iter(|()| {
        let files = feeds::build(config, &posts, &tags, now).and_then(|mut files| {
            files.push(templates::stylesheet(&config.paths.templates)?);
            files.extend(sitemap::build(config, &posts, &tags, &pages, robots));
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
pub(crate) fn published(config: &Config, now: DateTime<Utc>) -> Result<Vec<Post>> {
    let mut posts = content::publish(content::load(config)?, now).posts;
    let assets = assets::build(config, &posts, false)?;
    assets::attach(&mut posts, assets.media);
    Ok(posts)
}

/// The most stray files named one by one; an archive folder of hundreds
/// gets a count for the rest.
const STRAY_NAMED: usize = 10;

/// Warns about `.md` files in subfolders of the posts folder, which are
/// not posts (only a post folder's `index.md` is).
fn stray(config: &Config, log: &Log) {
    let found = content::stray_markdown(&config.paths.posts);
    for path in found.iter().take(STRAY_NAMED) {
        log.warn(format!(
            "{}: not read: a post is posts/<name>.md or posts/<name>/index.md, so this file is left out",
            path.display()
        ));
    }
    if found.len() > STRAY_NAMED {
        log.warn(format!(
            "{} more .md files in subfolders of {} are left out the same way",
            found.len() - STRAY_NAMED,
            config.paths.posts.display()
        ));
    }
}

/// How far ahead a post's date may lie before it looks like a typo (2206
/// for 2026) that would hide the post for ever.
const FAR_AHEAD_DAYS: i64 = 366;

/// Says what was left out: a count by default, each file with `-v`, and a
/// warning for a post dated more than a year ahead.
fn left_out(config: &Config, published: &Published, now: DateTime<Utc>, log: &Log) {
    let tz = config.site.timezone;
    let (drafts, scheduled) = (&published.drafts, &published.scheduled);
    if drafts.is_empty() && scheduled.is_empty() {
        return;
    }
    log.info(format!(
        "left out {} draft(s) and {} post(s) dated after {}",
        drafts.len(),
        scheduled.len(),
        when::local(now, tz)
    ));
    for post in drafts {
        log.detail(format!("  draft: {}", post.source.display()));
    }
    for post in scheduled {
        let date = when::local(post.date.to_utc(), tz);
        log.detail(format!("  dated {date}: {}", post.source.display()));
        if post.date.to_utc() - now > chrono::Duration::days(FAR_AHEAD_DAYS) {
            log.warn(format!(
                "{}:{}: dated {date}, more than a year from now: the post stays unpublished until then (a typo in the year?)",
                post.source.display(),
                post.date_line()
            ));
        }
    }
}

/// `build --out DIR` is held to the same rule as `[paths] output`.
fn refuse_overlap(config: &Config, out: &Path) -> Result<()> {
    match config.overlap(out).map_err(|e| Error::read(out, e))? {
        Some(overlap) => Err(Error::Usage(format!("--out {}", overlap.explain()))),
        None => Ok(()),
    }
}
