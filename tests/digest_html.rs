//! The digest's HTML part as mail clients see it, end to end: the real
//! binary writes the message to the outbox, `mail-parser` reads it back and
//! html5ever (through `scraper`) parses the HTML part.

mod common;

use common::mail::{digest_site, eml_files, parse};
use common::{ok, Site};
use scraper::{ElementRef, Html, Node, Selector};

/// A table with the three Markdown alignments and one column without.
const TABLE: &str = "Barn per förskola:\n\n\
                     | Förskola | Barn | Avdelningar | Not |\n\
                     |:---------|-----:|:-----------:|-----|\n\
                     | Lunden   | 54   | 3           | ny  |\n\
                     | Solen    | 40   | 2           |     |\n";

/// The text and HTML parts of the digest of `site` (group mode, outbox).
fn digest_parts(site: &Site) -> (String, String) {
    ok(&site.herald(&["digest"]));
    let files = eml_files(&site.path().join("outbox/2013-W40"));
    assert_eq!(files.len(), 1);
    let message = parse(&files[0]);
    let text = message.body_text(0).unwrap().into_owned();
    let html = message.body_html(0).unwrap().into_owned();
    (text, html)
}

/// The digest site of `tests/common/mail.rs` plus a post with [`TABLE`].
fn site_with_table(digest: &str) -> Site {
    let site = digest_site(&format!("to = [\"alla@example.se\"]\n{digest}"), "");
    site.post(
        "2013-09-28-barn.md",
        "title = \"Barn i förskolan\"\ndate = \"2013-09-28\"",
        TABLE,
    );
    site
}

fn select<'a>(page: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    let selector = Selector::parse(css).unwrap();
    page.select(&selector).collect()
}

/// The inline `style` of `el`, without spaces, for comparing declarations.
fn style(el: &ElementRef) -> String {
    el.value().attr("style").unwrap_or("").replace(' ', "")
}

fn text_of(el: &ElementRef) -> String {
    el.text().collect::<String>()
}

#[test]
fn the_layout_is_fluid_with_a_fixed_table_for_outlook_only() {
    let (_, html) = digest_parts(&site_with_table(""));
    let page = common::well_formed_html("digest.html", html.as_bytes());
    // Outlook for Windows (which ignores max-width) gets a 600 px table in
    // conditional comments, which the inliner must have kept.
    let comments: Vec<String> = page
        .tree
        .values()
        .filter_map(|node| match node {
            Node::Comment(c) => Some(c.comment.to_string()),
            _ => None,
        })
        .collect();
    let open = comments
        .iter()
        .find(|c| c.starts_with("[if mso]") && c.contains("<table"))
        .unwrap_or_else(|| panic!("no Outlook table in {comments:?}"));
    assert!(open.contains("width=\"600\""), "{open}");
    assert!(open.ends_with("<![endif]"), "{open}");
    assert!(
        comments
            .iter()
            .any(|c| c.starts_with("[if mso]") && c.contains("</table>")),
        "{comments:?}"
    );
    // Everyone else: one page table, 100 % wide up to 600 px.
    let pages = select(&page, "table.page");
    assert_eq!(pages.len(), 1);
    let page_style = style(&pages[0]);
    assert!(page_style.contains("width:100%"), "{page_style}");
    assert!(page_style.contains("max-width:600px"), "{page_style}");
    for el in select(&page, "[width]") {
        let width = el.value().attr("width").unwrap();
        assert!(
            width.ends_with('%') || width.parse::<u32>().unwrap() <= 536,
            "a fixed width outside the Outlook table: {width}"
        );
    }
}

#[test]
fn dark_mode_has_its_meta_its_media_block_and_explicit_backgrounds() {
    let (_, html) = digest_parts(&site_with_table(""));
    let page = common::well_formed_html("digest.html", html.as_bytes());
    for name in ["color-scheme", "supported-color-schemes"] {
        let meta = select(&page, &format!("head meta[name=\"{name}\"]"));
        assert_eq!(meta.len(), 1, "{name}");
        assert_eq!(meta[0].value().attr("content"), Some("light dark"));
    }
    // Only the rules that cannot be inlined stay in the head.
    let styles = select(&page, "style");
    assert_eq!(styles.len(), 1, "{html}");
    let css = text_of(&styles[0]);
    assert!(css.contains("@media (prefers-color-scheme: dark)"), "{css}");
    assert!(css.contains("!important"), "{css}");
    assert!(!css.trim_start().starts_with('.'), "{css}");
    assert!(
        select(&page, "head style").len() == 1,
        "the style block is in the head"
    );
    // Automatic inversion (Outlook, Gmail) works on colours that are set:
    // every layout table and content cell names its background.
    for el in select(
        &page,
        "table.outer, table.page, td.head, td.intro, td.post, td.foot",
    ) {
        assert!(el.value().attr("bgcolor").is_some(), "{:?}", el.value());
        assert!(
            style(&el).contains("background-color:#"),
            "{:?}",
            el.value()
        );
    }
    for el in select(&page, "td.intro, td.post, td.foot") {
        assert!(style(&el).contains(";color:#"), "{:?}", el.value());
    }
}

