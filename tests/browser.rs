//! End-to-end in a real browser (issue 13): the example site and a fixture
//! of hard cases, built by the real binary, opened in Debian's chromium.
//! axe-core (WCAG 2.1 A and AA) must find nothing on any page at 1280 and
//! 320 px, light and dark; no page may scroll sideways at 320 px; the weekly
//! email must fit 600 px. With `HERALD_SCREENSHOTS=1` the run also rewrites
//! `docs/screenshots/` (the README's pictures) from the example site.
//!
//! Skipped without chromium, node or the npm packages, unless
//! `HERALD_REQUIRE_BROWSER` is set (see `tests/common/browser.rs`).

mod common;

use std::path::{Path, PathBuf};

use common::mail::{eml_files, herald_at, parse};
use common::{images, ok, Site};
use serde_json::{json, Value};

/// The example site's week with posts (its digest golden file uses it too).
const EXAMPLE_WEEK: &str = "2013-09-27T18:00:00+02:00";
const EXAMPLE_URL: &str = "https://kommunchefen.example.se/";
const FIXTURE_URL: &str = "https://example.se/blogg/";
/// A page made to fail both checks, so that neither can pass by measuring nothing.
const CONTROL_URL: &str = "https://control.invalid/";

/// Swedish compounds as long as municipal Swedish makes them.
const COMPOUNDS: [&str; 6] = [
    "samhällsbyggnadsförvaltningens",
    "förskoleverksamhetsutvecklingsprojektet",
    "kommunstyrelseförvaltningsorganisationen",
    "barnomsorgsplaceringsreglementet",
    "gymnasiesärskoleutbildningsansvaret",
    "socialförsäkringsadministrationen",
];

/// The fixture: what breaks a theme on a phone.
fn hard_cases() -> Site {
    let site = Site::with_site_keys(
        "logo = \"bilder/logo.svg\"\nlogo_alt = \"Vimmerby kommun\"\naccent = \"#7a1f5c\"\n",
        "[pages]\nper_page = 2\n\n[digest]\nfrom = \"Kommunchefen <kc@example.se>\"\n\
         to = [\"alla@example.se\"]\nstate = \"state/state.db\"\n",
    );
    let logo = r##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40"><rect width="120" height="40" rx="6" fill="#ffffff"/><text x="60" y="26" font-size="16" text-anchor="middle" fill="#7a1f5c">Vimmerby</text></svg>"##;
    std::fs::create_dir_all(site.path().join("static/bilder")).unwrap();
    std::fs::write(site.path().join("static/bilder/logo.svg"), logo).unwrap();

    let title = long_title();
    let tags: Vec<String> = (0..20)
        .map(|i| format!("\"{}{i}\"", COMPOUNDS[i % COMPOUNDS.len()]))
        .collect();
    let wide_table = wide_table();
    let body = format!(
        "Inledning om {c0}: {c1} och {c2}.\n\n<!-- more -->\n\n\
         ![Ett diagram över {c3}](diagram.png)\n\n\
         > {c4} är ett citat som går över flera rader på en telefon.\n\n\
         {wide_table}\n\
         Se https://www.example.se/{c5}/{c0}/{c1}/rapport-2013-09-30-slutversion.pdf för mer.\n\n\
         ```\nlet {c1}_{c2} = \"{c3}\";\n```\n",
        c0 = COMPOUNDS[0],
        c1 = COMPOUNDS[1],
        c2 = COMPOUNDS[2],
        c3 = COMPOUNDS[3],
        c4 = COMPOUNDS[4],
        c5 = COMPOUNDS[5],
    );
    // A standalone page, linked from every page's navigation.
    std::fs::create_dir_all(site.path().join("pages")).unwrap();
    let page = format!(
        "+++\ntitle = \"Om {c}\"\nnav_title = \"{c}\"\n+++\n\n## {c}\n\n{wide_table}\n",
        c = COMPOUNDS[0]
    );
    std::fs::write(site.path().join("pages/om.md"), page).unwrap();
    site.bundle(
        "2013-09-30-lang",
        &format!(
            "title = \"{title}\"\ndate = \"2013-09-30\"\ntags = [{}]",
            tags.join(", ")
        ),
        &body,
        &[("diagram.png", &images::png(1400, 700))],
    )
    .post(
        "2013-09-27-kort.md",
        "title = \"Kort inlägg\"\ndate = \"2013-09-27\"\ntags = [\"förskola\"]",
        "Ett kort inlägg med en [länk](https://example.se/).\n",
    )
    .post(
        "2013-10-01-tabell.md",
        &format!("title = \"{}\"\ndate = \"2013-10-01\"", COMPOUNDS[2]),
        &format!("{wide_table}\nEfter tabellen.\n"),
    );
    site
}

/// A 200-character title made of compounds.
fn long_title() -> String {
    let title: String = COMPOUNDS
        .iter()
        .cycle()
        .take(7)
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let title: String = title.chars().take(200).collect();
    assert_eq!(title.chars().count(), 200);
    title
}

/// A Markdown table far wider than a phone.
fn wide_table() -> String {
    let header: Vec<&str> = COMPOUNDS.to_vec();
    let row: Vec<String> = (1..=COMPOUNDS.len())
        .map(|i| format!("{} kr", i * 1_234_567))
        .collect();
    format!(
        "| {} |\n|{}|\n| {} |\n",
        header.join(" | "),
        vec!["---:"; COMPOUNDS.len()].join("|"),
        row.join(" | ")
    )
}

