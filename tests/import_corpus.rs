//! The conformance run of `herald import feed` over real-world feeds: the
//! 2,106 test feeds of the Python feedparser project, kept in
//! `../shared/corpus/feedparser-tests/` beside the clone (not in it).
//!
//! Every file goes through `import feed`, then `check` and `build` when the
//! import succeeded, each run ended after 5 s. The run fails on any panic,
//! hang, import that `check` or `build` then refuses, post dated 1970-01-01,
//! or well-formed feed (`wellformed/`) with a dated entry that imports no
//! post; "dated" is judged by an independent parser (feed-rs). It prints a
//! table of outcomes per folder (the README shows it).
//!
//! Ignored by `cargo test`, as it takes minutes: `.ci/run` runs it with
//! `cargo test --test import_corpus -- --ignored --nocapture`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use common::import::Site;

const NOW: &str = "2026-07-30T12:00:00+02:00";
const LIMIT: Duration = Duration::from_secs(5);

/// What became of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Imported this many posts, which then checked and built.
    Imported(usize),
    /// Read, but no item could be imported (exit 2, "nothing to import").
    NoItem,
    /// Refused as bad input (exit 2), e.g. not well-formed.
    Refused,
    /// Something the run forbids.
    Failed(String),
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/feedparser-tests/tests")
}

fn files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, found);
        } else if path.extension().is_some_and(|e| e == "xml" || e == "json") {
            found.push(path);
        }
    }
}

/// Whether independent parsers find an entry with a date in `file`:
/// feed-rs, or (for Atom 0.3, which feed-rs does not read) an `item` or
/// `entry` element of roxmltree's with a date element among its children.
fn has_dated_entry(file: &Path) -> bool {
    let bytes = std::fs::read(file).unwrap();
    let by_feed_rs = feed_rs::parser::parse(bytes.as_slice()).is_ok_and(|feed| {
        feed.entries
            .iter()
            .any(|e| e.published.is_some() || e.updated.is_some())
    });
    let text = String::from_utf8_lossy(&bytes);
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let by_tree = roxmltree::Document::parse_with_options(&text, options).is_ok_and(|doc| {
        let dates = [
            "pubDate",
            "date",
            "published",
            "updated",
            "issued",
            "modified",
            "created",
        ];
        doc.descendants()
            .filter(|n| matches!(n.tag_name().name(), "item" | "entry"))
            .flat_map(|n| n.children())
            .any(|c| {
                dates.contains(&c.tag_name().name())
                    && c.text().is_some_and(|t| !t.trim().is_empty())
            })
    });
    by_feed_rs || by_tree
}

fn run_one(file: &Path, wellformed: bool) -> Outcome {
    let site = Site::new(NOW);
    let Some(import) = site.herald_within(&["import", "feed", file.to_str().unwrap()], LIMIT)
    else {
        return Outcome::Failed("import hung".into());
    };
    let err = String::from_utf8_lossy(&import.stderr).into_owned();
    if err.contains("panicked") {
        return Outcome::Failed(format!("import panicked: {err}"));
    }
    let outcome = match import.status.code() {
        Some(0) => imported(&site),
        Some(2) if err.contains("nothing to import") => Outcome::NoItem,
        Some(2) => Outcome::Refused,
        code => Outcome::Failed(format!("import exited with {code:?}: {err}")),
    };
    if wellformed
        && !matches!(outcome, Outcome::Imported(_) | Outcome::Failed(_))
        && has_dated_entry(file)
    {
        return Outcome::Failed(format!("a dated entry, but no post: {err}"));
    }
    outcome
}

/// Checks and builds the posts just imported into `site`.
fn imported(site: &Site) -> Outcome {
    let posts = site.posts();
    if let Some((name, _)) = posts
        .iter()
        .find(|(_, text)| text.contains("date = \"1970-01-01"))
    {
        return Outcome::Failed(format!("{name} is dated 1970-01-01"));
    }
    for command in ["check", "build"] {
        match site.herald_within(&[command], LIMIT) {
            None => return Outcome::Failed(format!("{command} hung")),
            Some(out) if !out.status.success() => {
                let err = String::from_utf8_lossy(&out.stderr).into_owned();
                return Outcome::Failed(format!("{command} refused the import: {err}"));
            }
            Some(_) => {}
        }
    }
    Outcome::Imported(posts.len())
}

/// Per folder: files, files imported, posts, no item, refused, failed.
type Row = [usize; 6];

fn table(outcomes: &[(String, Outcome)]) -> String {
    let mut rows: BTreeMap<&str, Row> = BTreeMap::new();
    for (folder, outcome) in outcomes {
        for key in [folder.as_str(), "all"] {
            let row = rows.entry(key).or_default();
            row[0] += 1;
            match outcome {
                Outcome::Imported(n) => {
                    row[1] += 1;
                    row[2] += n;
                }
                Outcome::NoItem => row[3] += 1,
                Outcome::Refused => row[4] += 1,
                Outcome::Failed(_) => row[5] += 1,
            }
        }
    }
    let all = rows.remove("all").unwrap_or_default();
    let mut out = String::from(
        "| folder | files | imported | posts | no item | refused | failed |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for (folder, row) in rows.iter().chain([(&"all", &all)]) {
        let cells: Vec<String> = row.iter().map(ToString::to_string).collect();
        out.push_str(&format!("| {folder} | {} |\n", cells.join(" | ")));
    }
    out
}

#[test]
#[ignore = "minutes long; .ci/run runs it when ../shared/corpus is there"]
fn every_corpus_feed_imports_faithfully_or_is_refused_cleanly() {
    let root = corpus();
    if !root.is_dir() {
        println!("corpus run skipped: {} is not there", root.display());
        return;
    }
    let mut all = Vec::new();
    files(&root, &mut all);
    all.sort();
    let next = AtomicUsize::new(0);
    let outcomes = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while let Some(file) = all.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let relative = file.strip_prefix(&root).unwrap();
                    let folder = relative.parent().unwrap().to_string_lossy().into_owned();
                    let outcome = run_one(file, folder.starts_with("wellformed"));
                    outcomes.lock().unwrap().push((
                        folder,
                        outcome,
                        relative.display().to_string(),
                    ));
                }
            });
        }
    });
    let outcomes = outcomes.into_inner().unwrap();
    let failures: Vec<String> = outcomes
        .iter()
        .filter_map(|(_, o, file)| match o {
            Outcome::Failed(why) => Some(format!("{file}: {why}")),
            _ => None,
        })
        .collect();
    let by_folder: Vec<(String, Outcome)> = outcomes.into_iter().map(|(f, o, _)| (f, o)).collect();
    println!("{}", table(&by_folder));
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
