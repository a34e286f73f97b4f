//! `[delivery] auth` and `[delivery.oauth2]`: how herald logs in to the SMTP
//! server. Microsoft 365 turns password login for SMTP off by default at the
//! end of 2026, so OAuth2 (XOAUTH2) is a first-class choice.

use std::net::IpAddr;

use serde::Deserialize;
use toml::Spanned;

use super::mail::Checker;
use super::smtp::Smtp;

/// How herald authenticates to the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Auth {
    /// `username` and the password from `password_env` (PLAIN or LOGIN).
    Password,
    /// An OAuth2 access token for `username`, sent with XOAUTH2.
    Oauth2,
}

/// `[delivery.oauth2]`: where the access token comes from. Either the
/// client credentials flow (`tenant` or `token_url`, `client_id`, the secret
/// from `client_secret_env`) or `token_command`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Oauth2 {
    /// The Microsoft Entra tenant (directory) id or domain. Default: none.
    pub tenant: Option<String>,
    /// The application (client) id. Default: none.
    pub client_id: Option<String>,
    /// The environment variable holding the client secret. Default: `HERALD_OAUTH2_CLIENT_SECRET`.
    #[serde(default = "default_secret_env")]
    pub client_secret_env: String,
    /// The token endpoint. Default: `https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`.
    pub token_url: Option<String>,
    /// The scope asked for. Default: `https://outlook.office365.com/.default`.
    #[serde(default = "default_scope")]
    pub scope: String,
    /// A command (program and arguments, no shell) whose stdout is the access
    /// token, for any other identity provider. Default: none.
    pub token_command: Option<Vec<String>>,
}

impl Oauth2 {
    /// The token endpoint: `token_url`, else Microsoft's for `tenant`.
    pub fn endpoint(&self) -> String {
        self.token_url.clone().unwrap_or_else(|| {
            format!(
                "https://login.microsoftonline.com/{}/oauth2/v2.0/token",
                self.tenant.as_deref().unwrap_or("")
            )
        })
    }
}

fn default_secret_env() -> String {
    "HERALD_OAUTH2_CLIENT_SECRET".into()
}

fn default_scope() -> String {
    "https://outlook.office365.com/.default".into()
}

/// Whether `host` is a loopback address literal (`127.x.x.x`, `::1`): traffic
/// to it never leaves the machine, the one place credentials may go without TLS.
pub fn is_loopback(host: &str) -> bool {
    host.trim_matches(['[', ']'])
        .parse::<IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Checks `auth` against `[delivery.smtp]` and `[delivery.oauth2]`.
pub(super) fn check(
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
        (Auth::Oauth2, Some(o)) => check_oauth2(o, check),
        (Auth::Password, None) => {}
    }
    if kind == Auth::Oauth2 {
        let at = auth.as_ref().expect("oauth2 was written");
        match smtp.as_ref().map(Spanned::get_ref) {
            None => check.at(at, "auth = \"oauth2\" needs [delivery.smtp]"),
            Some(s) if s.username.is_none() || s.password_env.is_some() => check.at(
                at,
                "with auth = \"oauth2\", [delivery.smtp] needs `username` (the mailbox) and no `password_env`",
            ),
            Some(_) => {}
        }
    }
}

fn check_oauth2(o: &Spanned<Oauth2>, check: &mut Checker) {
    let v = o.get_ref();
    if let Some(command) = &v.token_command {
        if command.is_empty() || command[0].trim().is_empty() {
            check.at(o, "token_command is empty; write e.g. [\"/usr/local/bin/get-token\", \"--mailbox\", \"veckobrev\"]");
        }
        return;
    }
    if v.client_id.is_none() || (v.tenant.is_none() && v.token_url.is_none()) {
        check.at(
            o,
            "[delivery.oauth2] needs `client_id` and `tenant` (or `token_url`), or `token_command`",
        );
    }
    if let Some(url) = &v.token_url {
        let ok = match url::Url::parse(url) {
            Ok(u) if u.scheme() == "https" => true,
            Ok(u) if u.scheme() == "http" => u.host_str().is_some_and(is_loopback),
            _ => false,
        };
        if !ok {
            check.at(o, format!("token_url `{url}` must be an https URL (http only to 127.0.0.1 or ::1): the client secret is never sent in clear text"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn only_loopback_literals_count_as_local() {
        assert!(is_loopback("127.0.0.1"));
        assert!(is_loopback("[::1]"));
        assert!(!is_loopback("localhost"), "a name can resolve anywhere");
        assert!(!is_loopback("10.0.0.1"));
        assert!(!is_loopback("smtp.office365.com"));
    }
}
