//! The sending loop against a stub transport in this process: what the
//! ledger says at each step, retries and their pauses, a stop and a resume,
//! and the rate limit, all on a fake clock that never really sleeps.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use super::*;
use crate::clock::Fake;
use crate::delivery::{Envelope, Prepared};
use crate::digest::recipients::Recipient;
use crate::log::Level;
use crate::state::DigestRow;

const ID: &str = "2013-W40";

/// Which step of a transport a scripted failure comes at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Prepare,
    HandOver,
}

/// What the stub saw: the step, the recipient, the ledger's status of that
/// message at that moment, and the clock.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    step: Step,
    rcpt: String,
    status: Status,
    at: Duration,
}

/// A transport that takes every message, except the failures scripted for
/// a recipient (one per attempt, in order); each handover takes `takes`.
struct Stub {
    state: Arc<Mutex<State>>,
    clock: Arc<Fake>,
    takes: Duration,
    script: HashMap<String, VecDeque<(Step, Failure)>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Stub {
    fn see(&mut self, step: Step, envelope: &Envelope) -> Result<(), Failure> {
        let rcpt = envelope.to()[0].to_string();
        let seq = rcpt[1..rcpt.find('@').unwrap()].parse().unwrap();
        let status = status_of(&self.state.lock().unwrap(), seq);
        let at = self.clock.elapsed();
        self.seen.lock().unwrap().push(Seen {
            step,
            rcpt: rcpt.clone(),
            status,
            at,
        });
        let script = self.script.entry(rcpt).or_default();
        match script.front() {
            Some((at, _)) if *at == step => Err(script.pop_front().unwrap().1),
            _ => Ok(()),
        }
    }
}

impl Transport for Stub {
    fn prepare(&mut self, envelope: &Envelope) -> Result<Prepared, Failure> {
        self.see(Step::Prepare, envelope)
            .map(|()| Prepared::default())
    }

    fn hand_over(
        &mut self,
        envelope: &Envelope,
        _: &[u8],
        _: Prepared,
    ) -> Result<Accepted, Failure> {
        self.clock.advance(self.takes);
        self.see(Step::HandOver, envelope).map(|()| Accepted {
            reply: "250 2.0.0 Ok".into(),
            refused: Vec::new(),
        })
    }
}

/// Messages to `p<seq>@example.se`, with a few bytes each.
struct Plain;

impl Messages for Plain {
    fn compose(&self, to: &Addressing) -> Result<Composed> {
        let rcpt = to.rcpt.iter().map(|r| r.parse().unwrap()).collect();
        let from = "veckobrev@example.se".parse().unwrap();
        Ok(Composed {
            message_id: self.message_id(&to.rcpt),
            envelope: Envelope::new(Some(from), rcpt).unwrap(),
            bytes: b"Subject: Veckobrev\r\n\r\nHej\r\n".to_vec(),
        })
    }

    fn message_id(&self, rcpt: &[String]) -> String {
        format!("<{}.{ID}@example.se>", rcpt.join("+"))
    }
}

fn status_of(state: &State, seq: u32) -> Status {
    let all = [
        Status::Pending,
        Status::Sending,
        Status::Sent,
        Status::Failed,
        Status::Uncertain,
    ];
    all.into_iter()
        .find(|s| state.rows(ID, *s).unwrap().iter().any(|r| r.seq == seq))
        .unwrap()
}

/// A ledger with digest [`ID`] planned as `n` messages, to `p1`…`pn`.
fn ledger(dir: &tempfile::TempDir, n: u32) -> Arc<Mutex<State>> {
    let mut state =
        State::open(&crate::config::Ledger::Sqlite(dir.path().join("state.db"))).unwrap();
    let rows: Vec<DeliveryRow> = (1..=n)
        .map(|seq| {
            let p = format!("p{seq}@example.se");
            let to = Addressing {
                to: vec![p.clone()],
                rcpt: vec![p.clone()],
                recipient: Recipient::address_only(&p),
            };
            DeliveryRow {
                seq,
                recipients: serde_json::to_string(&to).unwrap(),
                message_id: Plain.message_id(&to.rcpt),
                reply: None,
            }
        })
        .collect();
    let digest = DigestRow {
        id: ID.into(),
        week: ID.into(),
        post_ids: vec!["a".into()],
        created: "2013-10-04T15:00:00+02:00".into(),
        completed: None,
        mode: Some(crate::config::Mode::Individual),
    };
    state.create(&digest, &rows).unwrap();
    Arc::new(Mutex::new(state))
}

/// `[delivery]` as a site's config would have it.
fn limits(table: &str) -> Delivery {
    crate::digest::test_config(&format!("[delivery]\n{table}")).delivery
}

/// One run: the stub's script, `[delivery]` settings, the clock; returns
/// the outcome and what the stub saw.
struct Harness {
    state: Arc<Mutex<State>>,
    clock: Arc<Fake>,
    limits: Delivery,
    takes: Duration,
}

impl Harness {
    fn new(dir: &tempfile::TempDir, n: u32, table: &str) -> Harness {
        Harness {
            state: ledger(dir, n),
            clock: Arc::new(Fake::at("2013-10-04T13:00:00Z".parse().unwrap())),
            limits: limits(table),
            takes: Duration::ZERO,
        }
    }

