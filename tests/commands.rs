//! End-to-end: `new`, `templates eject`, `check` and `build --out`.

mod common;

use common::mail::{fails, herald_at};
use common::{ok, stderr, tree, Site};

#[test]
fn new_writes_a_draft_with_a_stable_id() {
    let site = Site::new("");
    let out = site.herald(&["new", "Välkommen till Vimmerby!"]);
    ok(&out);
    let path = String::from_utf8(out.stdout).unwrap();
    assert!(
        path.trim_end()
            .ends_with("posts/2013-10-01-valkommen-till-vimmerby.md"),
        "{path}"
    );
    let text = std::fs::read_to_string(path.trim_end()).unwrap();
    assert!(
        text.contains("title = \"Välkommen till Vimmerby!\""),
        "{text}"
    );
    assert!(text.contains("date = \"2013-10-01 12:00\""), "{text}");
    assert!(
        text.contains("id = \"tag:example.se,2013-10-01:valkommen-till-vimmerby\""),
        "{text}"
    );
    assert!(text.contains("draft = true"), "{text}");
    ok(&site.herald(&["check"]));
    ok(&site.herald(&["build"]));
    assert!(
        !site.output().join("valkommen-till-vimmerby").exists(),
        "a draft is not published"
    );

    let again = site.herald(&["new", "Välkommen till Vimmerby!"]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "an existing post is never overwritten"
    );
    assert!(stderr(&again).contains("already exists"));
    assert!(stderr(&again).contains("--force"));
    // The flag the message suggests exists and replaces the file.
    ok(&site.herald(&["new", "--force", "Välkommen till Vimmerby!"]));
}

#[test]
fn a_title_without_letters_gets_a_post_named_by_its_date() {
    let site = Site::new("");
    let out = site.herald(&["new", "!!!"]);
    ok(&out);
    let path = String::from_utf8(out.stdout).unwrap();
    assert!(path.trim_end().ends_with("posts/2013-10-01.md"), "{path}");
    let text = std::fs::read_to_string(path.trim_end())
        .unwrap()
        .replace("draft = true\n", "");
    std::fs::write(path.trim_end(), text).unwrap();
    ok(&site.herald(&["build"]));
    assert!(site.output().join("2013-10-01/index.html").is_file());
}

#[test]
fn renaming_a_new_post_keeps_its_id() {
    let site = Site::new("");
    let out = site.herald(&["new", "Budget"]);
    let path = String::from_utf8(out.stdout)
        .unwrap()
        .trim_end()
        .to_string();
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("draft = true\n", "");
    std::fs::remove_file(&path).unwrap();
    site.raw_post("nytt-namn.md", text.as_bytes());
    ok(&site.herald(&["build"]));
    let feed = String::from_utf8(tree(&site.output())["feed.xml"].clone()).unwrap();
    assert!(
        feed.contains("<guid isPermaLink=\"false\">tag:example.se,2013-10-01:budget</guid>"),
        "{feed}"
    );
    assert!(feed.contains("<link>https://example.se/blogg/nytt-namn/</link>"));
}

#[test]
fn eject_writes_the_defaults_which_then_override() {
    let site = Site::new("");
    site.post("a.md", "title = \"A\"\ndate = \"2013-09-27\"", "Text.");
    ok(&site.herald(&["templates", "eject"]));
    let post = site.path().join("templates/post.hbs");
    let default = std::fs::read_to_string(&post).unwrap();
    assert_eq!(
        default,
        include_str!("../templates/post.hbs"),
        "the embedded defaults are the repository's files"
    );
    assert_eq!(
        site.herald(&["templates", "eject"]).status.code(),
        Some(2),
        "no silent overwrite"
    );
    std::fs::write(&post, "<p>egen mall: {{post.title}}</p>").unwrap();
    std::fs::write(
        site.path().join("templates/layout.hbs"),
        "<html>{{{body}}}</html>",
    )
    .unwrap();
    ok(&site.herald(&["build"]));
    assert_eq!(
        std::fs::read_to_string(site.output().join("a/index.html")).unwrap(),
        "<html><p>egen mall: A</p></html>"
    );
    std::fs::write(
        site.path().join("templates/style.css"),
        "body { color: navy; }",
    )
    .unwrap();
    ok(&site.herald(&["build"]));
    assert_eq!(
        std::fs::read_to_string(site.output().join("style.css")).unwrap(),
        "body { color: navy; }"
    );
    ok(&site.herald(&["templates", "eject", "--force"]));
    assert_eq!(
        std::fs::read_to_string(site.path().join("templates/style.css")).unwrap(),
        include_str!("../templates/style.css")
    );
    assert_eq!(std::fs::read_to_string(&post).unwrap(), default);
}

