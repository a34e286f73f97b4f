//! SMTP over TLS against the test server with a throwaway CA: STARTTLS and
//! implicit TLS with `ca_file`, a login that only happens encrypted, and the
//! failures an operator meets (an untrusted certificate, a bad `ca_file`).

mod common;

use common::mail::{digest_site, fails, parse};
use common::smtp::{Faults, Server, Tls};
use common::tls::TestCa;
use common::{ok, Site};

/// A group digest to `alla@example.se` over `security`, trusting `ca_file` if given.
fn tls_site(server: &Server, security: &str, ca_file: Option<&str>) -> Site {
    let ca = ca_file.map_or(String::new(), |f| format!("ca_file = \"{f}\"\n"));
    digest_site(
        "to = [\"alla@example.se\"]",
        &format!(
            "[delivery.smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"{security}\"\ntimeout_seconds = 5\n{ca}",
            server.port
        ),
    )
}

fn start(mode: Tls, ca: &TestCa) -> Server {
    Server::start(Faults {
        tls: Some((mode, ca.server.clone())),
        ..Faults::default()
    })
}

#[test]
fn starttls_and_implicit_tls_deliver_encrypted_with_the_sites_own_ca() {
    let ca = TestCa::new();
    for (mode, security) in [(Tls::Starttls, "starttls"), (Tls::Implicit, "tls")] {
        let server = start(mode, &ca);
        let site = tls_site(&server, security, Some("certs/ca.pem"));
        std::fs::create_dir_all(site.path().join("certs")).unwrap();
        std::fs::write(site.path().join("certs/ca.pem"), &ca.ca_pem).unwrap();

        let said = String::from_utf8(site.herald(&["check-smtp"]).stdout).unwrap();
        let upgrade = match mode {
            Tls::Starttls => "upgraded with STARTTLS",
            Tls::Implicit => "TLS",
        };
        assert!(said.contains(upgrade), "{security}: {said}");

        ok(&site.herald(&["digest"]));
        let received = server.received();
        assert_eq!(received.len(), 1, "{security}: one group message");
        assert!(received[0].tls, "{security}: the message went encrypted");
        assert_eq!(received[0].rcpt, ["alla@example.se"]);
        let message = parse(&received[0].data);
        assert!(
            message.subject().unwrap_or("").contains("40"),
            "{security}: {:?}",
            message.subject()
        );
    }
}

#[test]
fn an_untrusted_certificate_stops_the_run_and_sends_nothing() {
    let ca = TestCa::new();
    let server = start(Tls::Starttls, &ca);
    let site = tls_site(&server, "starttls", None);
    let out = site.herald(&["digest"]);
    fails(&out, 1, &["UnknownIssuer", "ca_file"]);
    assert!(server.received().is_empty(), "nothing sent in clear text");
    let out = site.herald(&["check-smtp"]);
    fails(
        &out,
        1,
        &["the server's certificate comes from a CA herald does not trust"],
    );
    // The advice comes once, with no second "likely cause" after it.
    let said = common::stderr(&out);
    assert_eq!(said.matches("ca_file").count(), 1, "{said}");
    assert!(!said.contains("likely cause"), "{said}");

    // Trusting the CA afterwards sends the digest: nothing was marked sent.
    std::fs::write(site.path().join("ca.pem"), &ca.ca_pem).unwrap();
    let config = site.path().join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace(
            "timeout_seconds = 5\n",
            "timeout_seconds = 5\nca_file = \"ca.pem\"\n",
        ),
    )
    .unwrap();
    ok(&site.herald(&["digest"]));
    assert_eq!(server.received().len(), 1);
}

#[test]
fn a_bad_ca_file_is_named_with_what_it_must_hold() {
    let ca = TestCa::new();
    let server = start(Tls::Starttls, &ca);
    let site = tls_site(&server, "starttls", Some("ca.pem"));
    let out = site.herald(&["digest"]);
    fails(&out, 1, &["ca.pem"]);
    std::fs::write(site.path().join("ca.pem"), "not a certificate\n").unwrap();
    let out = site.herald(&["digest"]);
    fails(
        &out,
        1,
        &["no certificate in it; it must hold PEM certificates"],
    );
    assert!(server.received().is_empty());

    // ca_file without TLS is a config error, found by `check`.
    let plain = tls_site(&server, "none", Some("ca.pem"));
    let out = plain.herald(&["check"]);
    fails(&out, 2, &["ca_file is only used with TLS"]);
}

#[test]
fn a_certificate_for_another_name_says_to_use_the_name_it_carries() {
    let ca = TestCa::new();
    let server = start(Tls::Starttls, &ca);
    // The certificate is for 127.0.0.1; `localhost` reaches the same server.
    let site = tls_site(&server, "starttls", Some("ca.pem"));
    std::fs::write(site.path().join("ca.pem"), &ca.ca_pem).unwrap();
    let config = site.path().join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("host = \"127.0.0.1\"", "host = \"localhost\""),
    )
    .unwrap();
    let expected = "the server's certificate is not valid for the name localhost; it carries 127.0.0.1: set [delivery.smtp] host to that name";
    for command in ["digest", "check-smtp"] {
        let out = site.herald(&[command]);
        fails(&out, 1, &[expected]);
        let said = common::stderr(&out);
        assert!(
            !said.contains("ca_file") && !said.contains("likely cause"),
            "{said}"
        );
    }
    assert!(server.received().is_empty());
}
