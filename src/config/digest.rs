//! `[digest]`: who the weekly email comes from, who gets it, what it holds,
//! and when `herald run` sends it (the schedule keys are in `schedule.rs`).
//!
//! Same two steps as the rest of the config: serde reads [`RawDigest`]
//! (unknown keys rejected), then [`resolve`] checks every value and reports
//! each problem with its line.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::check::{find_key_line, Checker};
use super::ledger::Ledger;
use super::schedule::{self, Schedule};
use crate::clean::Cleaned;

/// `[digest]`: who the weekly email comes from, who gets it, what it holds.
#[derive(Debug, Clone)]
pub struct Digest {
    /// `From`, e.g. `"Kommunchefen <kommunchefen@example.se>"`. Required.
    pub from: Mailbox,
    /// `Reply-To`. Default: none.
    pub reply_to: Option<Mailbox>,
    /// `To` in `group` and `bcc` modes. Default: none (`bcc` then uses `from`).
    pub to: Vec<Mailbox>,
    /// CSV file of recipients (columns `email`, `name`, any others). Default: none.
    pub recipients: Option<PathBuf>,
    /// How messages are addressed. Default: `group`.
    pub mode: Mode,
    /// Recipients per message in `bcc` mode, 1–500. Default: 100.
    pub bcc_batch_size: usize,
    /// Handlebars template of the subject. Default: `{{site.title}} – {{week_label}}`.
    pub subject: String,
    /// The line of `subject` in the config file (1 when it is not written),
    /// for problems found when it is rendered.
    pub subject_line: usize,
    /// Plain text at the foot of every message: why the reader gets it.
    /// Default: none (a neutral text in the site's language).
    pub footer: Option<String>,
    /// Full posts or summaries. Default: `full`.
    pub content: Content,
    /// Posts older than this many days are left out. Default: 14.
    pub max_age_days: u32,
    /// The `List-Id` header's identifier. Default: `digest.<site host>`.
    pub list_id: String,
    /// The ledger: a SQLite file or a PostgreSQL URL. Default: `.herald/state.db`.
    pub state: Ledger,
    /// When `herald run` sends it: `day`, `time`, `deadline_hours`.
    pub schedule: Schedule,
    /// Images in the message; `false` keeps only their text alternatives. Default: true.
    pub images: bool,
}

/// How the digest is addressed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// One message to the `to` addresses (a distribution group): the default.
    #[default]
    Group,
    /// One personalised message per recipient.
    Individual,
    /// Batches of `bcc_batch_size` recipients in the envelope only.
    Bcc,
}

impl Mode {
    /// The mode as the config (and the ledger) writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Group => "group",
            Mode::Individual => "individual",
            Mode::Bcc => "bcc",
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What of each post the digest shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Content {
    /// The whole post.
    Full,
    /// The summary and a link.
    Summary,
}

/// `[digest]` as written; its text is [`Cleaned`] as it is read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDigest {
    from: Spanned<Cleaned>,
    reply_to: Option<Spanned<Cleaned>>,
    #[serde(default)]
    to: Vec<Spanned<Cleaned>>,
    recipients: Option<PathBuf>,
    mode: Option<Spanned<Mode>>,
    bcc_batch_size: Option<Spanned<usize>>,
    subject: Option<Cleaned>,
    footer: Option<Cleaned>,
    content: Option<Content>,
    max_age_days: Option<u32>,
    list_id: Option<Cleaned>,
    state: Option<Spanned<String>>,
    state_env: Option<Spanned<String>>,
    day: Option<Spanned<String>>,
    time: Option<Spanned<String>>,
    deadline_hours: Option<Spanned<u32>>,
    images: Option<bool>,
}

