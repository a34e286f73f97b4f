//! The SMTP transport: one connection, driven command by command with
//! lettre's client so that each failure is known by its phase. A failure
//! before the message's final dot means it was not delivered (safe to retry);
//! a broken connection after it means nobody knows (never resent).

use std::sync::Arc;
use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::response::Response;
use rustls::ClientConfig;

use super::oauth2::Tokens;
use super::setup;
use super::wire::{Connection, Fault};
use super::{Accepted, Envelope, Failure, Prepared, Transport};
use crate::config::{Security, Smtp as Settings};

/// Where in the transaction a failure happened.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Connecting, TLS, login, envelope: nothing was handed over.
    Before,
    /// The message body and its final dot were sent: it may have arrived.
    Body,
}

/// How a connection logs in.
#[derive(Clone)]
pub(super) enum Login {
    /// No login (a relay that trusts the network).
    None,
    /// `username` and this password (from the environment), PLAIN or LOGIN.
    Password(String),
    /// `username` and an OAuth2 access token, XOAUTH2.
    Oauth2(Arc<Tokens>),
}

/// One SMTP connection, opened on demand and reopened after a failure.
pub(super) struct Smtp {
    settings: Settings,
    login: Login,
    conn: Option<Connection>,
}

impl Smtp {
    /// A transport for `settings`, logging in with `login`.
    pub(super) fn new(settings: &Settings, login: Login) -> Smtp {
        Smtp {
            settings: settings.clone(),
            login,
            conn: None,
        }
    }

    /// Connects, upgrades to TLS and logs in; `sender_domain` (the envelope
    /// sender's) names the machine in EHLO when it has no full name.
    fn connect(&self, sender_domain: Option<&str>) -> Result<Connection, Failure> {
        let s = &self.settings;
        let timeout = Duration::from_secs(s.timeout_seconds);
        let tls = match s.security {
            Security::None => None,
            _ => Some(tls_config(s)?),
        };
        let implicit = tls.as_ref().filter(|_| s.security == Security::Tls);
        let helo = setup::helo_name(s, sender_domain);
        let mut conn = Connection::connect(&s.host, s.port(), timeout, implicit, helo)
            .map_err(|e| connect_failure(&e, s))?;
        if let (Security::Starttls, Some(tls)) = (s.security, &tls) {
            if !conn.can_starttls() {
                return Err(Failure::Fatal(format!(
                    "{}:{} does not offer STARTTLS, and security = \"starttls\" never sends in clear text: if this is an implicit-TLS port (465), use security = \"tls\"",
                    s.host,
                    s.port()
                )));
            }
            conn.starttls(tls, &s.host)
                .map_err(|e| connect_failure(&e, s))?;
        }
        let (Some(user), false) = (&s.username, matches!(self.login, Login::None)) else {
            return Ok(conn);
        };
        // The config refuses credentials without TLS (loopback aside); this guards the invariant.
        if !conn.is_encrypted() && !crate::config::is_loopback(&s.host) {
            return Err(Failure::Fatal(
                "refusing to log in over an unencrypted connection".into(),
            ));
        }
        let (secret, mechanisms) = match &self.login {
            Login::Oauth2(tokens) => (tokens.token()?, &[Mechanism::Xoauth2][..]),
            Login::Password(p) => (p.clone(), &[Mechanism::Plain, Mechanism::Login][..]),
            Login::None => unreachable!("returned above"),
        };
        let credentials = Credentials::new(user.clone(), secret.clone());
        if let Err(e) = conn.auth(mechanisms, &credentials, &secret) {
            if let Login::Oauth2(tokens) = &self.login {
                tokens.forget();
            }
            return Err(classify(&e, Phase::Before));
        }
        Ok(conn)
    }

    /// Connects, upgrades to TLS and logs in as configured, then quits
    /// without sending: `herald check-smtp`. `sender_domain` as for sending.
    pub(super) fn probe(&self, sender_domain: Option<&str>) -> Result<(), Failure> {
        let mut conn = self.connect(sender_domain)?;
        conn.quit()
            .map(|_| ())
            .map_err(|e| classify(&e, Phase::Before))
    }

    /// MAIL, RCPT and DATA, up to the server's `354`: it then waits for the
    /// message, and nothing of the message has been sent.
    fn envelope(conn: &mut Connection, envelope: &Envelope) -> Result<Prepared, Failure> {
        let before = |e: Fault| classify(&e, Phase::Before);
        conn.command(Mail::new(envelope.from().cloned(), vec![]))
            .map_err(before)?;
        let mut refused = Vec::new();
        for rcpt in envelope.to() {
            match conn.command(Rcpt::new(rcpt.clone(), vec![])) {
                Ok(_) => {}
                Err(e) if e.code().is_some_and(|c| c >= 500) => {
                    refused.push((rcpt.to_string(), e.to_string()));
                }
                Err(e) => return Err(before(e)),
            }
        }
        if refused.len() == envelope.to().len() {
            conn.command(Rset).map_err(before)?;
            let replies: Vec<String> = refused.into_iter().map(|(_, r)| r).collect();
            return Err(Failure::Permanent(replies.join("; ")));
        }
        conn.command(Data).map_err(before)?;
        Ok(Prepared { refused })
    }

