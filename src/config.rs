//! `config.toml`: parsed strictly, validated completely, resolved into typed values.
//!
//! Parsing happens in two steps. Serde reads the file into `Raw*` structs that
//! reject unknown keys but keep every value that needs checking as a
//! [`toml::Spanned`] string, so that the second step can check all values and report
//! every problem, each with its line, in one run.

use std::path::{Path, PathBuf};

#[cfg(test)]
use chrono::NaiveTime;
use serde::Deserialize;

use crate::diag::Diagnostic;
use crate::error::{Error, Result};
#[cfg(test)]
use crate::i18n::Lang;

mod check;
mod colour;
mod delivery;
mod digest;
mod images;
mod ledger;
mod lenient;
mod oauth;
pub mod paths;
mod provider;
mod schedule;
mod site;
mod smtp;
pub use check::is_loopback;
pub use colour::Colour;
pub use delivery::{Delivery, Sendmail, Transport};
pub use digest::{Content, Digest, Mode};
pub use images::Images;
pub use ledger::{Ledger, Postgres, Tls};
pub use oauth::{Auth, Oauth2};
pub use provider::{Limits, Provider};
pub use schedule::Schedule;
#[cfg(test)]
use site::check_language;
pub use site::{Author, Logo, Site};
pub use smtp::{Security, Smtp};

/// The validated configuration of one site.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file itself.
    pub file: PathBuf,
    /// `[site]`.
    pub site: Site,
    /// `[paths]`, resolved against the config file's folder.
    pub paths: Paths,
    /// `[feeds]`.
    pub feeds: Feeds,
    /// `[pages]`.
    pub pages: Pages,
    /// `[digest]`: the weekly email; `None` when the table is absent.
    pub digest: Option<Digest>,
    /// `[delivery]`: how mail is sent. Default: the outbox folder.
    pub delivery: Delivery,
    /// `[images]`: resized copies of photos in post folders.
    pub images: Images,
}

/// `[paths]`, each relative to the config file's folder unless absolute.
#[derive(Debug, Clone)]
pub struct Paths {
    /// Markdown posts. Default: `posts`.
    pub posts: PathBuf,
    /// Template overrides. Default: `templates`.
    pub templates: PathBuf,
    /// Built site. Default: `public`.
    pub output: PathBuf,
    /// Files copied into the site as they are. Default: `static`.
    pub static_files: PathBuf,
    /// Standalone pages (`<name>.md`, each at `/<slug>/`), not to be
    /// confused with `[pages]`, the paging of lists. Default: `pages`.
    pub pages: PathBuf,
}

/// `[feeds]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Feeds {
    /// Number of newest posts in each feed; 0 means all. Default: 20.
    pub limit: usize,
    /// Full post HTML in the feeds (`content:encoded`, Atom content). Default: true.
    pub full_content: bool,
    /// RSS 2.0 file name. Default: `feed.xml`.
    pub rss: String,
    /// Atom 1.0 file name. Default: `atom.xml`.
    pub atom: String,
    /// JSON Feed 1.1 file name. Default: `feed.json`.
    pub json: String,
    /// An RSS and an Atom feed for every tag under `tags/<tag>/`. Default: true.
    pub tag_feeds: bool,
}

impl Default for Feeds {
    fn default() -> Self {
        Feeds {
            limit: 20,
            full_content: true,
            rss: "feed.xml".into(),
            atom: "atom.xml".into(),
            json: "feed.json".into(),
            tag_feeds: true,
        }
    }
}

/// `[pages]`: the HTML pages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Pages {
    /// Posts (with excerpts) per page of the index and of each tag; older
    /// posts continue on `page/2/`, `page/3/` … 0 puts all on one page. Default: 10.
    pub per_page: usize,
}

