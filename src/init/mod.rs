//! `herald init [DIR]`: a new, neutral site that builds at once.
//!
//! The config's placeholders are marked `CHANGE`; the example post is dated
//! now and has a fixed id, like one from `herald new`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::config::{Config, Site};
use crate::content;
use crate::error::{Error, Result};
use crate::output;

/// The commented config file of a new site.
const CONFIG: &str = include_str!("config.toml");

const RECIPIENTS: &str = "email,name\nanna.andersson@example.se,Anna Andersson\n";

const GITIGNORE: &str = "# Written by herald: the built site, its staging folders and build lock,
# dry-run mail. Keep .herald/state.db (the digest ledger) backed up.
/public
/.public.*
/outbox
/.herald
";

/// Writes the new site into `dir` (created if needed) and returns the files
/// written; `now` gives the time in the new site's settings. Refuses, writing
/// nothing, when any of the files exists.
pub(crate) fn run(
    dir: &Path,
    now: impl FnOnce(&Site) -> Result<DateTime<Utc>>,
) -> Result<Vec<PathBuf>> {
    let files = files(dir, now)?;
    let written = output::write_new(dir, &files, false)?;
    let templates = dir.join("templates");
    std::fs::create_dir_all(&templates).map_err(|e| Error::write(&templates, e))?;
    Ok(written)
}

/// The new site's files, relative to its folder.
fn files(
    dir: &Path,
    now: impl FnOnce(&Site) -> Result<DateTime<Utc>>,
) -> Result<Vec<(PathBuf, String)>> {
    let config = Config::parse(&dir.join("config.toml"), CONFIG).map_err(Error::Invalid)?;
    let local = now(&config.site)?.with_timezone(&config.site.timezone);
    let slug = "valkommen";
    let post = format!(
        "+++
title = \"Välkommen till bloggen\"
date = \"{date}\"
id = \"{id}\"
tags = [\"nyheter\"]
+++

Det här är ett exempel på ett inlägg. Skriv i Markdown: *kursiv*, **fet**,
[länkar](https://www.example.se/) och listor.

<!-- more -->

Texten före raden ovan är sammanfattningen som visas på startsidan, i
flödena och i veckobrevet. Ta bort det här inlägget när du har skrivit ditt
första eget med `herald new \"Rubrik\"`.
",
        date = local.format("%Y-%m-%d %H:%M"),
        id = content::tag_uri(config.host(), &local, slug),
    );
    let post_name = format!("{}-{slug}.md", local.format("%Y-%m-%d"));
    Ok(vec![
        ("config.toml".into(), CONFIG.to_string()),
        (Path::new("posts").join(post_name), post),
        ("recipients.csv".into(), RECIPIENTS.to_string()),
        (".gitignore".into(), GITIGNORE.to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_site_builds_at_once_and_is_neutral() {
        let dir = tempfile::tempdir().unwrap();
        let now = "2026-12-04T15:00:00+01:00"
            .parse::<DateTime<Utc>>()
            .unwrap();
        run(dir.path(), |_| Ok(now)).unwrap();
        let config = Config::load(&dir.path().join("config.toml")).unwrap();
        let log = crate::log::Log::new(crate::log::Level::Quiet);
        let summary = crate::pipeline::build(&config, now, None, true, &log).unwrap();
        assert_eq!(summary.posts, 1);
        assert!(dir.path().join("templates").is_dir());
        assert!(dir.path().join("posts/2026-12-04-valkommen.md").is_file());
        assert!(!CONFIG.to_lowercase().contains("kommunchef"));
    }

    #[test]
    fn init_refuses_to_overwrite_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("recipients.csv"), "mine").unwrap();
        let now = "2026-12-04T15:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert!(run(dir.path(), |_| Ok(now)).is_err());
        assert!(!dir.path().join("config.toml").exists());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("recipients.csv")).unwrap(),
            "mine"
        );
    }
}
