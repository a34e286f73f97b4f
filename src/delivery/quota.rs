//! The rolling 24-hour recipient limit (Microsoft 365: 10,000): whether a
//! run's recipients fit now, and if not, from when. Pure: the ledger supplies
//! the earlier sends and the caller the clock.

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
