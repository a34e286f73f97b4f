//! End-to-end tests of `herald import feed`: RSS and Atom files from other
//! blogs, and the feeds `herald build` writes (import → build → the same ids).

mod common;

use std::path::Path;

use common::import::{corpus, expect, fixture, Site};

const NOW: &str = "2013-10-31T12:00:00+01:00";

/// (id, title, date) of every item of an RSS file.
fn rss_items(path: &Path) -> Vec<(String, String, String)> {
    let channel = rss::Channel::read_from(std::fs::read(path).unwrap().as_slice()).unwrap();
    let item = |i: &rss::Item| {
        let id = i.guid().unwrap().value().to_string();
        (
            id,
            i.title().unwrap().to_string(),
            i.pub_date().unwrap().to_string(),
        )
    };
    channel.items().iter().map(item).collect()
}

/// (id, title, published) of every entry of an Atom file.
fn atom_entries(path: &Path) -> Vec<(String, String, String)> {
    let feed = atom_syndication::Feed::read_from(std::fs::read(path).unwrap().as_slice()).unwrap();
    let entry = |e: &atom_syndication::Entry| {
        (
            e.id().to_string(),
            e.title().to_string(),
            e.published().unwrap().to_rfc3339(),
        )
    };
    feed.entries().iter().map(entry).collect()
}

#[test]
fn an_rss_feed_keeps_guids_dates_authors_and_tags() {
    let site = Site::new(NOW);
    let (out, err) = expect(site.import("feed", &fixture("old-blog.rss"), &[]), 0);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(
        err.ends_with("of 2 in the file: 2 new, 0 replaced, 0 unchanged, 0 kept, 0 left out\n"),
        "{err}"
    );
    let posts = site.posts();
    let budget = &posts["2013-10-04-budget-bokslut.md"];
    assert!(budget.starts_with(
        "+++\ntitle = \"Budget & bokslut\"\ndate = \"2013-10-04T16:30:00+02:00\"\nid = \"https://gamla.vimmerby.example.se/blogg/?p=412\"\nauthor = \"Ekonomichefen\"\ntags = [\"Ekonomi\", \"Budget\"]\n+++\n\n"
    ), "{budget}");
    assert!(budget.contains("Veckan har handlat om **budget** och *bokslut*.\n\n- Driftbudget\n- Investeringar, se [vimmerby.se](https://www.vimmerby.se/budget)\n"), "{budget}");
    assert!(
        budget.contains("<th colspan=\"2\">Nyckeltal</th>"),
        "a spanning cell stays HTML: {budget}"
    );
    let film = &posts["2013-10-01-film-fran-invigningen.md"];
    assert!(
        !film.contains("author ="),
        "the site's own author is not repeated: {film}"
    );
    assert!(film.contains("\n<iframe src=\"https://video.example.se/lunden\" width=\"560\" height=\"315\"></iframe>\n"), "{film}");
    assert!(
        film.contains("H<sub>2</sub>O och 10<sup>3</sup> barn."),
        "{film}"
    );
    expect(site.herald(&["check"]), 0);
    let (_, err) = expect(site.import("feed", &fixture("old-blog.rss"), &[]), 0);
    assert!(
        err.contains("nothing new: 2 posts from ") && err.contains("are already in"),
        "{err}"
    );
}

#[test]
fn an_atom_feed_keeps_ids_and_both_dates() {
    let site = Site::new(NOW);
    expect(site.import("feed", &fixture("old-blog.atom"), &[]), 0);
    let posts = site.posts();
    assert_eq!(
        posts["2013-10-11-ledarforum-i-oktober.md"],
        "+++\ntitle = \"Ledarforum i oktober\"\ndate = \"2013-10-11T15:45:00+02:00\"\nupdated = \"2013-10-12T10:00:00+02:00\"\nid = \"tag:blogger.com,1999:blog-7741.post-9001\"\ntags = [\"ledarskap\", \"Lotsarbete\"]\n+++\n\nIdag hade vi **ledarforum**.\\\nTema: lotsarbete.\n\n> Ett citat.\n"
    );
    let evening = &posts["2013-10-08-kvallsmote-i-plenisalen.md"];
    assert!(
        evening.contains(
            "title = \"Kvällsmöte i Plenisalen\"\ndate = \"2013-10-08T19:00:00+00:00\"\n"
        ),
        "{evening}"
    );
    assert!(
        evening.contains("author = \"Anna Andersson\"\n"),
        "{evening}"
    );
    assert!(
        evening.ends_with("+++\n\nVi ses *klockan sju*.\n"),
        "{evening}"
    );
    expect(site.herald(&["check"]), 0);
}

