//! `herald digest` end to end: the real binary, a real SMTP server on
//! 127.0.0.1 (tests/common/smtp.rs), messages read back with `mail-parser`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::mail::{
    code, digest_site, eml_files, fails, herald_at, individual_site, parse, people, raw_header,
    recipients, smtp,
};
use common::smtp::{Faults, Server};
use common::{ok, stderr, Site};
use mail_parser::MimeHeaders;

/// Every `href`/`src` in the HTML is absolute.
fn assert_absolute_links(html: &str) {
    for attr in ["href=\"", "src=\""] {
        for part in html.split(attr).skip(1) {
            let url = part.split('"').next().unwrap();
            assert!(
                url.starts_with("https://")
                    || url.starts_with("http://")
                    || url.starts_with("mailto:"),
                "relative URL {url} in the HTML part"
            );
        }
    }
}

#[test]
fn individual_mode_personalises_and_serves_everyone_once() {
    let server = Server::start(Faults::default());
    let site = digest_site(
        "recipients = \"recipients.csv\"\nmode = \"individual\"",
        &smtp(server.port, 2),
    );
    recipients(
        &site,
        &[
            "asa@example.se,Åsa Öberg,Skola",
            "not-an-address,Bo,IT",
            "bertil@example.se,Bertil Ärlig,Vård",
            "ASA@example.se,Åsa igen,Skola",
            "cilla@example.se,,Miljö",
        ],
    );
    let err = ok(&site.herald(&["digest"]));
    assert!(
        err.contains("recipients.csv:3: skipped: `not-an-address`"),
        "{err}"
    );
    assert!(
        err.contains("recipients.csv:5: skipped: ASA@example.se is listed more than once"),
        "{err}"
    );
    assert!(
        err.contains("individual mode, 3 message(s) to 3 recipient(s)"),
        "{err}"
    );
    assert!(err.contains("3 sent, 0 failed, 0 uncertain"), "{err}");

    let mut got = server.recipients();
    got.sort();
    assert_eq!(
        got,
        ["asa@example.se", "bertil@example.se", "cilla@example.se"]
    );
    let received = server.received();
    let asa = received
        .iter()
        .find(|r| r.rcpt == ["asa@example.se"])
        .unwrap();
    let m = parse(&asa.data);
    // The default subject is the site's own, never the example site's.
    assert_eq!(m.subject(), Some("Testbloggen – vecka 40"));
    // … and so is the footer: no claim that the reader works for a municipality.
    let text = m.body_text(0).unwrap();
    assert!(text.contains("står på bloggens sändlista"), "{text}");
    assert!(!text.contains("kommunen"), "{text}");
    assert_eq!(
        m.from().unwrap().first().unwrap().name(),
        Some("Kommunchefen")
    );
    let to = m.to().unwrap().first().unwrap();
    assert_eq!(
        (to.name(), to.address()),
        (Some("Åsa Öberg"), Some("asa@example.se"))
    );
    assert_eq!(
        m.reply_to().unwrap().first().unwrap().address(),
        Some("kommunikation@example.se")
    );
    let id = m.message_id().unwrap();
    assert!(
        id.starts_with("2013-W40.") && id.ends_with("@example.se"),
        "{id}"
    );
    assert!(m.date().is_some());
    for (name, value) in [
        ("MIME-Version", "1.0"),
        // --now, never the wall clock (in UTC: lettre writes +0000).
        ("Date", "Tue, 01 Oct 2013 10:00:00 +0000"),
        ("Auto-Submitted", "auto-generated"),
        ("Precedence", "bulk"),
        ("X-Auto-Response-Suppress", "OOF, DR, RN, NRN"),
        ("List-Id", "Testbloggen <digest.example.se>"),
    ] {
        assert_eq!(
            raw_header(&asa.data, name).as_deref(),
            Some(value),
            "{name}"
        );
    }
    let raw_subject = raw_header(&asa.data, "Subject").unwrap();
    assert!(
        raw_subject.is_ascii() && raw_subject.contains("=?utf-8?"),
        "RFC 2047: {raw_subject}"
    );
    assert_eq!(m.content_type().unwrap().subtype(), Some("alternative"));
    for part in [m.text_body.first(), m.html_body.first()] {
        let part = m.part(*part.unwrap()).unwrap();
        assert_eq!(
            part.content_type().unwrap().attribute("charset"),
            Some("utf-8")
        );
    }
    let text = m.body_text(0).unwrap();
    let html = m.body_html(0).unwrap();
    assert!(text.contains("Hej Åsa Öberg!"), "{text}");
    assert!(
        !text.contains("&amp;") && text.contains("Rådhuset & torget"),
        "{text}"
    );
    assert!(text.contains("fredag 27 september 2013"), "{text}");
    assert!(
        text.contains("https://example.se/blogg/lunden/bilder/"),
        "links are listed: {text}"
    );
    assert!(
        text.lines()
            .all(|l| l.chars().count() <= 78 || !l.contains(' ')),
        "{text}"
    );
    assert!(html.contains("Hej Åsa Öberg!"), "{html}");
    assert!(html.contains("Rådhuset &amp; torget"), "{html}");
    assert!(
        html.contains("style=\"") && html.matches("<style>@media").count() == 1,
        "CSS is inlined, only @media rules stay in a <style>"
    );
    assert!(html.contains("max-width: 600px"), "a fluid 600 px layout");
    assert!(html.contains("Läs mer"));
    assert!(
        !html.contains("Gammal") && !html.contains("Utkast"),
        "old posts and drafts stay out"
    );
    assert_absolute_links(&html);
    let cilla = received
        .iter()
        .find(|r| r.rcpt == ["cilla@example.se"])
        .unwrap();
    assert!(parse(&cilla.data).body_text(0).unwrap().contains("Hej!"));

    // A second run sends nothing: the digest is complete.
    let again = ok(&site.herald(&["digest"]));
    // In the site's time with its offset, not the ledger's RFC 3339.
    assert!(
        again.contains("digest 2013-W40 was completed at 2013-10-01 12:00 +02:00; nothing sent"),
        "{again}"
    );
    assert_eq!(server.received().len(), 3);
}

