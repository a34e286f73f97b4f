//! The PostgreSQL ledger end to end: the real binary, the test SMTP server
//! and a throwaway PostgreSQL server (tests/common/pg.rs). Two site copies
//! sharing one database stand for two machines.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::process::{Child, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use common::mail::{code, individual_site};
use common::pg::{self, statuses, use_ledger, PASSWORD};
use common::smtp::{Faults, Hook, Server};
use common::Site;

fn run(site: &Site, args: &[&str]) -> Output {
    pg::herald(site, args).output().unwrap()
}

fn spawn(site: &Site) -> Child {
    pg::herald(site, &["digest"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for a spawned run; returns its exit code (`None`: killed) and stderr.
fn finish(mut child: Child) -> (Option<i32>, String) {
    let mut said = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut said)
        .unwrap();
    (child.wait().unwrap().code(), said)
}

fn everyone_once(server: &Server, n: usize) {
    let counts = server.tally();
    assert_eq!(counts.len(), n, "everyone served: {counts:?}");
    assert!(counts.values().all(|&c| c == 1), "nobody twice: {counts:?}");
}

/// A site for `n` people sending to `server`, its ledger in database `url`.
fn machine(server: &Server, n: usize, url: &str) -> Site {
    machine_with(server, n, url, 2)
}

/// A site sending over `connections` SMTP connections at once.
fn machine_with(server: &Server, n: usize, url: &str, connections: usize) -> Site {
    let site = individual_site(server, n, connections);
    use_ledger(site.path(), url);
    site
}

#[test]
fn a_digest_with_a_postgres_ledger_reaches_everyone_once_and_a_rerun_sends_nothing() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let server = Server::start(Faults::default());
    let site = machine(&server, 12, &url);
    let out = run(&site, &["digest"]);
    assert_eq!(code(&out), 0, "{}", common::stderr(&out));
    everyone_once(&server, 12);
    assert_eq!(statuses(&url), BTreeMap::from([("sent".into(), 12)]));
    assert!(
        !site.path().join("state/state.db").exists(),
        "no SQLite file"
    );
    let again = run(&site, &["digest"]);
    let said = common::stderr(&again);
    assert_eq!(code(&again), 0, "{said}");
    assert!(said.contains("was completed"), "{said}");
    everyone_once(&server, 12);
    let status = run(&site, &["status"]);
    let shown = String::from_utf8_lossy(&status.stdout);
    assert!(shown.contains(&url), "status names the ledger: {shown}");
    assert!(!shown.contains(PASSWORD) && !said.contains(PASSWORD));
}

#[test]
fn a_second_machine_waiting_for_the_lock_exits_4_and_sends_nothing() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    // The server holds the first run inside message 1 until the second
    // machine has given up.
    let (entered, first_inside) = mpsc::channel();
    let (release, go_on) = mpsc::channel::<()>();
    let go_on = Mutex::new(go_on);
    let hook: Hook = Box::new(move |n| {
        if n == 1 {
            entered.send(()).unwrap();
            go_on.lock().unwrap().recv().unwrap();
        }
    });
    let server = Server::start(Faults {
        on_message: Some(hook),
        ..Faults::default()
    });
    let (a, b) = (machine(&server, 8, &url), machine(&server, 8, &url));
    let first = spawn(&a);
    first_inside.recv().unwrap();
    let second = run(&b, &["digest"]);
    release.send(()).unwrap();
    let said = common::stderr(&second);
    assert_eq!(code(&second), 4, "{said}");
    assert!(said.contains("another herald digest run holds"), "{said}");
    assert!(said.contains(&url), "{said}");
    let (status, said) = finish(first);
    assert_eq!(status, Some(0), "{said}");
    everyone_once(&server, 8);
}

#[test]
fn two_machines_started_at_the_same_moment_reach_everyone_exactly_once() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let server = Server::start(Faults::default());
    let (a, b) = (machine(&server, 20, &url), machine(&server, 20, &url));
    let runs = [spawn(&a), spawn(&b)].map(finish);
    for (status, said) in &runs {
        assert!(
            matches!(status, Some(0 | 4)),
            "each run sends or finds the lock held: {said}"
        );
    }
    assert!(runs.iter().any(|(s, _)| *s == Some(0)), "{runs:?}");
    everyone_once(&server, 20);
    // Whoever runs next finds the digest completed.
    let rerun = run(&b, &["digest"]);
    assert!(common::stderr(&rerun).contains("was completed"));
    everyone_once(&server, 20);
}

