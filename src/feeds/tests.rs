use std::path::Path;

use super::*;
use crate::content;

fn config(extra: &str) -> Config {
    let text = format!(
        "[site]\ntitle = \"Blogg & <vänner>\"\nbase_url = \"https://example.se/blogg/\"\n[site.author]\nname = \"Kommunchefen\"\nemail = \"kc@example.se\"\n{extra}"
    );
    Config::parse(Path::new("config.toml"), &text).unwrap()
}

/// Posts are read again for their bodies, so they live in real files.
struct Fixture {
    dir: tempfile::TempDir,
    config: Config,
}

impl Fixture {
    fn new(extra: &str) -> Fixture {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
            config: config(extra),
        }
    }

    fn post(&self, name: &str, front: &str, body: &str) -> Post {
        let text = format!("+++\n{front}\n+++\n{body}");
        let path = self.dir.path().join(name);
        std::fs::write(&path, &text).unwrap();
        content::parse(&path, text.as_bytes(), &self.config).unwrap()
    }
}

fn now() -> DateTime<Utc> {
    "2014-01-01T00:00:00Z".parse().unwrap()
}

fn build_files(config: &Config, posts: &[Post]) -> BTreeMap<String, String> {
    let tags = content::by_tag(posts);
    build(config, posts, &tags, now())
        .unwrap()
        .into_iter()
        .map(|f| {
            (
                f.path.display().to_string(),
                String::from_utf8(f.bytes).unwrap(),
            )
        })
        .collect()
}

#[test]
fn dates_carry_the_offset_of_their_season() {
    let fx = Fixture::new("");
    let c = &fx.config;
    let posts = vec![
        fx.post(
            "winter.md",
            "title = \"Vinter\"\ndate = \"2013-12-06\"",
            "Kallt.",
        ),
        fx.post(
            "summer.md",
            "title = \"Sommar\"\ndate = \"2013-06-07 15:00\"",
            "Varmt.",
        ),
    ];
    let files = build_files(c, &posts);
    let rss = &files["feed.xml"];
    assert!(
        rss.contains("<pubDate>Fri, 06 Dec 2013 08:00:00 +0100</pubDate>"),
        "{rss}"
    );
    assert!(
        rss.contains("<pubDate>Fri, 07 Jun 2013 15:00:00 +0200</pubDate>"),
        "{rss}"
    );
    assert!(
        rss.contains("<lastBuildDate>Fri, 06 Dec 2013 08:00:00 +0100</lastBuildDate>"),
        "{rss}"
    );
    assert!(files["atom.xml"].contains("<updated>2013-12-06T08:00:00+01:00</updated>"));
    assert!(files["feed.json"].contains("\"date_published\": \"2013-06-07T15:00:00+02:00\""));
}

#[test]
fn limit_and_tag_feeds() {
    let fx = Fixture::new("[feeds]\nlimit = 2\n");
    let c = &fx.config;
    let posts: Vec<Post> = (1..=3)
        .rev()
        .map(|d| {
            fx.post(
                &format!("p{d}.md"),
                &format!("title = \"P{d}\"\ndate = \"2013-09-0{d}\"\ntags = [\"Förskola\"]"),
                "x",
            )
        })
        .collect();
    let files = build_files(c, &posts);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "atom.xml",
            "feed.json",
            "feed.xml",
            "tags/forskola/atom.xml",
            "tags/forskola/feed.xml"
        ]
    );
    assert_eq!(files["feed.xml"].matches("<item>").count(), 2);
    assert!(files["feed.xml"].contains("P3") && !files["feed.xml"].contains("P1"));
    let tag = &files["tags/forskola/feed.xml"];
    assert!(
        tag.contains(
            r#"<atom:link href="https://example.se/blogg/tags/forskola/feed.xml" rel="self""#
        ),
        "{tag}"
    );
    assert!(tag.contains("<link>https://example.se/blogg/tags/forskola/</link>"));

    let unlimited = build_files(&config("[feeds]\nlimit = 0\ntag_feeds = false\n"), &posts);
    assert_eq!(unlimited.len(), 3);
    assert_eq!(unlimited["feed.xml"].matches("<item>").count(), 3);
}

#[test]
fn summary_only_feeds_leave_out_content() {
    let fx = Fixture::new("[feeds]\nfull_content = false\n");
    let c = &fx.config;
    let files = build_files(
        c,
        &[fx.post(
            "a.md",
            "title = \"A\"\ndate = \"2013-09-27\"",
            "Ett.\n\nTvå.",
        )],
    );
    assert!(!files["feed.xml"].contains("content:encoded"));
    assert!(!files["atom.xml"].contains("<content"));
    assert!(files["feed.json"].contains("\"content_html\": \"<p>Ett.</p>\\n\""));
}

#[test]
fn feed_html_is_absolute_and_sanitised() {
    let fx = Fixture::new("");
    let c = &fx.config;
    let body = "Se [bilden](bild.jpg) och <img src=\"../a.png\" onerror=\"x()\">.\n\n<script>alert(1)</script>\n";
    let files = build_files(
        c,
        &[fx.post("a.md", "title = \"A\"\ndate = \"2013-09-27\"", body)],
    );
    let rss = &files["feed.xml"];
    assert!(
        rss.contains("href=\"https://example.se/blogg/a/bild.jpg\""),
        "{rss}"
    );
    assert!(
        rss.contains("src=\"https://example.se/blogg/a.png\""),
        "{rss}"
    );
    assert!(
        !rss.contains("<script") && !rss.contains("onerror"),
        "{rss}"
    );
}

#[test]
fn an_empty_site_still_has_valid_feeds() {
    let fx = Fixture::new("");
    let c = &fx.config;
    let files = build_files(c, &[]);
    assert!(!files["feed.xml"].contains("lastBuildDate"));
    assert!(files["atom.xml"].contains("<updated>2014-01-01T01:00:00+01:00</updated>"));
}
