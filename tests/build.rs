//! End-to-end: `herald build` on the example site and on fixture sites, with
//! every feed read back by independent parsers (feed-rs, roxmltree, serde_json).

mod common;

use std::path::Path;

use common::{ok, parse_feed, tree, well_formed, Site, NOW};

/// Compares `actual` with `tests/golden/<name>`; `UPDATE_GOLDEN=1` rewrites it.
fn golden(name: &str, actual: &[u8]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read(&path)
        .unwrap_or_else(|_| panic!("missing {}; run with UPDATE_GOLDEN=1", path.display()));
    assert!(
        expected == actual,
        "{name} differs from its golden file; review the change and rerun with UPDATE_GOLDEN=1\n{}",
        String::from_utf8_lossy(actual)
    );
}

fn build_example(out: &Path) {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml");
    ok(&common::herald(
        &config,
        &["build", "--out", out.to_str().unwrap()],
    ));
}

#[test]
fn example_site_matches_golden_files_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    build_example(&a);
    build_example(&b);
    let first = tree(&a);
    assert_eq!(first, tree(&b), "two builds with the same --now differ");
    for name in ["feed.xml", "atom.xml", "feed.json", "index.html"] {
        golden(&format!("example/{name}"), &first[name]);
    }
    assert!(first.contains_key("prenumerera/index.html"));
    assert!(first.contains_key("arkiv/index.html"));
    let tag_pages = first
        .keys()
        .filter(|k| k.starts_with("tags/") && k.ends_with("/index.html"))
        .count();
    let pages = first.keys().filter(|k| k.ends_with("/index.html")).count();
    assert_eq!(
        pages,
        4 + 1 + 1 + 2 + tag_pages,
        "one page per post, the subscribe page, the archive, the two standalone pages, one per tag"
    );
}

#[test]
fn example_feeds_agree_with_each_other_under_feed_rs() {
    let dir = tempfile::tempdir().unwrap();
    build_example(dir.path());
    let files = tree(dir.path());
    let json: serde_json::Value = serde_json::from_slice(&files["feed.json"]).unwrap();
    let items = json["items"].as_array().unwrap();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert!(!items.is_empty());
    for name in ["feed.xml", "atom.xml"] {
        let feed = parse_feed(&files[name]);
        assert_eq!(feed.title.unwrap().content, "Kommunchefens blogg");
        assert_eq!(feed.language.as_deref(), Some("sv"));
        assert_eq!(feed.entries.len(), items.len(), "{name}");
        for (entry, item) in feed.entries.iter().zip(items) {
            assert_eq!(entry.id, item["id"].as_str().unwrap(), "{name}");
            assert_eq!(
                entry.title.as_ref().unwrap().content,
                item["title"].as_str().unwrap()
            );
            assert_eq!(entry.links[0].href, item["url"].as_str().unwrap());
            let published = entry.published.unwrap();
            assert_eq!(
                published.to_rfc3339(),
                chrono::DateTime::parse_from_rfc3339(item["date_published"].as_str().unwrap())
                    .unwrap()
                    .to_utc()
                    .to_rfc3339()
            );
            let body = entry.content.as_ref().and_then(|c| c.body.clone()).unwrap();
            assert!(body.contains("<p>"), "{name}: content survives");
            assert!(
                body.contains("å") || body.contains("ä") || body.contains("ö"),
                "{name}: Swedish letters survive"
            );
        }
    }
}