    fn run(&self, script: &[(&str, Step, Failure)]) -> (Outcome, Vec<Seen>) {
        let mut stub = self.stub(&Arc::default());
        for (rcpt, step, failure) in script {
            let steps = stub.script.entry(rcpt.to_string()).or_default();
            steps.push_back((*step, failure.clone()));
        }
        let seen = stub.seen.clone();
        let outcome = self.send(vec![Box::new(stub)]);
        let seen = seen.lock().unwrap().clone();
        (outcome, seen)
    }

    /// A stub that takes everything, telling `seen` what it saw.
    fn stub(&self, seen: &Arc<Mutex<Vec<Seen>>>) -> Stub {
        Stub {
            state: self.state.clone(),
            clock: self.clock.clone(),
            takes: self.takes,
            script: HashMap::new(),
            seen: seen.clone(),
        }
    }

    fn send(&self, transports: Vec<Box<dyn Transport>>) -> Outcome {
        let job = Sending {
            id: ID,
            messages: &Plain,
            limits: &self.limits,
            clock: &*self.clock,
            log: &Log::new(Level::Quiet),
            total: 0,
        };
        run(&self.state, &job, transports)
    }

    fn statuses(&self) -> Vec<Status> {
        let state = self.state.lock().unwrap();
        let last = state.last_seq(ID).unwrap();
        (1..=last).map(|seq| status_of(&state, seq)).collect()
    }
}

fn steps(seen: &[Seen]) -> Vec<(Step, &str, Status)> {
    seen.iter()
        .map(|s| (s.step, s.rcpt.as_str(), s.status))
        .collect()
}

#[test]
fn a_message_is_sending_only_between_prepare_and_hand_over() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(&dir, 3, "");
    let refused = Failure::Permanent("550 5.1.1 User unknown".into());
    let (outcome, seen) = h.run(&[("p2@example.se", Step::HandOver, refused)]);
    use {Status::*, Step::*};
    assert_eq!(
        steps(&seen),
        [
            (Prepare, "p1@example.se", Pending),
            (HandOver, "p1@example.se", Sending),
            (Prepare, "p2@example.se", Pending),
            (HandOver, "p2@example.se", Sending),
            (Prepare, "p3@example.se", Pending),
            (HandOver, "p3@example.se", Sending),
        ]
    );
    assert_eq!(h.statuses(), [Sent, Failed, Sent]);
    assert_eq!((outcome.sent, outcome.failed), (2, 1));
    assert!(outcome.stopped.is_none());
}

#[test]
fn a_failure_before_the_handover_never_marks_the_message_sending() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(&dir, 2, "retries = 0");
    let refused = Failure::Permanent("550 5.1.1 User unknown".into());
    let (_, seen) = h.run(&[("p1@example.se", Step::Prepare, refused)]);
    use {Status::*, Step::*};
    assert_eq!(
        steps(&seen),
        [
            (Prepare, "p1@example.se", Pending),
            (Prepare, "p2@example.se", Pending),
            (HandOver, "p2@example.se", Sending),
        ]
    );
    assert_eq!(h.statuses(), [Failed, Sent]);
}

#[test]
fn a_connection_lost_after_the_handover_is_uncertain_and_never_retried() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(&dir, 2, "");
    let lost = Failure::Uncertain("network error: connection reset".into());
    let (outcome, seen) = h.run(&[("p1@example.se", Step::HandOver, lost)]);
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert_eq!(h.statuses(), [Status::Uncertain, Status::Sent]);
    assert_eq!((outcome.sent, outcome.uncertain), (1, 1));
    assert!(h.clock.sleeps().is_empty());
}

#[test]
fn temporary_failures_are_retried_after_doubling_pauses_and_recorded_between() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(&dir, 1, "retries = 5\nretry_delay = 2.0");
    let busy = || Failure::Temporary("451 4.3.0 try again".into());
    let (outcome, seen) = h.run(&[
        ("p1@example.se", Step::Prepare, busy()),
        ("p1@example.se", Step::HandOver, busy()),
    ]);
    use {Status::*, Step::*};
    assert_eq!(
        steps(&seen),
        [
            (Prepare, "p1@example.se", Pending),
            (Prepare, "p1@example.se", Failed),
            (HandOver, "p1@example.se", Sending),
            (Prepare, "p1@example.se", Failed),
            (HandOver, "p1@example.se", Sending),
        ]
    );
    assert_eq!(
        h.clock.sleeps(),
        [Duration::from_secs(2), Duration::from_secs(4)]
    );
    assert_eq!(h.statuses(), [Sent]);
    assert_eq!((outcome.sent, outcome.failed), (1, 0));
}

