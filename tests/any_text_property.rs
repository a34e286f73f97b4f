//! Property: whatever Unicode the config, the front matter and the Markdown
//! body hold (controls, noncharacters, private-use characters, character
//! references, markup), every feed is well-formed XML (roxmltree, feed-rs),
//! every page parses as HTML without errors and shows its title as written,
//! and every digest message parses as MIME, shows nobody's address and holds
//! no unfit character. The library's own functions run in-process on a
//! temporary folder, so generated sites take milliseconds each: 1,000 by
//! default, more with `PROPTEST_CASES` (e.g. 10,000 before a release).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use herald::config::Config;
use herald::content;
use herald::digest::compose::Composer;
use herald::digest::recipients::{Addressing, Recipient};
use proptest::prelude::*;
use proptest::test_runner::{Config as Cases, TestRunner};

use common::{assert_site, parse_html, unfit, well_formed_html};

/// Generated sites per run, unless `PROPTEST_CASES` says otherwise.
const CASES: u32 = 1_000;

/// `PROPTEST_CASES` when set to a number, else [`CASES`].
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(CASES)
}

/// One generated post's text fields, as arbitrary strings.
#[derive(Debug, Clone)]
struct GenPost {
    title: String,
    tags: Vec<String>,
    author: Option<String>,
    summary: Option<String>,
    id: Option<String>,
    body: String,
}

/// One generated site: config text and posts.
#[derive(Debug, Clone)]
struct GenSite {
    title: String,
    description: String,
    author: String,
    posts: Vec<GenPost>,
}

/// Characters that matter here, drawn often; `any::<char>()` adds the rest.
fn special_char() -> impl Strategy<Value = char> {
    prop::sample::select(vec![
        '\0',
        '\u{1}',
        '\u{8}',
        '\t',
        '\n',
        '\u{b}',
        '\u{c}',
        '\r',
        '\u{1f}',
        '\u{7f}',
        '\u{85}',
        '\u{9f}',
        '\u{a0}',
        '\u{2028}',
        '\u{202e}',
        '\u{e000}',
        '\u{e001}',
        '\u{fdd0}',
        '\u{fdd1}',
        '\u{fdd2}',
        '\u{feff}',
        '\u{fffd}',
        '\u{fffe}',
        '\u{ffff}',
        '\u{1fffe}',
        '\u{10ffff}',
        '<',
        '>',
        '&',
        '"',
        '\'',
        ']',
        '\\',
        '`',
        'å',
    ])
}

/// Arbitrary Unicode text of a few characters.
fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop_oneof![any::<char>(), special_char()], 0..max)
        .prop_map(|chars| chars.into_iter().collect())
}

/// A numeric character reference, to an interesting or any code point, in
/// decimal or hex, with or without its semicolon.
fn reference() -> impl Strategy<Value = String> {
    let code = prop_oneof![
        0u32..0x20,
        0x7fu32..0xa0,
        0xfdd0u32..0xfdf0,
        0xfffeu32..0x10000,
        0xd800u32..0xe000,
        0x10fffeu32..0x110002,
        any::<u32>(),
    ];
    (code, 0..4u8).prop_map(|(n, form)| match form {
        0 => format!("&#{n};"),
        1 => format!("&#x{n:X};"),
        2 => format!("&#x{n:x}"),
        _ => format!("&#{n:06}"),
    })
}

/// Markdown and HTML that change how text is decoded or where it lands.
fn markup() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "\n\n",
        "\n",
        "*",
        "_",
        "**",
        "`",
        "```",
        "\n```x",
        "# ",
        "> ",
        "- ",
        "1. ",
        "[a](",
        ")",
        "](https://x.se/ \"",
        "\")",
        "![b](",
        "<https://x.se/",
        "[^1]",
        "\n\n[^1]: ",
        "\n\n[r]: /r \"",
        "[r]",
        "<div>",
        "</div>",
        "<span title=\"",
        "\">",
        "<p>",
        "</p>",
        "<!-- more -->\n",
        "\n<!-- more -->\n\n",
        "|a|b|\n|-|-|\n|",
        "~~",
        "]]>",
        "<![CDATA[",
        "<script>",
        "&amp;",
        "&lt;",
        "&nbsp;",
        "\\",
    ])
    .prop_map(str::to_string)
}