#[test]
fn hostile_text_gives_well_formed_feeds_and_escaped_pages() {
    let site = Site::new("");
    let long = "Å".repeat(5000);
    site.post(
        "a.md",
        "title = \"<script>alert('t')</script> & ]]> \u{1}bell 🎉 שלום\u{202e}\"\ndate = \"2013-09-27\"\ntags = [\"<b>fet</b>\", \"🎉\"]",
        "Hej <script>alert(1)</script> ]]> \u{1} & < \u{202e}עברית 🎉\n\n<![CDATA[x]]>\n",
    )
    .post("b.md", &format!("title = \"{long}\"\ndate = \"2013-09-20\""), "Lång rubrik.");
    ok(&site.herald(&["build"]));
    let files = tree(&site.output());
    for (name, bytes) in &files {
        if name.ends_with(".xml") {
            let text = well_formed(name, bytes);
            assert!(
                !text.contains('\u{1}'),
                "{name} holds a character XML forbids"
            );
            if name != "sitemap.xml" {
                let feed = parse_feed(bytes);
                assert!(!feed.entries.is_empty(), "{name}");
            }
        }
    }
    let feed = parse_feed(&files["feed.xml"]);
    let titles: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.title.clone().unwrap().content)
        .collect();
    assert_eq!(
        titles[0],
        "<script>alert('t')</script> & ]]> bell 🎉 שלום\u{202e}"
    );
    assert_eq!(titles[1], long);
    let content = feed.entries[0]
        .content
        .as_ref()
        .unwrap()
        .body
        .clone()
        .unwrap();
    assert!(
        !content.contains("<script"),
        "feeds carry no scripts: {content}"
    );
    let page = String::from_utf8(files["a/index.html"].clone()).unwrap();
    assert!(
        page.contains("&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt; &amp; ]]&gt;"),
        "{page}"
    );
    assert!(
        files.keys().any(|k| k.starts_with("tags/b-fet-b/")),
        "{:?}",
        files.keys()
    );
    serde_json::from_slice::<serde_json::Value>(&files["feed.json"]).unwrap();
}

#[test]
fn relative_urls_are_absolute_in_feeds_and_excerpts() {
    let site = Site::new("");
    site.post(
        "bilder.md",
        "title = \"Bilder\"\ndate = \"2013-09-27\"",
        "Se ![bild](bild.jpg) och [förra](../forra/).\n\n<img src=\"a.png\" srcset=\"a.png 1x, b.png 2x\"><video poster=\"p.jpg\" src=\"v.mp4\"></video>\n",
    );
    ok(&site.herald(&["build"]));
    let files = tree(&site.output());
    for name in ["feed.xml", "atom.xml", "feed.json"] {
        let text = String::from_utf8(files[name].clone()).unwrap();
        for url in [
            "bilder/bild.jpg",
            "blogg/forra/",
            "bilder/a.png 1x",
            "bilder/b.png 2x",
            "bilder/p.jpg",
        ] {
            assert!(
                text.contains(&format!(
                    "https://example.se/blogg/{}",
                    url.trim_start_matches("blogg/")
                )),
                "{name} lacks {url}:\n{text}"
            );
        }
    }
    let index = String::from_utf8(files["index.html"].clone()).unwrap();
    assert!(
        index.contains("src=\"https://example.se/blogg/bilder/bild.jpg\""),
        "{index}"
    );
}

#[test]
fn drafts_and_future_posts_are_left_out_everywhere() {
    let site = Site::new("");
    site.post(
        "ute.md",
        "title = \"Ute\"\ndate = \"2013-09-27\"",
        "Publicerad.",
    )
    .post(
        "utkast.md",
        "title = \"Utkast\"\ndate = \"2013-09-28\"\ndraft = true\ntags = [\"hemligt\"]",
        "Ej klar.",
    )
    .post(
        "sen.md",
        "title = \"Framtid\"\ndate = \"2013-10-04\"",
        "Kommer.",
    );
    let err = ok(&site.herald(&["build"]));
    // NOW is 2013-10-01T12:00:00+02:00: shown in the site's time, with its offset.
    assert_eq!(
        err,
        "left out 1 draft(s) and 1 post(s) dated after 2013-10-01 12:00 +02:00\n"
    );
    let posts = site.path().join("posts");
    assert_eq!(
        ok(&site.herald(&["-v", "build"]))
            .lines()
            .take(3)
            .collect::<Vec<_>>(),
        [
            "left out 1 draft(s) and 1 post(s) dated after 2013-10-01 12:00 +02:00".to_string(),
            format!("  draft: {}", posts.join("utkast.md").display()),
            format!(
                "  dated 2013-10-04 08:00 +02:00: {}",
                posts.join("sen.md").display()
            ),
        ]
    );
    let files = tree(&site.output());
    let all: String = files
        .values()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(!all.contains("Utkast") && !all.contains("Framtid"));
    assert!(!files
        .keys()
        .any(|k| k.contains("utkast") || k.contains("hemligt") || k.contains("sen/")));
    assert!(String::from_utf8_lossy(&files["feed.xml"])
        .contains("<lastBuildDate>Fri, 27 Sep 2013 08:00:00 +0200</lastBuildDate>"));
    let quiet = site.herald(&["-q", "build"]);
    assert!(
        quiet.status.success() && quiet.stderr.is_empty(),
        "-q prints nothing on success"
    );
    let _ = NOW;
}

