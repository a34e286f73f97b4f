//! `herald check-smtp`: connect, upgrade to TLS, log in, quit; send nothing.
//! On failure, the likely cause in plain words, because SMTP replies such as
//! `535 5.7.139` mean little to the person setting herald up.

use chrono::{DateTime, Utc};

use super::{smtp, Factory, Failure};
use crate::config::{Auth, Config, Security, Smtp as Settings};
use crate::error::{Error, Result};

/// Checks the configured SMTP server; returns a line saying what worked.
pub fn check_smtp(config: &Config, now: DateTime<Utc>) -> Result<String> {
    let settings = config.delivery.smtp.as_ref().ok_or_else(|| {
        Error::Usage("herald check-smtp needs a [delivery.smtp] table in the config".into())
    })?;
    let cache = config
        .digest
        .as_ref()
        .map(|d| d.state.local_folder())
        .unwrap_or_default();
    let factory = Factory::new(&config.delivery, None, "check-smtp", &cache, now)?;
    let transport = smtp::Smtp::new(settings, factory.login.clone());
    let target = format!("{}:{}", settings.host, settings.port());
    match transport.probe() {
        Ok(()) => Ok(format!(
            "{target}: connected, {}, {}; quit without sending",
            match settings.security {
                Security::Starttls => "upgraded with STARTTLS",
                Security::Tls => "TLS from the start",
                Security::None => "no TLS",
            },
            match (&settings.username, config.delivery.auth) {
                (None, _) => "no login configured".to_string(),
                (Some(user), Auth::Oauth2) => format!("logged in as {user} with XOAUTH2"),
                (Some(user), Auth::Password) => format!("logged in as {user} with a password"),
            }
        )),
        Err(failure) => {
            let text = failure.reply();
            let temporary = matches!(failure, Failure::Temporary(_) | Failure::Uncertain(_));
            // A plain-text greeting read as TLS looks like a network error, but retrying won't help.
            let temporary = temporary && !tls_mismatch(&text.to_lowercase(), settings);
            let hint = explain(text, settings, config.delivery.auth);
            let what = format!("the SMTP check of {target} failed; likely cause: {hint}");
            let source = Some(failure.into());
            Err(if temporary {
                Error::Temporary { what, source }
            } else {
                Error::Delivery { what, source }
            })
        }
    }
}

/// Implicit TLS (`security = "tls"`) against a server that greets in plain
/// text: rustls reads the greeting as a corrupt record.
fn tls_mismatch(lower: &str, s: &Settings) -> bool {
    s.security == Security::Tls && (lower.contains("tls") || lower.contains("corrupt message"))
}

/// The likely cause of a failed check, in plain words.
fn explain(text: &str, s: &Settings, auth: Auth) -> String {
    let lower = text.to_lowercase();
    let port = s.port();
    if lower.contains("5.7.139") {
        return "SMTP AUTH is disabled for the tenant or for this mailbox (Microsoft 365): enable \
            Authenticated SMTP for the mailbox (Set-CASMailbox -SmtpClientAuthenticationDisabled $false), \
            or use auth = \"oauth2\""
            .into();
    }
    if lower.contains("535") && auth == Auth::Oauth2 {
        return "the server refused the token: check that the app has the SMTP.SendAsApp permission \
            with admin consent, that its service principal may use the mailbox, and that `username` \
            is that mailbox"
            .into();
    }
    if lower.contains("535") {
        return "the username or the password was refused (check `username` and the variable named by `password_env`)".into();
    }
    if lower.contains("530") || lower.contains("5.7.57") {
        return "the server requires a login: set `username` and `password_env`, or auth = \"oauth2\"".into();
    }
    if lower.contains("token endpoint") || lower.contains("token_command") {
        return "herald could not get an OAuth2 token: check tenant, client_id and the client secret's environment variable".into();
    }
    if lower.contains("does not offer starttls") {
        return format!("port {port} does not offer STARTTLS; if it is an implicit-TLS port (465), use security = \"tls\"");
    }
    if lower.contains("unknownissuer") {
        return "the server's certificate comes from a CA herald does not trust (often the organisation's \
            own, on an on-premises relay): name that CA's certificate file (PEM) in [delivery.smtp] ca_file"
            .into();
    }
    if tls_mismatch(&lower, s) {
        return format!("port {port} did not start with TLS; TLS on port 587 (and 25) needs security = \"starttls\"; security = \"tls\" is for port 465");
    }
    if lower.contains("tls") {
        return "the TLS handshake failed: the server's certificate is not valid for this host name, or the port speaks something else".into();
    }
    if lower.contains("refused") {
        return format!("nothing accepts connections on {}:{port}: check host and port (Microsoft 365: smtp.office365.com, 587)", s.host);
    }
    if lower.contains("timed out") || lower.contains("timeout") {
        return format!(
            "no answer from {}:{port}: a firewall may block outgoing connections to port {port}",
            s.host
        );
    }
    if lower.contains("no compatible authentication mechanism") {
        return "the server offers none of the login methods herald uses here (XOAUTH2 for oauth2, PLAIN or LOGIN for passwords)".into();
    }
    "see the server's reply above".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(security: Security) -> Settings {
        Settings {
            host: "smtp.office365.com".into(),
            port: None,
            security,
            username: Some("veckobrev@example.se".into()),
            password_env: None,
            connections: 1,
            timeout_seconds: 5,
            ca_file: None,
        }
    }

    #[test]
    fn common_failures_are_explained() {
        let starttls = settings(Security::Starttls);
        let hint = explain("permanent error (535): 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.", &starttls, Auth::Password);
        assert!(hint.contains("SMTP AUTH is disabled"), "{hint}");
        let hint = explain(
            "TLS failed: received corrupt message",
            &settings(Security::Tls),
            Auth::Password,
        );
        assert!(
            hint.contains("TLS on port 587 (and 25) needs security = \"starttls\""),
            "{hint}"
        );
        let hint = explain(
            "permanent error (535): 5.7.3 Authentication unsuccessful",
            &starttls,
            Auth::Oauth2,
        );
        assert!(hint.contains("SMTP.SendAsApp"), "{hint}");
        let hint = explain(
            "Connection refused (os error 111)",
            &starttls,
            Auth::Password,
        );
        assert!(hint.contains("smtp.office365.com:587"), "{hint}");
        let hint = explain(
            "TLS failed: network error: invalid peer certificate: UnknownIssuer",
            &starttls,
            Auth::Password,
        );
        assert!(hint.contains("ca_file"), "{hint}");
    }
}
