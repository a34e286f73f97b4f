//! `[delivery.smtp]`: the SMTP server, its security and login.

use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use super::check::{is_loopback, Checker};

/// `[delivery.smtp]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Smtp {
    /// Server host name. Required.
    pub host: String,
    /// Default: 587 for `starttls`, 465 for `tls`, 25 for `none`.
    pub port: Option<u16>,
    /// `starttls`, `tls` (implicit TLS) or `none`. Default: `starttls`.
    #[serde(default = "default_security")]
    pub security: Security,
    /// Login name (the mailbox, for OAuth2); credentials are only ever sent
    /// over TLS, or to a loopback address. Default: none.
    pub username: Option<String>,
    /// Name of the environment variable holding the password. Default: none.
    pub password_env: Option<String>,
    /// Parallel connections, 1–3. Default: 1.
    #[serde(default = "one")]
    pub connections: usize,
    /// Connect and read/write timeout in seconds. Default: 60.
    #[serde(default = "sixty")]
    pub timeout_seconds: u64,
    /// A PEM file of CA certificates to trust besides the public ones, for a
    /// relay whose certificate comes from the organisation's own CA; relative
    /// to the config file. Default: none.
    pub ca_file: Option<PathBuf>,
    /// The name herald gives in EHLO. Default: the machine's fully qualified
    /// name, else `<host name>.<sender's domain>` (never a bare host name,
    /// which servers such as Postfix may refuse).
    pub helo_name: Option<String>,
}

impl Smtp {
    /// The port, defaulted by the security mode.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::Starttls => 587,
            Security::Tls => 465,
            Security::None => 25,
        })
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connect, then `STARTTLS` (required, never skipped).
    Starttls,
    /// TLS from the first byte.
    Tls,
    /// No encryption: only for a relay on the local network, never with a login.
    None,
}

fn default_security() -> Security {
    Security::Starttls
}
fn one() -> usize {
    1
}
fn sixty() -> u64 {
    60
}

/// Checks `[delivery.smtp]` on its own, reporting every problem (its login
/// against `auth` is checked in `delivery.rs`).
pub(super) fn check(smtp: &Spanned<Smtp>, check: &mut Checker) {
    let s = smtp.get_ref();
    if !(1..=3).contains(&s.connections) {
        check.at_key_in(
            smtp,
            "connections",
            "delivery.smtp.connections must be 1–3 (Microsoft 365 allows 3)",
        );
    }
    let login = s.username.is_some() || s.password_env.is_some();
    // Loopback traffic never leaves the machine (a local relay, the tests' server).
    if s.security == Security::None && login && !is_loopback(&s.host) {
        check.at_key_in(smtp, "security", "credentials are never sent without TLS: use security = \"starttls\" or \"tls\", or remove username/password_env");
    }
    if s.host.trim().is_empty() {
        check.at_key_in(smtp, "host", "delivery.smtp.host is empty");
    }
    let fqdn = |n: &str| {
        n.contains('.')
            && n.split('.')
                .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    };
    if let Some(name) = s.helo_name.as_deref().filter(|n| !fqdn(n)) {
        check.at(smtp, format!("delivery.smtp.helo_name `{name}` must be a fully qualified name such as mail.example.se: servers may refuse a bare host name"));
    }
    if s.security == Security::None && s.ca_file.is_some() {
        check.at_key_in(smtp, "ca_file", "ca_file is only used with TLS: set security = \"starttls\" or \"tls\", or remove ca_file");
    }
}
