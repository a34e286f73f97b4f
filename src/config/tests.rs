use super::*;

const MINIMAL: &str = r#"
[site]
title = "Blogg"
base_url = "https://example.se/blogg"

[site.author]
name = "Kommunchefen"
"#;

fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
    Config::parse(Path::new("site/config.toml"), text)
}

fn messages(text: &str) -> Vec<String> {
    parse(text)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn defaults_apply() {
    let c = parse(MINIMAL).unwrap();
    assert_eq!(
        c.site.base_url.as_str(),
        "https://example.se/blogg/",
        "a trailing slash is added"
    );
    assert_eq!(c.site.language, "sv");
    assert_eq!(c.site.timezone, chrono_tz::Europe::Stockholm);
    assert_eq!(
        c.site.default_publish_time,
        NaiveTime::from_hms_opt(8, 0, 0).unwrap()
    );
    assert_eq!(
        c.paths.posts,
        Path::new("site/posts"),
        "paths resolve against the config's folder"
    );
    assert_eq!(c.paths.output, Path::new("site/public"));
    assert_eq!(c.feeds.limit, 20);
    assert!(c.feeds.full_content && c.feeds.tag_feeds);
    assert_eq!(
        (
            c.feeds.rss.as_str(),
            c.feeds.atom.as_str(),
            c.feeds.json.as_str()
        ),
        ("feed.xml", "atom.xml", "feed.json")
    );
    assert_eq!(c.host(), "example.se");
}

#[test]
fn the_repository_example_is_valid() {
    let text = include_str!("../../config.toml");
    let c = Config::parse(Path::new("config.toml"), text).unwrap();
    assert_eq!(c.site.lang, Lang::Sv);
}

#[test]
fn every_unknown_key_is_listed_with_its_line() {
    let text = format!("{MINIMAL}colour = \"red\"\n\n[paths]\npost = \"x\"\n\n[extra]\na = 1\n");
    let found = messages(&text);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found[0]
            .starts_with("site/config.toml:8: unknown field `colour`, expected `name` or `email`"),
        "{found:?}"
    );
    assert!(
        found[1].starts_with("site/config.toml:11: unknown field `post`"),
        "{found:?}"
    );
    assert!(
        found[2].starts_with("site/config.toml:13: unknown field `extra`"),
        "{found:?}"
    );
}

#[test]
fn every_bad_value_is_listed_with_its_line() {
    let text = r#"[site]
title = "Blogg"
base_url = "/blogg/"
language = "svenska!"
timezone = "Europe/Vimmerby"
default_publish_time = "8 på morgonen"

[site.author]
name = "K"

[feeds]
rss = "../feed.xml"
"#;
    let found = messages(text);
    assert_eq!(found.len(), 5, "{found:?}");
    assert!(
        found[0].starts_with("site/config.toml:3: `/blogg/` is not absolute"),
        "{found:?}"
    );
    assert!(
        found[1].starts_with("site/config.toml:4: language"),
        "{found:?}"
    );
    assert!(
        found[2].starts_with("site/config.toml:5: unknown time zone"),
        "{found:?}"
    );
    assert!(
        found[3].starts_with("site/config.toml:6: default_publish_time"),
        "{found:?}"
    );
    assert!(
        found[4].starts_with("site/config.toml:12: feeds.rss"),
        "{found:?}"
    );
}

#[test]
fn unknown_keys_and_bad_values_together() {
    let text = MINIMAL.replace("https://example.se/blogg", "blogg") + "\n[feeds]\nlimt = 3\n";
    let found = messages(&text);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("site/config.toml:4:"), "{found:?}");
    assert!(
        found[1].starts_with("site/config.toml:10: unknown field `limt`"),
        "{found:?}"
    );
}

#[test]
fn base_url_must_be_http() {
    let text = MINIMAL.replace("https://example.se/blogg", "ftp://example.se/");
    assert!(messages(&text)[0].contains("absolute http(s) URL"));
}

#[test]
fn missing_required_keys_are_named() {
    let found = messages("[site]\ntitle = \"x\"\n[site.author]\nname = \"a\"\n");
    assert!(found[0].contains("missing field `base_url`"), "{found:?}");
}

#[test]
fn syntax_errors_have_lines() {
    let found = messages("[site]\ntitle = \"x\n");
    assert!(found[0].starts_with("site/config.toml:2:"), "{found:?}");
}

#[test]
fn language_tags() {
    assert!(check_language("sv").is_ok());
    assert!(check_language("sv-SE").is_ok());
    assert!(check_language("en-GB-oxendict").is_ok());
    assert!(check_language("s").is_err());
    assert!(check_language("sv_SE").is_err());
}

