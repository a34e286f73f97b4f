//! `herald run`: the one command for cron or CI. Builds the site, then sends
//! the digest if the schedule says one is due, and describes what it did in
//! a [`Report`].

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::clock::Clock;
use crate::config::{Config, Digest};
use crate::digest::command::{self, Job, Options, Sent};
use crate::digest::schedule::{decide, local, Decision, Slot};
use crate::digest::Choice;
use crate::error::Result;
use crate::log::Log;
use crate::pipeline;
use crate::state::{Note, State};

/// What one `herald run` did, written as JSON by `--report FILE`.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Report {
    /// The exit code of the run.
    pub exit_code: u8,
    /// The clock the run used (RFC 3339); after an early error, `--now` as far
    /// as it could be read (see [`Report::starting`]).
    pub now: String,
    /// Published posts built into the site (absent when the build failed).
    pub built_posts: Option<usize>,
    /// What the run did.
    pub action: Action,
    /// The digest the run dealt with: id, posts, mode, counts.
    pub digest: Option<Sent>,
    /// The next slot (RFC 3339), when nothing was due.
    pub next_slot: Option<String>,
    /// The first error, with its causes.
    pub error: Option<String>,
    /// Wall-clock seconds the run took.
    pub duration_seconds: f64,
}

impl Report {
    /// The report of a run starting at `clock`, with `--now` as `given`: its
    /// `now` is `--now` as far as it can be read before the site's config
    /// (with an offset, that time; otherwise the text as given), else the
    /// clock. [`run`] sets the time it goes on to use.
    pub(crate) fn starting(given: Option<&str>, clock: DateTime<Utc>) -> Report {
        let now = match given {
            None => stamp(clock),
            Some(text) => DateTime::parse_from_rfc3339(text.trim())
                .map_or_else(|_| text.to_string(), |at| stamp(at.to_utc())),
        };
        Report {
            now,
            ..Report::default()
        }
    }
}

/// What one `herald run` did, as the report's `action` says it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Action {
    /// The run stopped before it decided (config, `--now`, build, lock or
    /// ledger error): the report's `error` says why. The default, so a run
    /// that fails early reports it.
    #[default]
    Error,
    /// No `[digest]` table: built only.
    NoDigest,
    /// Nothing due; `next_slot` says when.
    Waiting,
    /// The slot passed its deadline: skipped.
    Missed,
    /// The slot was due and had no new posts: settled without sending.
    NothingNew,
    /// The slot's digest was sent (the counts say to whom).
    Sent,
}

/// Builds the site and sends the digest if it is due at `now` (sending with
/// `clock`), filling in `report`.
pub(crate) fn run(
    config: &Config,
    now: DateTime<Utc>,
    clock: &dyn Clock,
    log: &Log,
    report: &mut Report,
) -> Result<()> {
    report.now = stamp(now);
    let built = pipeline::build(config, now, None, true, log)?;
    report.built_posts = Some(built.posts);
    let Some(digest) = &config.digest else {
        report.action = Action::NoDigest;
        return Ok(());
    };
    // Its lock is held from the decision to the last message (and the
    // note), so two runs never both decide "due".
    let state = State::open(&digest.state)?;
    match decide(config, digest, &state, now)? {
        Decision::Wait { next } => {
            report.action = Action::Waiting;
            report.next_slot = Some(stamp(next.at));
            log.detail(format!(
                "no digest due; the next, {}, is due at {}",
                next.id,
                local(config, next.at)
            ));
            Ok(())
        }
        Decision::Missed { slot, started } => {
            report.action = Action::Missed;
            skip(config, digest, &state, &slot, started, now, log)
        }
        Decision::Due { slot, .. } => {
            let sent = report.digest.insert(Sent::default());
            let job = Job {
                config,
                digest,
                opts: &Options::default(),
                id: slot.id,
                posts: Choice::New,
                now,
                clock,
                log,
            };
            let result = command::send(&job, state, sent);
            report.action = if sent.posts == 0 {
                Action::NothingNew
            } else {
                Action::Sent
            };
            match result? {
                // Settle the slot, so a post published later in the week waits
                // for the next digest instead of going out on its own.
                state if sent.posts == 0 => state.note(&Note {
                    id: slot.id.to_string(),
                    slot: stamp(slot.at),
                    reason: "no new posts".into(),
                    noted: stamp(now),
                }),
                _ => Ok(()),
            }
        }
    }
}

/// Notes a slot past its deadline as skipped, with a warning (once: the note
/// settles it, so later runs stay quiet).
fn skip(
    config: &Config,
    digest: &Digest,
    state: &State,
    slot: &Slot,
    started: bool,
    now: DateTime<Utc>,
    log: &Log,
) -> Result<()> {
    let hours = digest.schedule.deadline_hours;
    let when = local(config, slot.at);
    // On a fresh ledger the slot passed before herald was set up: not news.
    let first_run = state.recent(1)?.is_empty() && state.notes(1)?.is_empty();
    if first_run {
        log.detail(format!(
            "first run: the slot of digest {} ({when}) passed more than {hours} hours ago; the next digest is the first",
            slot.id
        ));
    } else if started {
        log.warn(format!(
            "digest {} (due {when}) was not finished within deadline_hours = {hours}; its unserved messages are not retried (see `herald status`)",
            slot.id
        ));
    } else {
        log.warn(format!(
            "digest {} (due {when}) was not sent within deadline_hours = {hours}; skipped, its posts go into the next digest",
            slot.id
        ));
    }
    let reason = if started {
        "unfinished at the deadline"
    } else {
        "missed the deadline"
    };
    state.note(&Note {
        id: slot.id.to_string(),
        slot: stamp(slot.at),
        reason: reason.into(),
        noted: stamp(now),
    })
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::{Action, Report};

    #[test]
    fn a_report_starts_with_now_as_far_as_it_can_be_read_without_the_config() {
        let clock = "2013-10-01T10:00:00Z".parse().unwrap();
        let now = |given| Report::starting(given, clock).now;
        assert_eq!(now(None), "2013-10-01T10:00:00Z");
        assert_eq!(
            now(Some("2013-10-04T15:00:00+02:00")),
            "2013-10-04T13:00:00Z"
        );
        assert_eq!(now(Some("2013-10-04 15:00")), "2013-10-04 15:00");
        assert_eq!(now(Some("fredag")), "fredag");
        assert_eq!(Report::starting(None, clock).action, Action::Error);
    }

    #[test]
    fn actions_keep_the_words_the_readme_documents() {
        let words = [
            (Action::Error, "error"),
            (Action::NoDigest, "no-digest"),
            (Action::Waiting, "waiting"),
            (Action::Missed, "missed"),
            (Action::NothingNew, "nothing-new"),
            (Action::Sent, "sent"),
        ];
        for (action, word) in words {
            assert_eq!(serde_json::to_value(action).unwrap(), word);
        }
    }
}
