//! Delivery faults against the test SMTP server: dropped connections,
//! temporary refusals, rejected recipients, a blocked account, and a crash
//! (kill -9) at several points, each ending with everyone served exactly once
//! or correctly reported.

mod common;

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use common::mail::{
    closed_port, code, digest_site, fails, herald_at, individual_site, people, recipients, repoint,
    smtp,
};
use common::smtp::{Faults, Server};
use common::{ok, stderr, Site, NOW};

fn everyone_once(server: &Server, n: usize) {
    let counts = server.tally();
    assert_eq!(counts.len(), n, "everyone served: {counts:?}");
    assert!(counts.values().all(|&c| c == 1), "nobody twice: {counts:?}");
}

#[test]
fn a_dropped_connection_is_resumed_on_a_fresh_one() {
    let server = Server::start(Faults {
        drop_after: Some(3),
        ..Faults::default()
    });
    let site = individual_site(&server, 8, 1);
    let err = ok(&site.herald(&["-v", "digest"]));
    assert!(err.contains("8 sent, 0 failed"), "{err}");
    everyone_once(&server, 8);
}

#[test]
fn temporary_refusals_are_retried_until_they_pass() {
    let server = Server::start(Faults {
        greet_421_once: true,
        temp_fail_at: Some((4, "451 4.3.0 Temporary lookup failure")),
        ..Faults::default()
    });
    let site = individual_site(&server, 6, 2);
    let err = ok(&site.herald(&["digest"]));
    assert!(err.contains("6 sent, 0 failed"), "{err}");
    everyone_once(&server, 6);
}

#[test]
fn rejected_recipients_are_reported_and_retried_by_a_rerun() {
    let server = Server::start(Faults {
        reject: [
            "person2@example.se".to_string(),
            "person5@example.se".to_string(),
        ]
        .into(),
        ..Faults::default()
    });
    let site = individual_site(&server, 6, 1);
    fails(
        &site.herald(&["digest"]),
        3,
        &[
            "person2@example.se: refused: permanent error (550)",
            "4 sent, 2 failed, 0 uncertain",
        ],
    );
    assert_eq!(server.tally().len(), 4);

    // The mailboxes are fixed; a rerun sends only the two that failed.
    let fixed = Server::start(Faults::default());
    repoint(&site, server.port, fixed.port);
    let err = ok(&site.herald(&["digest"]));
    assert!(
        err.contains("2 sent, 0 failed, 0 uncertain, 4 skipped"),
        "{err}"
    );
    let mut again = fixed.recipients();
    again.sort();
    assert_eq!(again, ["person2@example.se", "person5@example.se"]);
}

#[test]
fn a_refused_address_in_a_bcc_batch_is_reported_and_retried_alone() {
    let server = Server::start(Faults {
        reject: ["person3@example.se".to_string()].into(),
        ..Faults::default()
    });
    let site = digest_site(
        "recipients = \"recipients.csv\"\nmode = \"bcc\"\nbcc_batch_size = 3\nto = [\"alla@example.se\"]",
        &smtp(server.port, 1),
    );
    let rows = people(6);
    recipients(&site, &rows.iter().map(String::as_str).collect::<Vec<_>>());
    // Exit 3: someone was not served.
    fails(
        &site.herald(&["digest"]),
        3,
        &[
            "person3@example.se: refused: permanent error (550)",
            "2 sent, 1 failed, 0 uncertain",
        ],
    );
    assert_eq!(server.tally().len(), 5, "the batch went to the other two");

    // The mailbox is fixed: a rerun sends one copy, to that address alone.
    let fixed = Server::start(Faults::default());
    repoint(&site, server.port, fixed.port);
    let err = ok(&site.herald(&["digest"]));
    assert!(
        err.contains("1 sent, 0 failed, 0 uncertain, 2 skipped"),
        "{err}"
    );
    assert_eq!(fixed.recipients(), ["person3@example.se"]);
    let done = site.herald(&["digest"]);
    assert_eq!(code(&done), 0, "{}", stderr(&done));
    assert!(
        fixed.recipients().len() == 1,
        "a completed digest is not sent again"
    );
}

