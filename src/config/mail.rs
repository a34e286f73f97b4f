//! `[digest]` and `[delivery]`: the weekly email and how it leaves the machine
//! (`[delivery.smtp]` itself is in `smtp.rs`).
//!
//! Same two-step approach as the rest of the config: serde reads `Raw*`
//! structs (unknown keys rejected), then [`resolve`] checks every value and
//! reports each problem with its line.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::ledger::{self, Ledger};
use super::oauth::{self, Auth, Oauth2};
use super::provider::{self, Provider};
use super::schedule::Schedule;
use super::smtp::{self, Smtp};
use crate::clean::Cleaned;
use crate::diag::{self, Diagnostic};

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

/// `[delivery]`: the transport and its limits.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Default: `smtp` when `[delivery.smtp]` exists, else `outbox`.
    pub transport: Transport,
    /// Folder for `.eml` files of the outbox transport. Default: `outbox`.
    pub outbox: PathBuf,
    /// Messages per minute over any 60-second window; 0 = no limit. Default:
    /// 30 with `provider = "microsoft365"`, else 0.
    pub max_per_minute: u32,
    /// Whose server: `generic` or `microsoft365` (its limits become the
    /// defaults and bounds). Default: `generic`.
    pub provider: Provider,
    /// Recipients per rolling 24 hours; a run that would pass it is refused
    /// before sending anything; 0 = no limit. Default: 10,000 with
    /// `provider = "microsoft365"`, else 0.
    pub daily_recipients: u32,
    /// Attempts after a temporary failure, each on a fresh connection. Default: 5.
    pub retries: u32,
    /// Wait before the first retry, doubled for each next one. Default: 2 seconds.
    pub retry_delay: f64,
    /// `[delivery.smtp]`, required for the `smtp` transport.
    pub smtp: Option<Smtp>,
    /// `[delivery.sendmail]`.
    pub sendmail: Sendmail,
    /// How herald logs in to the SMTP server. Default: `password`.
    pub auth: Auth,
    /// `[delivery.oauth2]`, required for `auth = "oauth2"`.
    pub oauth2: Option<Oauth2>,
}

/// The transports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// `.eml` files under `outbox/<digest-id>/`.
    Outbox,
    /// An SMTP server (`[delivery.smtp]`).
    Smtp,
    /// A local MTA binary (`[delivery.sendmail]`).
    Sendmail,
}

/// `[delivery.sendmail]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Sendmail {
    /// The MTA binary, called as `<command> -i -f <from> -- <recipients>`. Default: `/usr/sbin/sendmail`.
    pub command: PathBuf,
    /// Seconds one call may take before it is killed (a temporary failure). Default: 60.
    pub timeout_seconds: u64,
}

impl Default for Sendmail {
    fn default() -> Self {
        Sendmail {
            command: "/usr/sbin/sendmail".into(),
            timeout_seconds: 60,
        }
    }
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
    day: Option<Spanned<String>>,
    time: Option<Spanned<String>>,
    deadline_hours: Option<Spanned<u32>>,
}

/// `[delivery]` as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDelivery {
    transport: Option<Spanned<Transport>>,
    outbox: Option<PathBuf>,
    max_per_minute: Option<Spanned<u32>>,
    provider: Option<Provider>,
    daily_recipients: Option<Spanned<u32>>,
    retries: Option<u32>,
    retry_delay: Option<Spanned<f64>>,
    smtp: Option<Spanned<Smtp>>,
    #[serde(default)]
    sendmail: Sendmail,
    auth: Option<Spanned<Auth>>,
    oauth2: Option<Spanned<Oauth2>>,
}

/// Where problems go: the file, its text, and the list.
pub(super) struct Checker<'a> {
    pub file: &'a Path,
    pub text: &'a str,
    pub problems: &'a mut Vec<Diagnostic>,
}

