//! `config.toml`: parsed strictly, validated completely, resolved into typed values.
//!
//! Parsing happens in two steps. Serde reads the file into `Raw*` structs that
//! reject unknown keys but keep every value that needs checking as a
//! [`Spanned`] string, so that the second step can check all values and report
//! every problem, each with its line, in one run.

use std::path::{Path, PathBuf};

use chrono::NaiveTime;
use chrono_tz::Tz;
use serde::Deserialize;
use toml::Spanned;
use url::Url;

use crate::clean::Cleaned;
use crate::diag::{self, Diagnostic};
use crate::error::{Error, Result};
use crate::i18n::Lang;

mod ledger;
mod mail;
mod oauth;
pub mod paths;
mod provider;
mod schedule;
mod smtp;
pub use ledger::{Ledger, Postgres, Tls};
pub use mail::{Content, Delivery, Digest, Mode, Sendmail, Transport};
pub use oauth::{is_loopback, Auth, Oauth2};
pub use provider::{Limits, Provider};
pub use schedule::Schedule;
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
}

/// `[site]`: who publishes, where, in which language and time zone.
#[derive(Debug, Clone)]
pub struct Site {
    /// Blog title. Required.
    pub title: String,
    /// One-line description used in feeds and pages. Default: empty.
    pub description: String,
    /// Absolute http(s) URL of the site root; always ends with `/`. Required.
    pub base_url: Url,
    /// BCP 47 language tag, e.g. `sv` or `sv-SE`. Default: `sv`.
    pub language: String,
    /// The language used for dates and page texts, from `language`.
    pub lang: Lang,
    /// IANA time zone for dates without an offset. Default: `Europe/Stockholm`.
    pub timezone: Tz,
    /// Default author of every post.
    pub author: Author,
    /// Publish time for posts dated with a day only. Default: `08:00` local time.
    pub default_publish_time: NaiveTime,
}

/// `[site.author]`.
#[derive(Debug, Clone)]
pub struct Author {
    /// Display name. Required.
    pub name: String,
    /// Email address, used for RSS `managingEditor`. Optional.
    pub email: Option<String>,
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
    site: RawSite,
    #[serde(default)]
    paths: RawPaths,
    #[serde(default)]
    feeds: Feeds,
    #[serde(default)]
    pages: Pages,
    digest: Option<mail::RawDigest>,
    #[serde(default)]
    delivery: mail::RawDelivery,
}

