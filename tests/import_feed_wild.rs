//! End-to-end tests of `herald import feed` on the feed shapes found in the
//! wild (issue 14): what comes before the root element, prefixed roots, RSS
//! 0.91 and 1.0, Atom 0.3, JSON Feed, encodings, entities and dates. Each
//! import is also checked and built, as the conformance run does.

mod common;

use std::collections::BTreeMap;

use common::import::{expect, fixture, Site};

const NOW: &str = "2013-10-31T12:00:00+01:00";

/// Imports the fixture `name` into a fresh site, checks and builds it;
/// returns the posts and the import's stderr.
fn import(name: &str) -> (BTreeMap<String, String>, String) {
    let site = Site::new(NOW);
    let (_, err) = expect(site.import("feed", &fixture(name), &[]), 0);
    expect(site.herald(&["check"]), 0);
    expect(site.herald(&["build"]), 0);
    (site.posts(), err)
}

fn front(post: &str) -> &str {
    post.split("+++").nth(1).unwrap()
}

#[test]
fn comments_doctype_and_instructions_before_the_root_are_skipped() {
    let (posts, err) = import("prolog.rss");
    assert!(
        !err.contains("warning"),
        "a bad channel date is no problem: {err}"
    );
    let post = &posts["2013-09-27-cafe-kvall.md"];
    assert!(post.contains("title = \"Café kväll\""), "{post}");
    assert!(
        post.contains("id = \"https://old.example.se/cafe?a=1&b=2\""),
        "{post}"
    );
    assert!(
        post.ends_with("+++\n\nIt’s “återkomst” … ½ kontrolltecken\n"),
        "HTML5 entities and &#146; decoded, control characters dropped: {post}"
    );
}

#[test]
fn prefixed_atom_roots_and_entries_without_id_or_date() {
    let (posts, err) = import("prefixed.atom");
    assert!(
        err.contains("item 2 `Utan datum`: no date (") && err.contains("); left out"),
        "{err}"
    );
    assert_eq!(posts.len(), 1);
    let post = &posts["2013-09-20-med-prefix.md"];
    assert!(
        post.contains("id = \"https://old.example.se/2013/09/prefix.html\""),
        "the alternate link is the id: {post}"
    );
    assert!(post.ends_with("+++\n\nHej **världen**.\n"), "{post}");
}

#[test]
fn atom_0_3_issued_modified_and_content_modes() {
    let (posts, _) = import("atom03.xml");
    let both = &posts["2006-02-14-utgivet-och-andrat.md"];
    assert!(
        front(both).contains(
            "date = \"2006-02-14T09:30:00+01:00\"\nupdated = \"2006-02-15T11:00:00+01:00\"\n"
        ),
        "{both}"
    );
    assert!(both.ends_with("+++\n\nAlla hjärtans dag.\n"), "{both}");
    let modified = &posts["2006-01-10-bara-andrat.md"];
    assert!(
        front(modified).contains("date = \"2006-01-10T08:00:00-05:00\"\n"),
        "an offset without a colon keeps its hours: {modified}"
    );
    assert!(modified.ends_with("+++\n\nBas64\n"), "{modified}");
    assert!(posts.values().all(|p| !p.contains("1970-01-01")));
}

#[test]
fn rss_1_0_with_a_date_only_dc_date_in_iso_8859_1() {
    let (posts, _) = import("rdf.xml");
    let post = &posts["2005-07-04-ledig-dag.md"];
    assert!(front(post).contains("date = \"2005-07-04\"\n"), "{post}");
    assert!(front(post).contains("author = \"Bo\"\n"), "{post}");
    assert!(post.ends_with("Sommar i Växjö.\n"), "{post}");
}

#[test]
fn a_windows_1252_feed_is_transcoded() {
    let (posts, _) = import("windows-1252.rss");
    let post = posts.values().next().unwrap();
    assert!(front(post).contains("title = \"Växjö – it’s\""), "{post}");
    assert!(post.ends_with("“Citat” från Åre.\n"), "{post}");
}

