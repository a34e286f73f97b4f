//! The rolling 24-hour recipient limit (Microsoft 365: 10,000): whether a
//! run's recipients fit now, and if not, from when ([`fits`], pure), and
//! its enforcement against the ledger before a run sends anything.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::state::State;

/// The window the limit counts over, in seconds.
pub const WINDOW: i64 = 24 * 60 * 60;

/// Whether a run fits under the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fits {
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
pub fn fits(used: &[(i64, u64)], planned: u64, limit: u64, now: i64) -> Fits {
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
pub fn enforce(
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
        Fits::At(from) => Err(Error::Temporary(format!(
            "{people} recipient(s) now would pass daily_recipients = {limit} ({} in the last 24 hours); nothing was sent; the run can go from {}",
            used_in_window(&used, at),
            local(from)
        ))),
        Fits::Never => Err(Error::Usage(format!(
            "digest {id} has {people} recipients, more than daily_recipients = {limit} allows in 24 hours; use mode = \"group\" with a distribution group"
        ))),
    }
}

/// Recipients counted in the window ending at `now`.
pub fn used_in_window(used: &[(i64, u64)], now: i64) -> u64 {
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
}
