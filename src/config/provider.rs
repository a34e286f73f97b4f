//! `[delivery] provider`: a mail provider's published limits as defaults and
//! bounds, so a run stays inside them by plan rather than by luck.

use serde::Deserialize;
use toml::Spanned;

use super::check::Checker;

/// Who runs the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Any server: no limits beyond what is configured.
    Generic,
    /// Exchange Online: 30 messages a minute, 3 connections, 500 recipients
    /// per message, 10,000 recipients per rolling 24 hours.
    Microsoft365,
}

/// A provider's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Messages per minute.
    pub per_minute: u32,
    /// Recipients per rolling 24 hours.
    pub daily_recipients: u32,
}

impl Provider {
    /// The provider's limits; `None` for `generic`. (Its 3 connections and 500
    /// recipients per message are herald's upper bounds for everyone.)
    pub fn limits(self) -> Option<Limits> {
        match self {
            Provider::Generic => None,
            Provider::Microsoft365 => Some(Limits {
                per_minute: 30,
                daily_recipients: 10_000,
            }),
        }
    }
}

/// `max_per_minute` and `daily_recipients`: as written, else the provider's,
/// else 0 (no limit). Values above the provider's limits are reported.
pub(super) fn resolve(
    provider: Provider,
    max_per_minute: &Option<Spanned<u32>>,
    daily_recipients: &Option<Spanned<u32>>,
    check: &mut Checker,
) -> (u32, u32) {
    let limits = provider.limits();
    let mut pick = |value: &Option<Spanned<u32>>, key: &str, most: Option<u32>| match (value, most)
    {
        (Some(v), Some(most)) if *v.get_ref() > most || *v.get_ref() == 0 => {
            check.at(v, format!("{key} must be 1–{most} with provider = \"microsoft365\" (going over locks the mailbox for a day)"));
            most
        }
        (Some(v), _) => *v.get_ref(),
        (None, most) => most.unwrap_or(0),
    };
    (
        pick(
            max_per_minute,
            "max_per_minute",
            limits.map(|l| l.per_minute),
        ),
        pick(
            daily_recipients,
            "daily_recipients",
            limits.map(|l| l.daily_recipients),
        ),
    )
}
