//! Helpers for the digest tests: a fixture site with posts and recipients,
//! and reading messages back with an independent MIME parser (`mail-parser`).

use std::process::Output;

use mail_parser::{Message, MessageParser};

use super::Site;

/// A site whose posts make a digest for the test clock's week (2013-W40):
/// two new posts (one with a relative link, `&` and å/ä/ö), one too old, one draft.
pub fn digest_site(digest: &str, delivery: &str) -> Site {
    let site = Site::new(&format!(
        "\n[digest]\nfrom = \"Kommunchefen <kommunchefen@example.se>\"\nreply_to = \"Kommunikation <kommunikation@example.se>\"\nstate = \"state/state.db\"\n{digest}\n\n[delivery]\nretry_delay = 0.05\n{delivery}\n"
    ));
    site.post(
        "2013-09-27-lunden.md",
        "title = \"Lundens förskola invigd\"\ndate = \"2013-09-27\"\nid = \"tag:example.se,2013-09-27:lunden\"\ntags = [\"förskola\"]",
        "I tisdags invigdes Lundens förskola. Se [bilderna](bilder/) & [kartan](/karta/).\n\nÅ, ä och ö – \"citat\" <3.\n",
    );
    site.post(
        "2013-09-30-radhuset.md",
        "title = \"Rådhuset & torget\"\ndate = \"2013-09-30 15:00\"\nsummary = \"Om torget & rådhuset.\"",
        "Torget får nya bänkar.\n\n<!-- more -->\n\nMer om bänkarna.\n",
    );
    site.post(
        "2013-09-01-gammal.md",
        "title = \"Gammal\"\ndate = \"2013-09-01\"",
        "För gammal.\n",
    );
    site.post(
        "2013-09-29-utkast.md",
        "title = \"Utkast\"\ndate = \"2013-09-29\"\ndraft = true",
        "Utkast.\n",
    );
    site
}

/// Writes `recipients.csv` with a header and these rows.
pub fn recipients(site: &Site, rows: &[&str]) {
    let mut text = String::from("email,name,avdelning\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    std::fs::write(site.path().join("recipients.csv"), text).unwrap();
}

/// `n` recipients `person<i>@example.se`, named `Person <i>`.
pub fn people(n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| format!("person{i}@example.se,Person {i},Avd {i}"))
        .collect()
}

/// A digest site in individual mode for `n` people, sending to `server`.
pub fn individual_site(server: &super::smtp::Server, n: usize, connections: usize) -> Site {
    let site = digest_site(
        "recipients = \"recipients.csv\"\nmode = \"individual\"",
        &smtp(server.port, connections),
    );
    recipients(
        &site,
        &people(n).iter().map(String::as_str).collect::<Vec<_>>(),
    );
    site
}

/// A port on 127.0.0.1 where nothing accepts connections, for as long as
/// it lives: a socket is bound to it (so no other test's server can get the
/// port) but never listens, so a connection is refused at once.
pub struct ClosedPort {
    _socket: socket2::Socket,
    pub port: u16,
}

pub fn closed_port() -> ClosedPort {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
    socket.bind(&any.into()).unwrap();
    let port = socket.local_addr().unwrap().as_socket().unwrap().port();
    ClosedPort {
        _socket: socket,
        port,
    }
}

/// `[delivery.smtp]` for the plain test server on `port`.
pub fn smtp(port: u16, connections: usize) -> String {
    format!("[delivery.smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nconnections = {connections}\ntimeout_seconds = 5\n")
}

/// Points the site's SMTP settings from port `from` to port `to` (another
/// test server, or a port where nothing listens).
pub fn repoint(site: &Site, from: u16, to: u16) {
    let path = site.path().join("config.toml");
    let config = std::fs::read_to_string(&path).unwrap();
    let moved = config.replace(&format!("port = {from}\n"), &format!("port = {to}\n"));
    assert_ne!(config, moved, "the config names port {from}");
    std::fs::write(path, moved).unwrap();
}

/// The `.eml` files in `dir` (an outbox folder), in name order.
pub fn eml_files(dir: &std::path::Path) -> Vec<Vec<u8>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// Parses a message, failing the test if it is not MIME.
pub fn parse(bytes: &[u8]) -> Message<'_> {
    MessageParser::default()
        .parse(bytes)
        .expect("mail-parser reads the message")
}

/// The raw value of header `name` (first occurrence), unfolded.
pub fn raw_header(bytes: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
    })
}

/// Exit code of a finished run.
pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exited, not killed")
}

/// Asserts that a run exited with `expected` and said each of `texts` on stderr.
pub fn fails(out: &Output, expected: i32, texts: &[&str]) {
    let said = super::stderr(out);
    assert_eq!(code(out), expected, "{said}");
    for text in texts {
        assert!(said.contains(text), "expected {text:?} in:\n{said}");
    }
}

/// Runs the real binary on `site` with the clock at `now` instead of [`super::NOW`].
pub fn herald_at(site: &Site, now: &str, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .arg("--config")
        .arg(site.path().join("config.toml"))
        .args(["--now", now])
        .args(args)
        .output()
        .unwrap()
}
