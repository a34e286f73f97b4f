//! End-to-end: the sendmail transport is bounded in time and reads exit
//! codes as sysexits(3) says, with shell scripts as fake sendmail binaries.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::mail::{digest_site, fails, people, recipients};
use common::{ok, Site};

/// Writes an executable `/bin/sh` script `name` with `body` into the site.
fn script(site: &Site, name: &str, body: &str) -> String {
    let path = site.path().join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_str().unwrap().to_string()
}

/// A site sending to `n` people in `mode` through the script made by `body`.
fn sendmail_site(mode: &str, n: usize, retries: u32, body: &str) -> Site {
    // The script is written after the site exists; its path is patched in.
    let site = digest_site(
        &format!("recipients = \"recipients.csv\"\nmode = \"{mode}\""),
        &format!("retries = {retries}\ntransport = \"sendmail\"\n\n[delivery.sendmail]\ncommand = \"SCRIPT\"\ntimeout_seconds = 2\n"),
    );
    let command = script(&site, "fake-sendmail", body);
    let config = site.path().join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("SCRIPT", &command)).unwrap();
    recipients(
        &site,
        &people(n).iter().map(String::as_str).collect::<Vec<_>>(),
    );
    site
}

/// Whether process `pid` still exists.
fn alive(pid: &str) -> bool {
    Path::new("/proc").join(pid.trim()).exists()
}

#[test]
fn a_hung_sendmail_is_killed_after_timeout_seconds_and_the_message_stays_unsent() {
    // Records its pid, then sleeps in a child process and reads nothing.
    let site = sendmail_site(
        "individual",
        2,
        0,
        "echo $$ > \"$(dirname \"$0\")/pid\"\nsleep 600",
    );
    let out = site.herald(&["digest"]);
    fails(
        &out,
        75,
        &["did not finish within 2 s and was stopped", "0 uncertain"],
    );
    // herald waited for the command it killed, so its process is gone.
    let pid = std::fs::read_to_string(site.path().join("pid")).unwrap();
    assert!(
        !alive(&pid),
        "the hung command (pid {pid}) was left running"
    );
    // Not uncertain: the next run sends it.
    let status = site.herald(&["status"]);
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(status.contains("0 sent, 1 failed, 0 uncertain"), "{status}");
}

#[test]
fn exit_75_is_a_temporary_failure_retried_until_it_passes() {
    let body = "dir=$(dirname \"$0\")\n\
        if [ ! -e \"$dir/once\" ]; then touch \"$dir/once\"; echo 'queue file write error' >&2; exit 75; fi\n\
        cat > \"$dir/got-$$\"\nexit 0";
    let site = sendmail_site("individual", 3, 1, body);
    let err = ok(&site.herald(&["-v", "digest"]));
    assert!(err.contains("3 sent, 0 failed"), "{err}");
    assert!(err.contains("queue file write error"), "{err}");
    let got = std::fs::read_dir(site.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("got-")
        })
        .count();
    assert_eq!(got, 3, "each message handed over once");
}

#[test]
fn another_exit_code_fails_that_message_once_with_the_commands_stderr() {
    // One BCC batch of three: one failure, reported once, in plain words.
    let body = "echo 'sendmail: fatal: kommunchefen@example.se: no such user' >&2\n\
        head -c 100000 /dev/zero | tr '\\0' x >&2\nexit 1";
    let site = sendmail_site("bcc", 3, 2, body);
    let out = site.herald(&["digest"]);
    fails(
        &out,
        3,
        &["refused the message (exit status 1): sendmail: fatal: kommunchefen@example.se: no such user"],
    );
    let said = common::stderr(&out);
    assert_eq!(said.matches("no such user").count(), 1, "{said}");
    assert!(!said.contains("Some("), "no Rust debug text: {said}");
    assert!(
        said.len() < 4000,
        "stderr kept bounded: {} bytes",
        said.len()
    );
}