#[test]
fn bcc_mode_sends_batches_with_the_recipients_only_in_the_envelope() {
    let server = Server::start(Faults::default());
    let site = digest_site(
        "recipients = \"recipients.csv\"\nmode = \"bcc\"\nbcc_batch_size = 3\nto = [\"Alla anställda <alla@example.se>\"]",
        &smtp(server.port, 1),
    );
    let rows = people(7);
    recipients(&site, &rows.iter().map(String::as_str).collect::<Vec<_>>());
    ok(&site.herald(&["digest"]));
    let received = server.received();
    let sizes: Vec<usize> = received.iter().map(|r| r.rcpt.len()).collect();
    assert_eq!(sizes, [3, 3, 1]);
    let mut all = server.recipients();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 7, "each person exactly once");
    for r in &received {
        let m = parse(&r.data);
        assert_eq!(
            m.to().unwrap().first().unwrap().address(),
            Some("alla@example.se")
        );
        assert!(m.bcc().is_none(), "no Bcc header");
        assert!(
            !String::from_utf8_lossy(&r.data).contains("person1@"),
            "recipients stay hidden"
        );
    }
}

#[test]
fn group_mode_defaults_to_the_outbox_and_nothing_new_sends_nothing() {
    let site = digest_site("to = [\"alla-anstallda@example.se\"]", "");
    let err = ok(&site.herald(&["digest"]));
    assert!(
        err.contains("group mode, 1 message(s) to 1 recipient(s) via the outbox"),
        "{err}"
    );
    let files = eml_files(&site.path().join("outbox/2013-W40"));
    assert_eq!(files.len(), 1);
    let m = parse(&files[0]);
    assert_eq!(
        m.to().unwrap().first().unwrap().address(),
        Some("alla-anstallda@example.se")
    );
    // Next week: both posts were held by W40's digest, so nothing is new.
    let later = herald_at(&site, "2013-10-08T12:00:00+02:00", &["digest"]);
    let err = ok(&later);
    assert!(err.contains("digest 2013-W41: no new posts"), "{err}");
    assert!(!site.path().join("outbox/2013-W41").exists());
}

#[test]
fn preview_test_copy_and_dry_run_record_nothing() {
    let server = Server::start(Faults::default());
    let site = digest_site("to = [\"alla@example.se\"]", &smtp(server.port, 1));
    let out = site.herald(&["digest", "--preview"]);
    ok(&out);
    let path = String::from_utf8(out.stdout).unwrap();
    let html = std::fs::read_to_string(path.trim()).unwrap();
    assert!(html.contains("Lundens förskola invigd"));

    ok(&site.herald(&["digest", "--to", "test@example.se"]));
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].rcpt, ["test@example.se"]);
    assert!(parse(&received[0].data)
        .subject()
        .unwrap()
        .starts_with("[TEST] Testbloggen"));

    let dry = site.path().join("dry");
    ok(&site.herald(&["digest", "--outbox", dry.to_str().unwrap()]));
    assert_eq!(eml_files(&dry.join("2013-W40")).len(), 1);
    // None of these recorded the digest: the real run sends it.
    ok(&site.herald(&["digest"]));
    assert_eq!(server.received().len(), 2);
}

