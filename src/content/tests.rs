use std::path::Path;

use super::*;

fn config() -> Config {
    let text = "[site]\ntitle = \"B\"\nbase_url = \"https://example.se/blogg/\"\n[site.author]\nname = \"K\"\n";
    Config::parse(Path::new("config.toml"), text).unwrap()
}

fn post(name: &str, text: &str) -> Result<Post, Vec<String>> {
    parse(&Path::new("posts").join(name), text.as_bytes(), &config())
        .map_err(|d| d.iter().map(ToString::to_string).collect())
}

#[test]
fn a_full_post() {
    let p = post(
        "2013-09-27-lundens-förskola.md",
        "\u{feff}+++\ntitle = \"Lundens förskola\"\ndate = \"2013-09-27\"\ntags = [\"Förskola\", \"förskola\", \"Ledarskap 🎉\"]\n+++\n\nFörsta stycket.\n\nAndra.\n",
    )
    .unwrap();
    assert_eq!(p.slug, "lundens-forskola");
    assert_eq!(p.url.as_str(), "https://example.se/blogg/lundens-forskola/");
    assert_eq!(p.id, "tag:example.se,2013-09-27:lundens-forskola");
    assert_eq!(p.date.to_rfc3339(), "2013-09-27T08:00:00+02:00");
    let tags: Vec<_> = p
        .tags
        .iter()
        .map(|t| (t.name.as_str(), t.slug.as_str()))
        .collect();
    assert_eq!(
        tags,
        [("Förskola", "forskola"), ("Ledarskap 🎉", "ledarskap-tada")]
    );
    assert_eq!(p.summary_text, "Första stycket.");
    assert!(!p.draft);
}

#[test]
fn front_matter_keys_win() {
    let p = post(
        "x.md",
        "+++\ntitle = \"T\"\ndate = \"2013-09-27 15:00\"\nupdated = 2013-09-28T10:00:00+02:00\nslug = \"egen\"\nid = \"urn:uuid:1\"\nsummary = \"Kort & gott\"\nauthor = \"Anna\"\ndraft = true\n+++\nText\n",
    )
    .unwrap();
    assert_eq!((p.slug.as_str(), p.id.as_str()), ("egen", "urn:uuid:1"));
    assert_eq!(p.summary_html, "<p>Kort &amp; gott</p>\n");
    assert_eq!(p.modified().to_rfc3339(), "2013-09-28T10:00:00+02:00");
    assert_eq!(p.author.as_deref(), Some("Anna"));
    assert!(p.draft);
}

#[test]
fn every_problem_in_a_file_is_reported() {
    let found = post("x.md", "+++\nslug = \"../etc\"\n+++\n").unwrap_err();
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found.contains(&"posts/x.md:1: missing `title` in the front matter".to_string()),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|m| m.starts_with("posts/x.md:1: missing `date`")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|m| m.starts_with("posts/x.md:2: slug `../etc` may only contain")),
        "{found:?}"
    );
}

#[test]
fn structural_errors() {
    assert_eq!(
        post("a.md", "title = 1\n").unwrap_err(),
        ["posts/a.md:1: the file must start with a `+++` line opening the front matter"]
    );
    assert!(post("a.md", "+++\ntitle = \"x\"\n").unwrap_err()[0].contains("never closed"));
    let unknown = post(
        "a.md",
        "+++\ntitle = \"x\"\ndate = \"2013-09-27\"\ncolour = 1\n+++\n",
    )
    .unwrap_err();
    assert!(
        unknown[0].starts_with("posts/a.md:4: unknown field `colour`"),
        "{unknown:?}"
    );
    let bad_date = post("a.md", "+++\ntitle = \"x\"\ndate = \"2013-02-30\"\n+++\n").unwrap_err();
    assert!(
        bad_date[0].starts_with("posts/a.md:3: `2013-02-30` is not a valid date"),
        "{bad_date:?}"
    );
}

#[test]
fn non_utf8_names_the_line() {
    let found = parse(
        Path::new("posts/a.md"),
        b"+++\ntitle = \"\xe5\"\n+++\n",
        &config(),
    )
    .unwrap_err();
    assert_eq!(
        found[0].to_string(),
        "posts/a.md:2: the file is not UTF-8; save it as UTF-8"
    );
}

#[test]
fn forbidden_characters_are_removed() {
    let p = post(
        "a.md",
        "+++\ntitle = \"A\u{1}B\"\ndate = \"2013-09-27\"\n+++\nC\u{b}D\u{85}\n",
    )
    .unwrap();
    assert_eq!(p.title, "AB");
    assert_eq!(p.summary_text, "CD");
}

