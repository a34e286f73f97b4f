//! Delivery: handing a message's bytes, with their envelope, to a transport
//! (outbox folder, SMTP server, local sendmail). Transports know envelopes
//! and bytes, nothing about digests; the sending loop with its ledger,
//! retries and rate limit lives above them, in [`crate::digest::send`].

mod bounded;
mod check;
pub(crate) mod oauth2;
mod outbox;
mod redact;
mod sendmail;
mod setup;
mod smtp;
mod wire;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::config::{Auth, Delivery, Security, Transport as Kind};
use crate::error::{Error, Result};

pub(crate) use check::check_smtp;
/// Who a message is from and to, as the server is told (`MAIL FROM`,
/// `RCPT TO`): lettre's envelope, which is never empty of recipients.
pub(crate) use lettre::address::Envelope;

/// The server took the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Accepted {
    /// The server's reply to the message, e.g. `250 2.0.0 Ok: queued as 4F1`.
    pub reply: String,
    /// Envelope recipients refused permanently while others were accepted
    /// (a BCC batch), each with the server's reply.
    pub refused: Vec<(String, String)>,
}

/// Why a message was not taken, and so what happens next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// 4xx, a timeout or a dropped connection before the message was complete:
    /// retried on a fresh connection.
    Temporary(String),
    /// 5xx for this message: recorded, the others continue.
    Permanent(String),
    /// The account is blocked or throttled (quota): the run stops at once.
    Blocked(String),
    /// Authentication or TLS failed: the run stops; a person must fix it.
    Fatal(String),
    /// The connection broke after the whole message was handed over: it may
    /// have arrived, so it is never sent again.
    Uncertain(String),
}

impl Failure {
    /// The server's reply, or what went wrong locally, in its words.
    pub(crate) fn reply(&self) -> &str {
        match self {
            Failure::Temporary(text)
            | Failure::Permanent(text)
            | Failure::Blocked(text)
            | Failure::Fatal(text)
            | Failure::Uncertain(text) => text,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Uncertain(text) => write!(f, "{text} (the message may have arrived)"),
            _ => f.write_str(self.reply()),
        }
    }
}

/// A failure is the cause that `caused by:` prints under a stopped run.
impl std::error::Error for Failure {}

/// What a transport learned while preparing a message: envelope recipients
/// the server refused permanently while it accepted others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Prepared {
    /// Each refused recipient with the server's reply.
    pub refused: Vec<(String, String)>,
}

/// One connection's worth of a transport. Sending is two steps so that the
/// ledger can record, between them, that a message may now arrive: until
/// [`Transport::hand_over`] starts, nothing of the message has left.
pub(crate) trait Transport: Send {
    /// Everything before the message's bytes go out: connecting, TLS,
    /// login, the envelope (for SMTP, up to the server's `354` to DATA).
    fn prepare(&mut self, _envelope: &Envelope) -> Result<Prepared, Failure> {
        Ok(Prepared::default())
    }
    /// Hands the message's `bytes` (RFC 5322, CRLF line ends) over for the
    /// prepared `envelope` and waits for the answer.
    fn hand_over(
        &mut self,
        envelope: &Envelope,
        bytes: &[u8],
        prepared: Prepared,
    ) -> Result<Accepted, Failure>;
    /// Both steps at once, for a message no ledger tracks (`--to`).
    fn send(&mut self, envelope: &Envelope, bytes: &[u8]) -> Result<Accepted, Failure> {
        let prepared = self.prepare(envelope)?;
        self.hand_over(envelope, bytes, prepared)
    }
    /// Forgets the connection after a failure, so the next send starts afresh.
    fn reset(&mut self) {}
    /// Ends the session politely.
    fn close(&mut self) {}
}

/// Opens transports of the configured kind, one per connection.
pub(crate) struct Factory {
    kind: Kind,
    delivery: Delivery,
    outbox: PathBuf,
    login: smtp::Login,
}