/// The ledger: `state` as written, or the text of the environment variable
/// `state_env` names (for a URL kept as a CI secret), read when the config
/// loads: the ledger decides what no build may replace. A problem is
/// reported at the key's line, and never repeats the variable's text.
fn ledger(
    state: &Option<Spanned<String>>,
    state_env: &Option<Spanned<String>>,
    root: &Path,
    check: &mut Checker,
) -> Ledger {
    let (text, name, line) = match (state, state_env) {
        (None, None) => return Ledger::Sqlite(root.join(".herald/state.db")),
        (Some(_), Some(var)) => {
            check.at(
                var,
                "digest.state and digest.state_env are two ways to name the ledger: keep one",
            );
            return Ledger::Sqlite(PathBuf::new());
        }
        (Some(text), None) => (text.get_ref().clone(), "digest.state".to_string(), text),
        (None, Some(var)) => match std::env::var(var.get_ref()) {
            Ok(text) => (
                text,
                format!("the ledger in {} (digest.state_env)", var.get_ref()),
                var,
            ),
            Err(_) => {
                check.at(var, format!("digest.state_env: the environment variable {} is not set (or not UTF-8); it must hold the ledger, a postgres:// URL or a path", var.get_ref()));
                return Ledger::Sqlite(PathBuf::new());
            }
        },
    };
    Ledger::parse(&text, root, &name).unwrap_or_else(|problem| {
        check.at(line, problem);
        Ledger::Sqlite(PathBuf::new())
    })
}

/// Checks `[digest]`; `None` when it has problems (all reported) or is absent.
pub(super) fn resolve(
    raw: Option<RawDigest>,
    host: &str,
    root: &Path,
    check: &mut Checker,
) -> Option<Digest> {
    let raw = raw?;
    let before = check.problems.len();
    let schedule = schedule::resolve(&raw.day, &raw.time, &raw.deadline_hours, check);
    let from = mailbox(check, "from", &raw.from);
    let reply_to = raw
        .reply_to
        .as_ref()
        .and_then(|r| mailbox(check, "reply_to", r));
    let to: Vec<Mailbox> = raw
        .to
        .iter()
        .filter_map(|t| mailbox(check, "to", t))
        .collect();
    let mode = raw.mode.as_ref().map_or(Mode::default(), |m| *m.get_ref());
    if let Some(m) = &raw.mode {
        if mode != Mode::Group && raw.recipients.is_none() {
            check.at(
                m,
                "this mode needs `recipients = \"recipients.csv\"` (columns email, name)",
            );
        }
        if mode == Mode::Group && raw.to.is_empty() {
            check.at(m, "mode `group` needs `to = [\"group@example.se\"]`");
        }
    } else if raw.to.is_empty() {
        check.at(&raw.from, "[digest] needs `to = [\"group@example.se\"]`, or `recipients` with `mode = \"individual\"` or `\"bcc\"`");
    }
    let batch = check.in_range(
        &raw.bcc_batch_size,
        100,
        1..=500,
        "bcc_batch_size must be 1–500 (Microsoft 365 accepts at most 500 recipients per message)",
    );
    let subject = raw.subject.map_or_else(
        || "{{site.title}} – {{week_label}}".into(),
        Cleaned::into_string,
    );
    if let Err(e) = handlebars::Template::compile(&subject) {
        check.at_key(
            "subject",
            format!("digest.subject is not a valid template: {}", e.reason()),
        );
    }
    let state = ledger(&raw.state, &raw.state_env, root, check);
    if check.problems.len() > before {
        return None;
    }
    Some(Digest {
        from: from?,
        reply_to,
        to,
        recipients: raw.recipients.map(|p| root.join(p)),
        mode,
        bcc_batch_size: batch,
        subject,
        subject_line: find_key_line(check.text, "subject"),
        footer: raw.footer.map(Cleaned::into_string),
        content: raw.content.unwrap_or(Content::Full),
        max_age_days: raw.max_age_days.unwrap_or(14),
        list_id: raw
            .list_id
            .map_or_else(|| format!("digest.{host}"), Cleaned::into_string),
        state,
        schedule,
        images: raw.images.unwrap_or(true),
    })
}

/// `value` as a mailbox, or `None` with the problem reported.
fn mailbox(check: &mut Checker, key: &str, value: &Spanned<Cleaned>) -> Option<Mailbox> {
    let value = Spanned::new(value.span(), value.get_ref().as_str());
    Mailbox::from_str(value.get_ref().trim())
        .map_err(|e| {
            check.at(
                &value,
                format!(
                    "digest.{key} `{}` is not an email address ({e}); write e.g. `Namn <namn@example.se>`",
                    value.get_ref()
                ),
            )
        })
        .ok()
}
