//! `herald status`: what the ledger says and what `herald run` would do now,
//! as text for people or JSON for machines. Reads a copy of the ledger, so it
//! never waits for (or disturbs) a run in progress.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::config::{Config, Mode};
use crate::content;
use crate::digest::quota;
use crate::digest::recipients::Addressing;
use crate::digest::schedule::{self, decide, local, Decision};
use crate::error::{Error, Result};
use crate::state::{self, DigestSummary, Note, State};

/// Everything `herald status` shows.
#[derive(Debug, Serialize)]
pub(crate) struct Status {
    /// The ledger's path.
    pub state_file: String,
    /// The latest slot's digest id, and whether it is `due`, `missed` or `waiting`.
    pub slot: SlotStatus,
    /// The first slot after now (the same as `slot` when waiting).
    pub next_slot: SlotTime,
    /// Whether the ledger is empty (no digest, no noted slot): the latest
    /// slot passed before herald was set up.
    pub ledger_empty: bool,
    /// Posts no digest has held yet, newest first.
    pub waiting_posts: Vec<WaitingPost>,
    /// The last digests, newest first.
    pub digests: Vec<DigestStatus>,
    /// Slots settled without sending (missed, or nothing new), newest first.
    pub skipped: Vec<Skipped>,
    /// Messages a rerun retries (`failed`) or a person must check (`uncertain`).
    pub unserved: Vec<UnservedStatus>,
    /// Envelope recipients sent to in the last 24 hours (recorded by every
    /// real run, with or without `daily_recipients`).
    pub recipients_24h: u64,
    /// The limit on them (`daily_recipients`; 0: none).
    pub daily_recipients: u32,
}

/// The schedule's view at `now`.
#[derive(Debug, Serialize)]
pub(crate) struct SlotStatus {
    /// Whether it is due, missed or not yet due.
    pub state: SlotState,
    /// The digest id of the slot concerned (the next one when waiting).
    pub id: String,
    /// Its time (RFC 3339, UTC).
    pub at: String,
    /// Its time in the site's zone, for people.
    pub local: String,
}

/// A slot: its digest id and time.
#[derive(Debug, Serialize)]
pub(crate) struct SlotTime {
    /// The digest id (the slot's ISO week).
    pub id: String,
    /// Its time (RFC 3339, UTC).
    pub at: String,
    /// Its time in the site's zone, for people.
    pub local: String,
}

/// What `herald run` would do with the latest slot now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SlotState {
    /// Passed, not settled, within its deadline: `herald run` sends it.
    Due,
    /// Past its deadline unsettled: `herald run` skips it.
    Missed,
    /// Settled; the slot concerned is the next one.
    Waiting,
}

/// A post waiting for the next digest.
#[derive(Debug, Serialize)]
pub(crate) struct WaitingPost {
    /// The post's permanent id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its date (RFC 3339).
    pub date: String,
}

/// A recorded digest.
#[derive(Debug, Serialize)]
pub(crate) struct DigestStatus {
    /// The digest id (its ISO week).
    pub id: String,
    /// How it was addressed (`null` for digests recorded before herald kept it).
    pub mode: Option<Mode>,
    /// How many posts it holds.
    pub posts: usize,
    /// Messages accepted by the server.
    pub sent: usize,
    /// Messages refused; a rerun retries them.
    pub failed: usize,
    /// Messages that may or may not have arrived; never resent.
    pub uncertain: usize,
    /// Messages not yet attempted (or in flight).
    pub pending: usize,
    /// When it was recorded (RFC 3339).
    pub created: String,
    /// When its last message was settled (RFC 3339).
    pub completed: Option<String>,
}

/// A slot settled without a digest.
#[derive(Debug, Serialize)]
pub(crate) struct Skipped {
    /// The slot's digest id.
    pub id: String,
    /// The slot (RFC 3339).
    pub slot: String,
    /// Why nothing was sent.
    pub reason: String,
}

/// A message not served.
#[derive(Debug, Serialize)]
pub(crate) struct UnservedStatus {
    /// The digest it belongs to.
    pub digest: String,
    /// `failed` or `uncertain`.
    pub status: state::Status,
    /// Its envelope recipients.
    pub recipients: Vec<String>,
    /// The server's last reply.
    pub reply: Option<String>,
}

