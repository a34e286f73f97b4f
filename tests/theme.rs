//! End-to-end, without a browser: what the default theme puts in the pages
//! for `[site] logo` and `accent`, and the scrolling box around tables that
//! pages get and feeds do not (tests/browser.rs checks how they look).

mod common;

use common::{ok, tree, Site};

#[test]
fn logo_accent_and_tables_reach_the_pages_only() {
    let site = Site::with_site_keys(
        "logo = \"logo.svg\"\nlogo_alt = \"Vimmerby kommun\"\naccent = \"#7A1F5C\"\n",
        "",
    );
    std::fs::create_dir_all(site.path().join("static")).unwrap();
    std::fs::write(
        site.path().join("static/logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    site.post(
        "a.md",
        "title = \"Budget\"\ndate = \"2013-09-27\"",
        "| Nämnd | Budget |\n|---|---:|\n| Barn | 12 |\n\n<!-- more -->\n\n| A | B |\n|---|---|\n| 1 | 2 |\n",
    );
    ok(&site.herald(&["build"]));
    let files = tree(&site.output());
    let page = String::from_utf8(files["a/index.html"].clone()).unwrap();
    let html = common::well_formed_html("a/index.html", page.as_bytes());
    let select = |css: &str| {
        let selector = scraper::Selector::parse(css).unwrap();
        html.select(&selector)
            .map(|e| e.value().attrs().collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    assert_eq!(select("body")[0], [("style", "--accent: #7a1f5c")]);
    assert_eq!(
        select("header img.logo")[0],
        [
            ("alt", "Vimmerby kommun"),
            ("class", "logo"),
            ("src", "https://example.se/blogg/logo.svg")
        ]
    );
    let boxes = select("div.table-wrap[tabindex=\"0\"][role=\"region\"] > table");
    assert_eq!(boxes.len(), 2, "each table in its own box: {page}");
    assert!(page.contains("aria-label=\"Tabell 2\""), "{page}");
    let index = String::from_utf8(files["index.html"].clone()).unwrap();
    assert!(
        index.contains("aria-label=\"Tabell 1\"><table>"),
        "the summary's table too: {index}"
    );
    for feed in ["feed.xml", "atom.xml", "feed.json"] {
        let text = String::from_utf8(files[feed].clone()).unwrap();
        assert!(
            text.contains("Nämnd") && !text.contains("table-wrap"),
            "{feed}"
        );
    }
    assert!(
        files.contains_key("logo.svg"),
        "the logo is published from the static folder"
    );
}
