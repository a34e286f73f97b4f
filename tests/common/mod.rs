//! Shared helpers for end-to-end tests: small fixture sites in temporary
//! folders and a way to run the real `herald` binary on them.
#![allow(dead_code)] // each test file uses a different subset

pub mod browser;
pub mod images;
pub mod import;
pub mod mail;
pub mod pg;
pub mod serve;
pub mod smtp;
pub mod tls;
pub mod token;
pub mod xsd;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fixed clock used by every end-to-end test.
pub const NOW: &str = "2013-10-01T12:00:00+02:00";

/// A fixture site in a temporary folder.
pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    /// A site with `config.toml` made of the standard `[site]` table plus `extra`.
    pub fn new(extra: &str) -> Site {
        Site::with_site_keys("", extra)
    }

    /// [`Site::new`] with `site_keys` (lines) added to the `[site]` table.
    pub fn with_site_keys(site_keys: &str, extra: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let config = format!(
            "[site]\ntitle = \"Testbloggen\"\ndescription = \"Prov\"\nbase_url = \"https://example.se/blogg/\"\nlanguage = \"sv\"\n{site_keys}\n[site.author]\nname = \"Kommunchefen\"\nemail = \"kc@example.se\"\n{extra}"
        );
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        std::fs::create_dir(dir.path().join("posts")).unwrap();
        Site { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `posts/<name>` with the given raw bytes.
    pub fn raw_post(&self, name: &str, bytes: &[u8]) -> &Self {
        std::fs::write(self.path().join("posts").join(name), bytes).unwrap();
        self
    }

    /// Writes `posts/<name>` with front matter `front` and Markdown `body`.
    pub fn post(&self, name: &str, front: &str, body: &str) -> &Self {
        self.raw_post(name, format!("+++\n{front}\n+++\n\n{body}").as_bytes())
    }

    /// Writes the post folder `posts/<name>/`: `index.md` with front matter
    /// `front` and Markdown `body`, and `files` beside it.
    pub fn bundle(&self, name: &str, front: &str, body: &str, files: &[(&str, &[u8])]) -> &Self {
        let folder = self.path().join("posts").join(name);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("index.md"),
            format!("+++\n{front}\n+++\n\n{body}"),
        )
        .unwrap();
        for (file, bytes) in files {
            std::fs::write(folder.join(file), bytes).unwrap();
        }
        self
    }

    /// Runs herald with `--config <site>/config.toml --now NOW` and `args`.
    pub fn herald(&self, args: &[&str]) -> Output {
        herald(&self.path().join("config.toml"), args)
    }

    /// Runs herald like [`Site::herald`] with these environment variables set.
    pub fn herald_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        command(&self.path().join("config.toml"), args)
            .envs(env.iter().copied())
            .output()
            .unwrap()
    }

    pub fn output(&self) -> PathBuf {
        self.path().join("public")
    }
}

/// A copy of the example site (the repository root: `config.toml`, `posts/`
/// with their folders, `pages/` and `static/` when there) in a temporary folder, so that a command that writes
/// beside the config (the digest's ledger and outbox) leaves the repository alone.
pub fn example_site() -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root.join("config.toml"), dir.path().join("config.toml")).unwrap();
    for folder in ["posts", "pages", "static"] {
        if !root.join(folder).is_dir() {
            continue;
        }
        for (name, bytes) in tree(&root.join(folder)) {
            let to = dir.path().join(folder).join(name);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::write(to, bytes).unwrap();
        }
    }
    dir
}

/// Runs the real binary with `config` and the fixed clock.
pub fn herald(config: &Path, args: &[&str]) -> Output {
    command(config, args).output().unwrap()
}

/// The real binary with `config`, the fixed clock and `args`, to run.
pub fn command(config: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
    command
        .arg("--config")
        .arg(config)
        .args(["--now", NOW])
        .args(args);
    command
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts success and returns stderr.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "herald failed: {}\n{}",
        out.status,
        stderr(out)
    );
    stderr(out)
}

/// Every file below `dir`, by relative path, with its bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(root, &path, files);
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(rel, std::fs::read(&path).unwrap());
        }
    }
}

