//! End-to-end: one bad row of the recipients file never blocks the others.
//! A row that herald could not send to is refused when the file is loaded
//! (`recipients.csv:LINE: skipped: …`), and everyone else is served.

mod common;

use common::mail::{digest_site, smtp};
use common::smtp::{Faults, Server};
use common::{ok, Site};

/// An individual-mode site for `server` whose recipients file is `csv`.
fn site_with(server: &Server, csv: &str) -> Site {
    let site = digest_site(
        "recipients = \"recipients.csv\"\nmode = \"individual\"",
        &smtp(server.port, 1),
    );
    std::fs::write(site.path().join("recipients.csv"), csv).unwrap();
    site
}

/// The envelope recipients the server got, sorted.
fn served(server: &Server) -> Vec<String> {
    let mut got = server.recipients();
    got.sort();
    got
}

#[test]
fn a_row_with_a_line_break_or_control_character_is_skipped_and_the_others_served() {
    let csv = "email,name,avdelning\n\
        anna@example.se,Anna,Skola\n\
        \"bo@example.se\",\"Bo\nAndra raden\",IT\n\
        cilla@example.se,Cilla\u{1}X,IT\n\
        dan@example.se,Dan,\"Vård\rX\"\n\
        eva@example.se,Eva\u{7f},Vård\n\
        fia@example.se,Fia,Miljö\n";
    let server = Server::start(Faults::default());
    let site = site_with(&server, csv);

    // A dry run first: it must not panic either, and records nothing.
    let outbox = site.path().join("dry");
    let dry = ok(&site.herald(&["digest", "--outbox", outbox.to_str().unwrap()]));
    assert!(
        dry.contains("2 message(s) to 2 recipient(s)"),
        "dry run:\n{dry}"
    );

    let err = ok(&site.herald(&["digest"]));
    for line in [3, 5, 6, 7] {
        let expected = format!("recipients.csv:{line}: skipped: ");
        assert!(err.contains(&expected), "expected {expected:?} in:\n{err}");
    }
    assert!(err.contains("line break or control character"), "{err}");
    assert!(err.contains("2 sent, 0 failed"), "{err}");
    assert_eq!(served(&server), ["anna@example.se", "fia@example.se"]);
}

#[test]
fn an_address_the_transport_would_refuse_is_skipped_on_load_and_the_others_served() {
    let csv = "email,name,avdelning\n\
        anna@example.se,Anna,Skola\n\
        hugo@[127.0.0.1],Hugo,IT\n\
        fia@example.se,Fia,Miljö\n";
    let server = Server::start(Faults::default());
    let site = site_with(&server, csv);
    let err = ok(&site.herald(&["digest"]));
    assert!(
        err.contains("recipients.csv:3: skipped: `hugo@[127.0.0.1]` is not an email address"),
        "{err}"
    );
    assert!(err.contains("2 sent, 0 failed"), "{err}");
    assert_eq!(served(&server), ["anna@example.se", "fia@example.se"]);
    // And the next run has nothing left to do: no row is stuck.
    let again = ok(&site.herald(&["digest"]));
    assert!(again.contains("was completed"), "{again}");
}
