//! End-to-end: `herald check` finds, offline and in one run, every problem
//! that `build`, `digest` and `run` would meet, each as `path:line: message`,
//! and exits 2.

mod common;

use common::{stderr, Site};

/// `check`'s stderr with the site's folder left out of the paths.
fn check(site: &Site) -> (Option<i32>, String) {
    let out = site.herald(&["check"]);
    let prefix = format!("{}/", site.path().display());
    (out.status.code(), stderr(&out).replace(&prefix, ""))
}

#[test]
fn wrong_types_in_every_table_are_all_reported_in_file_order() {
    let site = Site::new(
        "\n[feeds]\nlimit = \"20\"\ncolour = \"red\"\n\n[digest]\nfrom = \"a@example.se\"\nto = \"b@example.se\"\nmode = \"weekly\"\n\n[delivery.smtp]\nhost = \"smtp.example.se\"\nconnections = \"2\"\n",
    );
    let (code, err) = check(&site);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(
        err,
        "config.toml:12: `feeds.limit` must be a whole number, not the text \"20\"\n\
         config.toml:13: unknown field `colour`, expected one of `limit`, `full_content`, `rss`, `atom`, `json`, `tag_feeds`\n\
         config.toml:17: `digest.to` must be a list in brackets, not the text \"b@example.se\"\n\
         config.toml:18: `digest.mode` must be one of `group`, `individual`, `bcc`, not the text \"weekly\"\n\
         config.toml:22: `delivery.smtp.connections` must be a whole number, not the text \"2\"\n\
         error: 5 problems found; nothing was written\n"
    );
}

#[test]
fn a_wrong_type_does_not_hide_a_bad_value_elsewhere_each_at_its_key() {
    let site = Site::new("\n[feeds]\nlimit = true\n\n[digest]\nfrom = \"a@example.se\"\nto = [\"b@example.se\"]\nday = \"fredag\"\n\n[delivery.smtp]\nhost = \"mail\"\nconnections = 5\n");
    let (code, err) = check(&site);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(
        err,
        "config.toml:12: `feeds.limit` must be a whole number, not `true`\n\
         config.toml:17: digest.day `fredag` is not a weekday such as `friday`\n\
         config.toml:21: delivery.smtp.connections must be 1–3 (Microsoft 365 allows 3)\n\
         error: 3 problems found; nothing was written\n"
    );
}
