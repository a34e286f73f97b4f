//! `[delivery] auth` and `[delivery.oauth2]`: how herald logs in to the SMTP
//! server. Microsoft 365 turns password login for SMTP off by default at the
//! end of 2026, so OAuth2 (XOAUTH2) is a first-class choice.

use serde::Deserialize;
use toml::Spanned;

use super::check::{is_loopback, Checker};

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

/// Checks `[delivery.oauth2]` on its own (`auth` is checked against it in `delivery.rs`).
pub(super) fn check(o: &Spanned<Oauth2>, check: &mut Checker) {
    let v = o.get_ref();
    if let Some(command) = &v.token_command {
        if command.is_empty() || command[0].trim().is_empty() {
            check.at_key_in(o, "token_command", "token_command is empty; write e.g. [\"/usr/local/bin/get-token\", \"--mailbox\", \"veckobrev\"]");
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
            check.at_key_in(o, "token_url", format!("token_url `{url}` must be an https URL (http only to 127.0.0.1 or ::1): the client secret is never sent in clear text"));
        }
    }
}
