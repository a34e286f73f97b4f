//! End-to-end: every kind of bad input is reported as `path:line: message`,
//! all at once, with exit code 2, and the previous output stays untouched.

mod common;

use common::{images, stderr, tree, Site};

fn good_site() -> Site {
    let site = Site::new("");
    site.post("god.md", "title = \"God\"\ndate = \"2013-09-27\"", "Hej.");
    common::ok(&site.herald(&["build"]));
    site
}

/// Adds a group `[digest]` table to the site's config; returns its
/// (new) templates folder.
fn with_digest(site: &Site) -> std::path::PathBuf {
    let config = site.path().join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let digest = "\n[digest]\nfrom = \"K <k@example.se>\"\nto = [\"a@example.se\"]\nstate = \"state/state.db\"\n";
    std::fs::write(&config, text + digest).unwrap();
    let templates = site.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    templates
}

/// Runs `build` and `check` on a broken site: both must fail with exit code 2,
/// print `expected`, and leave the earlier output exactly as it was.
fn assert_rejected(site: &Site, expected: &[&str]) {
    let before = tree(&site.output());
    for command in ["build", "check"] {
        let out = site.herald(&[command]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{command}: {err}");
        for line in expected {
            assert!(
                err.lines().any(|l| l.ends_with(line) || l.contains(line)),
                "{command}: expected `{line}` in:\n{err}"
            );
        }
        assert!(err.lines().last().unwrap().starts_with("error: "), "{err}");
        assert_eq!(
            tree(&site.output()),
            before,
            "{command} changed the old output"
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        // The build lock `.public.lock` stays, as the ledger's lock does.
        .filter(|n| n.to_string_lossy().starts_with(".public.") && n != ".public.lock")
        .collect();
    assert!(leftovers.is_empty(), "staging folders left: {leftovers:?}");
}

#[test]
fn unclosed_front_matter() {
    let site = good_site();
    site.raw_post("trasig.md", b"+++\ntitle = \"x\"\n\nText\n");
    assert_rejected(
        &site,
        &["posts/trasig.md:1: the front matter opened here is never closed with a `+++` line"],
    );
}

#[test]
fn missing_title_and_date() {
    let site = good_site();
    site.post("tom.md", "tags = []", "Text");
    assert_rejected(
        &site,
        &[
            "posts/tom.md:1: missing `title` in the front matter",
            "posts/tom.md:1: missing `date` in the front matter",
        ],
    );
}

#[test]
fn impossible_date() {
    let site = good_site();
    site.post("feb.md", "title = \"Feb\"\ndate = \"2013-02-30\"", "Text");
    assert_rejected(&site, &["posts/feb.md:3: `2013-02-30` is not a valid date"]);
}

#[test]
fn unknown_front_matter_key() {
    let site = good_site();
    site.post(
        "nyckel.md",
        "title = \"N\"\ndate = \"2013-09-20\"\nkategori = \"x\"",
        "Text",
    );
    assert_rejected(&site, &["posts/nyckel.md:4: unknown field `kategori`"]);
}

#[test]
fn not_utf8() {
    let site = good_site();
    site.raw_post(
        "latin1.md",
        b"+++\ntitle = \"K\xf6k\"\ndate = \"2013-09-20\"\n+++\n",
    );
    assert_rejected(
        &site,
        &["posts/latin1.md:2: the file is not UTF-8; save it as UTF-8"],
    );
}

#[test]
fn a_bom_is_accepted() {
    let site = good_site();
    site.raw_post(
        "bom.md",
        "\u{feff}+++\ntitle = \"Bom\"\ndate = \"2013-09-20\"\n+++\nHej\n".as_bytes(),
    );
    common::ok(&site.herald(&["build"]));
    assert!(site.output().join("bom/index.html").exists());
}

#[test]
fn duplicate_slug_and_id() {
    let site = good_site();
    site.post(
        "annan.md",
        "title = \"Annan\"\ndate = \"2013-09-20\"\nslug = \"god\"",
        "Text",
    )
    .post(
        "kopia.md",
        "title = \"Kopia\"\ndate = \"2013-09-13\"\nid = \"tag:example.se,2013-09-27:god\"",
        "Text",
    );
    assert_rejected(
        &site,
        &[
            "posts/god.md:1: slug `god` is already used by",
            "posts/kopia.md:4: id `tag:example.se,2013-09-27:god` is already used by",
        ],
    );
}

#[test]
fn slug_escaping_the_output_folder() {
    let site = good_site();
    site.post(
        "flykt.md",
        "title = \"Flykt\"\ndate = \"2013-09-20\"\nslug = \"../../etc\"",
        "Text",
    );
    assert_rejected(
        &site,
        &["posts/flykt.md:4: slug `../../etc` may only contain a-z, 0-9 and -"],
    );
}

#[test]
fn an_unclosed_block_is_named_where_it_opened() {
    let site = good_site();
    std::fs::create_dir(site.path().join("templates")).unwrap();
    let file = site.path().join("templates/post.hbs");
    std::fs::write(&file, "<h1>{{post.title}}</h1>\n  {{#each post.tags}}\n").unwrap();
    let expected = format!(
        "{}:2:3: {{{{#each post.tags}}}} is never closed: add {{{{/each}}}}",
        file.display()
    );
    assert_rejected(&site, &[&expected]);
    let said = stderr(&site.herald(&["check"]));
    assert!(!said.contains("expected"), "no grammar: {said}");
}

#[test]
fn a_misspelt_variable_is_a_template_problem_with_a_suggestion() {
    let site = good_site();
    std::fs::create_dir(site.path().join("templates")).unwrap();
    let file = site.path().join("templates/post.hbs");
    std::fs::write(&file, "<article>\n<h1>{{post.titel}}</h1>\n").unwrap();
    let out = site.herald(&["build"]);
    assert_eq!(
        stderr(&out),
        format!(
            "{}:2:5: unknown variable post.titel (did you mean post.title?) while rendering god/index.html\nerror: 1 problem found; nothing was written\n",
            file.display()
        )
    );
    assert_rejected(&site, &["unknown variable post.titel"]);
}

#[test]
fn page_and_digest_templates_see_tags_as_name_and_url() {
    let site = good_site();
    site.post(
        "god.md",
        "title = \"God\"\ndate = \"2013-09-27\"\ntags = [\"förskola\"]",
        "Hej.",
    );
    let templates = with_digest(&site);
    let tags = "{{#each post.tags}}[{{name}} {{url}}]{{/each}}";
    std::fs::write(templates.join("post.hbs"), tags).unwrap();
    let mail_tags = "{{#each posts}}{{#each tags}}[{{name}} {{url}}]{{/each}}{{/each}}";
    std::fs::write(templates.join("digest.txt.hbs"), mail_tags).unwrap();
    common::ok(&site.herald(&["build"]));
    let page = std::fs::read_to_string(site.output().join("god/index.html")).unwrap();
    let expected = "[förskola https://example.se/blogg/tags/forskola/]";
    assert!(page.contains(expected), "{page}");
    let outbox = site.path().join("out");
    common::ok(&site.herald(&["digest", "--outbox", outbox.to_str().unwrap()]));
    let files = tree(&outbox);
    let (_, eml) = files.iter().find(|(n, _)| n.ends_with(".eml")).unwrap();
    let text = common::mail::parse(eml).body_text(0).unwrap().into_owned();
    assert!(text.contains(expected), "{text}");
}

#[test]
fn a_misspelt_digest_variable_names_the_template_and_the_digest() {
    let site = good_site();
    let templates = with_digest(&site);
    let file = templates.join("digest.txt.hbs");
    std::fs::write(&file, "Hej!\n{{week_lable}}\n").unwrap();
    let outbox = site.path().join("out");
    let out = site.herald(&["digest", "--outbox", outbox.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // The plan and summary lines come first: templates render as messages are made.
    assert!(
        stderr(&out).ends_with(&format!(
            "{}:2:1: unknown variable week_lable (did you mean week_label?) while rendering the digest 2013-W40\nerror: 1 problem found; nothing was written\n",
            file.display()
        )),
        "{}",
        stderr(&out)
    );
}

#[test]
fn config_problems() {
    let site = good_site();
    let config = site.path().join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("https://example.se/blogg/", "example.se/blogg") + "\n[feeds]\nlimt = 5\n",
    )
    .unwrap();
    assert_rejected(
        &site,
        &[
            "config.toml:4: `example.se/blogg` is not absolute",
            "config.toml:12: unknown field `limt`",
        ],
    );
}

#[test]
fn all_problems_in_one_run() {
    let site = good_site();
    site.raw_post("a.md", b"+++\ntitle = \"x\"\n")
        .post("b.md", "title = \"B\"\ndate = \"2013-02-30\"", "")
        .post("c.md", "title = \"C\"\ndate = \"2013-09-01\"\nfoo = 1", "");
    std::fs::create_dir(site.path().join("templates")).unwrap();
    std::fs::write(site.path().join("templates/index.hbs"), "{{#if}}").unwrap();
    let out = site.herald(&["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        err.lines().filter(|l| !l.starts_with("error:")).count(),
        4,
        "{err}"
    );
    assert!(
        err.ends_with("error: 4 problems found; nothing was written\n"),
        "{err}"
    );
}

#[test]
fn bad_now_is_a_usage_error() {
    let site = good_site();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args([
            "--config",
            site.path().join("config.toml").to_str().unwrap(),
            "--now",
            "fredag",
            "build",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("RFC 3339"));
}

#[test]
fn yaml_front_matter_gets_a_hint_that_herald_reads_toml() {
    let site = good_site();
    site.raw_post(
        "yaml.md",
        b"---\ntitle: Hej\ndate: 2013-09-27\n---\n\nText\n",
    );
    assert_rejected(
        &site,
        &["posts/yaml.md:1: front matter between `---` lines is YAML; herald reads TOML between `+++` lines"],
    );
}

/// The good site with the post folder `posts/2013-09-27-lunden/` holding
/// `files` and `body` (whose first line is line 6 of `index.md`).
fn good_site_with_folder(body: &str, files: &[(&str, &[u8])]) -> Site {
    let site = good_site();
    let front = "title = \"Lunden\"\ndate = \"2013-09-27\"";
    site.bundle("2013-09-27-lunden", front, body, files);
    site
}

const LUNDEN: &str = "posts/2013-09-27-lunden/index.md";

#[test]
fn missing_files_and_images_without_text_alternative() {
    let photo = images::jpeg_with_exif(40, 30);
    let site = good_site_with_folder(
        "Text.\n\n![](foto.jpg)\n\n[Protokoll](saknas.pdf)\n",
        &[("foto.jpg", &photo)],
    );
    assert_rejected(
        &site,
        &[
            &format!("{LUNDEN}:8: the image `foto.jpg` has no text alternative"),
            &format!("{LUNDEN}:10: `saknas.pdf` does not exist in "),
        ],
    );
}

#[test]
fn corrupt_huge_and_foreign_images() {
    let photo = images::jpeg_with_exif(40, 30);
    let site = good_site_with_folder(
        "![Trasig](trasig.jpg)\n![Bomb](bomb.png)\n![Gif](gif.jpg)\n![Animerad](a.gif)\n",
        &[
            ("trasig.jpg", &photo[..photo.len() / 2]),
            ("bomb.png", &images::bomb_png()),
            ("gif.jpg", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
            ("a.gif", b"GIF89a"),
        ],
    );
    assert_rejected(
        &site,
        &[
            &format!("{LUNDEN}:6: the image `trasig.jpg` cannot be published: it cannot be decoded"),
            &format!("{LUNDEN}:7: the image `bomb.png` cannot be published: it is 100000×100000 pixels"),
            &format!("{LUNDEN}:8: the image `gif.jpg` cannot be published: it is not a JPEG, PNG or WebP image (it looks like GIF)"),
            &format!("{LUNDEN}:9: `a.gif` is not a JPEG, PNG or WebP image"),
        ],
    );
}

#[test]
fn a_static_file_in_place_of_a_generated_one() {
    let site = good_site();
    std::fs::create_dir(site.path().join("static")).unwrap();
    std::fs::write(site.path().join("static/feed.xml"), "<rss/>").unwrap();
    assert_rejected(
        &site,
        &["static/feed.xml: would replace `feed.xml`, which herald generates"],
    );
}

#[test]
fn a_misspelt_subject_variable_names_the_config_key() {
    let site = good_site();
    with_digest(&site);
    let config = site.path().join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text.replace("[digest]\n", "[digest]\nsubject = \"{{site.titel}}\"\n");
    std::fs::write(&config, text).unwrap();
    let outbox = site.path().join("out");
    let out = site.herald(&["digest", "--outbox", outbox.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).ends_with("config.toml:12: digest.subject: unknown variable site.titel (did you mean site.title?) while rendering the digest 2013-W40\nerror: 1 problem found; nothing was written\n"),
        "{}",
        stderr(&out)
    );
}
