//! herald deletes only what it wrote, builds never overlap, and the ledger is
//! never inside the site (issue 9, items 1–3). Every test runs the real binary.

mod common;

use std::fs;
use std::path::Path;

use common::mail::fails;
use common::{ok, tree, HeldLock, Site};

fn site_with_paths(paths: &str) -> Site {
    let site = Site::new(paths);
    site.post(
        "2013-09-27-lunden.md",
        "title = \"Lundens förskola\"\ndate = \"2013-09-27\"",
        "Invigd.",
    );
    site
}

/// Everything below the site's folder, to compare before and after a refused
/// build. The build lock beside the output is the one file a refused build
/// may leave (it is taken before the output is looked at).
fn snapshot(site: &Site) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = tree(site.path());
    files.remove(".public.lock");
    files
}

fn assert_refused(site: &Site, args: &[&str], texts: &[&str]) {
    let before = snapshot(site);
    let out = site.herald(args);
    fails(&out, 2, texts);
    assert_eq!(snapshot(site), before, "a refused run changed files");
}

#[test]
fn output_set_to_the_config_folder_is_refused() {
    for output in [".", "", "./"] {
        let site = site_with_paths(&format!("[paths]\noutput = \"{output}\"\n"));
        assert_refused(&site, &["build"], &["paths.output", "config.toml:"]);
        assert_refused(&site, &["check"], &["paths.output"]);
    }
}

#[test]
fn output_set_to_the_posts_or_templates_folder_or_a_parent_is_refused() {
    for output in ["posts", "templates", "posts/..", ".."] {
        let site = site_with_paths(&format!("[paths]\noutput = \"{output}\"\n"));
        fs::create_dir_all(site.path().join("templates")).unwrap();
        fs::write(site.path().join("templates/post.hbs"), "{{post.title}}").unwrap();
        assert_refused(&site, &["build"], &["paths.output"]);
    }
}

#[test]
fn output_reached_through_dotdot_to_the_own_folder_is_refused() {
    // The config lives in a folder named `site`; `../site` is that folder.
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("site");
    fs::create_dir(&dir).unwrap();
    fs::create_dir(dir.join("posts")).unwrap();
    fs::write(
        dir.join("config.toml"),
        "[site]\ntitle = \"T\"\nbase_url = \"https://example.se/\"\n[site.author]\nname = \"A\"\n[paths]\noutput = \"../site\"\n",
    )
    .unwrap();
    let before = tree(&dir);
    let out = common::herald(&dir.join("config.toml"), &["build"]);
    fails(&out, 2, &["paths.output", "config.toml"]);
    assert_eq!(tree(&dir), before);
}

#[test]
fn build_out_flag_pointing_at_the_site_folder_is_refused() {
    let site = site_with_paths("");
    let here = site.path().display().to_string();
    assert_refused(&site, &["build", "--out", &here], &["--out"]);
    let root = "/".to_string();
    assert_refused(&site, &["build", "--out", &root], &["--out"]);
}

#[test]
fn output_set_to_the_home_folder_is_refused() {
    let site = site_with_paths("");
    let home = tempfile::tempdir().unwrap();
    fs::write(home.path().join(".bashrc"), "keep me").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .env("HOME", home.path())
        .arg("--config")
        .arg(site.path().join("config.toml"))
        .args(["build", "--out"])
        .arg(home.path())
        .output()
        .unwrap();
    fails(&out, 2, &["--out", "home"]);
    assert_eq!(
        fs::read_to_string(home.path().join(".bashrc")).unwrap(),
        "keep me"
    );
}

#[test]
fn a_ledger_inside_the_output_folder_is_a_config_error() {
    let site = site_with_paths(
        "[digest]\nfrom = \"a@example.se\"\nto = [\"b@example.se\"]\nstate = \"public/.herald/state.db\"\n",
    );
    assert_refused(&site, &["build"], &["digest.state", "config.toml:"]);
    assert_refused(&site, &["check"], &["digest.state"]);
}

