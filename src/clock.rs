//! The clock and the sleeper, passed in: the command layer hands the real
//! ones ([`System`]) to the sending loop, and tests a fake that only
//! pretends to sleep, so rate limits and retries are checked to the second
//! without waiting for them.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// Where the time comes from, and how to wait for it to pass.
pub(crate) trait Clock: Sync {
    /// The wall-clock time, for the ledger's timestamps.
    fn now(&self) -> DateTime<Utc>;
    /// A monotonic reading (time since a fixed start), for rate limits:
    /// unlike [`Clock::now`], never jumps when the system clock is set.
    fn elapsed(&self) -> Duration;
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration);
}

/// The system's clock and `std::thread::sleep`.
pub(crate) struct System {
    start: Instant,
}

impl System {
    /// The system clock, with its monotonic readings counted from now.
    pub(crate) fn new() -> System {
        System {
            start: Instant::now(),
        }
    }
}

impl Default for System {
    fn default() -> System {
        System::new()
    }
}

impl Clock for System {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// A clock for tests: time moves only when someone sleeps (or [`Fake::advance`]
/// moves it), and every sleep asked for is recorded.
#[cfg(test)]
pub(crate) struct Fake {
    start: DateTime<Utc>,
    state: std::sync::Mutex<(Duration, Vec<Duration>)>,
}

#[cfg(test)]
impl Fake {
    /// A fake clock standing at `start`.
    pub(crate) fn at(start: DateTime<Utc>) -> Fake {
        Fake {
            start,
            state: std::sync::Mutex::new((Duration::ZERO, Vec::new())),
        }
    }

    /// Moves the time on by `duration` without recording a sleep (the time
    /// a transport takes, say).
    pub(crate) fn advance(&self, duration: Duration) {
        self.state.lock().unwrap().0 += duration;
    }

    /// Every sleep asked for so far, in order.
    pub(crate) fn sleeps(&self) -> Vec<Duration> {
        self.state.lock().unwrap().1.clone()
    }
}

#[cfg(test)]
impl Clock for Fake {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = self.elapsed();
        self.start + chrono::Duration::from_std(elapsed).expect("a test's time is short")
    }

    fn elapsed(&self) -> Duration {
        self.state.lock().unwrap().0
    }

    fn sleep(&self, duration: Duration) {
        let mut state = self.state.lock().unwrap();
        state.0 += duration;
        state.1.push(duration);
    }
}
