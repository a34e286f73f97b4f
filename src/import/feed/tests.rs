use super::*;

fn config() -> Config {
    let text = "[site]\ntitle = \"B\"\nbase_url = \"https://kommunchefen.example.se/\"\n[site.author]\nname = \"Kommunchefen\"\n";
    Config::parse(Path::new("config.toml"), text).unwrap()
}

fn read(text: &str) -> (Vec<Draft>, Vec<String>) {
    let found = parse(Path::new("old.xml"), text.as_bytes(), &config()).unwrap();
    let warnings = found.warnings.iter().map(ToString::to_string).collect();
    (found.drafts, warnings)
}

const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Gamla bloggen</title><link>https://old.example.se/</link><description>d</description>
<item>
  <title>Lundens förskola &amp; ledarforum</title>
  <link>https://old.example.se/2013/09/lundens.html</link>
  <guid isPermaLink="false">tag:blogger.com,1999:post-123</guid>
  <pubDate>Fri, 27 Sep 2013 16:05:00 +0200</pubDate>
  <author>anna@example.se (Anna Andersson)</author>
  <category>förskola</category><category> ledarskap </category><category>förskola</category>
  <description>Kort.</description>
  <content:encoded><![CDATA[<p>I tisdags <em>invigdes</em> Lundens förskola.</p><p>Se <a href="http://www.natkom.se">natkom</a>.</p>]]></content:encoded>
</item>
<item>
  <link>https://old.example.se/2013/09/utan-titel.html</link>
  <pubDate>Fri, 20 Sep 2013 23:30:00 GMT</pubDate>
  <dc:creator>Kommunchefen</dc:creator>
  <description>&lt;p&gt;Idag har vi haft utbildning i Plenisalen. Bra!&lt;/p&gt;</description>
</item>
<item><title>Utan datum</title><guid>x</guid></item>
</channel></rss>"#;

#[test]
fn rss_items_keep_title_dates_author_tags_and_guid() {
    let (drafts, warnings) = read(RSS);
    assert_eq!(
        warnings,
        ["old.xml: item 3 `Utan datum`: no date (pubDate, dc:date, published, updated, issued, modified, date_published); left out"]
    );
    let first = &drafts[0];
    assert_eq!(first.title, "Lundens förskola & ledarforum");
    assert_eq!(first.date, "2013-09-27T16:05:00+02:00");
    assert_eq!(first.id.as_deref(), Some("tag:blogger.com,1999:post-123"));
    assert_eq!(first.author.as_deref(), Some("Anna Andersson"));
    assert_eq!(first.tags, ["förskola", "ledarskap"]);
    assert_eq!(
        first.body,
        "I tisdags *invigdes* Lundens förskola.\n\nSe [natkom](http://www.natkom.se).\n"
    );
    assert_eq!(first.origin, "item 1 `Lundens förskola & ledarforum`");
}

#[test]
fn rss_fallbacks_link_as_id_title_from_text_site_author_dropped() {
    let (drafts, _) = read(RSS);
    let second = &drafts[1];
    assert_eq!(
        second.id.as_deref(),
        Some("https://old.example.se/2013/09/utan-titel.html")
    );
    assert_eq!(second.title, "Idag har vi haft utbildning i Plenisalen");
    assert_eq!(second.date, "2013-09-20T23:30:00+00:00");
    assert_eq!(
        second.day.to_string(),
        "2013-09-21",
        "the day is the site's (Stockholm)"
    );
    assert_eq!(second.author, None);
}

const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Gamla bloggen</title><id>urn:uuid:feed</id><updated>2013-09-28T10:00:00+02:00</updated>
  <author><name>Kommunchefen</name></author>
  <entry>
    <title type="html">Avtalsr&amp;auml;tt &lt;em&gt;f&#246;r&lt;/em&gt; kommuner</title>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <published>2013-09-20T15:00:00+02:00</published>
    <updated>2013-09-21T09:30:00+02:00</updated>
    <category term="utbildning" label="Utbildning"/><category term="juridik"/>
    <content type="html">&lt;p&gt;Idag &lt;sup&gt;1&lt;/sup&gt; hade vi utbildning.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Text</title><id>urn:2</id><updated>2013-09-13T08:00:00Z</updated>
    <author><name>Anna</name></author>
    <content type="text">Rad ett