#[test]
fn an_existing_output_folder_herald_did_not_write_is_never_replaced() {
    let site = site_with_paths("");
    fs::create_dir(site.output()).unwrap();
    fs::write(site.output().join("important.txt"), "mine").unwrap();
    assert_refused(&site, &["build"], &["public", "did not write"]);
    // An empty folder holds nothing to lose: it is used.
    fs::remove_file(site.output().join("important.txt")).unwrap();
    ok(&site.herald(&["build"]));
    assert!(site.output().join("index.html").is_file());
    // From then on herald recognises its own output and replaces it.
    ok(&site.herald(&["build"]));
}

#[cfg(unix)]
#[test]
fn a_symlinked_output_folder_is_judged_by_its_target() {
    let site = site_with_paths("");
    let webroot = tempfile::tempdir().unwrap();
    fs::write(webroot.path().join(".htaccess"), "Deny from all").unwrap();
    std::os::unix::fs::symlink(webroot.path(), site.output()).unwrap();
    let out = site.herald(&["build"]);
    fails(&out, 2, &["did not write"]);
    assert_eq!(
        fs::read_to_string(webroot.path().join(".htaccess")).unwrap(),
        "Deny from all"
    );

    // A symlink to a folder herald built is followed: the target is replaced
    // and the link stays a link.
    let target = webroot.path().join("blogg");
    fs::remove_file(site.output()).unwrap();
    std::os::unix::fs::symlink(&target, site.output()).unwrap();
    ok(&site.herald(&["build"]));
    ok(&site.herald(&["build"]));
    assert!(fs::symlink_metadata(site.output())
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(target.join("index.html").is_file());
    assert_eq!(
        fs::read_to_string(webroot.path().join(".htaccess")).unwrap(),
        "Deny from all"
    );
}

#[cfg(unix)]
#[test]
fn cleaning_up_never_follows_a_symlink_named_like_a_staging_folder() {
    let site = site_with_paths("");
    let victim = tempfile::tempdir().unwrap();
    fs::write(victim.path().join("thesis.tex"), "years of work").unwrap();
    for name in [".public.tmp-1", ".public.old-1"] {
        std::os::unix::fs::symlink(victim.path(), site.path().join(name)).unwrap();
    }
    // A real folder of the same shape that herald did not create is kept too.
    fs::create_dir(site.path().join(".public.tmp-2")).unwrap();
    fs::write(site.path().join(".public.tmp-2/notes.txt"), "keep").unwrap();
    ok(&site.herald(&["build"]));
    assert_eq!(
        fs::read_to_string(victim.path().join("thesis.tex")).unwrap(),
        "years of work"
    );
    assert!(site.path().join(".public.tmp-2/notes.txt").is_file());
}

#[test]
fn a_second_build_on_the_same_output_exits_4_and_touches_nothing() {
    let site = site_with_paths("");
    ok(&site.herald(&["build"]));
    let before = tree(&site.output());
    // Hold the build lock as a running build would.
    let lock = HeldLock::on(&site.path().join(".public.lock"));
    site.post(
        "2013-09-28-ny.md",
        "title = \"Ny\"\ndate = \"2013-09-28\"",
        "Text.",
    );
    let out = site.herald(&["build"]);
    fails(&out, 4, &["another herald build", "public"]);
    assert_eq!(tree(&site.output()), before);
    drop(lock);
    ok(&site.herald(&["build"]));
    assert!(site.output().join("ny/index.html").is_file());
}

#[test]
fn run_takes_the_build_lock_too() {
    let site = site_with_paths("");
    let _lock = HeldLock::on(&site.path().join(".public.lock"));
    let out = site.herald(&["run"]);
    fails(&out, 4, &["another herald build"]);
    assert!(!Path::new(&site.output()).exists());
}