fn body() -> impl Strategy<Value = String> {
    prop::collection::vec(prop_oneof![text(8), reference(), markup()], 0..12)
        .prop_map(|pieces| pieces.concat())
}

fn post() -> impl Strategy<Value = GenPost> {
    (
        text(10),
        prop::collection::vec(text(6), 0..3),
        prop::option::weighted(0.3, text(6)),
        prop::option::weighted(0.3, text(10)),
        prop::option::weighted(0.2, text(6)),
        body(),
    )
        .prop_map(|(title, tags, author, summary, id, body)| GenPost {
            title,
            tags,
            author,
            summary,
            id,
            body,
        })
}

fn site() -> impl Strategy<Value = GenSite> {
    (
        text(8),
        text(8),
        text(6),
        prop::collection::vec(post(), 1..3),
    )
        .prop_map(|(title, description, author, posts)| GenSite {
            title,
            description,
            author,
            posts,
        })
}

/// A TOML basic string holding exactly `s` (control characters as escapes).
/// Always the basic form: the `toml` crate's writer picks a literal string
/// for text such as `'\u{85}''\\`, and herald removes unfit characters from a
/// post's raw text before TOML reads it, which there turns the apostrophes
/// around U+0085 into a run TOML refuses (a known limit, in the README). In a
/// basic string every quote and backslash is escaped, so a removal never
/// joins two tokens. JSON's escapes are TOML escapes too; JSON leaves DEL,
/// which TOML forbids.
fn quoted(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap()
        .replace('\u{7f}', "\\u007F")
}

/// `s` as herald shows it: cleaned, trimmed, line ends as HTML parsers read them.
fn shown(s: &str) -> String {
    let cleaned: String = s.chars().filter(|&c| !unfit(c)).collect();
    cleaned.trim().replace("\r\n", "\n").replace('\r', "\n")
}

/// Writes the site into `dir` and parses its config. Each text starts with a
/// letter, so that few generated posts are refused for an empty title.
fn write(dir: &Path, site: &GenSite) -> Config {
    let config = format!(
        "[site]\ntitle = {}\ndescription = {}\nbase_url = \"https://example.se/blogg/\"\n\n[site.author]\nname = {}\n\n[digest]\nfrom = \"Kommunchefen <kc@example.se>\"\nto = [\"alla@example.se\"]\nsubject = \"{{{{site.title}}}} – vecka {{{{week}}}}\"\n",
        quoted(&format!("B{}", site.title)),
        quoted(&site.description),
        quoted(&format!("K{}", site.author)),
    );
    let posts = dir.join("posts");
    std::fs::create_dir_all(&posts).unwrap();
    for (i, p) in site.posts.iter().enumerate() {
        let mut front = format!(
            "title = {}\ndate = \"2013-09-2{}\"\ntags = [{}]\n",
            quoted(&format!("T{}", p.title)),
            i + 1,
            p.tags
                .iter()
                .map(|t| quoted(t))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for (key, value) in [
            ("author", &p.author),
            ("summary", &p.summary),
            ("id", &p.id),
        ] {
            if let Some(value) = value {
                front.push_str(&format!("{key} = {}\n", quoted(value)));
            }
        }
        let file = format!("+++\n{front}+++\n\n{}", p.body);
        std::fs::write(posts.join(format!("p{i}.md")), file).unwrap();
    }
    let path = dir.join("config.toml");
    Config::parse(&path, &config).unwrap_or_else(|e| panic!("config refused: {e:?}"))
}

/// Builds `site` in-process and checks every file and the digest message.
fn check(
    site: &GenSite,
    registry: &handlebars::Handlebars<'static>,
    now: DateTime<Utc>,
) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), site);
    let posts = match content::load(&config) {
        Ok(posts) => posts,
        Err(herald::error::Error::Invalid(found)) => {
            // The only refusals: an id that is empty or not one line of fit
            // characters, or the same id twice.
            for d in &found {
                let m = d.to_string();
                let about_the_id = m.contains(": the id ") || m.contains("ids must be unique");
                prop_assert!(about_the_id, "unexpected refusal: {}", m);
            }
            return Ok(());
        }
        Err(e) => panic!("{e}"),
    };
    let published = content::publish(posts, now).posts;
    let tags = content::by_tag(&published);
    let pages = herald::site::Site::new(&config, registry, &published, &tags, &[]);
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let feeds = herald::feeds::build(&config, &published, &tags, now).unwrap();
    let rendered: Vec<_> = rayon::iter::ParallelIterator::collect::<Vec<_>>(pages.pages());
    for file in feeds
        .into_iter()
        .chain(rendered.into_iter().map(Result::unwrap))
    {
        files.insert(file.path.to_string_lossy().into_owned(), file.bytes);
    }
    // Raw HTML reaches the pages as the author wrote it, mistakes included.
    let structure = !site.posts.iter().any(|p| p.body.contains('<'));
    assert_site(&files, structure);
    let selector = scraper::Selector::parse("h1").unwrap();
    for post in &published {
        let name = format!("{}/index.html", post.slug);
        let html = parse_html(&name, &files[&name], structure);
        let h1: String = html.select(&selector).next().unwrap().text().collect();
        let i: usize = post.slug[1..].parse().unwrap();
        prop_assert_eq!(h1, shown(&format!("T{}", site.posts[i].title)));
    }
    mail(&config, &published, now)
}