#[test]
fn dry_run_and_bad_feeds_write_nothing() {
    let site = Site::new(NOW);
    let (out, err) = expect(
        site.import("feed", &fixture("old-blog.atom"), &["--dry-run"]),
        0,
    );
    assert_eq!(
        out.lines().filter(|l| l.starts_with("new ")).count(),
        2,
        "{out}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    let (_, err) = expect(site.import("feed", &fixture("traps.txt"), &[]), 2);
    assert!(
        err.contains("traps.txt: neither RSS, Atom nor JSON Feed"),
        "{err}"
    );
    let broken = site.path("broken.xml");
    std::fs::write(
        &broken,
        "<rss version=\"2.0\"><channel><item><title>x</item>",
    )
    .unwrap();
    let (_, err) = expect(site.import("feed", &broken, &[]), 2);
    assert!(err.contains("not well-formed XML"), "{err}");
    assert!(site.posts().is_empty());
}

/// The corpus imported, then built: the site whose feeds the round trips read.
fn built_corpus() -> Site {
    let site = Site::new(NOW);
    expect(site.import("text", &corpus(), &[]), 0);
    expect(site.herald(&["build"]), 0);
    site
}

/// Imports `feed` into a fresh site, builds it, returns that site.
fn rebuilt_from(feed: &Path) -> Site {
    let again = Site::new(NOW);
    let (_, err) = expect(again.import("feed", feed, &[]), 0);
    assert!(
        !err.contains("warning"),
        "herald's own feeds convert cleanly: {err}"
    );
    expect(again.herald(&["check"]), 0);
    expect(again.herald(&["build"]), 0);
    again
}

#[test]
fn import_of_herald_rss_then_build_gives_the_same_feeds() {
    let site = built_corpus();
    let again = rebuilt_from(&site.path("public/feed.xml"));
    let before = rss_items(&site.path("public/feed.xml"));
    assert_eq!(before.len(), 4);
    assert_eq!(rss_items(&again.path("public/feed.xml")), before);
    for name in ["feed.xml", "atom.xml", "feed.json"] {
        let (a, b) = (
            site.path("public").join(name),
            again.path("public").join(name),
        );
        assert_eq!(
            std::fs::read_to_string(a).unwrap(),
            std::fs::read_to_string(b).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn import_of_herald_atom_then_build_gives_the_same_ids() {
    let site = built_corpus();
    let again = rebuilt_from(&site.path("public/atom.xml"));
    let before = atom_entries(&site.path("public/atom.xml"));
    assert_eq!(before.len(), 4);
    assert!(
        before[0]
            .0
            .starts_with("tag:kommunchefen.example.se,2013-09-27:"),
        "{before:?}"
    );
    assert_eq!(atom_entries(&again.path("public/atom.xml")), before);
    let (_, err) = expect(again.import("feed", &site.path("public/atom.xml"), &[]), 0);
    assert!(err.contains("nothing new: 4 posts from "), "{err}");
}

#[test]
fn the_summary_counts_one_post_and_the_items_left_out() {
    let site = Site::new(NOW);
    let feed = site.path("one.xml");
    std::fs::write(
        &feed,
        "<rss version=\"2.0\"><channel><title>t</title>\
         <item><title>Dated</title><guid>urn:1</guid><pubDate>Fri, 04 Oct 2013 16:30:00 +0200</pubDate></item>\
         <item><title>Undated</title><guid>urn:2</guid></item>\
         </channel></rss>",
    )
    .unwrap();
    let (_, err) = expect(site.import("feed", &feed, &[]), 0);
    let last = err.lines().last().unwrap();
    assert!(last.starts_with("imported 1 post from "), "{err}");
    assert!(
        last.ends_with("; of 2 in the file: 1 new, 0 replaced, 0 unchanged, 0 kept, 1 left out"),
        "{err}"
    );
    let (_, err) = expect(site.import("feed", &feed, &[]), 0);
    assert!(err.contains("nothing new: 1 post from "), "{err}");
    assert!(err.contains(" is already in "), "{err}");
}

#[test]
fn a_built_atom_or_json_feed_imports_back_into_the_same_posts_updated_and_footnotes_included() {
    let site = Site::new(NOW);
    std::fs::create_dir(site.path("posts")).unwrap();
    let posts = fixture("round-trip");
    for entry in std::fs::read_dir(&posts).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, site.path("posts").join(path.file_name().unwrap())).unwrap();
    }
    expect(site.herald(&["build"]), 0);
    let again = rebuilt_from(&site.path("public/atom.xml"));
    let imported = again.posts();
    let lunden = &imported["2013-09-27-lunden.md"];
    assert!(
        lunden.contains("updated = \"2013-09-28T10:00:00+02:00\"\n"),
        "{lunden}"
    );
    assert!(
        lunden.contains("förskola[^1] med")
            && lunden.contains("\n[^två]: Och en andra fotnot med **fetstil**.\n"),
        "{lunden}"
    );
    assert!(
        imported.contains_key("2013-10-04-budget-och-bokslut.md"),
        "the slug stays: {:?}",
        imported.keys()
    );
    // The JSON Feed carries the same, so it round-trips as well.
    let json = rebuilt_from(&site.path("public/feed.json"));
    let before = common::tree(&site.path("public"));
    for (feed, again) in [("atom.xml", &again), ("feed.json", &json)] {
        let after = common::tree(&again.path("public"));
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>(),
            "{feed}"
        );
        for (name, bytes) in &before {
            assert!(
                after[name] == *bytes,
                "{name} differs after importing {feed}:\n{}\n---\n{}",
                String::from_utf8_lossy(bytes),
                String::from_utf8_lossy(&after[name])
            );
        }
    }
}