/// `[site]` as written; its text is [`Cleaned`] as it is read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    title: Cleaned,
    #[serde(default)]
    description: Cleaned,
    base_url: Spanned<String>,
    language: Option<Spanned<String>>,
    timezone: Option<Spanned<String>>,
    author: RawAuthor,
    default_publish_time: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuthor {
    name: Cleaned,
    email: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawPaths {
    posts: PathBuf,
    templates: PathBuf,
    output: PathBuf,
}

impl Default for RawPaths {
    fn default() -> Self {
        RawPaths {
            posts: "posts".into(),
            templates: "templates".into(),
            output: "public".into(),
        }
    }
}

impl Config {
    /// Reads, parses and validates the config file at `file`.
    pub fn load(file: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(file).map_err(|e| Error::read(file, e))?;
        let config = Config::parse(file, &text).map_err(Error::Invalid)?;
        config.refuse_overlap(&text)?;
        Ok(config)
    }

    /// Refuses an output folder that is, contains or lies in the user's other
    /// files (checked on the file system, so every command refuses it, `check`
    /// included), blaming `digest.state` when the ledger is what it swallows.
    fn refuse_overlap(&self, text: &str) -> Result<()> {
        let output = &self.paths.output;
        let Some(overlap) = paths::overlap(self, output).map_err(|e| Error::read(output, e))?
        else {
            return Ok(());
        };
        let diagnostic = if overlap.guarded == paths::Guarded::Ledger {
            Diagnostic::at(
                &self.file,
                find_key_line(text, "state"),
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
                find_key_line(text, "output"),
                format!("paths.output {}", overlap.explain()),
            )
        };
        Err(Error::Invalid(vec![diagnostic]))
    }

    /// Parses and validates `text` as the config file `file`, listing every problem.
    pub fn parse(file: &Path, text: &str) -> Result<Config, Vec<Diagnostic>> {
        let (raw, mut problems) = parse_raw(file, text);
        let Some(raw) = raw else { return Err(problems) };
        let mut check = |value: &Spanned<String>, result: Result<(), String>| {
            if let Err(message) = result {
                let line = diag::line_of(text, value.span().start);
                problems.push(Diagnostic::at(file, line, message));
            }
        };
        let base_url = parse_base_url(raw.site.base_url.get_ref());
        check(
            &raw.site.base_url,
            base_url.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        let language = spanned_or(&raw.site.language, "sv");
        check(&language, check_language(language.get_ref()));
        let timezone = spanned_or(&raw.site.timezone, "Europe/Stockholm");
        let tz = timezone.get_ref().parse::<Tz>().map_err(|_| {
            format!(
                "unknown time zone `{}`; use an IANA name such as `Europe/Stockholm`",
                timezone.get_ref()
            )
        });
        check(&timezone, tz.as_ref().map(|_| ()).map_err(Clone::clone));
        let publish = spanned_or(&raw.site.default_publish_time, "08:00");
        let time = NaiveTime::parse_from_str(publish.get_ref(), "%H:%M").map_err(|_| {
            format!(
                "default_publish_time `{}` is not a time like `08:00`",
                publish.get_ref()
            )
        });
        check(&publish, time.as_ref().map(|_| ()).map_err(Clone::clone));
        for (key, name) in [
            ("rss", &raw.feeds.rss),
            ("atom", &raw.feeds.atom),
            ("json", &raw.feeds.json),
        ] {
            if !is_plain_file_name(name) {
                let line = find_key_line(text, key);
                problems.push(Diagnostic::at(
                    file,
                    line,
                    format!("feeds.{key} `{name}` must be a plain file name such as `feed.xml`"),
                ));
            }
        }
        let root = file.parent().unwrap_or(Path::new(""));
        let host = base_url
            .as_ref()
            .ok()
            .and_then(|u| u.host_str())
            .unwrap_or("localhost");
        let mut checker = mail::Checker {
            file,
            text,
            problems: &mut problems,
        };
        let digest = mail::resolve_digest(raw.digest, host, root, &mut checker);
        let delivery = mail::resolve_delivery(raw.delivery, root, &mut checker);
        if !problems.is_empty() {
            problems.sort();
            return Err(problems);
        }
        let (Ok(base_url), Ok(timezone), Ok(default_publish_time)) = (base_url, tz, time) else {
            unreachable!("every failed value was reported above")
        };
        Ok(Config {
            file: file.to_path_buf(),
            site: Site {
                title: raw.site.title.into_string(),
                description: raw.site.description.into_string(),
                base_url,
                lang: Lang::from_tag(language.get_ref()),
                language: language.into_inner(),
                timezone,
                author: Author {
                    name: raw.site.author.name.into_string(),
                    email: raw.site.author.email,
                },
                default_publish_time,
            },
            paths: Paths {
                posts: root.join(raw.paths.posts),
                templates: root.join(raw.paths.templates),
                output: root.join(raw.paths.output),
            },
            feeds: raw.feeds,
            pages: raw.pages,
            digest,
            delivery,
        })
    }

    /// The host name of `base_url`, used in tag URIs and message ids.
    pub fn host(&self) -> &str {
        self.site.base_url.host_str().unwrap_or("localhost")
    }
}

/// Deserialises the file, collecting every unknown key: after each one the
/// offending entry is blanked out (keeping line numbers) and parsing retried.
/// Returns the config read without the unknown keys, if that succeeded.
fn parse_raw(file: &Path, text: &str) -> (Option<RawConfig>, Vec<Diagnostic>) {
    let mut text = text.to_string();
    let mut problems = Vec::new();
    loop {
        match toml::from_str::<RawConfig>(&text) {
            Ok(raw) => return (Some(raw), problems),
            Err(err) => {
                // A syntax error that only appeared after blanking is ours, not the user's.
                if !problems.is_empty() && text.parse::<toml::Table>().is_err() {
                    break;
                }
                problems.push(diag::from_toml(file, &text, 1, &err));
                match err.span() {
                    Some(span) if err.message().starts_with("unknown field") => {
                        blank_entry(&mut text, span.start)
                    }
                    _ => break,
                }
            }
        }
    }
    (None, problems)
}

/// Blanks the line holding byte `at`; for a table header, the whole table.
fn blank_entry(text: &mut String, at: usize) {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let is_header = text[start..].trim_start().starts_with('[');
    let mut end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    if is_header {
        while end < text.len() && !text[end + 1..].trim_start().starts_with('[') {
            end = text[end + 1..]
                .find('\n')
                .map_or(text.len(), |i| end + 1 + i);
        }
    }
    let blanked: String = text[start..end]
        .chars()
        .map(|c| if c == '\n' { '\n' } else { ' ' })
        .collect();
    text.replace_range(start..end, &blanked);
}

fn spanned_or(value: &Option<Spanned<String>>, default: &str) -> Spanned<String> {
    value
        .clone()
        .unwrap_or_else(|| Spanned::new(0..0, default.to_string()))
}

fn parse_base_url(text: &str) -> Result<Url, String> {
    let hint = "base_url must be an absolute http(s) URL such as `https://example.se/blogg/`";
    let mut url = Url::parse(text).map_err(|_| format!("`{text}` is not absolute: {hint}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("`{text}`: {hint}"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Checks the shape of a BCP 47 tag: a 2–3 letter language, then 1–8 character subtags.
fn check_language(tag: &str) -> Result<(), String> {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    let ok = (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "language `{tag}` is not a BCP 47 tag such as `sv` or `sv-SE`"
        ))
    }
}

fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\'])
}

/// Best-effort line of `key = ...` for values serde has already accepted.
fn find_key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| l.trim_start().starts_with(key) && l.contains('='))
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests;