/// Every HTML page below `dir`, as URLs below `base`.
fn page_urls(base: &str, dir: &Path) -> Vec<String> {
    common::tree(dir)
        .keys()
        .filter(|name| name.ends_with(".html"))
        .map(|name| format!("{base}{}", name.trim_end_matches("index.html")))
        .collect()
}

/// The HTML part of the one message in `outbox/<week>/`, written to `to`.
fn email_html(outbox: &Path, week: &str, to: PathBuf) -> PathBuf {
    let files = eml_files(&outbox.join(week));
    assert_eq!(files.len(), 1, "one digest in {week}");
    let html = parse(&files[0]).body_html(0).unwrap().into_owned();
    std::fs::write(&to, html).unwrap();
    to
}

#[test]
fn pages_and_email_pass_axe_and_reflow_in_chromium() {
    let Some(browser) = common::browser::browser() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();

    let example = Site {
        dir: common::example_site(),
    };
    let example_out = work.path().join("example");
    ok(&example.herald(&["build", "--out", example_out.to_str().unwrap()]));
    let example_outbox = work.path().join("example-outbox");
    ok(&herald_at(
        &example,
        EXAMPLE_WEEK,
        &["digest", "--outbox", example_outbox.to_str().unwrap()],
    ));
    let example_email = email_html(
        &example_outbox,
        "2013-W39",
        work.path().join("example.html"),
    );

    let fixture = hard_cases();
    ok(&fixture.herald(&["build"]));
    let fixture_outbox = work.path().join("fixture-outbox");
    ok(&fixture.herald(&["digest", "--outbox", fixture_outbox.to_str().unwrap()]));
    let fixture_email = email_html(
        &fixture_outbox,
        "2013-W40",
        work.path().join("fixture.html"),
    );

    let control = work.path().join("control");
    std::fs::create_dir_all(&control).unwrap();
    std::fs::write(
        control.join("index.html"),
        "<!DOCTYPE html><html><head><title>x</title></head><body><img src=\"a.png\"><div style=\"width:1000px\">bred</div></body></html>",
    )
    .unwrap();

    let mut pages = page_urls(EXAMPLE_URL, &example_out);
    pages.extend(page_urls(FIXTURE_URL, &fixture.output()));
    let site_pages = pages.len();
    pages.push(CONTROL_URL.to_string());
    let screenshots = std::env::var_os("HERALD_SCREENSHOTS").map(|_| {
        let post = format!("{EXAMPLE_URL}i-tisdags-invigdes-lundens-forskola-den-naturligt/");
        json!({
            "dir": Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots"),
            "shots": [
                {"name": "index", "url": EXAMPLE_URL},
                {"name": "post", "url": post},
                {"name": "email", "file": example_email},
            ],
        })
    });
    let report = browser.check(json!({
        "sites": [
            {"base": EXAMPLE_URL, "dir": example_out},
            {"base": FIXTURE_URL, "dir": fixture.output()},
            {"base": CONTROL_URL, "dir": control},
        ],
        "pages": pages,
        "emails": [example_email, fixture_email],
        "screenshots": screenshots,
    }));

    let results = report["pages"].as_array().unwrap();
    assert_eq!(
        results.len(),
        (site_pages + 1) * 4,
        "every page, 2 widths × 2 schemes"
    );
    assert!(
        site_pages >= 30,
        "both sites' pages are checked: {site_pages}"
    );
    let (control, pages): (Vec<&Value>, Vec<&Value>) =
        results.iter().partition(|r| r["url"] == CONTROL_URL);
    assert_checks_can_fail(&control);
    assert_accessible(&pages);
    assert_no_sideways_scroll(&pages);
    assert_emails(&report["emails"]);
    if screenshots.is_some() {
        assert_eq!(report["screenshots"].as_array().unwrap().len(), 6);
    }
}

/// The control page fails both checks: the checks are live.
fn assert_checks_can_fail(control: &[&Value]) {
    assert!(
        control
            .iter()
            .all(|r| violations(r).contains(&"image-alt".to_string())),
        "axe-core finds the control page's image without alt: {control:?}"
    );
    assert!(
        control
            .iter()
            .any(|r| r["width"] == 320 && r["scrollWidth"].as_u64() > Some(320)),
        "the control page's 1000 px box is measured: {control:?}"
    );
}

fn violations(result: &Value) -> Vec<String> {
    result["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

fn assert_accessible(pages: &[&Value]) {
    let failing: Vec<String> = pages
        .iter()
        .filter(|r| !r["violations"].as_array().unwrap().is_empty())
        .map(|r| {
            format!(
                "{} at {} px, {}: {:#}",
                r["url"], r["width"], r["scheme"], r["violations"]
            )
        })
        .collect();
    assert!(
        failing.is_empty(),
        "axe-core violations:\n{}",
        failing.join("\n")
    );
}

fn assert_no_sideways_scroll(pages: &[&Value]) {
    let wide: Vec<String> = pages
        .iter()
        .filter(|r| r["width"] == 320 && r["scrollWidth"].as_u64() > r["innerWidth"].as_u64())
        .map(|r| {
            format!(
                "{} ({}, {} px wide)",
                r["url"], r["scheme"], r["scrollWidth"]
            )
        })
        .collect();
    assert!(wide.is_empty(), "pages scroll sideways at 320 px: {wide:?}");
}

fn assert_emails(emails: &Value) {
    let emails = emails.as_array().unwrap();
    assert_eq!(emails.len(), 4, "two emails at 320 and 600 px");
    for email in emails {
        let fits = email["scrollWidth"].as_u64() <= email["innerWidth"].as_u64();
        assert!(
            fits,
            "the email scrolls sideways at {} px: {email}",
            email["width"]
        );
    }
}
