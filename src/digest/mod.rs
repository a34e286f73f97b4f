//! The weekly email digest: which posts, to whom, composed how.
//!
//! Selection ([`new_posts`], [`posts_in_week`]), addressing ([`recipients`])
//! and composition ([`compose`]) return values. The sending loop ([`send`])
//! and the daily quota ([`quota`]) keep the ledger ([`crate::state`]) and
//! hand bytes to the transports of [`crate::delivery`]; [`command`] ties
//! them together for `herald digest`.

pub(crate) mod check;
pub(crate) mod command;
pub mod compose;
mod personal;
pub(crate) mod quota;
pub mod recipients;
pub(crate) mod schedule;
pub(crate) mod send;
pub(crate) mod text;
mod view;
mod week;

pub use week::{IsoWeek, NotAWeek};

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::content::Post;

/// The posts of a digest not yet recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// The posts no earlier digest held (`herald run`, `herald digest`).
    New,
    /// The posts dated in the digest's week (`herald digest --week`).
    DatedThatWeek,
}

/// Published posts (newest first) that no other digest held and that are at
/// most `max_age_days` old at `now`.
pub fn new_posts<'a>(
    published: &'a [Post],
    held: &HashSet<&str>,
    now: DateTime<Utc>,
    max_age_days: u32,
) -> Vec<&'a Post> {
    let oldest = now - chrono::Duration::days(i64::from(max_age_days));
    published
        .iter()
        .filter(|p| !held.contains(p.id.as_str()) && p.date >= oldest)
        .collect()
}

/// Published posts dated in ISO week `week` (site time zone).
pub fn posts_in_week(published: &[Post], week: IsoWeek, tz: Tz) -> Vec<&Post> {
    published
        .iter()
        .filter(|p| IsoWeek::of(&p.date.with_timezone(&tz)) == week)
        .collect()
}

/// A short stable hash (FNV-1a, 64 bits, hex): message ids and MIME
/// boundaries must not change between runs or Rust versions.
pub fn stable_hash(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The config unit tests of the digest modules read: a `[site]` table in
/// Stockholm time, plus `extra` (TOML, e.g. a `[digest]` table).
#[cfg(test)]
pub(crate) fn test_config(extra: &str) -> crate::config::Config {
    let text = format!(
        "[site]\ntitle = \"Testbloggen\"\ndescription = \"Prov\"\nbase_url = \"https://example.se/\"\nlanguage = \"sv\"\ntimezone = \"Europe/Stockholm\"\n\n[site.author]\nname = \"Kommunchefen\"\nemail = \"kc@example.se\"\n\n{extra}\n"
    );
    crate::config::Config::parse(std::path::Path::new("config.toml"), &text)
        .unwrap_or_else(|problems| panic!("test config refused: {}", problems.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_hash_is_fixed() {
        assert_eq!(stable_hash(""), "cbf29ce484222325");
        assert_ne!(stable_hash("a@example.se"), stable_hash("b@example.se"));
    }
}
