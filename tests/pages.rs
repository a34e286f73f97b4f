//! End-to-end: the pages people expect from a blog. `sitemap.xml` read back
//! with roxmltree and validated against the sitemaps.org schema by xmllint,
//! `robots.txt`, the 404 page, the archive, standalone pages from `pages/`
//! and the link previews (OpenGraph, Twitter card), every page parsed with
//! html5ever (through scraper).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{ok, stderr, tree, well_formed, well_formed_html, Site};
use scraper::{Html, Selector};

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

/// The `content` of `<meta property|name="key">`, if present once.
fn meta(html: &Html, key: &str) -> Option<String> {
    let found = select(
        html,
        &format!("meta[property=\"{key}\"], meta[name=\"{key}\"]"),
    );
    assert!(found.len() <= 1, "{key} appears {} times", found.len());
    found
        .first()
        .map(|m| m.value().attr("content").unwrap().to_string())
}

fn text(element: &scraper::ElementRef) -> String {
    element.text().collect::<String>().trim().to_string()
}

/// The sitemap's `(loc, lastmod)` pairs, in order.
fn sitemap(files: &BTreeMap<String, Vec<u8>>) -> Vec<(String, Option<String>)> {
    let xml = well_formed("sitemap.xml", &files["sitemap.xml"]);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    assert_eq!(root.tag_name().namespace(), Some(SITEMAP_NS));
    root.children()
        .filter(|n| n.is_element())
        .map(|url| {
            assert!(url.has_tag_name((SITEMAP_NS, "url")));
            let child = |name: &str| {
                url.children()
                    .find(|c| c.has_tag_name((SITEMAP_NS, name)))
                    .and_then(|c| c.text())
                    .map(str::to_string)
            };
            (child("loc").expect("every url has a loc"), child("lastmod"))
        })
        .collect()
}

/// Builds the example site (the repository root) into `out`.
fn build_example(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml");
    ok(&common::herald(
        &config,
        &["build", "--out", out.to_str().unwrap()],
    ));
    tree(out)
}

#[test]
fn example_sitemap_lists_every_page_and_is_valid_against_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let files = build_example(&out);
    let base = "https://kommunchefen.example.se/";
    let listed = sitemap(&files);
    let locs: BTreeSet<&str> = listed.iter().map(|(loc, _)| loc.as_str()).collect();
    assert_eq!(locs.len(), listed.len(), "a URL is listed twice");
    // Every page in a folder of its own is listed, except later pages of a list.
    let pages: BTreeSet<String> = files
        .keys()
        .filter_map(|k| k.strip_suffix("index.html"))
        .filter(|dir| !dir.contains("page/"))
        .map(|dir| format!("{base}{dir}"))
        .collect();
    assert_eq!(
        locs,
        pages.iter().map(String::as_str).collect(),
        "the sitemap lists exactly the site's pages"
    );
    for must in [
        "",
        "arkiv/",
        "om-bloggen/",
        "tillganglighet/",
        "prenumerera/",
    ] {
        assert!(locs.contains(format!("{base}{must}").as_str()), "{must}");
    }
    let lastmod = |loc: &str| {
        listed
            .iter()
            .find(|(l, _)| l == &format!("{base}{loc}"))
            .and_then(|(_, m)| m.clone())
    };
    assert_eq!(
        lastmod("tillganglighet/").as_deref(),
        Some("2013-10-01T08:00:00+02:00"),
        "a page's lastmod is its `updated`"
    );
    assert_eq!(
        lastmod("om-bloggen/"),
        None,
        "a page without `updated` has none"
    );
    assert_eq!(
        lastmod("dagarna-flyger-ivag/").as_deref(),
        Some("2013-09-06T08:00:00+02:00"),
        "a post's lastmod is its date"
    );
    for (loc, modified) in &listed {
        if let Some(m) = modified {
            chrono::DateTime::parse_from_rfc3339(m)
                .unwrap_or_else(|e| panic!("{loc}: lastmod {m}: {e}"));
        }
    }
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sitemap/sitemap.xsd");
    common::xsd::validate(&out.join("sitemap.xml"), &schema);

    let robots = String::from_utf8(files["robots.txt"].clone()).unwrap();
    let named: Vec<&str> = robots
        .lines()
        .filter_map(|l| l.strip_prefix("Sitemap:"))
        .map(str::trim)
        .collect();
    assert_eq!(named, [format!("{base}sitemap.xml")]);
    assert!(robots.lines().any(|l| l == "User-agent: *"), "{robots}");
}

