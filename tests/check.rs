//! End-to-end: `herald check` finds, offline and in one run, every problem
//! that `build`, `digest` and `run` would meet, each as `path:line: message`,
//! and exits 2.

mod common;

// `digest_site`'s `[digest]` goes on from line 15 with the test's own keys.
use common::mail::digest_site;
use common::{stderr, Site};

/// `check`'s exit code and stderr, with the site's folder left out of the
/// paths and without the summary of drafts left out (the digest site has one).
fn check(site: &Site) -> (Option<i32>, String) {
    let out = site.herald(&["check"]);
    (out.status.code(), relative(site, &stderr(&out)))
}

/// Asserts `check`'s exit code and its whole stderr (see [`check`]).
fn assert_check(site: &Site, code: i32, expected: &str) {
    let (found, said) = check(site);
    assert_eq!(found, Some(code), "{said}");
    assert_eq!(said, expected);
}

fn relative(site: &Site, said: &str) -> String {
    let prefix = format!("{}/", site.path().display());
    said.replace(&prefix, "")
        .lines()
        .filter(|line| !line.starts_with("left out "))
        .map(|line| format!("{line}\n"))
        .collect()
}

#[test]
fn wrong_types_in_every_table_are_all_reported_in_file_order() {
    let site = Site::new(
        "\n[feeds]\nlimit = \"20\"\ncolour = \"red\"\n\n[digest]\nfrom = \"a@example.se\"\nto = \"b@example.se\"\nmode = \"weekly\"\n\n[delivery.smtp]\nhost = \"smtp.example.se\"\nconnections = \"2\"\n",
    );
    assert_check(&site, 2, "config.toml:12: `feeds.limit` must be a whole number, not the text \"20\"\n\
         config.toml:13: unknown field `colour`, expected one of `limit`, `full_content`, `rss`, `atom`, `json`, `tag_feeds`\n\
         config.toml:17: `digest.to` must be a list in brackets, not the text \"b@example.se\"\n\
         config.toml:18: `digest.mode` must be one of `group`, `individual`, `bcc`, not the text \"weekly\"\n\
         config.toml:22: `delivery.smtp.connections` must be a whole number, not the text \"2\"\n\
         error: 5 problems found; nothing was written\n");
}

#[test]
fn a_wrong_type_does_not_hide_a_bad_value_elsewhere_each_at_its_key() {
    let site = Site::new("\n[feeds]\nlimit = true\n\n[digest]\nfrom = \"a@example.se\"\nto = [\"b@example.se\"]\nday = \"fredag\"\n\n[delivery.smtp]\nhost = \"mail\"\nconnections = 5\n");
    assert_check(
        &site,
        2,
        "config.toml:12: `feeds.limit` must be a whole number, not `true`\n\
         config.toml:17: digest.day `fredag` is not a weekday such as `friday`\n\
         config.toml:21: delivery.smtp.connections must be 1–3 (Microsoft 365 allows 3)\n\
         error: 3 problems found; nothing was written\n",
    );
}

#[test]
fn a_misspelt_variable_in_the_subject_fails_check() {
    let site = digest_site(
        "to = [\"alla@example.se\"]\nsubject = \"{{site.title}} – {{week_lable}}\"",
        "",
    );
    assert_check(
        &site,
        2,
        "config.toml:16: digest.subject: unknown variable week_lable (did you mean week_label?) while rendering the digest 2013-W40\n\
         error: 1 problem found; nothing was written\n",
    );
    common::ok(&site.herald(&["build"]));
}

#[test]
fn a_misspelt_variable_in_a_digest_template_fails_check() {
    let site = digest_site("to = [\"alla@example.se\"]", "");
    std::fs::create_dir(site.path().join("templates")).unwrap();
    std::fs::write(
        site.path().join("templates/digest.txt.hbs"),
        "{{site.title}}\n{{week_lable}}\n",
    )
    .unwrap();
    assert_check(
        &site,
        2,
        "templates/digest.txt.hbs:2:1: unknown variable week_lable (did you mean week_label?) while rendering the digest 2013-W40\n\
         error: 1 problem found; nothing was written\n",
    );
}

