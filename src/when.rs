//! Times as people read them: the site's local time with its offset,
//! `2026-12-04 15:00 +01:00`, in every message, warning, plan and status
//! line. Machines (the ledger, `--report`, `status --json`) keep RFC 3339.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// `at` in zone `tz`, to the minute, with the offset: `2026-12-04 15:00 +01:00`.
pub(crate) fn local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M %:z")
        .to_string()
}

/// A time the ledger holds as RFC 3339 (`2026-12-02T10:57:14.123456789+00:00`),
/// shown as [`local`]; text that is not such a time is shown as it is.
pub(crate) fn stored(text: &str, tz: Tz) -> String {
    DateTime::parse_from_rfc3339(text)
        .map_or_else(|_| text.to_string(), |at| local(at.to_utc(), tz))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Stockholm;

    #[test]
    fn times_are_local_with_their_offset_in_summer_and_winter() {
        let winter = "2026-12-04T14:00:00Z".parse().unwrap();
        assert_eq!(local(winter, Stockholm), "2026-12-04 15:00 +01:00");
        let summer = "2013-09-27T13:00:00Z".parse().unwrap();
        assert_eq!(local(summer, Stockholm), "2013-09-27 15:00 +02:00");
    }

    #[test]
    fn stored_times_lose_their_nanoseconds_and_utc() {
        assert_eq!(
            stored("2026-12-02T10:57:14.123456789+00:00", Stockholm),
            "2026-12-02 11:57 +01:00"
        );
        assert_eq!(stored("t", Stockholm), "t");
    }
}