#[test]
fn duplicates_and_reserved_slugs() {
    let a = post(
        "a.md",
        "+++\ntitle = \"A\"\ndate = \"2013-09-27\"\nslug = \"same\"\n+++\n",
    )
    .unwrap();
    let b = post(
        "b.md",
        "+++\ntitle = \"B\"\ndate = \"2013-09-27\"\n\nslug = \"same\"\n+++\n",
    )
    .unwrap();
    let c = post(
        "tags.md",
        "+++\ntitle = \"C\"\ndate = \"2013-09-20\"\n+++\n",
    )
    .unwrap();
    let found: Vec<String> = check_unique(&[a, b, c], &config())
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found[0].starts_with("posts/b.md:5: slug `same` is already used by posts/a.md"),
        "{found:?}"
    );
    assert!(
        found[1].starts_with("posts/b.md:1: id `tag:example.se,2013-09-27:same` is already used"),
        "{found:?}"
    );
    assert!(
        found[2].starts_with("posts/tags.md:1: slug `tags` is used by the site's own pages"),
        "{found:?}"
    );
}

/// A post called `name` dated `date`, with `extra` front matter lines.
fn dated(name: &str, date: &str, extra: &str) -> Post {
    post(
        name,
        &format!("+++\ntitle = \"{name}\"\ndate = \"{date}\"\n{extra}+++\n"),
    )
    .unwrap()
}

/// The day after the Friday the dated posts are about.
fn saturday() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2013-09-28T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn publishing_rules() {
    let posts = vec![
        dated("b.md", "2013-09-27", "id = \"b\"\n"),
        dated("a.md", "2013-09-27", "id = \"a\"\n"),
        dated("old.md", "2013-09-20", ""),
        dated("draft.md", "2013-09-13", "draft = true\n"),
        dated("future.md", "2013-10-04", ""),
    ];
    let now = saturday();
    let published = publish(posts, now);
    let order: Vec<&str> = published.posts.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        order,
        ["a.md", "b.md", "old.md"],
        "newest first, ties by id"
    );
    let files = |list: &[Post]| -> Vec<String> {
        list.iter()
            .map(|p| p.source.display().to_string())
            .collect()
    };
    assert_eq!(files(&published.drafts), ["posts/draft.md"]);
    assert_eq!(files(&published.scheduled), ["posts/future.md"]);
    assert_eq!(published.scheduled[0].date_line(), 3);
    assert!(published.posts.iter().all(|p| p.unpublished.is_none()));
}

#[test]
fn a_preview_shows_drafts_and_scheduled_posts_in_order_marked() {
    let posts = vec![
        dated("old.md", "2013-09-20", ""),
        dated("draft.md", "2013-09-27", "draft = true\n"),
        dated("future.md", "2013-10-04", ""),
    ];
    let now = saturday();
    let shown = preview(posts, now);
    let marks: Vec<(&str, Option<Unpublished>)> = shown
        .posts
        .iter()
        .map(|p| (p.title.as_str(), p.unpublished))
        .collect();
    assert_eq!(
        marks,
        [
            ("future.md", Some(Unpublished::Scheduled)),
            ("draft.md", Some(Unpublished::Draft)),
            ("old.md", None),
        ]
    );
    assert!(shown.drafts.is_empty() && shown.scheduled.is_empty());
}

#[test]
fn posts_group_by_tag() {
    let posts = vec![
        dated("new.md", "2013-09-27", "tags = [\"Skola\"]\n"),
        dated("old.md", "2013-09-20", "tags = [\"skola\", \"Vård\"]\n"),
    ];
    let groups = by_tag(&posts);
    let summary: Vec<(&str, usize)> = groups
        .iter()
        .map(|(t, p)| (t.slug.as_str(), p.len()))
        .collect();
    assert_eq!(summary, [("skola", 2), ("vard", 1)]);
    assert_eq!(groups[0].0.name, "Skola", "the newest post's spelling");
}

#[test]
fn only_the_body_checked_at_load_is_rendered() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("djup.md");
    let front = "+++\ntitle = \"Djup\"\ndate = \"2013-09-27\"\n+++\n";
    std::fs::write(&path, format!("{front}Kort.\n")).unwrap();
    let post = parse(&path, &std::fs::read(&path).unwrap(), &config()).unwrap();
    assert!(body_html(&post, Images::Srcset).unwrap().contains("Kort."));
    // Made deeper than loading allows after it was loaded.
    std::fs::write(&path, format!("{front}{} x\n", ">".repeat(5000))).unwrap();
    let Err(Error::Invalid(problems)) = body_html(&post, Images::Srcset) else {
        panic!("a changed body was rendered")
    };
    assert!(problems[0].to_string().contains("changed during the build"));
}