#[test]
fn check_writes_nothing_and_build_out_goes_elsewhere() {
    let site = Site::new("");
    site.post("a.md", "title = \"A\"\ndate = \"2013-09-27\"", "Text.");
    let out = site.herald(&["check"]);
    ok(&out);
    assert!(
        out.stderr.is_empty() && out.stdout.is_empty(),
        "check is quiet on success"
    );
    assert!(!site.output().exists());
    let elsewhere = site.path().join("annan");
    ok(&site.herald(&["build", "--out", elsewhere.to_str().unwrap()]));
    assert!(elsewhere.join("index.html").exists());
    assert!(!site.output().exists());
}

#[test]
fn english_sites_get_english_pages() {
    let site = Site::new("");
    let config = site.path().join("config.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("language = \"sv\"", "language = \"en-GB\"");
    std::fs::write(&config, text).unwrap();
    site.post("a.md", "title = \"A\"\ndate = \"2013-09-27\"", "Text.");
    ok(&site.herald(&["build"]));
    let page = std::fs::read_to_string(site.output().join("a/index.html")).unwrap();
    assert!(page.contains(">Friday, 27 September 2013</time>"), "{page}");
    assert!(site.output().join("subscribe/index.html").exists());
}

#[test]
fn completions_and_the_man_page_come_from_the_cli_and_need_no_config() {
    let nowhere = std::path::Path::new("no/such/config.toml");
    for (shell, marker) in [
        ("bash", "complete -F _herald"),
        ("zsh", "#compdef herald"),
        ("fish", "complete -c herald"),
    ] {
        let out = common::herald(nowhere, &["completions", shell]);
        ok(&out);
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(
            script.contains("status"),
            "{shell} completes the subcommands"
        );
    }
    let out = common::herald(nowhere, &["man"]);
    ok(&out);
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH herald 1"), "{page}");
    assert!(
        page.contains("75  temporary failure"),
        "the exit codes: {page}"
    );
    assert!(
        page.contains("build the site, then send the digest if its slot is due"),
        "{page}"
    );
    // With --dir, every page the main page refers to exists.
    let dir = tempfile::tempdir().unwrap();
    ok(&common::herald(
        nowhere,
        &["man", "--dir", dir.path().to_str().unwrap()],
    ));
    let main = std::fs::read_to_string(dir.path().join("herald.1")).unwrap();
    // Lines such as `herald\-check\-smtp(1)` in SUBCOMMANDS.
    let referred: Vec<String> = main
        .lines()
        .filter_map(|line| line.strip_prefix("herald\\-")?.strip_suffix("(1)"))
        .map(|name| name.replace("\\-", "-"))
        .collect();
    assert!(referred.iter().any(|n| n == "build"), "{main}");
    for name in referred {
        let page = dir.path().join(format!("herald-{name}.1"));
        assert!(page.is_file(), "herald(1) refers to a missing {page:?}");
    }
    let bad = common::herald(nowhere, &["completions", "cmd.exe"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

#[test]
fn init_writes_a_neutral_site_that_builds_at_once_and_never_overwrites() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("blogg");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_herald"))
            .args(["--now", common::NOW])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["init", dir.to_str().unwrap()]);
    let said = ok(&out);
    assert!(said.contains("CHANGE"), "{said}");
    let config = dir.join("config.toml");
    for name in ["config.toml", "recipients.csv", ".gitignore"] {
        assert!(dir.join(name).is_file(), "{name} missing");
    }
    assert!(dir.join("templates").is_dir());
    let config_arg = config.to_str().unwrap();
    ok(&run(&["--config", config_arg, "check"]));
    ok(&run(&["--config", config_arg, "build"]));
    let index = std::fs::read_to_string(dir.join("public/index.html")).unwrap();
    assert!(index.contains("Välkommen till bloggen"), "{index}");
    let outbox = parent.path().join("ut");
    ok(&run(&[
        "--config",
        config_arg,
        "digest",
        "--outbox",
        outbox.to_str().unwrap(),
    ]));
    assert!(
        outbox.is_dir(),
        "the digest of the example post was written"
    );

    let before = tree(&dir);
    let again = run(&["init", dir.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("already exist"),
        "{}",
        stderr(&again)
    );
    assert_eq!(tree(&dir), before, "init overwrote something");
}

#[test]
fn now_accepts_the_forms_post_dates_accept_in_the_site_time_zone() {
    let site = Site::new("");
    site.post(
        "2013-10-01-mote.md",
        "title = \"Möte\"\ndate = \"2013-10-01 09:00\"",
        "Text.",
    );
    // A day alone means the site's default_publish_time, 08:00: before the post.
    ok(&herald_at(&site, "2013-10-01", &["build"]));
    assert!(!site.output().join("mote").exists());
    // 09:30 in Stockholm is after it (07:30 UTC would not be).
    ok(&herald_at(&site, "2013-10-01 09:30", &["build"]));
    assert!(site.output().join("mote/index.html").is_file());
    let out = herald_at(&site, "fredag", &["build"]);
    fails(&out, 2, &["`fredag` is not a valid date"]);
    let out = herald_at(&site, "2013-03-31 02:30", &["build"]);
    fails(&out, 2, &["--now: `2013-03-31 02:30` does not exist"]);
}
