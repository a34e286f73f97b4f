//! End-to-end tests of `herald import text`: the real corpus, hand-made
//! archives with each trap, and the rules about existing posts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A site in a temporary folder, with the example site's host and author.
struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let config = "[site]\ntitle = \"Kommunchefens blogg\"\nbase_url = \"https://kommunchefen.example.se/\"\n\n[site.author]\nname = \"Kommunchefen\"\n";
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        Site { dir }
    }

    fn herald(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_herald"))
            .arg("--config")
            .arg(self.dir.path().join("config.toml"))
            .args(["--now", "2014-02-01T12:00:00+01:00"])
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs `herald import text FILE args...`.
    fn import(&self, file: &Path, args: &[&str]) -> Output {
        let file = file.to_str().unwrap();
        self.herald(&[&["import", "text", file], args].concat())
    }

    fn posts_dir(&self) -> PathBuf {
        self.dir.path().join("posts")
    }

    /// Every file in `posts/`: name → text.
    fn posts(&self) -> BTreeMap<String, String> {
        let Ok(entries) = std::fs::read_dir(self.posts_dir()) else {
            return BTreeMap::new();
        };
        entries
            .map(|e| e.unwrap().path())
            .map(|p| {
                (
                    p.file_name().unwrap().to_str().unwrap().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                )
            })
            .collect()
    }
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/kommunchefens-blogg-2013-09.txt")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs the command, asserts its exit code, returns (stdout, stderr).
fn expect(output: Output, code: i32) -> (String, String) {
    let (out, err) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{out}\nstderr:\n{err}"
    );
    (out, err)
}

fn body(post: &str) -> &str {
    post.splitn(3, "+++\n")
        .nth(2)
        .unwrap()
        .strip_prefix('\n')
        .unwrap()
}

#[test]
fn the_corpus_becomes_exactly_four_posts_with_their_paragraphs() {
    let site = Site::new();
    let (out, err) = expect(site.import(&corpus(), &[]), 0);
    let posts = site.posts();
    let names: Vec<&str> = posts.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "2013-09-06-dagarna-flyger-ivag.md",
            "2013-09-13-jag-har-precis-kommit-hem-fran-tranas-dar-vi-startat-upp.md",
            "2013-09-20-idag-har-vi-haft-utbildning-i-plenisalen.md",
            "2013-09-27-i-tisdags-invigdes-lundens-forskola-den-naturligt.md",
        ]
    );
    for (name, post) in &posts {
        let expected =
            std::fs::read_to_string(fixture(&format!("corpus-bodies/{}.md", &name[..10]))).unwrap();
        assert_eq!(body(post), expected, "{name}");
    }
    assert!(posts["2013-09-27-i-tisdags-invigdes-lundens-forskola-den-naturligt.md"].starts_with(
        "+++\ntitle = \"I tisdags invigdes Lundens förskola ”Den naturligt…\"\ndate = \"2013-09-27\"\nid = \"tag:kommunchefen.example.se,2013-09-27:i-tisdags-invigdes-lundens-forskola-den-naturligt\"\n+++\n\n"
    ));
    assert_eq!(
        out.lines().filter(|l| l.starts_with("new ")).count(),
        4,
        "{out}"
    );
    assert!(
        err.trim_end()
            .ends_with("4 new, 0 replaced, 0 unchanged, 0 kept"),
        "{err}"
    );
    assert!(
        !err.contains("warning"),
        "the corpus has no surprises: {err}"
    );
    expect(site.herald(&["check"]), 0);
}

#[test]
fn a_second_import_creates_nothing_and_says_so() {
    let site = Site::new();
    expect(site.import(&corpus(), &[]), 0);
    let before = site.posts();
    let (out, err) = expect(site.import(&corpus(), &[]), 0);
    assert_eq!(site.posts(), before);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("unchanged ")).count(),
        4,
        "{out}"
    );
    assert!(err.contains("nothing new: all 4 posts from"), "{err}");
}

#[test]
fn dry_run_lists_and_writes_nothing() {
    let site = Site::new();
    let (out, err) = expect(site.import(&corpus(), &["--dry-run"]), 0);
    assert!(site.posts().is_empty());
    assert!(
        out.contains("new       ") && out.contains("2013-09-06-dagarna-flyger-ivag.md"),
        "{out}"
    );
    assert!(
        err.contains("dry run: 4 posts") && err.contains("nothing was written"),
        "{err}"
    );
}

#[test]
fn changed_posts_are_kept_unless_overwrite() {
    let site = Site::new();
    expect(site.import(&corpus(), &[]), 0);
    let path = site
        .posts_dir()
        .join("2013-09-20-idag-har-vi-haft-utbildning-i-plenisalen.md");
    let original = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{original}\nTillägg.\n")).unwrap();
    let (out, err) = expect(site.import(&corpus(), &[]), 0);
    assert!(out.contains("kept      "), "{out}");
    assert!(
        err.contains("differs from the import; kept (--overwrite replaces it)"),
        "{err}"
    );
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .ends_with("Tillägg.\n"));
    let (out, _) = expect(site.import(&corpus(), &["--overwrite"]), 0);
    assert!(out.contains("replaced  "), "{out}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
}

