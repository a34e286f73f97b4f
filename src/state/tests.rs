use super::values::Unknown;
use super::*;
use crate::config::Ledger;
use rusqlite::Connection;

fn digest(id: &str, posts: &[&str]) -> DigestRow {
    DigestRow {
        id: id.into(),
        week: id.into(),
        post_ids: posts.iter().map(|p| p.to_string()).collect(),
        created: "2013-09-27T16:00:00+02:00".into(),
        completed: None,
        mode: Some(crate::config::Mode::Group),
    }
}

fn row(seq: u32) -> DeliveryRow {
    DeliveryRow {
        seq,
        recipients: format!("[\"p{seq}@example.se\"]"),
        message_id: format!("<m{seq}@example.se>"),
        reply: None,
    }
}

#[test]
fn only_a_message_marked_sending_is_left_uncertain_by_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let id = "2013-W39";
    {
        let mut state = State::open(&Ledger::Sqlite(path.clone())).unwrap();
        state
            .create(&digest(id, &["a", "b"]), &[row(1), row(2), row(3)])
            .unwrap();
        let first = state.next_to_send(id, 0, u32::MAX).unwrap().unwrap();
        assert_eq!(first.seq, 1);
        state.mark_sending(id, 1, "t").unwrap();
        state.finish(id, 1, Status::Sent, "250 ok", "t").unwrap();
        let second = state.next_to_send(id, 1, u32::MAX).unwrap().unwrap();
        assert_eq!(second.seq, 2);
        state.mark_sending(id, 2, "t").unwrap();
        let third = state.next_to_send(id, 2, u32::MAX).unwrap().unwrap();
        assert_eq!(third.seq, 3);
        // The process dies here: message 2 in flight, message 3 still being
        // composed (taken by the cursor, never handed over).
    }
    let state = State::open(&Ledger::Sqlite(path.clone())).unwrap();
    let uncertain = state.settle_in_flight(id).unwrap();
    assert_eq!(uncertain.iter().map(|r| r.seq).collect::<Vec<_>>(), [2]);
    let next = state.next_to_send(id, 0, u32::MAX).unwrap().unwrap();
    assert_eq!(
        next.seq, 3,
        "neither the sent nor the uncertain one is sent again; the one never handed over is"
    );
    state.mark_sending(id, 3, "t").unwrap();
    state.finish(id, 3, Status::Failed, "550 no", "t").unwrap();
    let c = state.counts(id).unwrap();
    assert_eq!((c.sent, c.uncertain, c.failed, c.pending), (1, 1, 1, 0));
    assert!(!c.settled());
    assert_eq!(
        state.next_to_send(id, 0, u32::MAX).unwrap().unwrap().seq,
        3,
        "failed ones are retried"
    );
}

#[test]
fn a_new_round_never_clears_the_completion_or_the_first_round() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/state.db");
    let mut state = State::open(&Ledger::Sqlite(path.clone())).unwrap();
    let id = "2013-W38";
    state.create(&digest(id, &["a", "b"]), &[row(1)]).unwrap();
    state
        .create(&digest("2013-W39", &["c"]), &[row(1)])
        .unwrap();
    assert_eq!(state.held_post_ids("2013-W39").unwrap(), ["a", "b"]);
    state.mark_sending(id, 1, "t").unwrap();
    state.finish(id, 1, Status::Sent, "250", "t").unwrap();
    assert!(state.counts(id).unwrap().settled());
    state.complete(id, "t1").unwrap();
    // --force: a second round beside the first.
    state.add_round(id, &[row(1)]).unwrap();
    let c = state.counts(id).unwrap();
    assert_eq!(
        (c.pending, c.sent),
        (1, 0),
        "the counts are the new round's"
    );
    assert_eq!(state.next_to_send(id, 0, u32::MAX).unwrap().unwrap().seq, 2);
    state.complete(id, "t2").unwrap();
    assert_eq!(
        state.digest(id).unwrap().unwrap().completed.as_deref(),
        Some("t1"),
        "the first completion stays"
    );
    let statuses: Vec<String> = state
        .sqlite()
        .prepare("SELECT status FROM deliveries WHERE digest = ?1 ORDER BY seq")
        .unwrap()
        .query_map([id], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(statuses, ["sent", "pending"]);
    // A scratch copy sees the history and records nothing.
    let scratch = State::scratch(&Ledger::Sqlite(path.clone())).unwrap();
    scratch.complete("2013-W39", "t").unwrap();
    assert_eq!(state.digest("2013-W39").unwrap().unwrap().completed, None);
}

#[test]
fn the_lock_is_exclusive() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let held = State::open(&Ledger::Sqlite(path.clone())).unwrap();
    assert!(matches!(
        State::open(&Ledger::Sqlite(path.clone())),
        Err(Error::Locked(_))
    ));
    // A copy for status and dry runs never waits for the lock.
    State::scratch(&Ledger::Sqlite(path.clone())).unwrap();
    drop(held);
    State::open(&Ledger::Sqlite(path.clone())).unwrap();
}

