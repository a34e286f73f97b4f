//! End-to-end: characters XML forbids, arriving through TOML escapes, numeric
//! character references, raw HTML, the config or an imported feed, never
//! reach the feeds, pages or mail; ids that carry them are refused; and post
//! text is never taken for the digest's recipient fields.

mod common;

use common::mail::{eml_files, fails, parse, recipients};
use common::{assert_well_formed_site, ok, parse_feed, tree, unfit, Site};

/// TOML escapes of characters XML 1.0 forbids or HTML rejects.
const ESCAPES: &str = "\\u0001\\u000b\\u001f\\ufffe\\uffff\\u0085\\ufdd0";

/// A site whose config strings and posts carry [`ESCAPES`] in every text
/// field, and whose bodies carry them as character references, in Markdown
/// and in raw HTML. `digest` is added to the `[digest]` table.
fn hostile_site(digest: &str) -> Site {
    let site = Site::new("");
    let config = format!(
        "[site]\ntitle = \"Blogg{ESCAPES}en\"\ndescription = \"Om{ESCAPES} kommunen\"\nbase_url = \"https://example.se/blogg/\"\n\n[site.author]\nname = \"Kommun{ESCAPES}chefen\"\n\n[digest]\nfrom = \"Kommun{ESCAPES}chefen <kc@example.se>\"\nlist_id = \"digest{ESCAPES}.example.se\"\nstate = \"state/state.db\"\n{digest}\n"
    );
    std::fs::write(site.path().join("config.toml"), config).unwrap();
    site.post(
        "2013-09-30-a.md",
        &format!("title = \"Rubrik{ESCAPES} ett\"\ndate = \"2013-09-30\"\ntags = [\"ta{ESCAPES}gg\", \"\\u0001\"]\nauthor = \"För{ESCAPES}fattare\"\nsummary = \"Sam{ESCAPES}manfattning\""),
        "Text &#1; &#x1F; &#xFFFE; &#xffff; &#x85; &#xFDD0; &#0; &#11 slut.\n\n<p>Rå &#1;&#x0001f;&#65534; html</p>\n\n<span title=\"a&#1;b&#x1f;c\">attribut</span>\n",
    );
    site.post(
        "2013-09-29-b.md",
        "title = \"Två\"\ndate = \"2013-09-29\"",
        "Första &#1;stycket &#x1F; &#xFFFE;.\n\n<div>&#x1;</div>\n",
    );
    site
}

#[test]
fn characters_xml_forbids_never_reach_feeds_or_pages_whatever_their_source() {
    let site = hostile_site("to = [\"alla@example.se\"]");
    ok(&site.herald(&["build"]));
    let files = tree(&site.output());
    assert_well_formed_site(&files);
    let feed = parse_feed(&files["feed.xml"]);
    assert_eq!(feed.title.unwrap().content, "Bloggen");
    let entry = &feed.entries[0];
    assert_eq!(entry.title.as_ref().unwrap().content, "Rubrik ett");
    assert_eq!(entry.authors[0].name, "Författare");
    assert_eq!(entry.categories[0].term, "tagg");
    assert_eq!(entry.categories.len(), 1, "an empty tag is dropped");
    let json: serde_json::Value = serde_json::from_slice(&files["feed.json"]).unwrap();
    assert_eq!(json["items"][0]["summary"], "Sammanfattning");
    assert!(files.contains_key("tags/tagg/atom.xml"));
}

#[test]
fn characters_xml_forbids_never_reach_the_digest_mail() {
    let site = hostile_site("recipients = \"recipients.csv\"\nmode = \"individual\"");
    recipients(&site, &["asa@example.se,Åsa,Skola"]);
    ok(&site.herald(&["digest"]));
    let files = eml_files(&site.path().join("outbox/2013-W40"));
    let bytes = &files[0];
    let m = parse(bytes);
    let from = m.from().unwrap().first().unwrap();
    assert_eq!(from.name(), Some("Kommunchefen"));
    let subject = m.subject().unwrap();
    let text = m.body_text(0).unwrap();
    let html = m.body_html(0).unwrap();
    for part in [subject, &text, &html] {
        assert!(!part.contains(unfit), "unfit character in {part}");
    }
    common::well_formed_html("the HTML part", html.as_bytes());
    assert!(text.contains("Rubrik ett"), "{text}");
    let list_id = common::mail::raw_header(bytes, "List-Id").unwrap();
    assert_eq!(list_id, "Bloggen <digest.example.se>");
}