#[test]
fn a_second_run_waits_for_the_lock_holder() {
    let site = digest_site("to = [\"alla@example.se\"]", "");
    std::fs::create_dir_all(site.path().join("state")).unwrap();
    let _lock = common::HeldLock::on(&site.path().join("state/state.db.lock"));
    let out = site.herald(&["digest"]);
    fails(&out, 4, &["another herald digest run holds"]);
    assert!(!site.path().join("outbox").exists());
}

#[test]
fn bad_digest_config_is_reported_with_lines() {
    let site = Site::new("\n[digest]\nfrom = \"nobody\"\nmode = \"bcc\"\nbcc_batch_size = 900\n\n[delivery.smtp]\nhost = \"mail\"\nsecurity = \"none\"\nusername = \"u\"\npassword_env = \"P\"\nconnections = 5\n");
    let out = site.herald(&["digest"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    for needle in [
        "config.toml:12: digest.from `nobody` is not an email address",
        "config.toml:13: this mode needs `recipients",
        "config.toml:14: bcc_batch_size must be 1–500",
        "credentials are never sent without TLS",
        "connections must be 1–3",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in\n{err}");
    }
}

/// The example site's digest (repository root), composed with a fixed clock:
/// its text and HTML parts are golden files.
#[test]
fn example_site_digest_matches_the_golden_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Post folders too: their photo is in the digest.
    let dir = common::example_site();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .arg("--config")
        .arg(dir.path().join("config.toml"))
        .args(["--now", "2013-09-27T18:00:00+02:00", "digest"])
        .output()
        .unwrap();
    ok(&out);
    let files = eml_files(&dir.path().join("outbox/2013-W39"));
    assert_eq!(files.len(), 1);
    let m = parse(&files[0]);
    let parts = BTreeMap::from([
        ("digest.txt", m.body_text(0).unwrap().into_owned()),
        ("digest.html", m.body_html(0).unwrap().into_owned()),
    ]);
    let golden = root.join("tests/golden/digest");
    for (name, actual) in parts {
        let path = golden.join(name);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(&golden).unwrap();
            std::fs::write(&path, &actual).unwrap();
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "{name} differs from {} (UPDATE_GOLDEN=1 cargo test --test digest regenerates it)",
            path.display()
        );
    }
}

#[test]
fn a_progress_bar_shows_on_a_terminal_only() {
    let server = Server::start(Faults::default());
    let site = individual_site(&server, 3, 1);
    // `script` (util-linux) runs herald on a pseudo-terminal.
    let command = format!(
        "{} --config {} --now 2013-10-01T12:00:00+02:00 digest",
        env!("CARGO_BIN_EXE_herald"),
        site.path().join("config.toml").display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .expect("`script` from util-linux runs commands on a terminal");
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
    let terminal = String::from_utf8_lossy(&out.stdout);
    assert!(terminal.contains("/3 messages"), "{terminal}");
    assert_eq!(server.received().len(), 3);
    // Without a terminal (every other test) there is no bar.
    let again = herald_at(
        &site,
        "2013-10-08T12:00:00+02:00",
        &["digest", "--week", "2013-W39"],
    );
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert_eq!(server.received().len(), 6);
    assert!(
        !stderr(&again).contains("/3 messages"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn a_week_has_one_spelling_and_every_other_is_refused_naming_the_flag() {
    let server = Server::start(Faults::default());
    let site = digest_site("to = [\"alla@example.se\"]", &smtp(server.port, 1));
    ok(&site.herald(&["digest", "--week", "2013-W40"]));
    assert_eq!(server.received().len(), 1);
    // The basic form is the same digest, already sent.
    let again = ok(&site.herald(&["digest", "--week", "2013W40"]));
    assert!(again.contains("digest 2013-W40 was completed"), "{again}");
    for spelling in [
        "2013-W040",
        "+2013-W+40",
        "2013-w40",
        "2013-W4",
        "02013-W40",
        " 2013-W40",
        "2013-W40-2",
        "2013-W54",
        "2013-W53",
        "2013-W00",
        "2013-40",
    ] {
        fails(
            &site.herald(&["digest", "--week", spelling]),
            2,
            &["--week", "not an ISO week"],
        );
    }
    assert_eq!(server.received().len(), 1, "no spelling sends it again");
}
