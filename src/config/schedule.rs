//! `[digest]`'s `day`, `time` and `deadline_hours`: the weekly slot at which
//! `herald run` sends the digest.

use chrono::{NaiveTime, Weekday};
use toml::Spanned;

use super::mail::Checker;

/// The weekly slot of `herald run`, from `[digest]`'s `day`, `time` and
/// `deadline_hours`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// `day`: the weekday of the slot, in English. Default: `friday`.
    pub day: Weekday,
    /// `time`: the local time of the slot in the site's time zone. Default: `15:00`.
    pub time: NaiveTime,
    /// `deadline_hours`: a slot older than this is skipped, never sent late; 1–167. Default: 72.
    pub deadline_hours: u32,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            day: Weekday::Fri,
            time: NaiveTime::from_hms_opt(15, 0, 0).expect("a valid time"),
            deadline_hours: 72,
        }
    }
}

impl Checker<'_> {
    /// `day`, `time` and `deadline_hours`, each problem reported.
    pub(super) fn schedule(
        &mut self,
        day: &Option<Spanned<String>>,
        time: &Option<Spanned<String>>,
        hours: &Option<Spanned<u32>>,
    ) -> Schedule {
        let mut schedule = Schedule::default();
        if let Some(day) = day {
            match day.get_ref().parse::<Weekday>() {
                Ok(d) => schedule.day = d,
                Err(_) => self.at(
                    day,
                    format!(
                        "digest.day `{}` is not a weekday such as `friday`",
                        day.get_ref()
                    ),
                ),
            }
        }
        if let Some(time) = time {
            match NaiveTime::parse_from_str(time.get_ref(), "%H:%M") {
                Ok(t) => schedule.time = t,
                Err(_) => self.at(
                    time,
                    format!(
                        "digest.time `{}` is not a time like `15:00`",
                        time.get_ref()
                    ),
                ),
            }
        }
        schedule.deadline_hours = self.in_range(
            hours,
            schedule.deadline_hours,
            1..=167,
            "deadline_hours must be 1–167 (less than a week, so a late digest never meets the next one)",
        );
        schedule
    }
}
