//! End-to-end tests of `herald import text`: the real corpus, hand-made
//! archives with each trap, and the rules about existing posts.

mod common;

use common::import::{corpus, expect, fixture, Site};

const NOW: &str = "2014-02-01T12:00:00+01:00";

fn body(post: &str) -> &str {
    post.splitn(3, "+++\n")
        .nth(2)
        .unwrap()
        .strip_prefix('\n')
        .unwrap()
}

#[test]
fn the_corpus_becomes_exactly_four_posts_with_their_paragraphs() {
    let site = Site::new(NOW);
    let (out, err) = expect(site.import("text", &corpus(), &[]), 0);
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
            .ends_with("of 4 in the file: 4 new, 0 replaced, 0 unchanged, 0 kept, 0 left out"),
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
    let site = Site::new(NOW);
    expect(site.import("text", &corpus(), &[]), 0);
    let before = site.posts();
    let (out, err) = expect(site.import("text", &corpus(), &[]), 0);
    assert_eq!(site.posts(), before);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("unchanged ")).count(),
        4,
        "{out}"
    );
    assert!(err.contains("nothing new: 4 posts from"), "{err}");
}

#[test]
fn dry_run_lists_and_writes_nothing() {
    let site = Site::new(NOW);
    let (out, err) = expect(site.import("text", &corpus(), &["--dry-run"]), 0);
    assert!(site.posts().is_empty());
    assert!(
        out.contains("new       ") && out.contains("2013-09-06-dagarna-flyger-ivag.md"),
        "{out}"
    );
    assert!(
        err.contains("dry run: would import 4 posts") && err.contains("nothing was written"),
        "{err}"
    );
}

#[test]
fn changed_posts_are_kept_unless_overwrite() {
    let site = Site::new(NOW);
    expect(site.import("text", &corpus(), &[]), 0);
    let path = site
        .path("posts")
        .join("2013-09-20-idag-har-vi-haft-utbildning-i-plenisalen.md");
    let original = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{original}\nTillägg.\n")).unwrap();
    let (out, err) = expect(site.import("text", &corpus(), &[]), 0);
    assert!(out.contains("kept      "), "{out}");
    assert!(
        err.contains("differs from the import; kept (--overwrite replaces it)"),
        "{err}"
    );
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .ends_with("Tillägg.\n"));
    let (out, _) = expect(site.import("text", &corpus(), &["--overwrite"]), 0);
    assert!(out.contains("replaced  "), "{out}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
}

#[test]
fn a_post_with_another_id_is_never_replaced() {
    let site = Site::new(NOW);
    std::fs::create_dir(site.path("posts")).unwrap();
    let mine =
        "+++\ntitle = \"Min egen\"\ndate = \"2013-09-06\"\nid = \"urn:min\"\n+++\n\nEgen text.\n";
    std::fs::write(
        site.path("posts").join("2013-09-06-dagarna-flyger-ivag.md"),
        mine,
    )
    .unwrap();
    expect(site.import("text", &corpus(), &["--overwrite"]), 0);
    let posts = site.posts();
    assert_eq!(posts["2013-09-06-dagarna-flyger-ivag.md"], mine);
    assert!(posts["2013-09-06-dagarna-flyger-ivag-2.md"].contains(":dagarna-flyger-ivag-2\""));
    expect(site.herald(&["check"]), 0);
}

#[test]
fn a_post_with_the_same_id_is_the_same_post() {
    // Without an `id` key a post's id is made from its date and slug, as the import's are.
    let site = Site::new(NOW);
    std::fs::create_dir(site.path("posts")).unwrap();
    let mine = "+++\ntitle = \"Min egen\"\ndate = \"2013-09-06\"\n+++\n\nEgen text.\n";
    std::fs::write(
        site.path("posts").join("2013-09-06-dagarna-flyger-ivag.md"),
        mine,
    )
    .unwrap();
    let (out, _) = expect(site.import("text", &corpus(), &[]), 0);
    assert!(out.starts_with("kept      "), "{out}");
    assert_eq!(site.posts().len(), 4);
    assert_eq!(site.posts()["2013-09-06-dagarna-flyger-ivag.md"], mine);
}

#[test]
fn every_trap_in_a_hand_made_archive() {
    let site = Site::new(NOW);
    let (_, err) = expect(site.import("text", &fixture("traps.txt"), &[]), 0);
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
    let site = Site::new(NOW);
    let into = site.dir.path().join("arkiv");
    expect(
        site.import(
            "text",
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
    let site = Site::new(NOW);
    let none = site.dir.path().join("inga-rubriker.txt");
    std::fs::write(
        &none,
        "Bara text.\nVi ses på torsdag 16 januari 2014 kl 16.\n",
    )
    .unwrap();
    let (_, err) = expect(site.import("text", &none, &[]), 2);
    assert!(
        err.contains("no date heading such as `fredag 27 september 2013` starts a post"),
        "{err}"
    );
    let (_, err) = expect(site.import("text", &fixture("latin1.txt"), &[]), 2);
    assert!(err.contains("latin1.txt:3: the file is not UTF-8"), "{err}");
    let (_, err) = expect(
        site.import("text", &site.dir.path().join("saknas.txt"), &[]),
        1,
    );
    assert!(err.contains("cannot read"), "{err}");
    assert!(!site.path("posts").exists());
}
