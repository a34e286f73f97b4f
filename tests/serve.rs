//! End-to-end: `herald serve` as the real binary on a fixture site, spoken
//! to over HTTP (ureq) and its event stream (a plain socket).

mod common;

use std::path::Path;

use common::serve::{Served, RELOAD};
use common::{ok, parse_feed, tree, Site};

/// How long a test waits for something that is not the reload itself
/// (stderr, a stream's first event): generous, for a loaded machine.
const WHILE: std::time::Duration = std::time::Duration::from_secs(20);

fn site() -> Site {
    let site = Site::new(
        "\n[digest]\nfrom = \"K <k@example.se>\"\nto = [\"alla@example.se\"]\nstate = \"state/state.db\"\n",
    );
    site.post(
        "forsta.md",
        "title = \"Första inlägget\"\ndate = \"2013-09-27\"\ntags = [\"Förskola\"]",
        "Gammal text om förskolan.",
    );
    site
}

/// A folder for the server's temporary files, to see them go.
fn tmp(site: &Site) -> std::path::PathBuf {
    let dir = site.path().join("tmp");
    std::fs::create_dir(&dir).unwrap();
    dir
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn serves_the_site_on_this_machine_and_rebuilds_on_a_save() {
    let site = site();
    ok(&site.herald(&["build"]));
    let published = tree(&site.output());
    let served = Served::start(&site, &[], &tmp(&site));
    let url = &served.url;

    let index = served.get("");
    assert_eq!(index.status, 200);
    assert_eq!(index.content_type, "text/html; charset=utf-8");
    assert!(
        index.body.contains(&format!("href=\"{url}forsta/\"")),
        "{}",
        index.body
    );
    assert!(
        !index.body.contains("example.se/blogg"),
        "every link stays on the machine"
    );
    assert!(index.body.contains("/__herald/events"), "the reload script");

    let feed = served.get("feed.xml");
    assert!(feed.content_type.contains("xml"), "{}", feed.content_type);
    let feed = parse_feed(feed.body.as_bytes());
    assert_eq!(feed.entries[0].links[0].href, format!("{url}forsta/"));
    assert!(served
        .get("feed.json")
        .content_type
        .starts_with("application/json"));
    assert!(served.get("style.css").content_type.starts_with("text/css"));
    let folder = served.get("tags/forskola");
    assert_eq!(
        (folder.status, folder.body.contains("Första inlägget")),
        (200, true)
    );

    let post = served.get("forsta/");
    assert!(post.body.contains("Gammal text"), "{}", post.body);
    let mut events = served.events();
    let first = events
        .next("reload", WHILE)
        .expect("the stream names the current build");

    site.post(
        "forsta.md",
        "title = \"Första inlägget\"\ndate = \"2013-09-27\"\ntags = [\"Förskola\"]",
        "Ny text om förskolan.",
    );
    let post = served.poll("forsta/", RELOAD, |body| body.contains("Ny text"));
    assert!(
        post.body.contains("Ny text"),
        "not served within 2 s:\n{}",
        post.body
    );
    let next = events
        .next("reload", WHILE)
        .expect("the stream announces the build");
    assert_ne!(next, first);

    assert_eq!(
        tree(&site.output()),
        published,
        "the real output is untouched"
    );
    assert!(
        !site.path().join("state").exists(),
        "the ledger is never opened"
    );
}

#[test]
fn a_broken_post_is_shown_over_the_last_good_build_until_it_is_fixed() {
    let site = site();
    let served = Served::start(&site, &[], &tmp(&site));
    assert!(served.get("forsta/").body.contains("Gammal text"));

    site.post(
        "forsta.md",
        "title = \"Första inlägget\"\ndate = \"den 27:e\"",
        "Trasig text.",
    );
    let page = served.poll("forsta/", WHILE, |body| body.contains("herald-serve-error"));
    let html = scraper::Html::parse_document(&page.body);
    let overlay = scraper::Selector::parse("#herald-serve-error[role=alert]").unwrap();
    let error: String = html
        .select(&overlay)
        .next()
        .expect("an error box")
        .text()
        .collect();
    assert!(error.contains("forsta.md:3"), "{error}");
    assert!(
        page.body.contains("Gammal text"),
        "the last good build is served"
    );
    assert!(!page.body.contains("Trasig text"));
    let stderr = served.stderr_until(WHILE, |text| text.contains("forsta.md:3"));
    assert!(stderr.contains("forsta.md:3: "), "{stderr}");

    site.post(
        "forsta.md",
        "title = \"Första inlägget\"\ndate = \"2013-09-27\"",
        "Lagad text.",
    );
    let page = served.poll("forsta/", WHILE, |body| body.contains("Lagad text"));
    assert!(page.body.contains("Lagad text"), "{}", page.body);
    assert!(!page.body.contains("herald-serve-error"));
}

#[test]
fn drafts_and_scheduled_posts_are_shown_marked_only_when_asked() {
    let site = site();
    site.post(
        "utkast.md",
        "title = \"Ett utkast\"\ndate = \"2013-09-28\"\ndraft = true",
        "Inte klart.",
    );
    site.post(
        "senare.md",
        "title = \"Senare\"\ndate = \"2013-12-24\"",
        "Jul.",
    );
    let tmp = tmp(&site);
    {
        let served = Served::start(&site, &[], &tmp);
        assert_eq!(served.get("utkast/").status, 404);
        assert!(!served.get("").body.contains("Ett utkast"));
    }
    let served = Served::start(&site, &["--drafts"], &tmp);
    let index = served.get("");
    let html = scraper::Html::parse_document(&index.body);
    let marks = scraper::Selector::parse("article .status").unwrap();
    let marks: Vec<String> = html.select(&marks).map(|m| m.text().collect()).collect();
    assert_eq!(
        marks,
        ["Schemalagt", "Utkast"],
        "newest first, the published one unmarked"
    );
    let draft = served.get("utkast/");
    assert_eq!(draft.status, 200);
    assert!(
        draft.body.contains("<strong>Utkast</strong>"),
        "{}",
        draft.body
    );
}

#[test]
fn a_missing_page_is_the_sites_own_404_and_nothing_outside_is_served() {
    let site = site();
    let served = Served::start(&site, &[], &tmp(&site));
    let missing = served.get("finns-inte/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("/__herald/events"),
        "it reloads when the page appears"
    );
    assert_eq!(served.get("..%2fconfig.toml").status, 404);

    std::fs::create_dir(site.path().join("static")).unwrap();
    std::fs::write(
        site.path().join("static/404.html"),
        "<p>Sidan finns inte</p>",
    )
    .unwrap();
    let missing = served.poll("finns-inte/", WHILE, |body| {
        body.contains("Sidan finns inte")
    });
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("Sidan finns inte"),
        "a folder made later is watched"
    );
}

