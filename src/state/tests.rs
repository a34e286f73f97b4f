use super::*;

fn digest(id: &str, posts: &[&str]) -> DigestRow {
    DigestRow {
        id: id.into(),
        week: id.into(),
        post_ids: posts.iter().map(|p| p.to_string()).collect(),
        created: "2013-09-27T16:00:00+02:00".into(),
        completed: None,
        mode: "group".into(),
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
fn claims_in_order_and_a_crash_leaves_the_claimed_one_uncertain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    {
        let mut state = State::open(&path).unwrap();
        state
            .create(&digest("2013-W39", &["a", "b"]), &[row(1), row(2), row(3)])
            .unwrap();
        let first = state
            .claim_next("2013-W39", 0, u32::MAX, "t")
            .unwrap()
            .unwrap();
        assert_eq!(first.seq, 1);
        state
            .finish("2013-W39", 1, Status::Sent, "250 ok", "t")
            .unwrap();
        let second = state
            .claim_next("2013-W39", 1, u32::MAX, "t")
            .unwrap()
            .unwrap();
        assert_eq!(second.seq, 2);
        // The process dies here, with message 2 in flight.
    }
    let state = State::open(&path).unwrap();
    let uncertain = state.settle_in_flight("2013-W39").unwrap();
    assert_eq!(uncertain.iter().map(|r| r.seq).collect::<Vec<_>>(), [2]);
    let next = state
        .claim_next("2013-W39", 0, u32::MAX, "t")
        .unwrap()
        .unwrap();
    assert_eq!(
        next.seq, 3,
        "neither the sent nor the uncertain one is sent again"
    );
    state
        .finish("2013-W39", 3, Status::Failed, "550 no", "t")
        .unwrap();
    let c = state.counts("2013-W39").unwrap();
    assert_eq!((c.sent, c.uncertain, c.failed, c.pending), (1, 1, 1, 0));
    assert_eq!(
        state
            .claim_next("2013-W39", 0, u32::MAX, "t")
            .unwrap()
            .unwrap()
            .seq,
        3,
        "failed ones are retried"
    );
}

#[test]
fn history_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/state.db");
    let mut state = State::open(&path).unwrap();
    state
        .create(&digest("2013-W38", &["a", "b"]), &[row(1)])
        .unwrap();
    state
        .create(&digest("2013-W39", &["c"]), &[row(1)])
        .unwrap();
    assert_eq!(state.held_post_ids("2013-W39").unwrap(), ["a", "b"]);
    state
        .finish("2013-W38", 1, Status::Sent, "250", "t")
        .unwrap();
    state.complete("2013-W38", "t").unwrap();
    assert!(state
        .digest("2013-W38")
        .unwrap()
        .unwrap()
        .completed
        .is_some());
    state.reopen("2013-W38").unwrap();
    assert_eq!(state.counts("2013-W38").unwrap().pending, 1);
    assert_eq!(state.digest("2013-W38").unwrap().unwrap().completed, None);
    // A scratch copy sees the history and records nothing.
    let scratch = State::scratch(&path).unwrap();
    scratch.complete("2013-W39", "t").unwrap();
    assert_eq!(state.digest("2013-W39").unwrap().unwrap().completed, None);
}

#[test]
fn the_lock_is_exclusive() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let held = lock(&path).unwrap();
    assert!(matches!(lock(&path), Err(Error::Locked(_))));
    drop(held);
    lock(&path).unwrap();
}