#[test]
fn the_digest_schedule_defaults_to_friday_15_with_72_hours() {
    let text = format!("{MINIMAL}\n[digest]\nfrom = \"a@example.se\"\nto = [\"b@example.se\"]\n");
    let s = parse(&text).unwrap().digest.unwrap().schedule;
    assert_eq!(s, crate::config::Schedule::default());
    assert_eq!(
        (s.day, s.time, s.deadline_hours),
        (
            chrono::Weekday::Fri,
            NaiveTime::from_hms_opt(15, 0, 0).unwrap(),
            72
        )
    );
    let text = text + "day = \"Monday\"\ntime = \"07:30\"\ndeadline_hours = 12\n";
    let s = parse(&text).unwrap().digest.unwrap().schedule;
    assert_eq!(
        (s.day, s.time, s.deadline_hours),
        (
            chrono::Weekday::Mon,
            NaiveTime::from_hms_opt(7, 30, 0).unwrap(),
            12
        )
    );
}

#[test]
fn microsoft365_sets_its_limits_as_defaults_and_bounds() {
    let text = format!("{MINIMAL}\n[delivery]\nprovider = \"microsoft365\"\n");
    let d = parse(&text).unwrap().delivery;
    assert_eq!((d.max_per_minute, d.daily_recipients), (30, 10_000));
    let generic = parse(MINIMAL).unwrap().delivery;
    assert_eq!((generic.max_per_minute, generic.daily_recipients), (0, 0));
    let text = format!(
        "{MINIMAL}\n[delivery]\nprovider = \"microsoft365\"\nmax_per_minute = 60\ndaily_recipients = 20000\n"
    );
    let errors = messages(&text);
    assert!(
        errors[0].contains(":11: max_per_minute must be 1–30"),
        "{errors:?}"
    );
    assert!(
        errors[1].contains(":12: daily_recipients must be 1–10000"),
        "{errors:?}"
    );
}

#[test]
fn numbers_out_of_range_are_named_with_their_line() {
    let text = format!("{MINIMAL}\n[delivery]\nretry_delay = 900.0\nretries = 2\n");
    let errors = messages(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains(":10: retry_delay must be 0–600 seconds"),
        "{errors:?}"
    );
    let ok = format!("{MINIMAL}\n[delivery]\nretry_delay = 600.0\n");
    assert_eq!(parse(&ok).unwrap().delivery.retry_delay, 600.0);
    assert_eq!(parse(MINIMAL).unwrap().delivery.retry_delay, 2.0);
}

const THEMED: &str = r##"
[site]
title = "Blogg"
base_url = "https://example.se/blogg"
logo = "bilder/logo.svg"
logo_alt = "Vimmerby kommun"
accent = "#0B4F8A"

[site.author]
name = "Kommunchefen"
"##;

#[test]
fn logo_and_accent_are_read() {
    let c = parse(THEMED).unwrap();
    let logo = c.site.logo.unwrap();
    assert_eq!(
        (logo.path.as_str(), logo.alt.as_str()),
        ("bilder/logo.svg", "Vimmerby kommun")
    );
    assert_eq!(c.site.accent.unwrap().to_string(), "#0b4f8a");
    let c = parse(MINIMAL).unwrap();
    assert!(
        c.site.logo.is_none() && c.site.accent.is_none(),
        "the theme's own by default"
    );
}

#[test]
fn a_pale_accent_and_a_logo_without_alt_are_named_at_their_lines() {
    let text = THEMED
        .replace("logo_alt = \"Vimmerby kommun\"", "logo_alt = \" \"")
        .replace("#0B4F8A", "#777777");
    let found = messages(&text);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].starts_with("site/config.toml:6: logo needs `logo_alt`"),
        "{found:?}"
    );
    assert!(
        found[1].starts_with(
            "site/config.toml:7: accent `#777777` has a contrast of 4.48:1 against white"
        ),
        "{found:?}"
    );
    let found = messages(
        &THEMED
            .replace("\"bilder/logo.svg\"", "\"../logo.svg\"")
            .replace("#0B4F8A", "blue"),
    );
    assert!(
        found[0].starts_with(
            "site/config.toml:5: logo `../logo.svg` must be a path in the static folder"
        ),
        "{found:?}"
    );
    assert!(
        found[1].starts_with("site/config.toml:7: `blue` is not a colour written as `#rrggbb`"),
        "{found:?}"
    );
    let found = messages(&THEMED.replace("logo = \"bilder/logo.svg\"\n", ""));
    assert!(
        found[0].starts_with("site/config.toml:5: logo_alt is set but `logo` is not"),
        "{found:?}"
    );
}

#[test]
fn a_logo_missing_from_the_static_folder_is_named_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, THEMED).unwrap();
    let Err(Error::Invalid(problems)) = Config::load(&file) else {
        panic!("a missing logo is refused");
    };
    let message = problems[0].to_string();
    assert!(
        message
            .contains("config.toml:5: logo `bilder/logo.svg` is not a file in the static folder"),
        "{message}"
    );
    std::fs::create_dir_all(dir.path().join("static/bilder")).unwrap();
    std::fs::write(dir.path().join("static/bilder/logo.svg"), "<svg/>").unwrap();
    assert!(Config::load(&file).is_ok());
}