#[test]
fn retries_used_up_stop_the_run_with_the_failure_as_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(&dir, 2, "retries = 1\nretry_delay = 1.0");
    let busy = || Failure::Temporary("421 4.7.0 busy".into());
    let (outcome, seen) = h.run(&[
        ("p1@example.se", Step::Prepare, busy()),
        ("p1@example.se", Step::Prepare, busy()),
    ]);
    assert_eq!(seen.len(), 2, "p2 is never tried: {seen:?}");
    assert_eq!(h.statuses(), [Status::Failed, Status::Pending]);
    let err = outcome.stopped.expect("the run stops");
    assert_eq!(err.exit_code(), crate::error::exit::TEMPORARY);
    assert_eq!(
        err.to_string(),
        "delivery stopped: p1@example.se: not accepted after 1 retries; try again later"
    );
    let cause = std::error::Error::source(&err).expect("a cause");
    assert_eq!(cause.to_string(), "421 4.7.0 busy");
}

#[test]
fn a_blocked_sender_stops_at_once_and_a_rerun_resumes_with_what_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(&dir, 4, "retries = 5");
    let quota = Failure::Blocked("554 5.2.0 SubmissionQuotaExceededException".into());
    let (outcome, _) = h.run(&[("p2@example.se", Step::Prepare, quota)]);
    use Status::*;
    assert_eq!(h.statuses(), [Sent, Pending, Pending, Pending]);
    assert!(h.clock.sleeps().is_empty(), "no retries against a quota");
    let err = outcome.stopped.expect("the run stops");
    assert_eq!(err.exit_code(), crate::error::exit::TEMPORARY);
    assert!(err.to_string().contains("blocks or throttles"), "{err}");

    let (outcome, seen) = h.run(&[]);
    let handed: Vec<&str> = seen
        .iter()
        .filter(|s| s.step == Step::HandOver)
        .map(|s| s.rcpt.as_str())
        .collect();
    assert_eq!(handed, ["p2@example.se", "p3@example.se", "p4@example.se"]);
    assert_eq!(h.statuses(), [Sent, Sent, Sent, Sent]);
    assert_eq!(outcome.sent, 3);
}

#[test]
fn a_fatal_failure_stops_the_run_leaves_the_message_pending_and_keeps_its_cause() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(&dir, 2, "");
    let login = Failure::Fatal("permanent error (535): 5.7.8 bad credentials".into());
    let (outcome, _) = h.run(&[("p1@example.se", Step::Prepare, login)]);
    assert_eq!(h.statuses(), [Status::Pending, Status::Pending]);
    let err = outcome.stopped.expect("the run stops");
    assert_eq!(err.exit_code(), crate::error::exit::FAILURE);
    let cause = std::error::Error::source(&err).expect("a cause");
    assert!(cause.to_string().contains("535"), "{cause}");
}

/// Microsoft 365 locks a mailbox for a day past 30 messages a minute.
#[test]
fn no_sixty_second_window_holds_more_than_max_per_minute() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::new(&dir, 100, "max_per_minute = 30");
    h.takes = Duration::from_millis(500);
    let (outcome, seen) = h.run(&[]);
    assert_eq!(outcome.sent, 100);
    let starts: Vec<Duration> = seen
        .iter()
        .filter(|s| s.step == Step::Prepare)
        .map(|s| s.at)
        .collect();
    assert_eq!(starts.len(), 100);
    for (i, start) in starts.iter().enumerate().skip(30) {
        let window = *start - starts[i - 30];
        assert!(window >= Duration::from_secs(60), "message {i}: {window:?}");
    }
    // 30 go at once (half a second each), then each next 30 wait for the
    // window: 45 seconds after the 30th, three times for 100 messages.
    assert_eq!(h.clock.sleeps(), vec![Duration::from_secs(45); 3]);
    assert_eq!(starts[30], Duration::from_secs(60));
    assert_eq!(
        starts[99],
        Duration::from_secs(180) + Duration::from_millis(4500)
    );
}

#[test]
fn without_a_rate_limit_nothing_waits() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = Harness::new(&dir, 40, "max_per_minute = 0");
    h.takes = Duration::from_millis(500);
    let (outcome, _) = h.run(&[]);
    assert_eq!(outcome.sent, 40);
    assert!(h.clock.sleeps().is_empty());
    assert_eq!(h.clock.elapsed(), Duration::from_secs(20));
}

#[test]
fn three_connections_hand_each_message_over_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::new(&dir, 30, "");
    let seen = Arc::default();
    let stubs: Vec<Box<dyn Transport>> = (0..3)
        .map(|_| Box::new(h.stub(&seen)) as Box<dyn Transport>)
        .collect();
    let outcome = h.send(stubs);
    assert_eq!(outcome.sent, 30);
    let mut handed: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.step == Step::HandOver)
        .map(|s| {
            assert_eq!(s.status, Status::Sending, "{s:?}");
            s.rcpt.clone()
        })
        .collect();
    handed.sort();
    let mut everyone: Vec<String> = (1..=30).map(|n| format!("p{n}@example.se")).collect();
    everyone.sort();
    assert_eq!(handed, everyone);
    assert!(h.statuses().iter().all(|s| *s == Status::Sent));
}