#[test]
fn every_example_page_has_a_title_one_h1_landmarks_and_a_link_preview() {
    let dir = tempfile::tempdir().unwrap();
    let files = build_example(&dir.path().join("public"));
    let html_files: Vec<_> = files.iter().filter(|(k, _)| k.ends_with(".html")).collect();
    assert!(html_files.iter().any(|(k, _)| *k == "404.html"));
    // The posts, as the JSON feed (read with serde_json) lists them.
    let feed: serde_json::Value = serde_json::from_slice(&files["feed.json"]).unwrap();
    let post_urls: BTreeSet<String> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["url"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(post_urls.len(), 4);
    for (name, bytes) in html_files {
        let html = well_formed_html(name, bytes);
        let root = select(&html, "html");
        assert_eq!(root[0].value().attr("lang"), Some("sv"), "{name}");
        let title = select(&html, "title");
        assert!(!text(&title[0]).is_empty(), "{name}: empty title");
        assert_eq!(select(&html, "h1").len(), 1, "{name}: one h1");
        assert_eq!(select(&html, "main").len(), 1, "{name}: one main");
        assert!(!select(&html, "header nav").is_empty(), "{name}: nav");
        let canonical = select(&html, "link[rel=canonical]")[0]
            .value()
            .attr("href")
            .unwrap()
            .to_string();
        assert_eq!(meta(&html, "og:url").as_ref(), Some(&canonical), "{name}");
        assert_eq!(meta(&html, "og:title"), Some(text(&title[0])), "{name}");
        assert_eq!(meta(&html, "og:locale").as_deref(), Some("sv_SE"), "{name}");
        assert_eq!(
            meta(&html, "og:site_name").as_deref(),
            Some("Kommunchefens blogg")
        );
        let description = meta(&html, "description").expect("a description");
        assert!(!description.is_empty() && description.chars().count() <= 200);
        assert_eq!(meta(&html, "og:description"), Some(description));
        let expected_type = if post_urls.contains(&canonical) {
            "article"
        } else {
            "website"
        };
        assert_eq!(
            meta(&html, "og:type").as_deref(),
            Some(expected_type),
            "{name}"
        );
        // Standalone pages are in every page's navigation, in their order.
        let nav: Vec<String> = select(&html, "header nav a").iter().map(text).collect();
        let about = nav.iter().position(|t| t == "Om bloggen");
        let a11y = nav.iter().position(|t| t == "Tillgänglighet");
        assert!(about.is_some() && about < a11y, "{name}: {nav:?}");
        assert!(nav.contains(&"Arkiv".to_string()), "{name}: {nav:?}");
    }

    // The post with a photo previews it, absolute, with its text alternative.
    let post = "i-tisdags-invigdes-lundens-forskola-den-naturligt/index.html";
    let html = well_formed_html(post, &files[post]);
    let image = meta(&html, "og:image").expect("og:image");
    let local = image
        .strip_prefix("https://kommunchefen.example.se/")
        .expect("absolute, on the site");
    assert!(files.contains_key(local), "{image} is a built file");
    assert!(meta(&html, "og:image:alt")
        .unwrap()
        .starts_with("Lundens förskola"));
    assert_eq!(
        meta(&html, "twitter:card").as_deref(),
        Some("summary_large_image")
    );
    let plain = well_formed_html("index.html", &files["dagarna-flyger-ivag/index.html"]);
    assert_eq!(meta(&plain, "og:image"), None);
    assert_eq!(meta(&plain, "twitter:card").as_deref(), Some("summary"));

    let not_found = well_formed_html("404.html", &files["404.html"]);
    assert_eq!(text(&select(&not_found, "h1")[0]), "Sidan finns inte");
    let home = select(&not_found, "main a");
    assert!(home
        .iter()
        .any(|a| a.value().attr("href") == Some("https://kommunchefen.example.se/")));
}

#[test]
fn standalone_pages_are_never_in_the_digest() {
    let site = common::mail::digest_site("to = [\"alla@example.se\"]", "");
    let pages = site.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    std::fs::write(pages.join("om.md"), "+++\ntitle = \"Om sidan\"\n+++\nOm.\n").unwrap();
    ok(&site.herald(&["digest"]));
    let files = common::mail::eml_files(&site.path().join("outbox/2013-W40"));
    assert_eq!(files.len(), 1);
    let message = common::mail::parse(&files[0]);
    for part in [message.body_text(0).unwrap(), message.body_html(0).unwrap()] {
        assert!(part.contains("Lundens förskola invigd"), "{part}");
        assert!(
            !part.contains("Om sidan") && !part.contains("/om/"),
            "{part}"
        );
    }
}

#[test]
fn standalone_pages_are_in_no_feed() {
    let dir = tempfile::tempdir().unwrap();
    let files = build_example(&dir.path().join("public"));
    for feed in ["feed.xml", "atom.xml", "feed.json"] {
        let text = String::from_utf8(files[feed].clone()).unwrap();
        assert!(!text.contains("om-bloggen"), "{feed}");
        assert!(!text.contains("tillganglighet"), "{feed}");
    }
    let page = well_formed_html("om-bloggen", &files["om-bloggen/index.html"]);
    assert_eq!(text(&select(&page, "h1")[0]), "Om bloggen");
    assert_eq!(
        select(&page, "main h2")
            .iter()
            .map(text)
            .collect::<Vec<_>>(),
        ["Följ bloggen", "Kontakt"]
    );
}

/// A site in English over two years, with tags, an updated post and pages
/// in a configured order.
fn english_site() -> Site {
    let site = Site::new("");
    let config = site.path().join("config.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("language = \"sv\"", "language = \"en-GB\"");
    std::fs::write(&config, text).unwrap();
    site.post(
        "a.md",
        "title = \"Old news\"\ndate = \"2012-12-24\"\ntags = [\"Winter\"]",
        "Snow.",
    )
    .post(
        "b.md",
        "title = \"September one\"\ndate = \"2013-09-06\"\nupdated = \"2013-09-30 10:00\"\ntags = [\"Winter\", \"Autumn\"]",
        "Leaves.",
    )
    .post("c.md", "title = \"September two\"\ndate = \"2013-09-20\"", "Rain.")
    .post("d.md", "title = \"August\"\ndate = \"2013-08-02\"", "Sun.");
    let pages = site.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    let page = |name: &str, front: &str, body: &str| {
        std::fs::write(pages.join(name), format!("+++\n{front}\n+++\n\n{body}")).unwrap();
    };
    page("zeta.md", "title = \"Zeta first\"\nnav_order = -1", "Z.");
    page("about.md", "title = \"About\"", "About *us*.");
    page(
        "contact.md",
        "title = \"Contact us\"\nnav_title = \"Contact\"\nnav_order = 5",
        "Mail.",
    );
    site
}

#[test]
fn the_archive_lists_every_post_by_year_and_month_newest_first() {
    let site = english_site();
    ok(&site.herald(&["build"]));
    let first = tree(&site.output());
    ok(&site.herald(&["build"]));
    assert_eq!(first, tree(&site.output()), "two builds differ");
    let html = well_formed_html("archive", &first["archive/index.html"]);
    assert_eq!(text(&select(&html, "h1")[0]), "Archive");
    let headings: Vec<String> = select(&html, "main h2, main h3").iter().map(text).collect();
    assert_eq!(
        headings,
        ["2013", "September", "August", "2012", "December"]
    );
    let titles: Vec<String> = select(&html, "main li a").iter().map(text).collect();
    assert_eq!(
        titles,
        ["September two", "September one", "August", "Old news"]
    );

    let nav: Vec<String> = select(&html, "header nav a").iter().map(text).collect();
    let pages: Vec<&String> = nav
        .iter()
        .filter(|t| ["Zeta first", "About", "Contact"].contains(&t.as_str()))
        .collect();
    assert_eq!(
        pages,
        ["Zeta first", "About", "Contact"],
        "nav_order, then slug"
    );
    let contact = well_formed_html("contact", &first["contact/index.html"]);
    assert_eq!(text(&select(&contact, "h1")[0]), "Contact us");
    assert_eq!(meta(&contact, "og:locale").as_deref(), Some("en_GB"));

    let listed = sitemap(&first);
    let lastmod = |loc: &str| {
        listed
            .iter()
            .find(|(l, _)| l == &format!("https://example.se/blogg/{loc}"))
            .unwrap_or_else(|| panic!("{loc} not listed"))
            .1
            .clone()
    };
    assert_eq!(lastmod("b/").as_deref(), Some("2013-09-30T10:00:00+02:00"));
    assert_eq!(
        lastmod("tags/winter/").as_deref(),
        Some("2013-09-30T10:00:00+02:00")
    );
    assert_eq!(lastmod("").as_deref(), Some("2013-09-30T10:00:00+02:00"));
    assert_eq!(
        lastmod("archive/").as_deref(),
        Some("2013-09-30T10:00:00+02:00")
    );
    assert_eq!(lastmod("about/"), None);
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sitemap/sitemap.xsd");
    common::xsd::validate(&site.output().join("sitemap.xml"), &schema);
}

#[test]
fn a_page_whose_slug_is_taken_is_an_error_naming_both() {
    let site = Site::new("");
    site.post(
        "2013-09-06-om.md",
        "title = \"Om\"\ndate = \"2013-09-06\"",
        "x",
    );
    let pages = site.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    std::fs::write(pages.join("om.md"), "+++\ntitle = \"Om oss\"\n+++\nx\n").unwrap();
    std::fs::write(
        pages.join("arkivet.md"),
        "+++\ntitle = \"Arkivet\"\n\nslug = \"arkiv\"\n+++\nx\n",
    )
    .unwrap();
    let out = site.herald(&["build"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("pages/om.md:1: slug `om` is already used by the post")
            && err.contains("2013-09-06-om.md"),
        "{err}"
    );
    assert!(
        err.contains("pages/arkivet.md:4: slug `arkiv` is already used by the site's own pages"),
        "{err}"
    );
    assert!(!site.output().exists(), "nothing is written");

    // A static file in the page's place: the output layer's check names it.
    std::fs::remove_file(pages.join("arkivet.md")).unwrap();
    std::fs::remove_file(site.path().join("posts/2013-09-06-om.md")).unwrap();
    site.post("a.md", "title = \"A\"\ndate = \"2013-09-06\"", "x");
    std::fs::create_dir_all(site.path().join("static/om")).unwrap();
    std::fs::write(site.path().join("static/om/index.html"), "mine").unwrap();
    let out = site.herald(&["build"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("static/om/index.html") && err.contains("would replace `om/index.html`"),
        "{err}"
    );
}

#[test]
fn a_page_with_bad_front_matter_is_reported_at_its_line_like_a_post() {
    let site = Site::new("");
    site.post("a.md", "title = \"A\"\ndate = \"2013-09-06\"", "x");
    let pages = site.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    std::fs::write(
        pages.join("a.md"),
        "+++\ntitle = \"A\"\ndate = \"2013-09-06\"\n+++\nx\n",
    )
    .unwrap();
    std::fs::write(pages.join("b.md"), "---\ntitle: B\n---\n").unwrap();
    std::fs::write(pages.join("c.md"), "+++\nnav_order = 1\n+++\n").unwrap();
    let out = site.herald(&["check"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("pages/a.md:3: unknown field `date`"), "{err}");
    assert!(
        err.contains("pages/b.md:1: front matter between `---` lines is YAML"),
        "{err}"
    );
    assert!(
        err.contains("pages/c.md:1: missing `title` in the front matter"),
        "{err}"
    );
}

#[test]
fn a_robots_txt_of_the_users_own_is_kept() {
    let site = Site::new("");
    site.post("a.md", "title = \"A\"\ndate = \"2013-09-06\"", "x");
    std::fs::create_dir(site.path().join("static")).unwrap();
    std::fs::write(
        site.path().join("static/robots.txt"),
        "User-agent: *\nDisallow: /\n",
    )
    .unwrap();
    ok(&site.herald(&["build"]));
    let files = tree(&site.output());
    assert_eq!(files["robots.txt"], b"User-agent: *\nDisallow: /\n");
    assert!(files.contains_key("sitemap.xml"));
}