#[test]
fn a_template_uses_a_recipient_column_the_file_lacks() {
    let site = digest_site("recipients = \"recipients.csv\"\nmode = \"individual\"", "");
    common::mail::recipients(&site, &["anna@example.se,Anna,Skola"]);
    std::fs::create_dir(site.path().join("templates")).unwrap();
    std::fs::write(
        site.path().join("templates/digest.html.hbs"),
        "<p>Hej {{recipient.name}} på {{recipient.avdelning}} och {{recipient.enhet}}</p>\n",
    )
    .unwrap();
    assert_check(
        &site,
        2,
        "templates/digest.html.hbs:1:58: unknown variable recipient.enhet (did you mean recipient.email?) while rendering the digest 2013-W40\n\
         error: 1 problem found; nothing was written\n",
    );
}

#[test]
fn the_recipients_file_must_exist() {
    let site = digest_site("recipients = \"recipients.csv\"\nmode = \"bcc\"", "");
    assert_check(
        &site,
        2,
        "recipients.csv: cannot be read: No such file or directory (os error 2)\n\
         error: 1 problem found; nothing was written\n",
    );
}

#[test]
fn every_recipient_row_sending_would_skip_is_reported() {
    let site = digest_site("recipients = \"recipients.csv\"\nmode = \"individual\"", "");
    common::mail::recipients(
        &site,
        &[
            "anna@example.se,Anna,Skola",
            "not-an-address,Bo,IT",
            "ANNA@example.se,Anna igen,Skola",
            "[127.0.0.1],Cecilia,Vård",
        ],
    );
    assert_check(&site, 2, "recipients.csv:3: skipped: `not-an-address` is not an email address herald can send to (Invalid input)\n\
         recipients.csv:4: skipped: ANNA@example.se is listed more than once\n\
         recipients.csv:5: skipped: `[127.0.0.1]` is not an email address herald can send to (Invalid input)\n\
         error: 3 problems found; nothing was written\n");
    common::mail::recipients(&site, &["anna@example.se,Anna,Skola"]);
    assert_check(&site, 0, "");
}

#[test]
fn a_header_without_email_is_reported() {
    let site = digest_site("recipients = \"recipients.csv\"\nmode = \"individual\"", "");
    std::fs::write(
        site.path().join("recipients.csv"),
        "mail,name\na@example.se,A\n",
    )
    .unwrap();
    assert_check(&site, 2, "recipients.csv:1: the first row must name the columns, one of them `email` (and usually `name`)\n\
         error: 1 problem found; nothing was written\n");
}

#[test]
fn an_unset_password_variable_is_a_warning_not_an_error() {
    let site = digest_site(
        "to = [\"alla@example.se\"]",
        "[delivery.smtp]\nhost = \"smtp.example.se\"\nusername = \"veckobrev\"\npassword_env = \"HERALD_TEST_CHECK_PASSWORD\"",
    );
    assert_check(
        &site,
        0,
        "warning: the SMTP password is read from the environment variable \
         HERALD_TEST_CHECK_PASSWORD, which is not set here; `digest` and `run` need it \
         (fine if cron sets it)\n",
    );
    let out = site.herald_env(&["check"], &[("HERALD_TEST_CHECK_PASSWORD", "x")]);
    assert_eq!(relative(&site, &common::ok(&out)), "");
}

#[test]
fn an_unset_oauth2_secret_is_a_warning_a_token_command_needs_none() {
    let oauth2 = |source: &str| {
        format!("auth = \"oauth2\"\n\n[delivery.smtp]\nhost = \"smtp.office365.com\"\nusername = \"veckobrev@example.se\"\n\n[delivery.oauth2]\n{source}")
    };
    let site = digest_site(
        "to = [\"alla@example.se\"]",
        &oauth2("tenant = \"example.se\"\nclient_id = \"app\"\nclient_secret_env = \"HERALD_TEST_CHECK_SECRET\""),
    );
    assert_check(
        &site,
        0,
        "warning: the OAuth2 client secret is read from the environment variable \
         HERALD_TEST_CHECK_SECRET, which is not set here; `digest` and `run` need it \
         (fine if cron sets it)\n",
    );
    let site = digest_site(
        "to = [\"alla@example.se\"]",
        &oauth2("token_command = [\"/usr/local/bin/get-token\"]"),
    );
    assert_check(&site, 0, "");
}