#[test]
fn utf16_without_a_byte_order_mark_is_read_from_its_declaration() {
    let site = Site::new(NOW);
    let xml = "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss version=\"2.0\"><channel><item><title>Sextonbitars</title><guid>urn:16</guid><pubDate>Fri, 27 Sep 2013 16:05:00 +0200</pubDate></item></channel></rss>";
    let bytes: Vec<u8> = xml.encode_utf16().flat_map(u16::to_le_bytes).collect();
    std::fs::write(site.path("utf16.xml"), bytes).unwrap();
    expect(site.import("feed", &site.path("utf16.xml"), &[]), 0);
    assert!(site.posts().contains_key("2013-09-27-sextonbitars.md"));
    std::fs::write(
        site.path("bad.xml"),
        b"<?xml version=\"1.0\"?>\n<rss>\0\xff\xfe</rss>",
    )
    .unwrap();
    let (_, err) = expect(site.import("feed", &site.path("bad.xml"), &[]), 2);
    assert!(err.contains("bad.xml: line 2 is not UTF-8"), "{err}");
    assert!(!err.contains('\0'), "no raw NUL in messages: {err:?}");
}

#[test]
fn dates_in_real_world_forms_are_read_never_invented() {
    let (posts, err) = import("dates.rss");
    let date = |name: &str| {
        let post = &posts[name];
        front(post)
            .lines()
            .find(|l| l.starts_with("date = "))
            .unwrap()
            .to_string()
    };
    assert_eq!(
        date("2003-12-31-utan-kolon.md"),
        "date = \"2003-12-31T10:14:55-05:00\""
    );
    assert_eq!(
        date("2003-12-30-utan-sekunder.md"),
        "date = \"2003-12-30T10:14:00+00:00\""
    );
    assert_eq!(
        date("2013-09-27-fel-veckodag.md"),
        "date = \"2013-09-27T16:05:00+02:00\""
    );
    assert_eq!(
        date("2013-09-27-tvasiffrigt-ar.md"),
        "date = \"2013-09-27T16:05:00-05:00\""
    );
    assert!(
        !front(&posts["2013-10-01-bara-publicerad.md"]).contains("updated"),
        "published without updated keeps published"
    );
    // Local mean time before 1900: the instant exactly, in the site's zone.
    assert_eq!(
        date("1890-05-01-lokal-medeltid.md"),
        "date = \"1890-05-01T08:00:00\""
    );
    assert!(
        err.contains("item 3 `Fel veckodag`: the date `Mon, 27 Sep 2013 16:05:00 +0200` names the wrong weekday (2013-09-27 is a Friday); the date is used"),
        "{err}"
    );
    assert!(
        err.contains("item 5 `Oläsligt`: the date `igår` cannot be read; left out"),
        "{err}"
    );
    assert!(
        err.contains("of 7 in the file: 6 new, 0 replaced, 0 unchanged, 0 kept, 1 left out"),
        "{err}"
    );
}

#[test]
fn json_feed_1_1_and_1_0_import() {
    let (posts, err) = import("feed-1.1.json");
    assert!(err.contains("item 3 `Odaterad`: no date ("), "{err}");
    let first = &posts["2013-09-27-forsta.md"];
    assert!(
        front(first).contains("updated = \"2013-09-28T09:00:00+02:00\"\nid = \"urn:json:1\"\nauthor = \"Anna\"\ntags = [\"json\", \"test\"]\n"),
        "{first}"
    );
    assert!(first.ends_with("+++\n\nHej *JSON*.\n"), "{first}");
    assert!(posts["2013-09-20-text.md"].ends_with("+++\n\nRad ett.\n\nRad två.\n"));
    let site = Site::new(NOW);
    let v1 = r#"{"version": "https://jsonfeed.org/version/1", "items": [{"id": "1", "content_html": "<p>Ett.</p>", "date_published": "2013-09-27T16:05:00+02:00", "author": {"name": "Bo"}}]}"#;
    std::fs::write(site.path("v1.json"), v1).unwrap();
    expect(site.import("feed", &site.path("v1.json"), &[]), 0);
    let post = site.posts().into_values().next().unwrap();
    assert!(
        post.contains("author = \"Bo\"") && post.ends_with("Ett.\n"),
        "{post}"
    );
}