#[test]
fn data_tables_are_styled_inline_and_keep_their_alignment() {
    let (_, html) = digest_parts(&site_with_table(""));
    let page = common::well_formed_html("digest.html", html.as_bytes());
    let tables = select(&page, "td.post table");
    assert_eq!(tables.len(), 1, "{html}");
    let table = &tables[0];
    let wrap = ElementRef::wrap(table.parent().unwrap()).unwrap();
    assert!(
        style(&wrap).contains("overflow-x:auto"),
        "{:?}",
        wrap.value()
    );
    assert!(
        style(table).contains("border:1pxsolid"),
        "{:?}",
        table.value()
    );
    let cell = Selector::parse("th, td").unwrap();
    let row = Selector::parse("tr").unwrap();
    let rows: Vec<_> = table.select(&row).collect();
    assert_eq!(rows.len(), 3);
    for tr in rows {
        let aligns: Vec<String> = tr
            .select(&cell)
            .map(|c| {
                let s = style(&c);
                assert!(s.contains("border:1pxsolid"), "{s}");
                assert!(s.contains("padding:"), "{s}");
                let at = s.find("text-align:").unwrap_or_else(|| panic!("{s}"));
                s[at + 11..].split(';').next().unwrap().to_string()
            })
            .collect();
        assert_eq!(aligns, ["left", "right", "center", "left"]);
    }
}

#[test]
fn the_preheader_is_the_first_posts_summary_and_hidden() {
    let (_, html) = digest_parts(&site_with_table(""));
    let page = common::well_formed_html("digest.html", html.as_bytes());
    let preheaders = select(&page, "body div.preheader");
    assert!(!preheaders.is_empty(), "{html}");
    // The newest post comes first; its summary is in its front matter.
    assert_eq!(text_of(&preheaders[0]), "Om torget & rådhuset.");
    for el in &preheaders {
        let s = style(el);
        for hidden in [
            "display:none",
            "max-height:0",
            "overflow:hidden",
            "mso-hide:all",
        ] {
            assert!(s.contains(hidden), "{hidden} missing in {s}");
        }
    }
    // It comes before anything visible.
    let first = select(&page, "body *")
        .into_iter()
        .find(|el| !el.value().classes().any(|c| c == "wrapper"))
        .unwrap();
    assert!(first.value().classes().any(|c| c == "preheader"));
}

#[test]
fn the_language_is_on_the_wrapper_and_links_name_their_post() {
    let (text, html) = digest_parts(&site_with_table(""));
    let page = common::well_formed_html("digest.html", html.as_bytes());
    assert_eq!(select(&page, "html")[0].value().attr("lang"), Some("sv"));
    // Webmail drops <html>: the wrapper of everything shown says it again.
    let wrappers = select(&page, "body > div[lang=\"sv\"]");
    assert_eq!(wrappers.len(), 1, "{html}");
    assert_eq!(select(&page, "body > *").len(), 1, "one wrapper holds all");
    let links: Vec<(String, String)> = select(&page, "p.more a")
        .iter()
        .map(|a| (text_of(a), a.value().attr("href").unwrap().to_string()))
        .collect();
    assert_eq!(
        links,
        [
            (
                "Läs mer: Rådhuset & torget",
                "https://example.se/blogg/radhuset/"
            ),
            (
                "Läs mer: Barn i förskolan",
                "https://example.se/blogg/barn/"
            ),
            (
                "Läs mer: Lundens förskola invigd",
                "https://example.se/blogg/lunden/"
            ),
        ]
        .map(|(t, u)| (t.to_string(), u.to_string()))
    );
    // The text part ends with the blog's address too.
    let foot: Vec<&str> = text.trim_end().lines().rev().take(4).collect();
    assert!(
        foot.contains(&"Testbloggen: https://example.se/blogg/"),
        "{text}"
    );
}

#[test]
fn an_english_digest_says_read_more_and_lang_en() {
    let site = Site::new(
        "\n[digest]\nfrom = \"Chief <chief@example.se>\"\nto = [\"all@example.se\"]\nstate = \"state/state.db\"\n",
    );
    let config = site.path().join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("language = \"sv\"", "language = \"en\""),
    )
    .unwrap();
    site.post(
        "2013-09-30-square.md",
        "title = \"The square\"\ndate = \"2013-09-30\"",
        "New benches.\n",
    );
    let (_, html) = digest_parts(&site);
    let page = common::well_formed_html("digest.html", html.as_bytes());
    assert_eq!(select(&page, "body > div[lang=\"en\"]").len(), 1);
    let more = select(&page, "p.more a");
    assert_eq!(text_of(&more[0]), "Read more: The square");
}