impl Factory {
    /// The transport for digest `id`: the configured one, or the outbox at
    /// `outbox` when given (`--outbox`). Reads the SMTP password or OAuth2
    /// client secret from its environment variable here, so a missing one
    /// fails before anything is sent; OAuth2 tokens are cached in `cache_dir`.
    pub(crate) fn new(
        delivery: &Delivery,
        outbox: Option<&Path>,
        id: &str,
        cache_dir: &Path,
        now: DateTime<Utc>,
    ) -> Result<Factory> {
        let kind = if outbox.is_some() {
            Kind::Outbox
        } else {
            delivery.transport
        };
        let login = match (&delivery.smtp, kind, delivery.auth, &delivery.oauth2) {
            (Some(_), Kind::Smtp, Auth::Oauth2, Some(settings)) => smtp::Login::Oauth2(Arc::new(
                oauth2::Tokens::new(settings, cache_dir, now)?,
            )),
            (Some(smtp), Kind::Smtp, _, _) => match &smtp.password_env {
                Some(var) => smtp::Login::Password(std::env::var(var).map_err(|_| {
                    Error::Usage(format!(
                        "the SMTP password is read from the environment variable {var}, which is not set"
                    ))
                })?),
                None => smtp::Login::None,
            },
            _ => smtp::Login::None,
        };
        Ok(Factory {
            kind,
            delivery: delivery.clone(),
            outbox: outbox.unwrap_or(&delivery.outbox).join(id),
            login,
        })
    }

    /// A warning for password login to Microsoft 365, which turns SMTP AUTH
    /// with passwords off by default at the end of December 2026.
    pub(crate) fn password_warning(&self) -> Option<String> {
        let smtp = self.delivery.smtp.as_ref()?;
        let microsoft = smtp.host.to_ascii_lowercase().ends_with(".office365.com");
        (microsoft && matches!(self.login, smtp::Login::Password(_)) && self.kind == Kind::Smtp)
            .then(|| format!(
                "{} uses password login, which Microsoft 365 disables by default from the end of December 2026; switch to auth = \"oauth2\" (see the README)",
                smtp.host
            ))
    }

    /// A fresh transport (connections are made lazily, on the first send).
    pub(crate) fn open(&self) -> Box<dyn Transport> {
        match (self.kind, &self.delivery.smtp) {
            (Kind::Smtp, Some(smtp)) => Box::new(smtp::Smtp::new(smtp, self.login.clone())),
            (Kind::Sendmail, _) => Box::new(sendmail::Sendmail::new(&self.delivery.sendmail)),
            _ => Box::new(outbox::Outbox::new(&self.outbox)),
        }
    }

    /// What happened to a message that went well, for the summary line:
    /// `written` to an outbox folder, `sent` by any other transport.
    pub(crate) fn done_word(&self) -> &'static str {
        match self.kind {
            Kind::Outbox => "written",
            _ => "sent",
        }
    }

    /// How many messages may be in flight at once.
    pub(crate) fn connections(&self) -> usize {
        match (self.kind, &self.delivery.smtp) {
            (Kind::Smtp, Some(smtp)) => smtp.connections,
            _ => 1,
        }
    }

    /// For the plan line: `smtp smtp.office365.com:587 (starttls)`.
    pub(crate) fn describe(&self) -> String {
        match (self.kind, &self.delivery.smtp) {
            (Kind::Smtp, Some(s)) => format!(
                "smtp {}:{} ({}, {} connection(s))",
                s.host,
                s.port(),
                security_word(s.security),
                s.connections
            )
            .to_lowercase(),
            (Kind::Sendmail, _) => format!("sendmail {}", self.delivery.sendmail.command.display()),
            _ => format!("the outbox {}", self.outbox.display()),
        }
    }
}

/// `security` as the config spells it.
fn security_word(security: Security) -> &'static str {
    match security {
        Security::Starttls => "starttls",
        Security::Tls => "tls",
        Security::None => "none",
    }
}