impl Default for Pages {
    fn default() -> Self {
        Pages { per_page: 10 }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    site: site::RawSite,
    #[serde(default)]
    paths: RawPaths,
    #[serde(default)]
    feeds: Feeds,
    #[serde(default)]
    pages: Pages,
    digest: Option<digest::RawDigest>,
    #[serde(default)]
    delivery: delivery::RawDelivery,
    #[serde(default)]
    images: images::RawImages,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawPaths {
    posts: PathBuf,
    templates: PathBuf,
    output: PathBuf,
    #[serde(rename = "static")]
    static_files: PathBuf,
    pages: PathBuf,
}

impl Default for RawPaths {
    fn default() -> Self {
        RawPaths {
            posts: "posts".into(),
            templates: "templates".into(),
            output: "public".into(),
            static_files: "static".into(),
            pages: "pages".into(),
        }
    }
}

impl Config {
    /// Reads, parses and validates the config file at `file`.
    pub fn load(file: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(file).map_err(|e| Error::read(file, e))?;
        let config = Config::parse(file, &text).map_err(Error::Invalid)?;
        config.refuse_overlap(&text)?;
        config.refuse_missing_logo(&text)?;
        Ok(config)
    }

    /// Refuses a `[site] logo` that is not a file of the static folder (the
    /// pages would show a broken image, read out as its alt text only).
    fn refuse_missing_logo(&self, text: &str) -> Result<()> {
        let Some(logo) = &self.site.logo else {
            return Ok(());
        };
        let file = self.paths.static_files.join(&logo.path);
        if file.is_file() {
            return Ok(());
        }
        Err(Error::Invalid(vec![Diagnostic::at(
            &self.file,
            check::find_key_line(text, "logo"),
            format!(
                "logo `{}` is not a file in the static folder (`{}` does not exist)",
                logo.path,
                file.display()
            ),
        )]))
    }

    /// Refuses an output folder that is, contains or lies in the user's other
    /// files (checked on the file system, so every command refuses it, `check`
    /// included), blaming `digest.state` when the ledger is what it swallows.
    fn refuse_overlap(&self, text: &str) -> Result<()> {
        let output = &self.paths.output;
        let Some(overlap) = self.overlap(output).map_err(|e| Error::read(output, e))? else {
            return Ok(());
        };
        let diagnostic = if overlap.guarded == paths::Guarded::Ledger {
            Diagnostic::at(
                &self.file,
                check::find_key_line(text, "state"),
                format!(
                    "digest.state `{}` lies inside the output folder `{}`, which every build \
                     replaces: the ledger would be deleted and the digest sent again. Keep it \
                     outside, e.g. `.herald/state.db`",
                    overlap.path.display(),
                    overlap.output.display()
                ),
            )
        } else {
            Diagnostic::at(
                &self.file,
                check::find_key_line(text, "output"),
                format!("paths.output {}", overlap.explain()),
            )
        };
        Err(Error::Invalid(vec![diagnostic]))
    }

    /// The first of the user's files and folders that a build into `output`
    /// would replace.
    pub fn overlap(&self, output: &Path) -> std::io::Result<Option<paths::Overlap>> {
        paths::overlap(&self.guarded(), output)
    }

    /// The user's files and folders a build must never replace.
    fn guarded(&self) -> Vec<(paths::Guarded, PathBuf)> {
        let mut list = vec![
            (paths::Guarded::Posts, self.paths.posts.clone()),
            (paths::Guarded::Templates, self.paths.templates.clone()),
            (paths::Guarded::Static, self.paths.static_files.clone()),
            (paths::Guarded::Pages, self.paths.pages.clone()),
            (paths::Guarded::ImageCache, self.images.cache.clone()),
            (
                paths::Guarded::ConfigFolder,
                self.file.parent().unwrap_or(Path::new("")).to_path_buf(),
            ),
            (paths::Guarded::Outbox, self.delivery.outbox.clone()),
        ];
        if let Some(digest) = &self.digest {
            let ledger = match &digest.state {
                Ledger::Sqlite(path) => path.clone(),
                // The token cache stays on this machine, beside the config.
                Ledger::Postgres(pg) => pg.local.clone(),
            };
            list.push((paths::Guarded::Ledger, ledger));
            list.extend(
                digest
                    .recipients
                    .clone()
                    .map(|csv| (paths::Guarded::Recipients, csv)),
            );
        }
        if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
            list.push((paths::Guarded::Home, PathBuf::from(home)));
        }
        list
    }

    /// Parses and validates `text` as the config file `file`, listing every problem.
    pub fn parse(file: &Path, text: &str) -> Result<Config, Vec<Diagnostic>> {
        let read = lenient::read::<RawConfig>(file, text);
        let text = read.text.as_str();
        let Some(raw) = read.raw else {
            return Err(read.problems);
        };
        let mut problems = Vec::new();
        for (key, name) in [
            ("rss", &raw.feeds.rss),
            ("atom", &raw.feeds.atom),
            ("json", &raw.feeds.json),
        ] {
            if !is_plain_file_name(name) {
                let line = check::find_key_line(text, key);
                problems.push(Diagnostic::at(
                    file,
                    line,
                    format!("feeds.{key} `{name}` must be a plain file name such as `feed.xml`"),
                ));
            }
        }
        let root = file.parent().unwrap_or(Path::new(""));
        let mut checker = check::Checker {
            file,
            text,
            problems: &mut problems,
        };
        let site = site::resolve(raw.site, &mut checker);
        let host = site
            .as_ref()
            .and_then(|s| s.base_url.host_str())
            .unwrap_or("localhost");
        let digest = digest::resolve(raw.digest, host, root, &mut checker);
        let delivery = delivery::resolve(raw.delivery, root, &mut checker);
        // A stand-in for a wrongly typed value was reported as such already.
        problems.retain(|p| p.line.is_none_or(|line| !read.mended.contains(&line)));
        problems.extend(read.problems);
        let images = images::resolve(raw.images, root, file, text, &mut problems);
        if !problems.is_empty() {
            problems.sort();
            return Err(problems);
        }
        let site = site.expect("every failed value was reported above");
        Ok(Config {
            file: file.to_path_buf(),
            site,
            paths: Paths {
                posts: root.join(raw.paths.posts),
                templates: root.join(raw.paths.templates),
                output: root.join(raw.paths.output),
                static_files: root.join(raw.paths.static_files),
                pages: root.join(raw.paths.pages),
            },
            feeds: raw.feeds,
            pages: raw.pages,
            digest,
            delivery,
            images,
        })
    }

    /// The host name of `base_url`, used in tag URIs and message ids.
    pub fn host(&self) -> &str {
        self.site.base_url.host_str().unwrap_or("localhost")
    }
}

fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\'])
}

#[cfg(test)]
mod tests;
