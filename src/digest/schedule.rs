//! When a digest is due: a pure function of the clock, the weekly slot in
//! the site's time zone, and what the ledger says about that slot ([`due`]),
//! and that decision with the ledger asked ([`decide`]), for `herald run`
//! and `herald status` alike.
//!
//! Cron and CI schedules miss and delay runs, so `herald run` is called
//! often and this decides. Only the latest slot at or before `now` matters:
//! the deadline is under a week, so an older slot is always past it.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::IsoWeek;
use crate::config::{Config, Digest, Schedule};
use crate::error::Result;
use crate::state::State;

/// What the ledger knows about the digest of one slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Progress {
    /// Nothing recorded.
    Untouched,
    /// Recorded, with messages not yet settled (a run stopped or some failed).
    Started,
    /// Completed, or noted as skipped or empty: nothing more to do.
    Settled,
}

/// One weekly slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Slot {
    /// The digest id: the slot's ISO week in the site's zone, e.g. `2013-W39`.
    pub id: IsoWeek,
    /// The instant of the slot.
    pub at: DateTime<Utc>,
}

/// What `herald run` should do about the digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Send the slot's digest (or finish sending it: `started`).
    Due { slot: Slot, started: bool },
    /// The slot is past its deadline and its digest was not completed: skip
    /// it with a warning; never send it late.
    Missed { slot: Slot, started: bool },
    /// Nothing to do until `next`.
    Wait { next: Slot },
}

/// The schedule's decision at `now`, given what the ledger knows.
pub(crate) fn decide(
    config: &Config,
    digest: &Digest,
    state: &State,
    now: DateTime<Utc>,
) -> Result<Decision> {
    let tz = config.site.timezone;
    let slot = latest(now, &digest.schedule, tz);
    // A note settles a slot even when its digest was started and left unfinished.
    let id = slot.id.to_string();
    let progress = match (state.digest(&id)?, state.noted(&id)?) {
        (Some(row), _) if row.completed.is_some() => Progress::Settled,
        (_, Some(_)) => Progress::Settled,
        (Some(_), None) => Progress::Started,
        (None, None) => Progress::Untouched,
    };
    Ok(due(now, &digest.schedule, tz, |_| progress))
}

/// Decides at `now`, asking `progress` about the latest slot's digest id.
pub(crate) fn due(
    now: DateTime<Utc>,
    schedule: &Schedule,
    tz: Tz,
    progress: impl FnOnce(IsoWeek) -> Progress,
) -> Decision {
    let slot = latest(now, schedule, tz);
    let state = progress(slot.id);
    let late = now - slot.at >= Duration::hours(i64::from(schedule.deadline_hours));
    match state {
        Progress::Settled => Decision::Wait {
            next: next(now, schedule, tz),
        },
        _ if late => Decision::Missed {
            slot,
            started: state == Progress::Started,
        },
        _ => Decision::Due {
            slot,
            started: state == Progress::Started,
        },
    }
}

/// The latest slot at or before `now`.
pub(crate) fn latest(now: DateTime<Utc>, schedule: &Schedule, tz: Tz) -> Slot {
    let today = now.with_timezone(&tz).date_naive();
    (0..14)
        .map(|back| today - Duration::days(back))
        .filter(|d| d.weekday() == schedule.day)
        .map(|d| slot_on(d, schedule, tz))
        .find(|s| s.at <= now)
        .expect("a weekday recurs within two weeks")
}

/// The first slot after `now`.
pub(crate) fn next(now: DateTime<Utc>, schedule: &Schedule, tz: Tz) -> Slot {
    let last = latest(now, schedule, tz);
    let date = last.at.with_timezone(&tz).date_naive() + Duration::days(7);
    slot_on(date, schedule, tz)
}

/// `at` in the site's zone, for people: `2013-09-27 15:00 +02:00`.
pub(crate) fn local(config: &Config, at: DateTime<Utc>) -> String {
    crate::when::local(at, config.site.timezone)
}