#[test]
fn pages_carry_autodiscovery_and_swedish_dates() {
    let site = Site::new("");
    site.post(
        "a.md",
        "title = \"A\"\ndate = \"2013-09-27\"\ntags = [\"Förskola\"]",
        "Text.",
    );
    ok(&site.herald(&["build"]));
    let files = tree(&site.output());
    // Each page's title says where the reader is; the three feeds are told apart.
    for (page, title) in [
        ("index.html", "Testbloggen"),
        ("a/index.html", "A – Testbloggen"),
        ("tags/forskola/index.html", "Förskola – Testbloggen"),
        ("prenumerera/index.html", "Prenumerera – Testbloggen"),
    ] {
        let html = String::from_utf8(files[page].clone()).unwrap();
        assert!(html.contains(&format!("<title>{title}</title>")), "{page}");
        assert!(html.contains(r#"<link rel="alternate" type="application/rss+xml" title="Testbloggen (RSS)" href="https://example.se/blogg/feed.xml">"#), "{page}");
        assert!(
            html.contains(r#"type="application/atom+xml" title="Testbloggen (Atom)""#)
                && html.contains(r#"type="application/feed+json" title="Testbloggen (JSON)""#),
            "{page}"
        );
        assert!(
            html.starts_with("<!DOCTYPE html>\n<html lang=\"sv\">"),
            "{page}"
        );
    }
    let post = String::from_utf8(files["a/index.html"].clone()).unwrap();
    assert!(post.contains(">fredag 27 september 2013</time>"), "{post}");
    assert!(post.contains(r#"<link rel="stylesheet" href="https://example.se/blogg/style.css">"#));
    assert_eq!(
        files["style.css"],
        include_bytes!("../templates/style.css"),
        "the default stylesheet"
    );
    let tag = String::from_utf8(files["tags/forskola/index.html"].clone()).unwrap();
    assert!(
        tag.contains("https://example.se/blogg/tags/forskola/feed.xml"),
        "tag pages link their own feeds"
    );
    let subscribe = String::from_utf8(files["prenumerera/index.html"].clone()).unwrap();
    assert!(
        subscribe.contains("Outlook") && subscribe.contains("https://example.se/blogg/feed.xml")
    );
}

#[test]
fn list_pages_are_paginated_and_posts_link_their_neighbours() {
    let site = Site::new("[pages]\nper_page = 2\n");
    for d in 1..=5 {
        site.post(
            &format!("p{d}.md"),
            &format!("title = \"Inlägg {d}\"\ndate = \"2013-09-0{d}\"\ntags = [\"Alla\"]"),
            "Text.",
        );
    }
    ok(&site.herald(&["build"]));
    let files = tree(&site.output());
    let page = |name: &str| String::from_utf8(files[name].clone()).unwrap();
    for dir in ["", "tags/alla/"] {
        assert!(
            files.contains_key(&format!("{dir}page/2/index.html"))
                && files.contains_key(&format!("{dir}page/3/index.html"))
        );
        assert!(
            !files.contains_key(&format!("{dir}page/4/index.html"))
                && !files.contains_key(&format!("{dir}page/1/index.html"))
        );
        let first = page(&format!("{dir}index.html"));
        assert!(
            first.contains("Inlägg 5") && first.contains("Inlägg 4") && !first.contains("Inlägg 3"),
            "{first}"
        );
        assert!(
            first.contains(&format!(
                r#"<a rel="next" href="https://example.se/blogg/{dir}page/2/">"#
            )),
            "{first}"
        );
        let last = page(&format!("{dir}page/3/index.html"));
        assert!(
            last.contains("Inlägg 1") && last.contains("Sida 3 / 3"),
            "{last}"
        );
        assert!(
            last.contains(&format!(
                r#"<a rel="prev" href="https://example.se/blogg/{dir}page/2/">"#
            )),
            "{last}"
        );
    }
    let middle = page("p3/index.html");
    assert!(
        middle.contains(r#"<a rel="prev" href="https://example.se/blogg/p4/">← Inlägg 4</a>"#),
        "{middle}"
    );
    assert!(
        middle.contains(r#"<a rel="next" href="https://example.se/blogg/p2/">Inlägg 2 →</a>"#),
        "{middle}"
    );
    assert!(
        !page("p5/index.html").contains(r#"rel="prev""#),
        "the newest post has no newer neighbour"
    );
    let site = Site::new("[pages]\nper_page = 0\n");
    site.post("a.md", "title = \"A\"\ndate = \"2013-09-01\"", "x")
        .post("b.md", "title = \"B\"\ndate = \"2013-09-02\"", "x");
    ok(&site.herald(&["build"]));
    assert!(
        !site.output().join("page").exists(),
        "per_page = 0 keeps everything on one page"
    );
}

#[test]
fn a_post_dated_more_than_a_year_ahead_is_a_warning_naming_its_date_line() {
    let site = Site::new("");
    site.post("ute.md", "title = \"Ute\"\ndate = \"2013-09-27\"", "Hej.")
        .post("typo.md", "title = \"Typo\"\ndate = \"2031-09-27\"", "Hej.")
        .post(
            "snart.md",
            "title = \"Snart\"\ndate = \"2014-09-27\"",
            "Hej.",
        );
    let file = site.path().join("posts/typo.md");
    for command in ["build", "check"] {
        let err = ok(&site.herald(&[command]));
        assert_eq!(
            err,
            format!(
                "left out 0 draft(s) and 2 post(s) dated after 2013-10-01 12:00 +02:00\nwarning: {}:3: dated 2031-09-27 08:00 +02:00, more than a year from now: the post stays unpublished until then (a typo in the year?)\n",
                file.display()
            ),
            "{command}"
        );
    }
}

#[test]
fn markdown_in_subfolders_of_posts_is_reported_not_ignored() {
    let site = Site::new("");
    site.post("ute.md", "title = \"Ute\"\ndate = \"2013-09-27\"", "Hej.");
    let posts = site.path().join("posts");
    for file in [
        "2013/gammal.md",
        "a/b/c.md",
        "mapp/index.md",
        "mapp/anteckning.md",
    ] {
        let path = posts.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "+++\ntitle = \"X\"\ndate = \"2013-09-27\"\n+++\n").unwrap();
    }
    let expected: String = ["2013/gammal.md", "a/b/c.md", "mapp/anteckning.md"]
        .iter()
        .map(|f| {
            format!(
                "warning: {}: not read: a post is posts/<name>.md or posts/<name>/index.md, so this file is left out\n",
                posts.join(f).display()
            )
        })
        .collect();
    for command in ["build", "check"] {
        assert_eq!(ok(&site.herald(&[command])), expected, "{command}");
    }
    assert_eq!(ok(&site.herald(&["-q", "build"])), "");
}