/// Composes the digest for one recipient and reads it back.
fn mail(config: &Config, posts: &[content::Post], now: DateTime<Utc>) -> Result<(), TestCaseError> {
    let digest = config.digest.as_ref().unwrap();
    let templates = herald::templates::mail(Path::new("no-templates"), &digest.subject).unwrap();
    let refs: Vec<&content::Post> = posts.iter().collect();
    let week = "2013-W40".parse().unwrap();
    let composer = Composer::new(config, digest, templates, week, &refs, now).unwrap();
    let mut recipient = Recipient::address_only("asa@example.se");
    recipient.name = "Åsa Öberg".into();
    let to = Addressing {
        to: vec!["Åsa Öberg <asa@example.se>".into()],
        rcpt: vec!["asa@example.se".into()],
        recipient,
    };
    let composed = composer.compose(&to, false).unwrap();
    let message = mail_parser::MessageParser::default()
        .parse(&composed.bytes)
        .expect("mail-parser reads the message");
    let title = shown(&config.site.title);
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let subject = format!("{title} – vecka 40");
    prop_assert_eq!(message.subject(), Some(subject.as_str()));
    let text = message.body_text(0).unwrap();
    let html = message.body_html(0).unwrap();
    well_formed_html("the HTML part", html.as_bytes());
    for part in [&text, &html] {
        prop_assert!(!part.contains(unfit), "unfit character in {}", part);
        prop_assert!(
            !part.contains("asa@example.se"),
            "an address shows: {}",
            part
        );
    }
    Ok(())
}

#[test]
fn any_text_gives_well_formed_feeds_pages_and_mail() {
    let now: DateTime<Utc> = common::NOW.parse().unwrap();
    let registry = herald::templates::load(Path::new("no-templates")).unwrap();
    // The cases are shared out over the cores, each with its own runner
    // (and random seed); each failure is shrunk and reported.
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4)) as u32;
    let cases = cases();
    std::thread::scope(|scope| {
        let runs: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut runner = TestRunner::new(Cases {
                        cases: cases.div_ceil(threads),
                        failure_persistence: None,
                        ..Cases::default()
                    });
                    runner.run(&site(), |site| check(&site, &registry, now))
                })
            })
            .collect();
        for run in runs {
            if let Err(failure) = run.join().unwrap() {
                panic!("{failure}");
            }
        }
    });
}