/// Gathers the status at `now`.
pub(crate) fn gather(config: &Config, now: DateTime<Utc>) -> Result<Status> {
    let digest = config.digest.as_ref().ok_or_else(|| {
        Error::Usage("herald status needs a [digest] table in the config (see the README)".into())
    })?;
    let state = State::scratch(&digest.state)?;
    let slot = match decide(config, digest, &state, now)? {
        Decision::Due { slot, .. } => (SlotState::Due, slot),
        Decision::Missed { slot, .. } => (SlotState::Missed, slot),
        Decision::Wait { next } => (SlotState::Waiting, next),
    };
    let published = content::publish(content::load(config)?, now).posts;
    let held = state.held_post_ids("")?;
    let held = held.iter().map(String::as_str).collect();
    let waiting = crate::digest::new_posts(&published, &held, now, digest.max_age_days);
    let at = now.timestamp();
    let usage = state.usage_since(at - quota::WINDOW)?;
    let next = schedule::next(now, &digest.schedule, config.site.timezone);
    Ok(Status {
        state_file: digest.state.to_string(),
        slot: SlotStatus {
            state: slot.0,
            id: slot.1.id.to_string(),
            at: slot.1.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            local: local(config, slot.1.at),
        },
        next_slot: SlotTime {
            id: next.id.to_string(),
            at: next.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            local: local(config, next.at),
        },
        ledger_empty: state.recent(1)?.is_empty() && state.notes(1)?.is_empty(),
        waiting_posts: waiting
            .iter()
            .map(|p| WaitingPost {
                id: p.id.clone(),
                title: p.title.clone(),
                date: p.date.to_rfc3339(),
            })
            .collect(),
        digests: state.recent(5)?.into_iter().map(digest_status).collect(),
        skipped: state.notes(5)?.into_iter().map(skipped).collect(),
        unserved: state
            .unserved()?
            .into_iter()
            .map(|u| UnservedStatus {
                recipients: serde_json::from_str::<Addressing>(&u.recipients)
                    .map_or_else(|_| Vec::new(), |a| a.rcpt),
                digest: u.digest,
                status: u.status,
                reply: u.reply,
            })
            .collect(),
        recipients_24h: quota::used_in_window(&usage, at),
        daily_recipients: config.delivery.daily_recipients,
    })
}

fn digest_status(d: DigestSummary) -> DigestStatus {
    DigestStatus {
        id: d.id,
        mode: d.mode,
        posts: d.posts,
        sent: d.counts.sent,
        failed: d.counts.failed,
        uncertain: d.counts.uncertain,
        pending: d.counts.pending + d.counts.sending,
        created: d.created,
        completed: d.completed,
    }
}

fn skipped(n: Note) -> Skipped {
    Skipped {
        id: n.id,
        slot: n.slot,
        reason: n.reason,
    }
}

/// Prints the status on stdout, as text or (`json`) JSON.
pub(crate) fn print(config: &Config, now: DateTime<Utc>, json: bool) -> Result<()> {
    let status = gather(config, now)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&status).expect("plain data serialises")
        );
    } else {
        print!("{}", text(&status, config.site.timezone));
    }
    Ok(())
}

/// The status for people, times in zone `tz` (see [`crate::when`]).
pub(crate) fn text(s: &Status, tz: Tz) -> String {
    let when = |stored: &str| crate::when::stored(stored, tz);
    let mut out = String::new();
    let mut line = |l: String| {
        out.push_str(&l);
        out.push('\n');
    };
    let slot = &s.slot.local;
    let next = &s.next_slot;
    line(match (s.slot.state, s.ledger_empty) {
        (SlotState::Due, false) => format!(
            "digest {} is due (slot {slot}); `herald run` sends it",
            s.slot.id
        ),
        (SlotState::Due, true) => format!(
            "digest {} is due (slot {slot}); the ledger is empty, so the next `herald run` sends it as the first digest",
            s.slot.id
        ),
        (SlotState::Missed, false) => format!(
            "digest {} (slot {slot}) is past its deadline; `herald run` skips it",
            s.slot.id
        ),
        // Not a failure: the slot passed before herald was set up.
        (SlotState::Missed, true) => format!(
            "digest {} (slot {slot}) passed before herald kept a ledger (it is empty): `herald run` notes it without sending; the first digest is {} at {}",
            s.slot.id, next.id, next.local
        ),
        (SlotState::Waiting, _) => format!("next digest: {} at {slot} (not yet due)", s.slot.id),
    });
    if s.slot.state != SlotState::Waiting {
        line(format!("next slot: {} at {}", next.id, next.local));
    }
    line(format!(
        "posts waiting for the next digest: {}",
        s.waiting_posts.len()
    ));
    for p in &s.waiting_posts {
        line(format!("  {}  {}", when(&p.date), p.title));
    }
    line(format!("last digests: {}", s.digests.len()));
    for d in &s.digests {
        line(format!(
            "  {}  {}  {} post(s)  {} sent, {} failed, {} uncertain, {} pending  created {}{}",
            d.id,
            d.mode.map_or("-", Mode::as_str),
            d.posts,
            d.sent,
            d.failed,
            d.uncertain,
            d.pending,
            when(&d.created),
            d.completed
                .as_ref()
                .map_or(String::new(), |c| format!(", completed {}", when(c)))
        ));
    }
    for k in &s.skipped {
        line(format!(
            "skipped: {} (slot {}): {}",
            k.id,
            when(&k.slot),
            k.reason
        ));
    }
    line(format!("not served: {}", s.unserved.len()));
    for u in &s.unserved {
        line(format!(
            "  {} {} {}: {}",
            u.digest,
            u.status,
            u.recipients.join(", "),
            u.reply.as_deref().unwrap_or("no reply")
        ));
    }
    line(format!(
        "recipients in the last 24 hours: {}{}",
        s.recipients_24h,
        match s.daily_recipients {
            0 => String::new(),
            limit => format!(" of {limit}"),
        }
    ));
    line(format!("state file: {}", s.state_file));
    out
}
