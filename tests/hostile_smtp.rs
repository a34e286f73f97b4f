//! End-to-end: a hostile or broken SMTP server cannot hold herald past
//! `timeout_seconds` per command, grow its memory without bound, or get the
//! password it echoes printed, reported or stored in the ledger.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use common::mail::{digest_site, fails, herald_at};
use common::smtp::{Faults, Server};
use common::Site;

/// The most a hostile server writes before it gives up (the test stays bounded).
const CAP: usize = 64 << 20;

/// A one-connection server on 127.0.0.1 that greets, then lets `misbehave`
/// write to the client; returns its port and how many bytes it wrote.
fn hostile(misbehave: fn(&mut TcpStream, &AtomicUsize)) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let written = Arc::new(AtomicUsize::new(0));
    let count = written.clone();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            misbehave(&mut stream, &count);
        }
    });
    (port, written)
}

/// A group site sending to 127.0.0.1:`port` with `timeout_seconds = 2` and no retries.
fn site_for(port: u16) -> Site {
    digest_site(
        "to = [\"alla@example.se\"]",
        &format!("retries = 0\n\n[delivery.smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\ntimeout_seconds = 2\n"),
    )
}

#[test]
fn an_endless_reply_line_fails_fast_without_growing_memory() {
    let (port, written) = hostile(|stream, written| {
        let chunk = [b'x'; 64 * 1024];
        let _ = stream.write_all(b"220 ");
        while written.load(Ordering::SeqCst) < CAP && stream.write_all(&chunk).is_ok() {
            written.fetch_add(chunk.len(), Ordering::SeqCst);
        }
    });
    let out = site_for(port).herald(&["digest"]);
    fails(
        &out,
        75,
        &["the server sent a reply line longer than 1000 bytes"],
    );
    let read = written.load(Ordering::SeqCst);
    assert!(
        read < CAP,
        "herald kept reading the endless line: {read} bytes"
    );
}

#[test]
fn a_reply_trickled_byte_by_byte_fails_after_timeout_seconds() {
    let (port, _) = hostile(|stream, _| {
        let _ = stream.write_all(b"220 test.local ESMTP\r\n");
        let mut ehlo = String::new();
        let _ = BufReader::new(stream.try_clone().unwrap()).read_line(&mut ehlo);
        // One byte every half second, each well within the socket timeout;
        // bounded to two minutes.
        for _ in 0..240 {
            if stream.write_all(b"2").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    });
    // Only the deadline for the whole reply ends this: each byte comes well
    // within the socket timeout, and the server trickles for two minutes.
    let out = site_for(port).herald(&["digest"]);
    fails(
        &out,
        75,
        &["the server did not answer within timeout_seconds = 2"],
    );
}

#[test]
fn a_reply_that_echoes_the_password_is_redacted_everywhere() {
    const PASSWORD: &str = "Sommar-2013-hemligt";
    let encoded = base64::engine::general_purpose::STANDARD.encode(PASSWORD);
    let server = Server::start(Faults {
        echo_password: true,
        ..Faults::default()
    });
    let site = digest_site(
        "to = [\"alla@example.se\"]",
        &format!("[delivery.smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nusername = \"veckobrev@example.se\"\npassword_env = \"HERALD_TEST_PASSWORD\"\ntimeout_seconds = 5\n", server.port),
    );
    let report = site.path().join("report.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .arg("--config")
        .arg(site.path().join("config.toml"))
        .args(["--now", "2013-10-04T15:00:00+02:00", "run", "--report"])
        .arg(&report)
        .env("HERALD_TEST_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    fails(&out, 1, &["535", "bad credentials [redacted]"]);
    let status = herald_at(&site, "2013-10-04T15:00:00+02:00", &["status", "--json"]);
    // The SQLite file and its journal, whatever is in them.
    let ledger: Vec<u8> = std::fs::read_dir(site.path().join("state"))
        .unwrap()
        .flat_map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    let places = [
        ("stderr", out.stderr.clone()),
        ("stdout", out.stdout.clone()),
        ("--report", std::fs::read(&report).unwrap()),
        ("status --json", status.stdout.clone()),
        ("the ledger", ledger),
    ];
    for (place, bytes) in places {
        let text = String::from_utf8_lossy(&bytes);
        for secret in [PASSWORD, &encoded] {
            assert!(!text.contains(secret), "{place} holds {secret}:\n{text}");
        }
    }
    assert!(server.received().is_empty());
}
