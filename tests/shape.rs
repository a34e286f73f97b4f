//! End-to-end: the shape of the input (nesting, tags, template includes)
//! never crashes or blows up herald; `check`, `build` and `digest` accept or
//! refuse the same input, with `path:line` and exit code 2.

mod common;

use std::time::{Duration, Instant};

use common::mail::{code, digest_site, fails};
use common::Site;

/// The deepest nesting a post may have (README "Post format").
const LIMIT: usize = 100;

/// Post bodies nested `levels` elements deep, one per shape: block quotes
/// (each quote one level, its paragraph one more), lists (each level a list
/// and its item) and raw HTML `<div>`s.
fn shapes(levels: usize) -> [(&'static str, String); 3] {
    [
        ("quotes", format!("{} djupt\n", ">".repeat(levels - 1))),
        ("list", format!("{}djupt\n", "- ".repeat(levels / 2))),
        (
            "divs",
            format!(
                "{}djupt{}\n",
                "<div>".repeat(levels),
                "</div>".repeat(levels)
            ),
        ),
    ]
}

/// A digest site (full posts in the mail) with `body` as this week's post,
/// whose body starts on line 6 of its file.
fn site_with(body: &str) -> Site {
    let site = digest_site("to = [\"alla@example.se\"]", "");
    site.post(
        "2013-09-30-djup.md",
        "title = \"Djup\"\ndate = \"2013-09-30\"",
        &format!("Hej.\n\n{body}"),
    );
    site
}

fn each_command(site: &Site) -> [(&'static str, std::process::Output); 3] {
    let outbox = site.path().join("dry");
    [
        ("check", site.herald(&["check"])),
        ("build", site.herald(&["build"])),
        (
            "digest",
            site.herald(&["digest", "--outbox", outbox.to_str().unwrap()]),
        ),
    ]
}

#[test]
fn nesting_at_the_limit_is_rendered_by_check_build_and_digest() {
    for (shape, body) in shapes(LIMIT) {
        let site = site_with(&body);
        for (command, out) in each_command(&site) {
            assert_eq!(
                code(&out),
                0,
                "{shape}, {command}: {}",
                common::stderr(&out)
            );
        }
        let page = std::fs::read_to_string(site.output().join("djup/index.html")).unwrap();
        assert!(page.contains("djupt"), "{shape}");
    }
}

#[test]
fn nesting_beyond_the_limit_is_refused_alike_by_check_build_and_digest() {
    for (shape, body) in shapes(LIMIT + 2) {
        let site = site_with(&body);
        for (command, out) in each_command(&site) {
            let context = format!("{shape}, {command}");
            assert!(out.status.code().is_some(), "{context}: killed by a signal");
            fails(
                &out,
                2,
                &[
                    "posts/2013-09-30-djup.md:8: ",
                    "nested more than 100 levels deep",
                ],
            );
            assert!(!site.output().exists(), "{context}: wrote a site");
            assert!(!site.path().join("dry").exists(), "{context}: wrote mail");
        }
    }
}

#[test]
fn nesting_cost_stays_linear() {
    let levels = 100_000;
    for (shape, body) in shapes(levels) {
        let site = site_with(&body);
        let start = Instant::now();
        let out = site.herald(&["check"]);
        let took = start.elapsed();
        assert_eq!(code(&out), 2, "{shape}: {}", common::stderr(&out));
        assert!(
            took < Duration::from_secs(20),
            "{shape}: {levels} levels took {took:?}"
        );
    }
}

/// Writes `templates/<name>` in the site.
fn template(site: &Site, name: &str, text: &str) {
    let dir = site.path().join("templates");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn page_templates_that_include_themselves_are_refused_with_the_chain() {
    let site = site_with("Kort.\n");
    template(&site, "post.hbs", "<h1>{{post.title}}</h1>\n{{> a}}\n");
    template(&site, "a.hbs", "A\n{{> b}}\n");
    template(&site, "b.hbs", "B\n\n{{#if post}}{{> a}}{{/if}}\n");
    for command in ["check", "build"] {
        let out = site.herald(&[command]);
        assert!(out.status.code().is_some(), "{command}: killed by a signal");
        fails(
            &out,
            2,
            &["templates/a.hbs:2: partial `a` includes `b` includes `a`"],
        );
    }
    template(&site, "a.hbs", "A\n");
    template(
        &site,
        "index.hbs",
        "{{#each posts}}\n{{> index}}{{/each}}\n",
    );
    for command in ["check", "build"] {
        fails(
            &site.herald(&[command]),
            2,
            &["templates/index.hbs:2: partial `index` includes `index`"],
        );
    }
}

#[test]
fn digest_templates_that_include_themselves_are_refused_with_the_chain() {
    let site = digest_site(
        "to = [\"alla@example.se\"]\nsubject = \"Vecka {{week}}{{> digest}}\"",
        "",
    );
    template(&site, "digest.txt.hbs", "Hej\n{{> subject}}\n");
    let outbox = site.path().join("dry");
    for args in [
        vec!["check"],
        vec!["digest", "--outbox", outbox.to_str().unwrap()],
    ] {
        let out = site.herald(&args);
        assert!(out.status.code().is_some(), "{args:?}: killed by a signal");
        fails(
            &out,
            2,
            &["templates/digest.txt.hbs:2: partial `digest` includes `subject` includes `digest`"],
        );
    }
    assert!(!outbox.exists());
}

/// A site with one post carrying `n` tags, on line 4 of its file.
fn tagged_site(n: usize) -> Site {
    let site = Site::new("");
    let tags: Vec<String> = (1..=n).map(|i| format!("\"Ämne {i}\"")).collect();
    site.post(
        "taggad.md",
        &format!(
            "title = \"Taggad\"\ndate = \"2013-09-27\"\ntags = [{}]",
            tags.join(", ")
        ),
        "Hej.\n",
    );
    site
}

#[test]
fn a_post_with_more_than_100_tags_is_refused_with_its_line() {
    let site = tagged_site(101);
    for command in ["check", "build"] {
        fails(
            &site.herald(&[command]),
            2,
            &["posts/taggad.md:4: 101 tags; a post may have at most 100"],
        );
    }
    assert!(!site.output().exists());
}

fn output_size(site: &Site) -> usize {
    common::ok(&site.herald(&["build"]));
    common::tree(&site.output()).values().map(Vec::len).sum()
}

#[test]
fn the_output_of_a_post_grows_linearly_with_its_tags() {
    let few = output_size(&tagged_site(25));
    let many = output_size(&tagged_site(100));
    // Four times the tags, four times the tag pages and feeds: no more.
    assert!(
        many * 10 <= few * 4 * 11,
        "25 tags: {few} bytes, 100 tags: {many} bytes"
    );
}
