//! What an SMTP connection needs from its settings and the machine: the
//! server's addresses and the name to give in EHLO, and, when a setting
//! cannot work with the server, what to change (a [`Fault::Config`], never
//! retried: a rerun would fail the same way).

use std::io;
use std::net::SocketAddr;

use lettre::transport::smtp::authentication::Mechanism;
use lettre::transport::smtp::extension::{ClientId, ServerInfo};

use super::wire::Fault;
use crate::config::Smtp as Settings;

/// The addresses of `host`. A name DNS does not know is a mistake in the
/// config, not a temporary failure: a rerun would fail the same way.
pub(super) fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, Fault> {
    use dns_lookup::LookupErrorKind;
    match dns_lookup::lookup_host(host) {
        Ok(addresses) => Ok(addresses.map(|ip| SocketAddr::new(ip, port)).collect()),
        Err(e) if matches!(e.kind(), LookupErrorKind::NoName | LookupErrorKind::NoData) => {
            Err(Fault::Config(format!(
                "the host name {host} does not resolve (DNS knows no such name): check [delivery.smtp] host for a typo"
            )))
        }
        Err(e) => Err(Fault::Network(format!(
            "cannot look up {host} (try again later): {}",
            io::Error::from(e)
        ))),
    }
}

/// The name herald gives in EHLO: `helo_name`; else the machine's fully
/// qualified name; else its host name in the sender's domain; else (no
/// sender known) the connection's own address. Never a bare host name such
/// as `vm`, which Postfix's `reject_non_fqdn_helo_hostname` refuses.
pub(super) fn helo_name(settings: &Settings, sender_domain: Option<&str>) -> Option<ClientId> {
    if let Some(name) = &settings.helo_name {
        return Some(ClientId::Domain(name.clone()));
    }
    let host = dns_lookup::get_hostname().unwrap_or_default();
    let hints = dns_lookup::AddrInfoHints {
        flags: libc::AI_CANONNAME,
        ..Default::default()
    };
    let canonical = dns_lookup::getaddrinfo(Some(&host), None, Some(hints))
        .ok()
        .and_then(|mut found| found.next()?.ok()?.canonname);
    let short = host.split('.').next().unwrap_or("");
    match (canonical, sender_domain) {
        (Some(full), _) if full.contains('.') && !full.starts_with("localhost") => {
            Some(ClientId::Domain(full))
        }
        (_, Some(domain)) if !short.is_empty() => {
            Some(ClientId::Domain(format!("{short}.{domain}")))
        }
        (_, Some(domain)) => Some(ClientId::Domain(domain.to_string())),
        (_, None) => None,
    }
}

/// Why none of `mechanisms` can be used on a connection whose server
/// offers `features` (`encrypted` or not), and what to change.
pub(super) fn no_login(features: &ServerInfo, encrypted: bool, mechanisms: &[Mechanism]) -> Fault {
    let known = [Mechanism::Plain, Mechanism::Login, Mechanism::Xoauth2];
    let offered: Vec<String> = known
        .iter()
        .filter(|m| features.supports_auth_mechanism(**m))
        .map(ToString::to_string)
        .collect();
    let wanted: Vec<String> = mechanisms.iter().map(ToString::to_string).collect();
    let wanted = wanted.join(" or ");
    Fault::Config(match (offered.is_empty(), encrypted) {
        (true, false) => "the server offers no login on this unencrypted connection (servers offer it after STARTTLS): use security = \"starttls\", or remove username to send without a login".to_string(),
        (true, true) => format!(
            "the server offers no login at all: remove username (and password_env) to send without a login, or ask its administrator to allow {wanted}"
        ),
        (false, _) => format!(
            "the server offers only {} login, and herald logs in here with {wanted}: with XOAUTH2 only, use auth = \"oauth2\"; otherwise ask its administrator to allow {wanted}",
            offered.join(" and ")
        ),
    })
}
