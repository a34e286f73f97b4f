//! `herald import`: posts from an old blog's plain-text archive or its RSS,
//! Atom or JSON feed.
//!
//! The converters ([`text`], [`feed`]) turn the source into drafts and
//! warnings; [`plan`] decides each post's file against the posts already in
//! the folder; every post to write is parsed as `herald check` would; only
//! then [`crate::output::write_missing`] writes, never replacing a file
//! unless `--overwrite` says so.

mod dates;
mod draft;
mod feed;
mod html;
mod plan;
mod prose;
mod text;

use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::config::Config;
use crate::content::{self, slug};
use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::log::Log;
use crate::output;
use draft::{Draft, Found};
use plan::{Action, Existing, Planned};
pub(crate) use text::TitleFrom;

/// `herald import ...`: where the posts come from.
#[derive(Debug, Subcommand)]
pub enum Source {
    /// Split a plain-text archive into posts at its date headings (`fredag 27 september 2013`).
    Text {
        /// The archive: a UTF-8 text file.
        file: PathBuf,
        /// Title each post with its first sentence or with its date heading.
        #[arg(long, value_enum, default_value_t, value_name = "FROM")]
        title: TitleFrom,
        #[command(flatten)]
        options: Options,
    },
    /// Turn the items of an RSS, Atom or JSON feed file into posts, keeping their ids.
    Feed {
        /// The feed file.
        file: PathBuf,
        #[command(flatten)]
        options: Options,
    },
}

/// Options of both sources.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Write the posts here instead of the configured posts folder.
    #[arg(long, value_name = "DIR")]
    pub into: Option<PathBuf>,
    /// Replace posts imported before (same id) whose text would now differ.
    #[arg(long)]
    pub overwrite: bool,
    /// List what would be written; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs `herald import`: converts, plans, checks, then writes (or lists).
pub(crate) fn run(config: &Config, source: &Source, log: &Log) -> Result<()> {
    let (file, options) = match source {
        Source::Text { file, options, .. } | Source::Feed { file, options } => (file, options),
    };
    let bytes = std::fs::read(file).map_err(|e| Error::read(file, e))?;
    let Found {
        drafts,
        warnings,
        left_out,
    } = match source {
        Source::Text { title, .. } => text::split(file, &utf8(file, bytes)?, *title),
        Source::Feed { .. } => {
            feed::parse(file, &bytes, config).map_err(|d| Error::Invalid(vec![d]))?
        }
    };
    for warning in &warnings {
        log.warn(warning.to_string());
    }
    let drafts: Vec<Draft> = drafts.into_iter().map(Draft::cleaned).collect();
    if drafts.is_empty() {
        let what = match source {
            Source::Text { .. } => {
                "no date heading such as `fredag 27 september 2013` starts a post"
            }
            Source::Feed { .. } => "the feed has no item to import",
        };
        return Err(Error::Invalid(vec![Diagnostic::file(
            file,
            format!("{what}; nothing to import"),
        )]));
    }
    let into = options
        .into
        .clone()
        .unwrap_or_else(|| config.paths.posts.clone());
    let existing = read_existing(&into, config, log)?;
    let (planned, messages) = plan::plan(drafts, &existing, config.host(), options.overwrite);
    let messages_count = messages.len();
    for message in messages {
        log.warn(format!("{}: {message}", file.display()));
    }
    check(&into, &planned, config)?;
    write(&into, &planned, options.dry_run, log)?;
    let left_out = left_out + messages_count;
    log.info(summary(file, &into, &planned, left_out, options.dry_run));
    Ok(())
}

/// The text of a plain-text archive; a file that is not UTF-8 is bad input.
fn utf8(file: &Path, bytes: Vec<u8>) -> Result<String> {
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = crate::diag::line_in_bytes(e.as_bytes(), e.utf8_error().valid_up_to());
        let message =
            "the file is not UTF-8; convert it first, e.g. `iconv -f windows-1252 -t utf-8`";
        Error::Invalid(vec![Diagnostic::at(file, line, message)])
    })?;
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text))
}

