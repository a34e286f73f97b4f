//! `[delivery]`: how mail leaves the machine. The sub-tables have their own
//! modules (`smtp.rs`, `oauth.rs`, `provider.rs`); the rules that pair a key
//! of one table with another (`auth` against `[delivery.smtp]` and
//! `[delivery.oauth2]`) live here, where the tables are combined.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::check::Checker;
use super::oauth::{self, Auth, Oauth2};
use super::provider::{self, Provider};
use super::smtp::{self, Smtp};

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

/// Checks `[delivery]`, reporting every problem.
pub(super) fn resolve(raw: RawDelivery, root: &Path, check: &mut Checker) -> Delivery {
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
        smtp::check(smtp, check);
    }
    check_auth(&raw.auth, &raw.oauth2, &raw.smtp, check);
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

/// Checks `auth` against `[delivery.smtp]` and `[delivery.oauth2]`.
fn check_auth(
    auth: &Option<Spanned<Auth>>,
    oauth2: &Option<Spanned<Oauth2>>,
    smtp: &Option<Spanned<Smtp>>,
    check: &mut Checker,
) {
    let kind = auth.as_ref().map_or(Auth::Password, |a| *a.get_ref());
    match (kind, oauth2) {
        (Auth::Password, Some(o)) => {
            check.at(o, "[delivery.oauth2] is only used with `auth = \"oauth2\"` in [delivery]")
        }
        (Auth::Oauth2, None) => check.at(
            auth.as_ref().expect("oauth2 was written"),
            "auth = \"oauth2\" needs a [delivery.oauth2] table (tenant and client_id, or token_command)",
        ),
        (Auth::Oauth2, Some(o)) => oauth::check(o, check),
        (Auth::Password, None) => {}
    }
    match (kind, smtp) {
        (Auth::Password, Some(s)) => {
            if s.get_ref().username.is_some() != s.get_ref().password_env.is_some() {
                check.at(s, "set both `username` and `password_env` (the name of the environment variable holding the password), or neither");
            }
        }
        (Auth::Oauth2, None) => check.at(
            auth.as_ref().expect("oauth2 was written"),
            "auth = \"oauth2\" needs [delivery.smtp]",
        ),
        (Auth::Oauth2, Some(s)) if s.get_ref().username.is_none() || s.get_ref().password_env.is_some() => check.at(
            auth.as_ref().expect("oauth2 was written"),
            "with auth = \"oauth2\", [delivery.smtp] needs `username` (the mailbox) and no `password_env`",
        ),
        (Auth::Oauth2, Some(_)) | (Auth::Password, None) => {}
    }
}
