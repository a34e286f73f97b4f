//! SMTP manners and diagnosis end to end, against the test server on
//! 127.0.0.1: the EHLO name, configuration mistakes that are not temporary
//! (exit 1, the fix in plain words, no retries), and what a refusal asks of
//! the operator.

mod common;

use common::mail::{code, digest_site, fails, individual_site, smtp};
use common::smtp::{Faults, Server, Tls};
use common::tls::TestCa;
use common::{ok, stderr, Site};

/// Asserts that a run stopped on a config mistake: exit 1, delivery
/// stopped, and `expected` (the fix, said once) as its cause.
fn stopped(out: &std::process::Output, expected: &str) {
    let err = stderr(out);
    let lines: Vec<&str> = err.lines().collect();
    let [.., error, cause] = lines[..] else {
        panic!("{err}")
    };
    assert!(error.starts_with("error: delivery stopped: "), "{err}");
    assert_eq!(cause, format!("caused by: {expected}"), "{err}");
    assert_eq!(err.matches(expected).count(), 1, "{err}");
    assert_eq!(code(out), 1, "{err}");
}

fn group_site(server: &Server, extra: &str) -> Site {
    digest_site(
        "to = [\"alla@example.se\"]",
        &format!("{}{extra}", smtp(server.port, 1)),
    )
}

#[test]
fn ehlo_gives_a_full_name_never_a_bare_host_name() {
    let server = Server::start(Faults::default());
    ok(&group_site(&server, "").herald(&["digest"]));
    let helo = &server.helos()[0];
    // The machine's full name, or its host name in the sender's domain.
    assert!(helo.contains('.'), "EHLO {helo}");
    let short = dns_lookup::get_hostname().unwrap();
    let short = short.split('.').next().unwrap();
    assert!(
        helo.ends_with(".example.se") || helo.starts_with(&format!("{short}.")),
        "EHLO {helo}"
    );

    let server = Server::start(Faults::default());
    let site = group_site(&server, "helo_name = \"mail.example.se\"\n");
    ok(&site.herald(&["digest"]));
    assert_eq!(server.helos(), ["mail.example.se"]);
}

#[test]
fn a_bare_helo_name_is_a_config_error() {
    let server = Server::start(Faults::default());
    let site = group_site(&server, "helo_name = \"vm\"\n");
    fails(
        &site.herald(&["check"]),
        2,
        &["delivery.smtp.helo_name `vm` must be a fully qualified name such as mail.example.se"],
    );
}

#[test]
fn a_server_without_login_is_a_config_mistake_not_a_retry() {
    // The test server offers no AUTH; loopback allows a password without TLS.
    let server = Server::start(Faults::default());
    let site = group_site(
        &server,
        "username = \"veckobrev@example.se\"\npassword_env = \"HERALD_TEST_PASSWORD\"\n",
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .arg("--config")
        .arg(site.path().join("config.toml"))
        .args(["--now", common::NOW, "digest"])
        .env("HERALD_TEST_PASSWORD", "hemligt")
        .output()
        .unwrap();
    stopped(&out, "the server offers no login on this unencrypted connection (servers offer it after STARTTLS): use security = \"starttls\", or remove username to send without a login");
    assert_eq!(server.helos().len(), 1, "no retries: one connection");
    assert_eq!(server.mail_commands(), 0);
}

#[test]
fn starttls_on_an_implicit_tls_port_says_so_and_exits_1() {
    let ca = TestCa::new();
    let server = Server::start(Faults {
        tls: Some((Tls::Implicit, ca.server.clone())),
        ..Faults::default()
    });
    let site = digest_site(
        "to = [\"alla@example.se\"]",
        &format!(
            "[delivery.smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"starttls\"\ntimeout_seconds = 1\n",
            server.port
        ),
    );
    let expected = format!(
        "127.0.0.1:{} sent no greeting and answers in TLS: it expects TLS from the first byte (implicit TLS, usually port 465); use security = \"tls\" for this port, or port 587 with security = \"starttls\"",
        server.port
    );
    stopped(&site.herald(&["digest"]), &expected);
    let out = site.herald(&["check-smtp"]);
    fails(&out, 1, &[&expected]);
    assert!(!stderr(&out).contains("reply above"), "{}", stderr(&out));
}

#[test]
fn a_host_name_that_does_not_resolve_is_a_config_mistake() {
    let site = digest_site(
        "to = [\"alla@example.se\"]",
        "[delivery.smtp]\nhost = \"smtp.example.invalid\"\ntimeout_seconds = 5\n",
    );
    let expected = "the host name smtp.example.invalid does not resolve (DNS knows no such name): check [delivery.smtp] host for a typo";
    stopped(&site.herald(&["digest"]), expected);
    let out = site.herald(&["check-smtp"]);
    assert_eq!(
        stderr(&out),
        format!("error: delivery stopped: the SMTP check of smtp.example.invalid:587 failed\ncaused by: {expected}\n")
    );
    assert_eq!(code(&out), 1);
}

#[test]
fn a_permanent_refusal_says_to_fix_the_address_not_to_rerun() {
    let mut faults = Faults::default();
    faults.reject.insert("person1@example.se".into());
    let server = Server::start(faults);
    let site = individual_site(&server, 2, 1);
    let out = site.herald(&["digest"]);
    assert_eq!(code(&out), 3);
    let said = stderr(&out);
    assert!(
        said.contains("warning: person1@example.se: refused: permanent error (550): 5.1.1 <person1@example.se>: Recipient address rejected: User unknown; the server refuses it for good: fix or remove the address (a rerun is refused again)\n"),
        "{said}"
    );
    assert!(
        said.ends_with("error: 1 message(s) refused for good (5xx): fix or remove those addresses (see the warnings above); a rerun would be refused again\n"),
        "{said}"
    );
    assert!(!said.contains("retry"), "{said}");
}

#[test]
fn the_outbox_says_written_not_sent() {
    let site = digest_site("to = [\"alla@example.se\"]", "");
    let outbox = site.path().join("ut");
    let out = site.herald(&["digest", "--outbox", outbox.to_str().unwrap()]);
    let said = ok(&out);
    assert!(
        said.contains("digest 2013-W40: 1 written, 0 failed, 0 uncertain, 0 skipped"),
        "{said}"
    );
    assert!(!said.contains(" sent,"), "{said}");
}
