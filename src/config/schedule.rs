//! `[digest]`'s `day`, `time` and `deadline_hours`: the weekly slot at which
//! `herald run` sends the digest.

use chrono::{NaiveTime, Weekday};
use toml::Spanned;

use super::check::Checker;

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

/// `day`, `time` and `deadline_hours`, each problem reported.
pub(super) fn resolve(
    day: &Option<Spanned<String>>,
    time: &Option<Spanned<String>>,
    hours: &Option<Spanned<u32>>,
    check: &mut Checker,
) -> Schedule {
    let mut schedule = Schedule::default();
    if let Some(d) = parsed(
        check,
        day,
        "day",
        |v| v.parse().ok(),
        "is not a weekday such as `friday`",
    ) {
        schedule.day = d;
    }
    let time_of = |v: &str| NaiveTime::parse_from_str(v, "%H:%M").ok();
    if let Some(t) = parsed(check, time, "time", time_of, "is not a time like `15:00`") {
        schedule.time = t;
    }
    schedule.deadline_hours = check.in_range(
        hours,
        schedule.deadline_hours,
        1..=167,
        "deadline_hours must be 1–167 (less than a week, so a late digest never meets the next one)",
    );
    schedule
}

/// `value` parsed with `parse`; when that fails, `digest.<key> `<value>` <problem>`
/// is reported at its line.
fn parsed<T>(
    check: &mut Checker,
    value: &Option<Spanned<String>>,
    key: &str,
    parse: impl Fn(&str) -> Option<T>,
    problem: &str,
) -> Option<T> {
    let value = value.as_ref()?;
    let parsed = parse(value.get_ref());
    if parsed.is_none() {
        check.at(
            value,
            format!("digest.{key} `{}` {problem}", value.get_ref()),
        );
    }
    parsed
}