#[test]
fn a_post_with_another_id_is_never_replaced() {
    let site = Site::new();
    std::fs::create_dir(site.posts_dir()).unwrap();
    let mine =
        "+++\ntitle = \"Min egen\"\ndate = \"2013-09-06\"\nid = \"urn:min\"\n+++\n\nEgen text.\n";
    std::fs::write(
        site.posts_dir().join("2013-09-06-dagarna-flyger-ivag.md"),
        mine,
    )
    .unwrap();
    expect(site.import(&corpus(), &["--overwrite"]), 0);
    let posts = site.posts();
    assert_eq!(posts["2013-09-06-dagarna-flyger-ivag.md"], mine);
    assert!(posts["2013-09-06-dagarna-flyger-ivag-2.md"].contains(":dagarna-flyger-ivag-2\""));
    expect(site.herald(&["check"]), 0);
}

#[test]
fn a_post_with_the_same_id_is_the_same_post() {
    // Without an `id` key a post's id is made from its date and slug, as the import's are.
    let site = Site::new();
    std::fs::create_dir(site.posts_dir()).unwrap();
    let mine = "+++\ntitle = \"Min egen\"\ndate = \"2013-09-06\"\n+++\n\nEgen text.\n";
    std::fs::write(
        site.posts_dir().join("2013-09-06-dagarna-flyger-ivag.md"),
        mine,
    )
    .unwrap();
    let (out, _) = expect(site.import(&corpus(), &[]), 0);
    assert!(out.starts_with("kept      "), "{out}");
    assert_eq!(site.posts().len(), 4);
    assert_eq!(site.posts()["2013-09-06-dagarna-flyger-ivag.md"], mine);
}

#[test]
fn every_trap_in_a_hand_made_archive() {
    let site = Site::new();
    let (_, err) = expect(site.import(&fixture("traps.txt"), &[]), 0);
    let posts = site.posts();
    let dates: Vec<&str> = posts.keys().map(|n| &n[..10]).collect();
    assert_eq!(
        dates,
        ["2014-01-02", "2014-01-03", "2014-01-09", "2014-01-13"],
        "{posts:#?}"
    );
    let monday = &posts["2014-01-13-vi-ses-pa-torsdag-16-januari-2014-kl-16.md"];
    assert_eq!(
        body(monday),
        "Vi ses på torsdag 16 januari 2014 kl 16. Då blir det fika i Plenisalen.\\\n\
         Anmäl dig senast torsdag 16 januari 2014 till mig.\n\n\
         Läs mer på <https://www.vimmerby.se/kommun_info> och [www.natkom.se](http://www.natkom.se).\\\n\
         \\- vi ser fram emot det\\\n\
         5 \\* 3 = 15 och \\<b>inte fet\\</b> \\[sic\\]\n"
    );
    assert_eq!(
        body(&posts["2014-01-09-ett-nytt-ar-har-borjat.md"]),
        "Ett nytt år har börjat.\n"
    );
    assert_eq!(
        body(&posts["2014-01-03-english-entries-work-too.md"]),
        "English entries work too.\n"
    );
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines[0].ends_with("traps.txt:8: `torsdag 16 januari 2014` reads as part of a sentence, so it does not start a new post"), "{err}");
    assert!(lines[1].ends_with("traps.txt:20: heading `tisdag 2 januari 2014`: 2014-01-02 is a torsdag, not a tisdag; the date is used"), "{err}");
    assert!(lines[2].ends_with("traps.txt:1: 1 line(s) before the first date heading are not part of any post; left out"), "{err}");
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("warning: ") || l.starts_with("imported ")),
        "{err}"
    );
    expect(site.herald(&["check"]), 0);
}

#[test]
fn titles_from_the_date_heading_and_into_another_folder() {
    let site = Site::new();
    let into = site.dir.path().join("arkiv");
    expect(
        site.import(
            &corpus(),
            &["--title", "date", "--into", into.to_str().unwrap()],
        ),
        0,
    );
    assert!(
        site.posts().is_empty(),
        "the configured posts folder is untouched"
    );
    let post =
        std::fs::read_to_string(into.join("2013-09-20-fredag-20-september-2013.md")).unwrap();
    assert!(
        post.starts_with("+++\ntitle = \"fredag 20 september 2013\"\n"),
        "{post}"
    );
}

#[test]
fn bad_archives_are_bad_input_and_write_nothing() {
    let site = Site::new();
    let none = site.dir.path().join("inga-rubriker.txt");
    std::fs::write(
        &none,
        "Bara text.\nVi ses på torsdag 16 januari 2014 kl 16.\n",
    )
    .unwrap();
    let (_, err) = expect(site.import(&none, &[]), 2);
    assert!(
        err.contains("no date heading such as `fredag 27 september 2013` starts a post"),
        "{err}"
    );
    let (_, err) = expect(site.import(&fixture("latin1.txt"), &[]), 2);
    assert!(err.contains("latin1.txt:3: the file is not UTF-8"), "{err}");
    let (_, err) = expect(site.import(&site.dir.path().join("saknas.txt"), &[]), 1);
    assert!(err.contains("cannot read"), "{err}");
    assert!(!site.posts_dir().exists());
}