#[test]
fn sigint_and_sigterm_stop_it_cleanly_and_remove_its_folder() {
    let site = site();
    let tmp = tmp(&site);
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let mut served = Served::start(&site, &[], &tmp);
        let folders = entries(&tmp);
        assert!(
            folders.len() == 1 && folders[0].starts_with("herald-serve-"),
            "{folders:?}"
        );
        let status = served.stop(signal);
        assert_eq!(
            status.code(),
            Some(0),
            "signal {signal}: {}",
            served.stderr()
        );
        assert_eq!(entries(&tmp), Vec::<String>::new(), "signal {signal}");
        let addr = served
            .url
            .trim_start_matches("http://")
            .trim_end_matches('/');
        assert!(
            std::net::TcpStream::connect(addr).is_err(),
            "the port is closed"
        );
    }
}

#[test]
fn a_port_in_use_is_a_runtime_failure_naming_it() {
    let site = site();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = common::herald(
        &site.path().join("config.toml"),
        &["serve", "--port", &port],
    );
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let stderr = common::stderr(&out);
    assert!(
        stderr.contains(&format!("error: cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
    assert!(stderr.contains("caused by: "), "{stderr}");
}

#[test]
fn a_saved_standalone_page_is_rebuilt_too() {
    let site = site();
    let pages = site.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    let page = |text: &str| {
        let source = format!("+++\ntitle = \"Om bloggen\"\n+++\n{text}\n");
        std::fs::write(pages.join("om-bloggen.md"), source).unwrap();
    };
    page("Första versionen.");
    let served = Served::start(&site, &[], &tmp(&site));
    assert!(served.get("om-bloggen/").body.contains("Första versionen."));

    page("Andra versionen.");
    let body = served
        .poll("om-bloggen/", RELOAD, |b| b.contains("Andra versionen."))
        .body;
    assert!(body.contains("Andra versionen."), "{body}");
}