#[test]
fn a_machine_killed_mid_send_is_finished_by_the_other_with_one_uncertain_at_most() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let victim: Arc<Mutex<Option<Child>>> = Arc::default();
    let killer = victim.clone();
    let hook: Hook = Box::new(move |n| {
        if n == 5 {
            if let Some(c) = killer.lock().unwrap().as_mut() {
                c.kill().unwrap();
                c.wait().unwrap();
            }
        }
    });
    let server = Server::start(Faults {
        on_message: Some(hook),
        ..Faults::default()
    });
    let n = 10;
    // One connection: exactly the message the kill interrupts is in flight
    // (with two, the other connection's message may be in flight as well).
    let (a, b) = (
        machine_with(&server, n, &url, 1),
        machine_with(&server, n, &url, 1),
    );
    let mut first = spawn(&a);
    let mut pipe = first.stderr.take().unwrap();
    *victim.lock().unwrap() = Some(first);
    let mut said = String::new();
    // The end of its stderr is the end of the run: no polling.
    pipe.read_to_string(&mut said).unwrap();
    let killed = victim.lock().unwrap().take().unwrap().wait().unwrap();
    assert_eq!(killed.code(), None, "machine A was killed: {said}");
    // Machine B: A's session (and its lock) ended with A.
    let out = run(&b, &["digest"]);
    let err = common::stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert!(
        err.contains("was in flight when an earlier run stopped"),
        "{err}"
    );
    let counts = server.tally();
    assert!(counts.values().all(|&c| c == 1), "nobody twice: {counts:?}");
    let ledger = statuses(&url);
    assert_eq!(ledger.get("uncertain"), Some(&1), "{ledger:?}");
    assert_eq!(ledger.get("sent"), Some(&(n as i64 - 1)), "{ledger:?}");
}

#[test]
fn losing_the_session_that_holds_the_lock_stops_the_run_before_another_message_goes_out() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    // The session holding the run lock ends while message 4 is handed over
    // (a server admin, or the server deciding the peer is gone): from then
    // on another herald may take the lock, so this one must send no more.
    let (ended, lock_ended) = mpsc::channel();
    let holder = url.clone();
    let hook: Hook = Box::new(move |n| {
        if n == 4 {
            ended.send(pg::end_lock_holder(&holder)).unwrap();
        }
    });
    let server = Server::start(Faults {
        on_message: Some(hook),
        ..Faults::default()
    });
    let n = 10;
    let site = machine_with(&server, n, &url, 1);
    let first = pg::herald(&site, &["digest"]).output().unwrap();
    let said = common::stderr(&first);
    assert_eq!(lock_ended.recv().unwrap(), 1, "one session held the lock");
    assert_eq!(code(&first), 75, "{said}");
    assert_eq!(server.received().len(), 4, "nothing sent without the lock");
    pg::assert_rerun_finishes_once(&site, &url, &server, n);
}

#[test]
fn a_ledger_named_by_state_env_comes_from_the_environment() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let server = Server::start(Faults::default());
    let site = individual_site(&server, 3, 1);
    let path = site.path().join("config.toml");
    let config = std::fs::read_to_string(&path).unwrap();
    let by_env = config.replace(
        "state = \"state/state.db\"",
        "state_env = \"HERALD_TEST_LEDGER\"",
    );
    assert_ne!(config, by_env);
    std::fs::write(&path, by_env).unwrap();
    let unset = run(&site, &["digest"]);
    let said = common::stderr(&unset);
    assert_eq!(code(&unset), 2, "{said}");
    assert!(said.contains("HERALD_TEST_LEDGER is not set"), "{said}");
    let out = pg::herald(&site, &["digest"])
        .env("HERALD_TEST_LEDGER", &url)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", common::stderr(&out));
    everyone_once(&server, 3);
    assert_eq!(statuses(&url), BTreeMap::from([("sent".into(), 3)]));
    assert!(!site.path().join("state/state.db").exists());
}
