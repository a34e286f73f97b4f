//! What `herald run` and `herald status` need from the ledger beyond one
//! digest's messages: notes on slots that were skipped or had nothing to
//! send, the recent digests with their counts, and the messages not served.

use super::backend::{values, Row};
use super::{Counts, Fault, State, Status};
use crate::config::Mode;
use crate::error::Result;

/// A slot settled without sending: past its deadline, or nothing new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    /// The digest id of the slot, e.g. `2013-W39`.
    pub id: String,
    /// The slot (RFC 3339).
    pub slot: String,
    /// Why nothing was sent, in words.
    pub reason: String,
    /// When the run noted it (RFC 3339).
    pub noted: String,
}

/// One recorded digest with its message counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DigestSummary {
    /// The digest id.
    pub id: String,
    /// How it was addressed; `None` for digests recorded before herald kept it.
    pub mode: Option<Mode>,
    /// How many posts it holds.
    pub posts: usize,
    /// Its messages by state.
    pub counts: Counts,
    /// When it was recorded (RFC 3339).
    pub created: String,
    /// When its last message was settled (RFC 3339).
    pub completed: Option<String>,
}

/// A message that a rerun would send again (`failed`) or that needs a person
/// (`uncertain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unserved {
    /// The digest it belongs to.
    pub digest: String,
    /// [`Status::Failed`] or [`Status::Uncertain`].
    pub status: Status,
    /// The recipients as JSON (owned by the digest module).
    pub recipients: String,
    /// The server's last reply.
    pub reply: Option<String>,
}

impl State {
    /// Records that a run is about to send to `recipients` envelope recipients
    /// at `at` (Unix seconds), for the rolling 24-hour limit. Recorded before
    /// sending, so a run that dies still counts.
    /// Reservations older than a week are dropped: only the last 24 hours count.
    pub(crate) fn reserve(&self, digest: &str, at: i64, recipients: u64) -> Result<()> {
        self.execute(
            "INSERT INTO usage (digest, at, recipients) VALUES (?1, ?2, ?3)",
            values![digest, at, recipients as i64],
        )?;
        self.execute("DELETE FROM usage WHERE at < ?1", values![at - 7 * 86_400])
    }

    /// Every reservation after `since` (Unix seconds) as (at, recipients).
    pub(crate) fn usage_since(&self, since: i64) -> Result<Vec<(i64, u64)>> {
        self.read(
            "SELECT at, recipients FROM usage WHERE at > ?1 ORDER BY at",
            values![since],
            |r| Ok((r.int(0)?, r.int(1)?.max(0) as u64)),
        )
    }

    /// Settles slot `id` without sending (see [`Note`]); a second note keeps the first.
    pub(crate) fn note(&self, note: &Note) -> Result<()> {
        self.execute(
            "INSERT INTO notes (id, slot, reason, noted) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            values![&note.id, &note.slot, &note.reason, &note.noted],
        )
    }

    /// The note on slot `id`, if any.
    pub(crate) fn noted(&self, id: &str) -> Result<Option<Note>> {
        let notes = self.read(
            "SELECT id, slot, reason, noted FROM notes WHERE id = ?1",
            values![id],
            note_from,
        )?;
        Ok(notes.into_iter().next())
    }

    /// The newest `n` notes, newest first.
    pub(crate) fn notes(&self, n: usize) -> Result<Vec<Note>> {
        self.read(
            "SELECT id, slot, reason, noted FROM notes ORDER BY slot DESC LIMIT ?1",
            values![n as i64],
            note_from,
        )
    }

    /// The newest `n` recorded digests with their counts, newest first.
    pub(crate) fn recent(&self, n: usize) -> Result<Vec<DigestSummary>> {
        let rows = self.read(
            "SELECT id, mode, (SELECT COUNT(*) FROM digest_posts WHERE digest = id), created, completed
             FROM digests ORDER BY created DESC, id DESC LIMIT ?1",
            values![n as i64],
            |r| {
                let id = r.text(0)?;
                Ok((
                    r.mode(1, &id)?,
                    r.int(2)?.max(0) as usize,
                    r.text(3)?,
                    r.opt_text(4)?,
                    id,
                ))
            },
        )?;
        rows.into_iter()
            .map(|(mode, posts, created, completed, id)| {
                Ok(DigestSummary {
                    counts: self.counts(&id)?,
                    id,
                    mode,
                    posts,
                    created,
                    completed,
                })
            })
            .collect()
    }

    /// Every `failed` or `uncertain` message of any digest, oldest digest first.
    pub(crate) fn unserved(&self) -> Result<Vec<Unserved>> {
        self.read(
            "SELECT digest, status, recipients, reply FROM deliveries WHERE status IN ('failed','uncertain') ORDER BY digest, seq",
            &[],
            |r| {
                let digest = r.text(0)?;
                Ok(Unserved {
                    status: r.status(1, &digest)?,
                    digest,
                    recipients: r.text(2)?,
                    reply: r.opt_text(3)?,
                })
            },
        )
    }
}

fn note_from(r: &Row) -> std::result::Result<Note, Fault> {
    Ok(Note {
        id: r.text(0)?,
        slot: r.text(1)?,
        reason: r.text(2)?,
        noted: r.text(3)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Ledger;

    #[test]
    fn notes_settle_a_slot_once_and_old_ledgers_gain_the_mode_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        {
            // A ledger from before `mode` and `notes` existed.
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(super::super::tests::FIRST_RELEASE)
                .unwrap();
            conn.execute_batch("INSERT INTO digests (id, week, post_ids, created) VALUES ('2013-W38', '2013-W38', 'a', 't')").unwrap();
        }
        let state = State::open(&Ledger::Sqlite(path)).unwrap();
        let old = state.recent(5).unwrap();
        assert_eq!((old[0].id.as_str(), old[0].mode), ("2013-W38", None));
        let note = |reason: &str| Note {
            id: "2013-W39".into(),
            slot: "2013-09-27T13:00:00+00:00".into(),
            reason: reason.into(),
            noted: "2013-09-30T14:00:00+00:00".into(),
        };
        state.note(&note("past the deadline")).unwrap();
        state.note(&note("again")).unwrap();
        assert_eq!(
            state.noted("2013-W39").unwrap(),
            Some(note("past the deadline"))
        );
        assert_eq!(state.notes(5).unwrap().len(), 1);
        assert_eq!(state.noted("2013-W40").unwrap(), None);
        // Usage: kept for the window, pruned after a week.
        state.reserve("2013-W38", 1_000, 5).unwrap();
        state.reserve("2013-W39", 2_000, 7).unwrap();
        assert_eq!(state.usage_since(0).unwrap(), [(1_000, 5), (2_000, 7)]);
        state.reserve("2013-W40", 1_500 + 7 * 86_400, 1).unwrap();
        assert_eq!(
            state.usage_since(0).unwrap().len(),
            2,
            "the first is pruned"
        );
    }
}