#[test]
fn a_blocked_account_stops_the_run_at_once() {
    let server = Server::start(Faults {
        block_from: Some((
            3,
            "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException",
        )),
        ..Faults::default()
    });
    let site = individual_site(&server, 10, 1);
    let out = site.herald(&["digest"]);
    fails(&out, 75, &["blocks or throttles"]);
    assert_eq!(server.received().len(), 2);
    assert_eq!(
        server.mail_commands(),
        3,
        "no retry storm after the quota reply"
    );
}

/// Runs `herald digest` on `site` as a child process that the server may kill.
fn spawn(site: &Site) -> Child {
    Command::new(env!("CARGO_BIN_EXE_herald"))
        .arg("--config")
        .arg(site.path().join("config.toml"))
        .args(["--now", NOW, "digest"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Where the server kills the run (SIGKILL).
#[derive(Debug, Clone, Copy)]
enum Kill {
    /// As the MAIL command of message N arrives: nothing of it was handed over.
    AtMail(usize),
    /// As message N has been received, before its reply: it is in flight.
    InFlight(usize),
}

/// Starts a server that kills the run at `kill`, runs `herald digest` for
/// `n` people on `connections` connections until it is killed, then reruns
/// it once. Returns the server and the rerun's stderr (the rerun must succeed).
fn killed_then_rerun(kill: Kill, n: usize, connections: usize) -> (Server, String) {
    let child: Arc<Mutex<Option<Child>>> = Arc::new(Mutex::new(None));
    let victim = child.clone();
    let (at, hook_at_mail) = match kill {
        Kill::AtMail(at) => (at, true),
        Kill::InFlight(at) => (at, false),
    };
    let hook: common::smtp::Hook = Box::new(move |n| {
        if n == at {
            if let Some(c) = victim.lock().unwrap().as_mut() {
                c.kill().unwrap();
                c.wait().unwrap();
            }
        }
    });
    let server = Server::start(if hook_at_mail {
        Faults {
            on_mail: Some(hook),
            ..Faults::default()
        }
    } else {
        Faults {
            on_message: Some(hook),
            ..Faults::default()
        }
    });
    let site = individual_site(&server, n, connections);
    let mut first = spawn(&site);
    let mut said = String::new();
    let mut pipe = first.stderr.take().unwrap();
    *child.lock().unwrap() = Some(first);
    // The end of its stderr is the end of the run, killed or not: no polling.
    pipe.read_to_string(&mut said).unwrap();
    let status = child.lock().unwrap().take().unwrap().wait().unwrap();
    assert!(
        status.code().is_none(),
        "the first run was killed ({kill:?}): {said}"
    );
    let rerun = site.herald(&["digest"]);
    let err = stderr(&rerun);
    assert_eq!(code(&rerun), 0, "{err}");
    let done = ok(&site.herald(&["digest"]));
    assert!(done.contains("was completed"), "{done}");
    (server, err)
}

/// Kills the run while message `at` is in flight, then reruns until done.
/// Each recipient must have received the digest exactly once, except ones
/// reported uncertain.
fn crash_and_resume(at: usize, connections: usize) {
    let n = 9;
    let (server, err) = killed_then_rerun(Kill::InFlight(at), n, connections);
    let counts = server.tally();
    assert!(
        counts.values().all(|&c| c == 1),
        "nobody twice (kill at {at}): {counts:?}"
    );
    for i in 1..=n {
        let who = format!("person{i}@example.se");
        assert!(
            counts.contains_key(&who) || err.contains(&who),
            "{who} neither served nor reported uncertain (kill at {at}):\n{err}"
        );
    }
    assert!(
        err.contains("was in flight when an earlier run stopped"),
        "{err}"
    );
}

#[test]
fn a_crash_mid_send_never_sends_twice_or_skips_silently() {
    for at in [1, 4, 9] {
        crash_and_resume(at, 1);
    }
    crash_and_resume(5, 3);
}

#[test]
fn a_run_killed_before_a_message_is_handed_over_leaves_it_pending_for_the_rerun() {
    // Killed after connecting and greeting, as the envelope starts: the
    // message never left, so it is not `uncertain` and the rerun sends it.
    for at in [1, 5] {
        let n = 6;
        let (server, err) = killed_then_rerun(Kill::AtMail(at), n, 1);
        everyone_once(&server, n);
        assert!(
            !err.contains("in flight") && !err.contains("uncertain, not resent"),
            "killed at MAIL {at}:\n{err}"
        );
    }
}

/// An individual digest for `n` people with one retry, so a run against a
/// server that is down gives up quickly.
fn impatient_site(server: &Server, n: usize) -> Site {
    let site = digest_site(
        "recipients = \"recipients.csv\"\nmode = \"individual\"",
        &format!("retries = 1\n{}", smtp(server.port, 1)),
    );
    let rows = people(n);
    recipients(&site, &rows.iter().map(String::as_str).collect::<Vec<_>>());
    site
}

#[test]
fn a_forced_resend_that_fails_never_makes_the_slot_due_again() {
    let server = Server::start(Faults::default());
    let site = impatient_site(&server, 3);
    let friday = "2013-10-04T15:00:00+02:00";
    assert_eq!(code(&herald_at(&site, friday, &["run"])), 0);
    assert_eq!(server.received().len(), 3);
    // A forced resend while the server is down fails before sending anything…
    let down = closed_port();
    repoint(&site, server.port, down.port);
    let forced = herald_at(&site, "2013-10-04T15:10:00+02:00", &["digest", "--force"]);
    fails(&forced, 75, &["error: delivery stopped"]);
    // …the server is back, and cron's next run must not send a second copy.
    repoint(&site, down.port, server.port);
    let out = herald_at(&site, "2013-10-04T15:15:00+02:00", &["-v", "run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(server.received().len(), 3, "nobody got a second copy");
    assert!(stderr(&out).contains("no digest due"), "{}", stderr(&out));
    // The record of the original send survives the failed resend.
    let status = herald_at(&site, "2013-10-04T15:15:00+02:00", &["status", "--json"]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["slot"]["state"], "waiting", "{status}");
    assert!(
        status["digests"][0]["completed"].is_string(),
        "still completed: {status}"
    );
}

#[test]
fn a_failed_forced_resend_is_finished_by_the_next_force_once_per_person() {
    let mut faults = Faults::default();
    faults.reject.insert("person2@example.se".into());
    let server = Server::start(faults);
    let site = impatient_site(&server, 3);
    // The first send leaves person2 refused: the digest is not complete.
    fails(&site.herald(&["digest"]), 3, &["2 sent, 1 failed"]);
    let fixed = Server::start(Faults::default());
    repoint(&site, server.port, fixed.port);
    ok(&site.herald(&["digest"]));
    assert_eq!(fixed.recipients(), ["person2@example.se"]);
    // A forced resend stops at its second message (a blocked account)…
    let blocking = Server::start(Faults {
        block_from: Some((2, "554 5.2.0 SubmissionQuotaExceededException")),
        ..Faults::default()
    });
    repoint(&site, fixed.port, blocking.port);
    fails(
        &site.herald(&["digest", "--force"]),
        75,
        &["blocks or throttles"],
    );
    assert_eq!(blocking.recipients(), ["person1@example.se"]);
    // …and the next `--force` finishes that resend rather than starting over.
    let last = Server::start(Faults::default());
    repoint(&site, blocking.port, last.port);
    let err = ok(&site.herald(&["digest", "--force"]));
    assert!(
        err.contains("2 sent, 0 failed, 0 uncertain, 1 skipped"),
        "{err}"
    );
    assert_eq!(
        last.recipients(),
        ["person2@example.se", "person3@example.se"]
    );
    // Without --force a completed digest stays completed.
    let done = ok(&site.herald(&["digest"]));
    assert!(done.contains("was completed"), "{done}");
    assert_eq!(last.recipients().len(), 2);
}