#[test]
fn an_id_with_control_characters_or_a_line_break_is_refused() {
    let site = Site::new("");
    site.post(
        "escape.md",
        "title = \"A\"\ndate = \"2013-09-27\"\nid = \"tag:example.se,2013:a\\u0001b\"",
        "A.",
    )
    .post(
        "lines.md",
        "title = \"B\"\ndate = \"2013-09-27\"\nslug = \"b\"\nid = \"\"\"\ntag:example.se,2013:b\nc\"\"\"",
        "B.",
    )
    .post(
        "slug.md",
        "title = \"C\"\ndate = \"2013-09-27\"\nslug = \"c\\u0001\"",
        "C.",
    );
    for command in ["check", "build"] {
        fails(
            &site.herald(&[command]),
            2,
            &[
                "posts/escape.md:4: the id contains the control character U+0001",
                "posts/lines.md:5: the id contains a line break",
                "posts/slug.md:4: slug `c\\u{1}` may only contain a-z, 0-9 and -",
            ],
        );
    }
    assert!(!site.output().exists());
}

#[test]
fn imported_feed_text_is_cleaned_before_it_is_written() {
    let site = Site::new("");
    let feed = site.path().join("old.rss");
    std::fs::write(
        &feed,
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>Gammal</title><link>https://gammal.example.se/</link><description>d</description>\n<item><title>Ru&amp;#1;brik</title><guid>https://gammal.example.se/?p=1</guid><pubDate>Fri, 27 Sep 2013 08:00:00 +0200</pubDate><category>ta&amp;#x1f;g</category><description>&lt;p&gt;Text &amp;#1; &amp;#xFFFE; slut&lt;/p&gt;</description></item>\n</channel></rss>\n",
    )
    .unwrap();
    ok(&site.herald(&["import", "feed", feed.to_str().unwrap()]));
    for entry in std::fs::read_dir(site.path().join("posts")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains(unfit), "{text}");
        assert!(
            !text.contains("\\u"),
            "no escaped control character: {text}"
        );
    }
    ok(&site.herald(&["build"]));
    assert_well_formed_site(&tree(&site.output()));
}

#[test]
fn post_text_is_never_taken_for_a_recipient_field() {
    let site =
        common::mail::digest_site("recipients = \"recipients.csv\"\nmode = \"individual\"", "");
    let trap = "\u{e000}email\u{e001} och \u{e000}name\u{e001}";
    site.post(
        "2013-09-30-falla.md",
        &format!("title = \"Fälla {trap}\"\ndate = \"2013-09-30\"\ntags = [\"{trap}\"]"),
        &format!("Brödtext {trap} slut.\n"),
    );
    recipients(
        &site,
        &["asa@example.se,Åsa Öberg,Skola", "bo@example.se,Bo,IT"],
    );
    ok(&site.herald(&["digest"]));
    let files = eml_files(&site.path().join("outbox/2013-W40"));
    assert_eq!(files.len(), 2);
    for bytes in &files {
        let m = parse(bytes);
        let text = m.body_text(0).unwrap();
        let html = m.body_html(0).unwrap();
        for part in [&text, &html] {
            assert!(
                part.contains(&format!("Brödtext {trap} slut.")),
                "the post text stays as written: {part}"
            );
            assert!(part.contains(&format!("Fälla {trap}")), "{part}");
            assert!(
                !part.contains("@example.se"),
                "a recipient's address shows: {part}"
            );
        }
    }
}

#[test]
fn post_text_is_never_taken_for_the_page_body() {
    let site = Site::new("");
    let old_marker = "heraldPageBody5c1e0a9f";
    site.post(
        "a.md",
        &format!("title = \"Rubrik {old_marker} \\ufdd2 slut\"\ndate = \"2013-09-27\""),
        "Brödtext.\n",
    );
    ok(&site.herald(&["build"]));
    let page = std::fs::read(site.output().join("a/index.html")).unwrap();
    let html = common::well_formed_html("a/index.html", &page);
    let title = scraper::Selector::parse("title").unwrap();
    let text: String = html.select(&title).next().unwrap().text().collect();
    assert_eq!(text, format!("Rubrik {old_marker}  slut – Testbloggen"));
}
