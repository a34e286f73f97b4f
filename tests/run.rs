//! `herald run` end to end: the real binary called as cron would call it,
//! against the test SMTP server on 127.0.0.1, with `--now` as the clock.

mod common;

use std::process::{Command, Stdio};
use std::sync::{mpsc, Mutex};

use common::mail::{
    closed_port, code, digest_site, fails, herald_at, individual_site, parse, people, recipients,
    smtp,
};
use common::smtp::{Faults, Server};
use common::{stderr, Site};

fn group_site(server: &Server, schedule: &str) -> Site {
    let digest = format!("to = [\"alla@example.se\"]\n{schedule}");
    digest_site(&digest, &smtp(server.port, 1))
}

/// `--report <site>/report.json` (a relative path would be the test's folder).
fn report_arg(site: &Site) -> String {
    site.path().join("report.json").display().to_string()
}

fn report(site: &Site) -> serde_json::Value {
    let text = std::fs::read_to_string(site.path().join("report.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Spot checks of cron's runs through the week; every five minutes of it is
/// checked against the ledger by the schedule's unit tests (`digest::schedule`).
#[test]
fn runs_through_the_week_send_one_digest_at_the_slot_quietly() {
    let server = Server::start(Faults::default());
    let site = group_site(&server, "");
    // The slot is Friday 15:00; (time of the run, messages received after it).
    let runs = [
        // The first run notes last week's slot as passed before herald ran, silently.
        ("2013-10-02T00:00:00+02:00", 0),
        ("2013-10-02T00:05:00+02:00", 0),
        ("2013-10-04T14:55:00+02:00", 0),
        ("2013-10-04T15:00:00+02:00", 1),
        ("2013-10-04T15:05:00+02:00", 1),
        ("2013-10-07T15:00:00+02:00", 1),
        ("2013-10-08T23:55:00+02:00", 1),
    ];
    for (now, received) in runs {
        let out = herald_at(&site, now, &["run"]);
        assert_eq!(code(&out), 0, "{now}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{now}: stdout not empty");
        assert!(stderr(&out).is_empty(), "{now}: {}", stderr(&out));
        assert_eq!(server.received().len(), received, "{now}");
    }
    let received = server.received();
    let subject = parse(&received[0].data).subject().unwrap().to_string();
    assert!(subject.ends_with("vecka 40"), "{subject}");
}

#[test]
fn a_late_run_within_the_deadline_sends_and_one_beyond_skips_to_the_next() {
    let server = Server::start(Faults::default());
    let site = group_site(&server, "max_age_days = 21\ndeadline_hours = 72");
    // Friday's runs never happened; Monday 14:59 is within 72 hours of 15:00.
    let out = herald_at(&site, "2013-10-07T14:59:00+02:00", &["run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(server.received().len(), 1);

    // The next week nothing runs until Monday 15:00: exactly 72 hours late.
    site.post(
        "2013-10-08-ny.md",
        "title = \"Ny vecka\"\ndate = \"2013-10-08\"",
        "Nytt.\n",
    );
    let out = herald_at(&site, "2013-10-14T15:00:00+02:00", &["run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("digest 2013-W41 (due 2013-10-11 15:00 +02:00) was not sent within deadline_hours = 72; skipped, its posts go into the next digest"),
        "{err}"
    );
    assert_eq!(server.received().len(), 1, "never sent a week late");
    // Runs after that stay quiet, and the post goes out with the next digest.
    let out = herald_at(&site, "2013-10-15T15:00:00+02:00", &["run"]);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    let out = herald_at(&site, "2013-10-18T15:00:00+02:00", &["run"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let received = server.received();
    assert_eq!(received.len(), 2);
    let m = parse(&received[1].data);
    assert!(m.subject().unwrap().ends_with("vecka 42"));
    assert!(m.body_text(0).unwrap().contains("Ny vecka"));
}

#[test]
fn exit_codes_and_the_report() {
    // 0 with nothing due, and the report says when the next slot is.
    let server = Server::start(Faults::default());
    let site = group_site(&server, "");
    // The first run notes last week's slot as missed; the second finds nothing to do.
    for action in ["missed", "waiting"] {
        let out = herald_at(
            &site,
            "2013-10-03T12:00:00+02:00",
            &["run", "--report", &report_arg(&site)],
        );
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(report(&site)["action"], action);
    }
    let r = report(&site);
    assert_eq!(r["action"], "waiting");
    assert_eq!(r["next_slot"], "2013-10-04T13:00:00Z");
    assert_eq!(r["built_posts"], 3);

    // 3: a recipient refused; the report has the counts and the first error.
    let mut faults = Faults::default();
    faults.reject.insert("person2@example.se".into());
    let server = Server::start(faults);
    let site = individual_site(&server, 3, 1);
    let out = herald_at(
        &site,
        "2013-10-04T15:00:00+02:00",
        &["run", "--report", &report_arg(&site)],
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let r = report(&site);
    assert_eq!(r["exit_code"], 3);
    assert_eq!(r["action"], "sent");
    assert_eq!(r["digest"]["id"], "2013-W40");
    assert_eq!(r["digest"]["mode"], "individual");
    assert_eq!(r["digest"]["posts"], 2);
    assert_eq!(
        (r["digest"]["sent"].as_u64(), r["digest"]["failed"].as_u64()),
        (Some(2), Some(1))
    );
    assert!(
        r["error"]
            .as_str()
            .unwrap()
            .contains("refused for good (5xx)"),
        "{r}"
    );

    // 75: the server is unreachable after the retries.
    let down = closed_port();
    let site = digest_site(
        "to = [\"alla@example.se\"]",
        &format!("retries = 1\n{}", smtp(down.port, 1)),
    );
    let out = herald_at(&site, "2013-10-04T15:00:00+02:00", &["run"]);
    // The transport's own words come as the cause, on a line of their own.
    fails(
        &out,
        75,
        &[
            "error: delivery stopped: ",
            "\ncaused by: Connection error: Connection refused",
        ],
    );

    // 2: a config problem, with its line, and still a report.
    let site = Site::new("\n[digest]\nfrom = \"a@example.se\"\nto = [\"b@example.se\"]\nday = \"fredag\"\ntime = \"3pm\"\ndeadline_hours = 200\n");
    let out = site.herald(&["run", "--report", &report_arg(&site)]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    for (line, what) in [
        (14, "digest.day `fredag`"),
        (15, "digest.time `3pm`"),
        (16, "deadline_hours must be 1–167"),
    ] {
        assert!(
            err.contains(&format!("config.toml:{line}: {what}")),
            "{err}"
        );
    }
    assert_eq!(report(&site)["exit_code"], 2);
}

#[test]
fn a_run_stopped_by_a_config_or_now_error_reports_the_error_action_and_its_time() {
    // A config error: `now` is --now as far as it can be read without the site.
    let site = Site::new("\n[digest]\nfrom = \"a@example.se\"\nday = \"fredag\"\n");
    let given = [
        ("2013-10-04T15:00:00+02:00", "2013-10-04T13:00:00Z"),
        ("2013-10-04 15:00", "2013-10-04 15:00"),
    ];
    for (now, reported) in given {
        let out = herald_at(&site, now, &["run", "--report", &report_arg(&site)]);
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        let r = report(&site);
        assert_eq!(
            (
                r["action"].as_str(),
                r["now"].as_str(),
                r["exit_code"].as_u64()
            ),
            (Some("error"), Some(reported), Some(2)),
            "{r}"
        );
        assert!(r["error"].as_str().unwrap().contains("problem"), "{r}");
    }
    // A --now that is no time at all, with a good config.
    let site = Site::new("");
    let out = herald_at(&site, "fredag", &["run", "--report", &report_arg(&site)]);
    fails(&out, 2, &["error: --now: `fredag` is not a valid date"]);
    let r = report(&site);
    assert_eq!(
        (r["action"].as_str(), r["now"].as_str()),
        (Some("error"), Some("fredag"))
    );
    assert!(r["error"].as_str().unwrap().starts_with("--now: "), "{r}");
    assert!(r["built_posts"].is_null(), "nothing was built: {r}");
}

#[test]
fn a_second_process_finds_the_lock_held_and_exits_4() {
    // The server tells the test when the first run is mid-send (holding the
    // lock), and holds the message until the second run has finished.
    let (mid_send, is_mid_send) = mpsc::channel();
    let (release, released) = mpsc::channel::<()>();
    let released = Mutex::new(released);
    let server = Server::start(Faults {
        on_mail: Some(Box::new(move |_| {
            let _ = mid_send.send(());
        })),
        on_message: Some(Box::new(move |_| {
            let _ = released.lock().unwrap().recv();
        })),
        ..Faults::default()
    });
    let site = group_site(&server, "");
    let config = site.path().join("config.toml");
    let now = "2013-10-04T15:00:00+02:00";
    let first = Command::new(env!("CARGO_BIN_EXE_herald"))
        .arg("--config")
        .arg(&config)
        .args(["--now", now, "run"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    is_mid_send.recv().unwrap();
    let second = herald_at(&site, now, &["run"]);
    release.send(()).unwrap();
    assert_eq!(code(&second), 4, "{}", stderr(&second));
    assert!(stderr(&second).contains("holds"), "{}", stderr(&second));
    let first = first.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(server.received().len(), 1);
}

#[test]
fn status_shows_the_slot_waiting_posts_digests_and_failures() {
    let mut faults = Faults::default();
    faults.reject.insert("person1@example.se".into());
    let server = Server::start(faults);
    let site = individual_site(&server, 2, 1);
    let now = "2013-10-04T15:30:00+02:00";
    let json = |site: &Site| -> serde_json::Value {
        let out = herald_at(site, now, &["status", "--json"]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let before = json(&site);
    assert_eq!(before["slot"]["state"], "due");
    assert_eq!(before["slot"]["id"], "2013-W40");
    assert_eq!(before["waiting_posts"].as_array().unwrap().len(), 2);
    assert!(before["state_file"].as_str().unwrap().ends_with("state.db"));

    assert_eq!(code(&herald_at(&site, now, &["run"])), 3);
    let after = json(&site);
    assert_eq!(after["waiting_posts"].as_array().unwrap().len(), 0);
    let d = &after["digests"][0];
    assert_eq!(
        (d["id"].as_str(), d["mode"].as_str()),
        (Some("2013-W40"), Some("individual"))
    );
    assert_eq!(
        (d["sent"].as_u64(), d["failed"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(after["unserved"][0]["recipients"][0], "person1@example.se");
    // Still due: a rerun retries the failed one until the deadline.
    assert_eq!(after["slot"]["state"], "due");

    assert_eq!(after["next_slot"]["id"], "2013-W41");
    let text = herald_at(&site, now, &["status"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.starts_with("digest 2013-W40 is due (slot 2013-10-04 15:00 +02:00); `herald run` sends it\nnext slot: 2013-W41 at 2013-10-11 15:00 +02:00\n"),
        "{text}"
    );
    assert!(
        text.contains("2013-W40  individual  2 post(s)  1 sent, 1 failed, 0 uncertain, 0 pending  created 2013-10-04 15:30 +02:00\n"),
        "{text}"
    );
    assert!(text.contains("not served: 1"), "{text}");
}

#[test]
fn the_daily_recipient_limit_refuses_a_run_before_sending_and_says_when() {
    let server = Server::start(Faults::default());
    let site = digest_site(
        "recipients = \"recipients.csv\"\nmode = \"individual\"",
        &format!("daily_recipients = 5\n{}", smtp(server.port, 1)),
    );
    recipients(
        &site,
        &people(3).iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let out = herald_at(&site, "2013-10-04T15:00:00+02:00", &["digest"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(server.received().len(), 3);
    // Another 3 within 24 hours would make 6 > 5: refused before sending anything.
    let resend = ["digest", "--week", "2013-W39"];
    let out = herald_at(&site, "2013-10-04T16:00:00+02:00", &resend);
    assert_eq!(code(&out), 75, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("3 recipient(s) now would pass daily_recipients = 5 (3 in the last 24 hours); nothing was sent; the run can go from 2013-10-05 15:00 +02:00"),
        "{err}"
    );
    assert_eq!(server.mail_commands(), 3, "nothing was attempted");
    let status = herald_at(&site, "2013-10-04T16:00:00+02:00", &["status"]);
    let status = String::from_utf8(status.stdout).unwrap();
    assert!(
        status.contains("recipients in the last 24 hours: 3 of 5"),
        "{status}"
    );
    // From then on, it goes.
    let out = herald_at(&site, "2013-10-05T15:00:00+02:00", &resend);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(server.received().len(), 6);
}

#[test]
fn status_on_a_fresh_site_explains_the_past_slot_and_shows_the_next() {
    let server = Server::start(Faults::default());
    let site = group_site(&server, "");
    // The W40 slot (Friday 15:00) passed more than 72 hours before.
    let out = herald_at(&site, "2013-10-08T12:00:00+02:00", &["status"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "no warning: {}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("digest 2013-W40 (slot 2013-10-04 15:00 +02:00) passed before herald kept a ledger (it is empty): `herald run` notes it without sending; the first digest is 2013-W41 at 2013-10-11 15:00 +02:00\nnext slot: 2013-W41 at 2013-10-11 15:00 +02:00\n"),
        "{text}"
    );
    let out = herald_at(&site, "2013-10-08T12:00:00+02:00", &["status", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["ledger_empty"], true);
    assert_eq!(json["next_slot"]["at"], "2013-10-11T13:00:00Z");
}

#[test]
fn status_counts_recipients_of_the_last_24_hours_without_a_daily_limit() {
    let server = Server::start(Faults::default());
    let site = individual_site(&server, 3, 1);
    let now = "2013-10-04T15:00:00+02:00";
    assert_eq!(code(&herald_at(&site, now, &["run"])), 0);
    assert_eq!(server.received().len(), 3);
    let status = |now: &str| String::from_utf8(herald_at(&site, now, &["status"]).stdout).unwrap();
    let text = status("2013-10-04T16:00:00+02:00");
    assert!(
        text.contains("recipients in the last 24 hours: 3\n"),
        "{text}"
    );
    let text = status("2013-10-05T15:00:01+02:00");
    assert!(
        text.contains("recipients in the last 24 hours: 0\n"),
        "{text}"
    );
}
