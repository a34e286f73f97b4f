//! `herald check-smtp`: connect, upgrade to TLS, log in, quit; send nothing.
//! On failure, the likely cause in plain words, because SMTP replies such as
//! `535 5.7.139` mean little to the person setting herald up.

use chrono::{DateTime, Utc};

use super::{smtp, Factory, Failure};
use crate::config::{Auth, Config, Security, Smtp as Settings};
use crate::error::{Error, Result};

/// Checks the configured SMTP server; returns a line saying what worked.
pub(crate) fn check_smtp(config: &Config, now: DateTime<Utc>) -> Result<String> {
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
    // The sender names this machine in EHLO when it has no full name of its own.
    let sender = config.digest.as_ref().map(|d| d.from.email.domain());
    match transport.probe(sender) {
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
            let temporary = matches!(failure, Failure::Temporary(_) | Failure::Uncertain(_));
            // A failure that is a config mistake already says how to fix it;
            // the server's replies get their likely cause here, once.
            let what = match explain(failure.reply(), settings, config.delivery.auth) {
                Some(hint) => format!("the SMTP check of {target} failed; likely cause: {hint}"),
                None => format!("the SMTP check of {target} failed"),
            };
            let source = Some(failure.into());
            Err(if temporary {
                Error::Temporary { what, source }
            } else {
                Error::Delivery { what, source }
            })
        }
    }
}

/// The likely cause of a refusal or a network failure, in plain words; none
/// when the failure's own text says it (herald's config advice) or there
/// is nothing to add.
fn explain(text: &str, s: &Settings, auth: Auth) -> Option<String> {
    let lower = text.to_lowercase();
    let port = s.port();
    let hint = if lower.contains("5.7.139") {
        "SMTP AUTH is disabled for the tenant or for this mailbox (Microsoft 365): enable \
            Authenticated SMTP for the mailbox (Set-CASMailbox -SmtpClientAuthenticationDisabled $false), \
            or use auth = \"oauth2\""
            .to_string()
    } else if lower.contains("535") && auth == Auth::Oauth2 {
        "the server refused the token: check that the app has the SMTP.SendAsApp permission \
            with admin consent, that its service principal may use the mailbox, and that `username` \
            is that mailbox"
            .to_string()
    } else if lower.contains("535") {
        "the username or the password was refused (check `username` and the variable named by `password_env`)".to_string()
    } else if lower.contains("530") || lower.contains("5.7.57") {
        "the server requires a login: set `username` and `password_env`, or auth = \"oauth2\""
            .to_string()
    } else if lower.contains("token endpoint") || lower.contains("token_command") {
        "herald could not get an OAuth2 token: check tenant, client_id and the client secret's environment variable".to_string()
    } else if lower.contains("connection refused") {
        format!("nothing accepts connections on {}:{port}: check host and port (Microsoft 365: smtp.office365.com, 587)", s.host)
    } else if lower.contains("timed out") {
        format!(
            "no answer from {}:{port}: a firewall may block outgoing connections to port {port}",
            s.host
        )
    } else {
        return None;
    };
    Some(hint)
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
            helo_name: None,
        }
    }

    #[test]
    fn common_failures_are_explained() {
        let starttls = settings(Security::Starttls);
        let hint = explain("permanent error (535): 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.", &starttls, Auth::Password);
        assert!(hint.unwrap().contains("SMTP AUTH is disabled"));
        let hint = explain(
            "permanent error (535): 5.7.3 Authentication unsuccessful",
            &starttls,
            Auth::Oauth2,
        );
        assert!(hint.unwrap().contains("SMTP.SendAsApp"));
        let hint = explain(
            "Connection error: Connection refused (os error 111)",
            &starttls,
            Auth::Password,
        );
        assert!(hint.unwrap().contains("smtp.office365.com:587"));
    }

    #[test]
    fn advice_in_the_failure_itself_is_not_repeated() {
        let starttls = settings(Security::Starttls);
        for text in [
            "TLS failed: the server's certificate comes from a CA herald does not trust (UnknownIssuer; …): name that CA's certificate file (PEM) in [delivery.smtp] ca_file",
            "the host name smtp.example.invalid does not resolve (DNS knows no such name): check [delivery.smtp] host for a typo",
            "the server did not answer within timeout_seconds = 5",
        ] {
            assert_eq!(explain(text, &starttls, Auth::Password), None, "{text}");
        }
    }
}