/// Parses a feed with `feed-rs`, an independent parser.
pub fn parse_feed(bytes: &[u8]) -> feed_rs::model::Feed {
    feed_rs::parser::parse(bytes).unwrap_or_else(|e| panic!("feed-rs rejects the feed: {e}"))
}

/// Checks that `bytes` is well-formed XML and returns its text.
pub fn well_formed(name: &str, bytes: &[u8]) -> String {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|_| panic!("{name} is not UTF-8"));
    if let Err(e) = roxmltree::Document::parse(text) {
        panic!("{name} is not well-formed XML: {e}\n{text}");
    }
    text.to_string()
}

/// Whether XML 1.0 forbids `c`, or HTML calls it a parse error in its input
/// stream (controls other than whitespace, noncharacters): written here
/// independently of herald's own rule.
pub fn unfit(c: char) -> bool {
    let n = u32::from(c);
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || (0xfdd0..=0xfdef).contains(&n)
        || n & 0xfffe == 0xfffe
}

/// Parses `bytes` as an HTML document with html5ever (through `scraper`),
/// failing the test on any parse error or unfit character.
pub fn well_formed_html(name: &str, bytes: &[u8]) -> scraper::Html {
    parse_html(name, bytes, true)
}

/// Parses `bytes` as an HTML document with html5ever (through `scraper`),
/// failing the test on an unfit character or a parse error about characters
/// (a reference to an unfit one); with `structure`, on any parse error. (A
/// post's raw HTML reaches its page as written, so a stray `</p>` of the
/// author's is a structure error that herald does not mend.)
pub fn parse_html(name: &str, bytes: &[u8], structure: bool) -> scraper::Html {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|_| panic!("{name} is not UTF-8"));
    let html = scraper::Html::parse_document(text);
    let errors: Vec<_> = html
        .errors
        .iter()
        .filter(|e| structure || e.starts_with("Invalid numeric") || e.starts_with("Bad character"))
        .collect();
    assert!(
        errors.is_empty(),
        "{name} has HTML parse errors: {errors:?}"
    );
    assert!(!text.contains(unfit), "{name} holds an unfit character");
    html
}

/// Every built file parses strictly: XML with roxmltree and feed-rs (the
/// sitemap with roxmltree only), HTML
/// without parse errors, JSON with serde_json; none holds an unfit character.
pub fn assert_well_formed_site(files: &BTreeMap<String, Vec<u8>>) {
    assert_site(files, true);
}

/// [`assert_well_formed_site`], with HTML structure errors allowed unless
/// `structure` (see [`parse_html`]).
pub fn assert_site(files: &BTreeMap<String, Vec<u8>>, structure: bool) {
    for (name, bytes) in files {
        if name.ends_with(".xml") {
            let text = well_formed(name, bytes);
            assert!(!text.contains(unfit), "{name} holds an unfit character");
            // The sitemap is XML but no feed (tests/pages.rs checks it).
            if !name.starts_with("sitemap") {
                parse_feed(bytes);
            }
        } else if name.ends_with(".html") {
            parse_html(name, bytes, structure);
        } else if name.ends_with(".json") {
            let value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            assert!(!json_has_unfit(&value), "{name}: {value}");
        }
    }
}

fn json_has_unfit(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains(unfit),
        serde_json::Value::Array(items) => items.iter().any(json_has_unfit),
        serde_json::Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.contains(unfit) || json_has_unfit(v)),
        _ => false,
    }
}

/// A lock on `path` (as herald takes it: `flock`) held by another process
/// until dropped. Not by the test process itself: a child that another test
/// thread forks at that moment would inherit the lock and hold it on for a
/// while after the test released its own copy.
pub struct HeldLock(std::process::Child);

impl HeldLock {
    /// Holds the lock on `path` (created if missing) once this returns.
    pub fn on(path: &Path) -> HeldLock {
        use std::io::BufRead;
        use std::process::Stdio;
        // `-o`: only flock itself holds the lock, not its command, which
        // waits for the end of its input: closing that ends both.
        let mut child = Command::new("flock")
            .arg("-o")
            .arg(path)
            .args(["-c", "echo held; exec cat >/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("flock (util-linux) runs");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "held", "flock took {}", path.display());
        HeldLock(child)
    }
}

impl Drop for HeldLock {
    /// Returns once the lock is free.
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        let _ = self.0.wait();
    }
}