/// The `digests` and `deliveries` tables as the first release created them:
/// post ids joined by newlines, one round of messages.
pub(in crate::state) const FIRST_RELEASE: &str = "
CREATE TABLE digests (
    id TEXT PRIMARY KEY, week TEXT NOT NULL, post_ids TEXT NOT NULL,
    created TEXT NOT NULL, completed TEXT
);
CREATE TABLE deliveries (
    digest TEXT NOT NULL REFERENCES digests(id), seq INTEGER NOT NULL,
    recipients TEXT NOT NULL, message_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending','sending','sent','failed','uncertain')),
    reply TEXT, attempts INTEGER NOT NULL DEFAULT 0, updated TEXT,
    PRIMARY KEY (digest, seq)
);";

#[test]
fn post_ids_come_back_exactly_whatever_characters_they_hold() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = State::open(&Ledger::Sqlite(dir.path().join("state.db"))).unwrap();
    let odd = ["tag:a\nb", "c\r\n", "d\u{2028}e", " f ", "g"];
    state.create(&digest("2013-W39", &odd), &[row(1)]).unwrap();
    state
        .create(&digest("2013-W40", &["h"]), &[row(1)])
        .unwrap();
    assert_eq!(state.digest("2013-W39").unwrap().unwrap().post_ids, odd);
    // Next week's digest must see exactly these ids as already held.
    assert_eq!(state.held_post_ids("2013-W40").unwrap(), odd);
    let recent = state.recent(5).unwrap();
    assert_eq!(recent[1].posts, odd.len());
}

#[test]
fn an_old_ledger_with_newline_joined_post_ids_is_migrated_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(FIRST_RELEASE).unwrap();
        conn.execute_batch(
            "INSERT INTO digests (id, week, post_ids, created, completed)
                 VALUES ('2013-W38', '2013-W38', 'a\nb', 't', 't2');
             INSERT INTO deliveries (digest, seq, recipients, message_id, status)
                 VALUES ('2013-W38', 1, '[]', '<m1@x>', 'sent');",
        )
        .unwrap();
    }
    for _ in 0..2 {
        let state = State::open(&Ledger::Sqlite(path.clone())).unwrap();
        let row = state.digest("2013-W38").unwrap().unwrap();
        assert_eq!(row.post_ids, ["a", "b"]);
        assert_eq!(row.completed.as_deref(), Some("t2"));
        assert_eq!(state.held_post_ids("2013-W39").unwrap(), ["a", "b"]);
        assert_eq!(state.counts("2013-W38").unwrap().sent, 1);
        let joined = state
            .sqlite()
            .prepare("SELECT 1 FROM pragma_table_info('digests') WHERE name = 'post_ids'")
            .unwrap()
            .exists([])
            .unwrap();
        assert!(!joined, "the newline-joined column is gone");
    }
}

/// The error `read` gave, which must be the ledger's unknown value.
fn unknown<T: std::fmt::Debug>(read: Result<T>) -> Unknown {
    match read {
        Err(Error::State {
            source: Fault::Unknown(unknown),
            ..
        }) => unknown,
        other => panic!("not an unknown value: {other:?}"),
    }
}

#[test]
fn an_unknown_status_or_mode_in_the_ledger_is_an_error_never_a_guess() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let id = "2013-W39";
    State::open(&Ledger::Sqlite(path.clone()))
        .unwrap()
        .create(&digest(id, &["a"]), &[row(1), row(2)])
        .unwrap();
    // Another writer (a newer herald, a person with sqlite3) leaves values
    // this herald does not know; the status CHECK only binds this herald.
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "PRAGMA ignore_check_constraints = ON;
         UPDATE deliveries SET status = 'bounced' WHERE seq = 2;",
    )
    .unwrap();
    let state = State::open(&Ledger::Sqlite(path.clone())).unwrap();
    let expected = Unknown {
        table: "deliveries",
        column: "status",
        value: "bounced".into(),
        digest: Some(id.into()),
    };
    assert_eq!(
        unknown(state.counts(id)),
        expected,
        "not counted as uncertain"
    );
    assert_eq!(unknown(state.recent(5)), expected);

    conn.execute_batch(
        "UPDATE deliveries SET status = 'failed' WHERE seq = 2;
         UPDATE digests SET mode = 'broadcast';",
    )
    .unwrap();
    let err = state.digest(id).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("the digest state in {} failed", path.display())
    );
    let cause = std::error::Error::source(&err).unwrap().to_string();
    assert_eq!(
        cause,
        "table digests, digest 2013-W39: unknown mode `broadcast` (written by a newer herald, or by hand)"
    );
    assert_eq!(unknown(state.recent(5)).value, "broadcast");
    assert_eq!(err.exit_code(), crate::error::exit::FAILURE);
}