impl Checker<'_> {
    pub(super) fn at<T>(&mut self, value: &Spanned<T>, message: impl Into<String>) {
        let line = diag::line_of(self.text, value.span().start);
        self.problems
            .push(Diagnostic::at(self.file, line, message.into()));
    }

    /// The value of an optional number (`default` when absent), reporting
    /// `message` at its line when it lies outside `range`.
    pub(super) fn in_range<T: Copy + PartialOrd>(
        &mut self,
        value: &Option<Spanned<T>>,
        default: T,
        range: std::ops::RangeInclusive<T>,
        message: &str,
    ) -> T {
        match value {
            Some(v) if !range.contains(v.get_ref()) => {
                self.at(v, message);
                *v.get_ref()
            }
            Some(v) => *v.get_ref(),
            None => default,
        }
    }

    fn mailbox(&mut self, key: &str, value: &Spanned<Cleaned>) -> Option<Mailbox> {
        let value = Spanned::new(value.span(), value.get_ref().as_str());
        Mailbox::from_str(value.get_ref().trim())
            .map_err(|e| {
                self.at(
                    &value,
                    format!(
                        "digest.{key} `{}` is not an email address ({e}); write e.g. `Namn <namn@example.se>`",
                        value.get_ref()
                    ),
                )
            })
            .ok()
    }
}

/// Checks `[digest]`; `None` when it has problems (all reported) or is absent.
pub(super) fn resolve_digest(
    raw: Option<RawDigest>,
    host: &str,
    root: &Path,
    check: &mut Checker,
) -> Option<Digest> {
    let raw = raw?;
    let before = check.problems.len();
    let schedule = check.schedule(&raw.day, &raw.time, &raw.deadline_hours);
    let from = check.mailbox("from", &raw.from);
    let reply_to = raw
        .reply_to
        .as_ref()
        .and_then(|r| check.mailbox("reply_to", r));
    let to: Vec<Mailbox> = raw
        .to
        .iter()
        .filter_map(|t| check.mailbox("to", t))
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
        let line = find_line(check.text, "subject");
        let message = format!("digest.subject is not a valid template: {}", e.reason());
        check
            .problems
            .push(Diagnostic::at(check.file, line, message));
    }
    let state = match &raw.state {
        None => Ledger::Sqlite(root.join(".herald/state.db")),
        Some(text) => ledger::parse(text.get_ref(), root).unwrap_or_else(|problem| {
            check.at(text, problem);
            Ledger::Sqlite(PathBuf::new())
        }),
    };
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
        footer: raw.footer.map(Cleaned::into_string),
        content: raw.content.unwrap_or(Content::Full),
        max_age_days: raw.max_age_days.unwrap_or(14),
        list_id: raw
            .list_id
            .map_or_else(|| format!("digest.{host}"), Cleaned::into_string),
        state,
        schedule,
    })
}

/// Checks `[delivery]`, reporting every problem.
pub(super) fn resolve_delivery(raw: RawDelivery, root: &Path, check: &mut Checker) -> Delivery {
    let transport = match &raw.transport {
        Some(t) => *t.get_ref(),
        None if raw.smtp.is_some() => Transport::Smtp,
        None => Transport::Outbox,
    };
    if let (Some(t), None, Transport::Smtp) = (&raw.transport, &raw.smtp, transport) {
        check.at(
            t,
            "transport `smtp` needs a [delivery.smtp] table with at least `host`",
        );
    }
    let auth = raw.auth.as_ref().map_or(Auth::Password, |a| *a.get_ref());
    if let Some(smtp) = &raw.smtp {
        smtp::check(smtp, auth, check);
    }
    oauth::check(&raw.auth, &raw.oauth2, &raw.smtp, check);
    let provider = raw.provider.unwrap_or(Provider::Generic);
    let (max_per_minute, daily_recipients) =
        provider::resolve(provider, &raw.max_per_minute, &raw.daily_recipients, check);
    let retry_delay = check.in_range(
        &raw.retry_delay,
        2.0,
        0.0..=600.0,
        "retry_delay must be 0–600 seconds",
    );
    Delivery {
        transport,
        outbox: root.join(raw.outbox.unwrap_or_else(|| "outbox".into())),
        max_per_minute,
        provider,
        daily_recipients,
        retries: raw.retries.unwrap_or(5),
        retry_delay,
        smtp: raw.smtp.map(|smtp| Smtp {
            ca_file: smtp.get_ref().ca_file.as_ref().map(|f| root.join(f)),
            ..smtp.into_inner()
        }),
        sendmail: raw.sendmail,
        auth,
        oauth2: raw.oauth2.map(Spanned::into_inner),
    }
}

/// Best-effort line of `key = ...` for values serde has already accepted.
fn find_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| l.trim_start().starts_with(key) && l.contains('='))
        .map_or(1, |i| i + 1)
}