/// The slot on `date` at the schedule's local time. A time skipped by the
/// spring change moves an hour on (`02:30` becomes `03:30`); a time that
/// happens twice in autumn is the first, as for post dates.
fn slot_on(date: NaiveDate, schedule: &Schedule, tz: Tz) -> Slot {
    let local = date.and_time(schedule.time);
    let at = tz
        .from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .expect("a gap in local time is at most an hour")
        .with_timezone(&Utc);
    Slot {
        id: IsoWeek::of(&at.with_timezone(&tz)),
        at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, Timelike, Weekday};
    use chrono_tz::Europe::Stockholm;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn friday() -> Schedule {
        Schedule::default()
    }

    fn untouched(_: IsoWeek) -> Progress {
        Progress::Untouched
    }

    #[test]
    fn every_hour_of_a_year_sees_friday_15_local_and_the_deadline() {
        let s = friday();
        let start = at("2013-01-01T00:00:00Z");
        for hour in 0..(365 * 24) {
            for minute in [0, 59] {
                let now = start + Duration::hours(hour) + Duration::minutes(minute);
                let slot = latest(now, &s, Stockholm);
                let following = next(now, &s, Stockholm);
                assert!(slot.at <= now && now < following.at, "{now}");
                for x in [&slot, &following] {
                    let local = x.at.with_timezone(&Stockholm);
                    assert_eq!(local.weekday(), Weekday::Fri, "{now}");
                    assert_eq!((local.hour(), local.minute()), (15, 0), "{now}");
                    assert_eq!(x.id, IsoWeek::of(&local));
                }
                let gap = (following.at - slot.at).num_hours();
                assert!((167..=169).contains(&gap), "{now}: {gap} h");
                let decision = due(now, &s, Stockholm, untouched);
                let is_due = matches!(decision, Decision::Due { .. });
                assert_eq!(is_due, now - slot.at < Duration::hours(72), "{now}");
            }
        }
    }

    #[test]
    fn slots_follow_both_daylight_saving_changes_of_2013() {
        let s = friday();
        // Spring forward on Sunday 2013-03-31: 15:00 is 14:00Z before, 13:00Z after.
        let before = latest(at("2013-03-30T12:00:00Z"), &s, Stockholm);
        assert_eq!(before.at, at("2013-03-29T14:00:00Z"));
        assert_eq!(before.id.to_string(), "2013-W13");
        let after = next(at("2013-03-30T12:00:00Z"), &s, Stockholm);
        assert_eq!(after.at, at("2013-04-05T13:00:00Z"));
        // Fall back on Sunday 2013-10-27: 13:00Z before, 14:00Z after.
        let before = latest(at("2013-10-26T12:00:00Z"), &s, Stockholm);
        assert_eq!(before.at, at("2013-10-25T13:00:00Z"));
        assert_eq!(
            next(before.at, &s, Stockholm).at,
            at("2013-11-01T14:00:00Z")
        );
    }

    #[test]
    fn a_slot_inside_the_changed_hour_is_moved_on_or_taken_first() {
        let s = Schedule {
            day: Weekday::Sun,
            time: NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
            deadline_hours: 72,
        };
        // 02:30 does not exist on 2013-03-31: 03:30 CEST.
        let spring = latest(at("2013-03-31T12:00:00Z"), &s, Stockholm);
        assert_eq!(spring.at, at("2013-03-31T01:30:00Z"));
        // 02:30 happens twice on 2013-10-27: the first, CEST.
        let autumn = latest(at("2013-10-27T12:00:00Z"), &s, Stockholm);
        assert_eq!(autumn.at, at("2013-10-27T00:30:00Z"));
    }

    #[test]
    fn the_deadline_separates_late_from_missed() {
        let s = friday();
        let slot = at("2013-09-27T13:00:00Z");
        let just = slot + Duration::hours(72) - Duration::seconds(1);
        assert!(matches!(
            due(just, &s, Stockholm, untouched),
            Decision::Due { started: false, .. }
        ));
        let missed = due(slot + Duration::hours(72), &s, Stockholm, untouched);
        let Decision::Missed { slot: m, started } = missed else {
            panic!("{missed:?}")
        };
        assert_eq!(
            (m.id.to_string(), m.at, started),
            ("2013-W39".into(), slot, false)
        );
        // A started digest within the deadline is resumed; past it, left.
        let resumed = due(slot + Duration::hours(1), &s, Stockholm, |_| {
            Progress::Started
        });
        assert!(matches!(resumed, Decision::Due { started: true, .. }));
        let left = due(slot + Duration::hours(100), &s, Stockholm, |_| {
            Progress::Started
        });
        assert!(matches!(left, Decision::Missed { started: true, .. }));
    }

    #[test]
    fn before_the_slot_and_after_completion_it_waits_for_the_next() {
        let s = friday();
        let thursday = at("2013-09-26T12:00:00Z");
        // The latest slot before Thursday is last week's, long past the deadline…
        assert!(matches!(
            due(thursday, &s, Stockholm, |_| Progress::Settled),
            Decision::Wait { next } if next.at == at("2013-09-27T13:00:00Z")
        ));
        let done = due(at("2013-09-27T13:05:00Z"), &s, Stockholm, |id| {
            assert_eq!(id.to_string(), "2013-W39");
            Progress::Settled
        });
        assert!(matches!(done, Decision::Wait { next } if next.id.to_string() == "2013-W40"));
    }

    /// A config with a group digest, and a folder for its ledger.
    fn group_site() -> (Config, tempfile::TempDir) {
        let config = crate::digest::test_config(
            "[digest]\nfrom = \"v@example.se\"\nto = [\"alla@example.se\"]",
        );
        (config, tempfile::tempdir().unwrap())
    }

    /// A digest recorded for the slot of `id`, at `now`, not completed.
    fn started(state: &mut State, id: &str, now: DateTime<Utc>) {
        let row = crate::state::DigestRow {
            id: id.into(),
            week: id.into(),
            post_ids: vec!["a".into()],
            created: now.to_rfc3339(),
            completed: None,
            mode: Some(crate::config::Mode::Group),
        };
        state.create(&row, &[]).unwrap();
    }

    /// What `herald run` does with each decision, on the ledger: a due
    /// digest is sent and completed, a missed slot is noted.
    fn act(state: &mut State, decision: &Decision, now: DateTime<Utc>) {
        match decision {
            Decision::Due { slot, .. } => {
                started(state, &slot.id.to_string(), now);
                state
                    .complete(&slot.id.to_string(), &now.to_rfc3339())
                    .unwrap();
            }
            Decision::Missed { slot, .. } => {
                let note = crate::state::Note {
                    id: slot.id.to_string(),
                    slot: slot.at.to_rfc3339(),
                    reason: "missed the deadline".into(),
                    noted: now.to_rfc3339(),
                };
                state.note(&note).unwrap();
            }
            Decision::Wait { .. } => {}
        }
    }

    /// Cron every five minutes for a week (2,016 runs) against one ledger:
    /// the first notes last week's slot, exactly one sends, at the slot.
    #[test]
    fn every_five_minutes_for_a_week_decides_one_send_at_the_slot() {
        let (config, dir) = group_site();
        let digest = config.digest.as_ref().unwrap();
        let mut state =
            State::open(&crate::config::Ledger::Sqlite(dir.path().join("state.db"))).unwrap();
        // Wednesday 00:00 to the next Wednesday 00:00; the slot is Friday 15:00.
        let start = at("2013-10-02T00:00:00+02:00");
        let mut due = Vec::new();
        let mut missed = Vec::new();
        for step in 0..(7 * 24 * 12) {
            let now = start + Duration::minutes(5 * step);
            let decision = decide(&config, digest, &state, now).unwrap();
            match &decision {
                Decision::Due { slot, started } => {
                    assert!(!started, "{now}");
                    due.push((now, slot.id.to_string()));
                }
                Decision::Missed { slot, .. } => missed.push((now, slot.id.to_string())),
                Decision::Wait { next } => assert!(next.at > now, "{now}"),
            }
            act(&mut state, &decision, now);
        }
        assert_eq!(missed, [(start, "2013-W39".to_string())]);
        assert_eq!(due, [(at("2013-10-04T13:00:00Z"), "2013-W40".to_string())]);
    }

    #[test]
    fn a_started_digest_is_resumed_and_a_noted_one_is_settled() {
        let (config, dir) = group_site();
        let digest = config.digest.as_ref().unwrap();
        let mut state =
            State::open(&crate::config::Ledger::Sqlite(dir.path().join("state.db"))).unwrap();
        let slot = at("2013-10-04T13:00:00Z");
        started(&mut state, "2013-W40", slot);
        let later = slot + Duration::hours(2);
        assert!(matches!(
            decide(&config, digest, &state, later).unwrap(),
            Decision::Due { started: true, .. }
        ));
        act(
            &mut state,
            &Decision::Missed {
                slot: latest(later, &digest.schedule, Stockholm),
                started: true,
            },
            later,
        );
        assert!(matches!(
            decide(&config, digest, &state, later).unwrap(),
            Decision::Wait { .. }
        ));
        assert_eq!(local(&config, slot), "2013-10-04 15:00 +02:00");
    }
}
