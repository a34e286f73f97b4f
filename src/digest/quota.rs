//! The rolling 24-hour recipient limit (Microsoft 365: 10,000): whether a
//! run's recipients fit now, and if not, from when ([`fits`], pure), and
//! its enforcement against the ledger before a run sends anything.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::state::State;

/// The window the limit counts over, in seconds.
pub(crate) const WINDOW: i64 = 24 * 60 * 60;

/// Whether a run fits under the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fits {
    /// It may go now.
    Now,
    /// It may go from this time (Unix seconds), when enough earlier sends
    /// have left the window.
    At(i64),
    /// It is larger than the limit itself.
    Never,
}

/// Whether `planned` recipients fit under `limit` per rolling 24 hours at
/// `now`, given earlier sends `used` as (Unix seconds, recipients).
pub(crate) fn fits(used: &[(i64, u64)], planned: u64, limit: u64, now: i64) -> Fits {
    if planned > limit {
        return Fits::Never;
    }
    let mut recent: Vec<(i64, u64)> = used
        .iter()
        .copied()
        .filter(|(at, _)| *at > now - WINDOW)
        .collect();
    recent.sort_unstable();
    let mut total: u64 = recent.iter().map(|(_, n)| n).sum();
    if total + planned <= limit {
        return Fits::Now;
    }
    for (at, n) in recent {
        total -= n;
        if total + planned <= limit {
            return Fits::At(at + WINDOW);
        }
    }
    Fits::Now
}

/// Refuses, before anything is sent, a run of digest `id` to `people`
/// recipients that would pass `limit` (0: none), saying from when it could
/// go (in the site's zone `tz`); else (and always without a limit) records
/// its share in the ledger.
pub(crate) fn enforce(
    state: &State,
    id: &str,
    people: u64,
    limit: u32,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<()> {
    let limit = u64::from(limit);
    let at = now.timestamp();
    if people == 0 {
        return Ok(());
    }
    // Recorded without a limit too, so that `herald status` always counts them.
    if limit == 0 {
        return state.reserve(id, at, people);
    }
    let used = state.usage_since(at - WINDOW)?;
    let local = |t: i64| crate::when::local(DateTime::from_timestamp(t, 0).unwrap_or(now), tz);
    match fits(&used, people, limit, at) {
        Fits::Now => state.reserve(id, at, people),
        Fits::At(from) => Err(Error::Temporary {
            what: format!(
                "{people} recipient(s) now would pass daily_recipients = {limit} ({} in the last 24 hours); nothing was sent; the run can go from {}",
                used_in_window(&used, at),
                local(from)
            ),
            source: None,
        }),
        Fits::Never => Err(Error::Usage(format!(
            "digest {id} has {people} recipients, more than daily_recipients = {limit} allows in 24 hours; use mode = \"group\" with a distribution group"
        ))),
    }
}

/// Recipients counted in the window ending at `now`.
pub(crate) fn used_in_window(used: &[(i64, u64)], now: i64) -> u64 {
    used.iter()
        .filter(|(at, _)| *at > now - WINDOW)
        .map(|(_, n)| n)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_fits_now_later_or_never() {
        let used = [(1_000, 6_000), (5_000, 3_000), (-100_000, 9_000)];
        // 9,000 in the window (the oldest send has left it): 1,000 more fit.
        assert_eq!(fits(&used, 1_000, 10_000, 10_000), Fits::Now);
        // 2,000 more fit once the first 6,000 leave the window.
        assert_eq!(fits(&used, 2_000, 10_000, 10_000), Fits::At(1_000 + WINDOW));
        // 8,000 need both to leave.
        assert_eq!(fits(&used, 8_000, 10_000, 10_000), Fits::At(5_000 + WINDOW));
        assert_eq!(fits(&used, 10_001, 10_000, 10_000), Fits::Never);
        assert_eq!(fits(&[], 10_000, 10_000, 0), Fits::Now);
        assert_eq!(used_in_window(&used, 10_000), 9_000);
        assert_eq!(used_in_window(&used, 1_000 + WINDOW), 3_000);
    }

    /// Microsoft 365's 10,000 a day, here 5: runs are reserved against the
    /// ledger at the time passed in, refused with the time they could go,
    /// and refused outright when larger than the limit itself.
    #[test]
    fn the_daily_limit_is_enforced_against_the_ledger_at_the_given_time() {
        let dir = tempfile::tempdir().unwrap();
        let state =
            State::open(&crate::config::Ledger::Sqlite(dir.path().join("state.db"))).unwrap();
        let tz = chrono_tz::Europe::Stockholm;
        let friday: DateTime<Utc> = "2013-10-04T13:00:00Z".parse().unwrap();
        enforce(&state, "2013-W40", 3, 5, friday, tz).unwrap();
        let hour_later = friday + chrono::Duration::hours(1);
        let refused = enforce(&state, "2013-W39", 3, 5, hour_later, tz).unwrap_err();
        assert_eq!(refused.exit_code(), crate::error::exit::TEMPORARY);
        assert!(
            refused.to_string().contains(
                "3 recipient(s) now would pass daily_recipients = 5 (3 in the last 24 hours); nothing was sent; the run can go from 2013-10-05 15:00 +02:00"
            ),
            "{refused}"
        );
        // Two more fit beside the first three; a refused run reserved nothing.
        enforce(&state, "2013-W39", 2, 5, hour_later, tz).unwrap();
        assert_eq!(
            used_in_window(&state.usage_since(0).unwrap(), hour_later.timestamp()),
            5
        );
        // A day after the first run, its three have left the window.
        let next_day = friday + chrono::Duration::seconds(WINDOW);
        enforce(&state, "2013-W39", 3, 5, next_day, tz).unwrap();
        let never = enforce(&state, "2013-W41", 6, 5, next_day, tz).unwrap_err();
        assert_eq!(never.exit_code(), crate::error::exit::INVALID_INPUT);
        // Without a limit nothing is checked, but the recipients are
        // recorded (`herald status` counts them); nobody to send to records nothing.
        enforce(&state, "2013-W41", 6, 0, next_day, tz).unwrap();
        enforce(&state, "2013-W41", 0, 5, next_day, tz).unwrap();
        assert_eq!(state.usage_since(0).unwrap().len(), 4);
    }
}