rad två.

- inte en lista</content>
  </entry>
  <entry>
    <title>Bild</title><id>urn:3</id><updated>2013-09-06T08:00:00Z</updated>
    <content type="image/png" src="https://old.example.se/a.png"/>
  </entry>
  <entry>
    <title>Video</title><id>urn:4</id><updated>2013-09-06T08:00:00Z</updated>
    <content type="video/mp4">AAAA</content>
  </entry>
</feed>"#;

#[test]
fn atom_entries_keep_their_ids_and_both_dates() {
    let (drafts, warnings) = read(ATOM);
    assert_eq!(
        warnings,
        ["old.xml: item 4 `Video`: content of type `video/mp4` cannot be a post; left out"]
    );
    let first = &drafts[0];
    assert_eq!(first.title, "Avtalsrätt för kommuner");
    assert_eq!(
        first.id.as_deref(),
        Some("urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a")
    );
    assert_eq!(
        (first.date.as_str(), first.updated.as_deref()),
        (
            "2013-09-20T15:00:00+02:00",
            Some("2013-09-21T09:30:00+02:00")
        )
    );
    assert_eq!(first.tags, ["Utbildning", "juridik"]);
    assert_eq!(first.author, None, "the feed's author is the site's");
    assert_eq!(first.body, "Idag <sup>1</sup> hade vi utbildning.\n");
}

#[test]
fn atom_text_content_and_out_of_line_content() {
    let (drafts, _) = read(ATOM);
    assert_eq!(drafts[1].author.as_deref(), Some("Anna"));
    assert_eq!(drafts[1].date, "2013-09-13T08:00:00+00:00");
    assert_eq!(drafts[1].updated, None);
    assert_eq!(drafts[1].body, "Rad ett rad två.\n\n\\- inte en lista\n");
    assert_eq!(drafts[2].body, "<https://old.example.se/a.png>\n");
}

#[test]
fn other_files_are_refused() {
    let config = config();
    let err = parse(
        Path::new("x.html"),
        b"<!DOCTYPE html><html></html>",
        &config,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "x.html: neither RSS, Atom nor JSON Feed: the root element <html>"
    );
    assert!(parse(Path::new("x.txt"), b"fredag", &config)
        .unwrap_err()
        .message
        .contains("starts with neither `<` nor `{`"));
    let err = parse(Path::new("b.xml"), b"<rss><channel><item>", &config).unwrap_err();
    assert!(err.message.starts_with("not well-formed XML"), "{err}");
}

#[test]
fn the_xhtml_wrapper_is_not_content() {
    let feed = r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>X</title><id>urn:x</id>
<updated>2013-09-06T08:00:00Z</updated>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>a <b>b</b></p></div></content>
</entry></feed>"#;
    assert_eq!(read(feed).0[0].body, "a **b**\n");
}

#[test]
fn feeds_nested_too_deep_are_refused_not_a_stack_overflow() {
    let deep = format!(
        "<rss><channel><item><description>{}{}</description></item></channel></rss>",
        "<x>".repeat(100_000),
        "</x>".repeat(100_000)
    );
    let err = parse(Path::new("deep.xml"), deep.as_bytes(), &config()).unwrap_err();
    assert!(err.message.contains("nested more than 1000 deep"), "{err}");
    let fine = "<!-- <a> <b> --><rss><channel><![CDATA[<c><d>]]><item/><?pi <e>?></channel></rss>";
    assert!(parse(Path::new("ok.xml"), fine.as_bytes(), &config()).is_ok());
}

#[test]
fn messages_never_carry_raw_control_characters() {
    let err = parse(Path::new("nul.xml"), b"<rss>\0</rss>", &config()).unwrap_err();
    assert!(err.message.starts_with("not well-formed XML"), "{err}");
    assert!(!err.message.contains('\0'), "{err:?}");
}