    /// The message and its final dot, and the server's answer.
    fn body(conn: &mut Connection, bytes: &[u8], prepared: Prepared) -> Result<Accepted, Failure> {
        let reply = conn.message(bytes).map_err(|e| classify(&e, Phase::Body))?;
        Ok(Accepted {
            reply: format_reply(&reply),
            refused: prepared.refused,
        })
    }

    /// Keeps the connection after success or a permanent refusal; anything
    /// else leaves it in an unknown state, so it is dropped.
    fn keep<T>(&mut self, mut conn: Connection, result: Result<T, Failure>) -> Result<T, Failure> {
        if matches!(result, Ok(_) | Err(Failure::Permanent(_))) {
            self.conn = Some(conn);
        } else {
            conn.abort();
        }
        result
    }
}

impl Transport for Smtp {
    fn prepare(&mut self, envelope: &Envelope) -> Result<Prepared, Failure> {
        let mut conn = match self.conn.take() {
            Some(conn) if !conn.has_broken() => conn,
            _ => self.connect(envelope.from().map(|from| from.domain()))?,
        };
        let result = Smtp::envelope(&mut conn, envelope);
        self.keep(conn, result)
    }

    fn hand_over(
        &mut self,
        _: &Envelope,
        bytes: &[u8],
        prepared: Prepared,
    ) -> Result<Accepted, Failure> {
        // Only a connection that `prepare` left waiting for DATA will do.
        let Some(mut conn) = self.conn.take().filter(|c| !c.has_broken()) else {
            return Err(Failure::Temporary(
                "the connection was lost before the message was sent".into(),
            ));
        };
        let result = Smtp::body(&mut conn, bytes, prepared);
        self.keep(conn, result)
    }

    fn reset(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            conn.abort();
        }
    }

    fn close(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            let _ = conn.quit();
        }
    }
}

/// TLS for `settings.host`: the public roots, plus `ca_file` when set.
fn tls_config(settings: &Settings) -> Result<Arc<ClientConfig>, Failure> {
    crate::tls::client_config(settings.ca_file.as_deref()).map_err(Failure::Fatal)
}

fn format_reply(reply: &Response) -> String {
    let code: u16 = reply.code().into();
    let text: Vec<&str> = reply.message().collect();
    format!("{code} {}", text.join(" "))
}

fn connect_failure(e: &Fault, settings: &Settings) -> Failure {
    // Retrying cannot fix a refused certificate or handshake: a person must.
    match e {
        // rustls reads a plain-text greeting as a corrupt TLS record.
        Fault::Tls(text) if settings.security == Security::Tls && text.contains("corrupt message") => {
            Failure::Fatal(format!(
                "{}:{} greeted in plain text, not TLS: it is a STARTTLS port (587, or 25); use security = \"starttls\" for it, or port 465 with security = \"tls\"",
                settings.host,
                settings.port()
            ))
        }
        Fault::Tls(_) | Fault::Config(_) => Failure::Fatal(e.to_string()),
        _ => classify(e, Phase::Before),
    }
}

/// What an SMTP error means for this message and for the run.
fn classify(e: &Fault, phase: Phase) -> Failure {
    let text = e.to_string();
    if let Fault::Config(_) = e {
        return Failure::Fatal(text);
    }
    match e.code() {
        // Authentication required / failed: retrying only locks the account.
        Some(530 | 534 | 535 | 538) => Failure::Fatal(text),
        Some(code) if code >= 500 && is_blocked(&text) => Failure::Blocked(text),
        Some(code) if code >= 500 => Failure::Permanent(text),
        Some(_) => Failure::Temporary(text),
        None if phase == Phase::Body => Failure::Uncertain(text),
        None => Failure::Temporary(text),
    }
}

/// Replies that mean the sending account is blocked or over its quota for
/// the day (Microsoft 365 among others), where more attempts make it worse.
fn is_blocked(reply: &str) -> bool {
    let reply = reply.to_lowercase();
    [
        "quota", "throttl", "5.7.501", "5.7.511", "5.7.705", "5.7.708", "5.7.750",
    ]
    .iter()
    .any(|needle| reply.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_and_abuse_replies_stop_the_run() {
        assert!(is_blocked("permanent error (554): 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException"));
        assert!(is_blocked(
            "permanent error (550): 5.7.501 Access denied, spam abuse detected"
        ));
        assert!(!is_blocked("permanent error (550): 5.1.1 User unknown"));
    }
}