/// The posts already in `dir` (none when it does not exist yet).
fn read_existing(dir: &Path, config: &Config, log: &Log) -> Result<Vec<Existing>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::read(dir, e))?.path();
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if path.extension().is_some_and(|e| e == "md") && !hidden && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    let mut existing = Vec::with_capacity(paths.len());
    for path in paths {
        let bytes = std::fs::read(&path).map_err(|e| Error::read(&path, e))?;
        let name = PathBuf::from(path.file_name().unwrap_or_default());
        let text = String::from_utf8_lossy(&bytes).into_owned();
        match content::parse(&path, &bytes, config) {
            Ok(post) => existing.push(Existing {
                name,
                id: Some(post.id),
                slug: post.slug,
                text,
            }),
            Err(_) => {
                log.warn(format!(
                    "{} has problems (`herald check` lists them); no post is matched to it",
                    path.display()
                ));
                let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                existing.push(Existing {
                    name,
                    id: None,
                    slug: slug::from_file_stem(stem),
                    text,
                });
            }
        }
    }
    Ok(existing)
}

/// Parses every post to be written as `herald check` would.
fn check(dir: &Path, planned: &[Planned], config: &Config) -> Result<()> {
    let mut problems = Vec::new();
    for post in planned
        .iter()
        .filter(|p| matches!(p.action, Action::New | Action::Replace))
    {
        if let Err(found) = content::parse(&dir.join(&post.name), post.text.as_bytes(), config) {
            problems.extend(found);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Lists every post with its action on stdout and, unless `dry_run`, writes.
fn write(dir: &Path, planned: &[Planned], dry_run: bool, log: &Log) -> Result<()> {
    for post in planned {
        println!(
            "{:<9} {}",
            post.action.word(),
            dir.join(&post.name).display()
        );
        if post.action == Action::Kept {
            let path = dir.join(&post.name);
            log.warn(format!(
                "{} differs from the import; kept (--overwrite replaces it)",
                path.display()
            ));
        }
    }
    if dry_run {
        return Ok(());
    }
    let files = |action| -> Vec<(PathBuf, String)> {
        planned
            .iter()
            .filter(|p| p.action == action)
            .map(|p| (p.name.clone(), p.text.clone()))
            .collect()
    };
    let (_, appeared) = output::write_missing(dir, &files(Action::New), false)?;
    for path in appeared {
        log.warn(format!(
            "{} appeared during the import; left alone",
            path.display()
        ));
    }
    output::write_missing(dir, &files(Action::Replace), true)?;
    Ok(())
}

/// The closing line: what was (or would be) done, with counts that add up to
/// every post the source holds (`left_out` counts those that were not planned).
fn summary(file: &Path, dir: &Path, planned: &[Planned], left_out: usize, dry_run: bool) -> String {
    let count = |action| planned.iter().filter(|p| p.action == action).count();
    let (new, replaced) = (count(Action::New), count(Action::Replace));
    let (unchanged, kept) = (count(Action::Unchanged), count(Action::Kept));
    let total = planned.len() + left_out;
    let counts = format!(
        "of {total} in the file: {new} new, {replaced} replaced, {unchanged} unchanged, {kept} kept, {left_out} left out"
    );
    let (file, dir) = (file.display(), dir.display());
    if dry_run {
        format!(
            "dry run: would import {} from {file} into {dir}; {counts}; nothing was written",
            posts(new + replaced)
        )
    } else if new + replaced == 0 {
        let there = unchanged + kept;
        let verb = if there == 1 { "is" } else { "are" };
        format!(
            "nothing new: {} from {file} {verb} already in {dir}; {counts}",
            posts(there)
        )
    } else {
        format!(
            "imported {} from {file} into {dir}; {counts}",
            posts(new + replaced)
        )
    }
}

/// `1 post`, `2 posts`.
fn posts(n: usize) -> String {
    if n == 1 {
        "1 post".to_string()
    } else {
        format!("{n} posts")
    }
}
