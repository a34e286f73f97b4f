//! What `herald run` and `herald status` need from the ledger beyond one
//! digest's messages: notes on slots that were skipped or had nothing to
//! send, the recent digests with their counts, and the messages not served.

use rusqlite::{params, OptionalExtension};

use super::{values, Counts, State, Status};
use crate::config::Mode;
use crate::error::Result;

/// A slot settled without sending: past its deadline, or nothing new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
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
pub struct DigestSummary {
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
pub struct Unserved {
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
    pub fn reserve(&self, digest: &str, at: i64, recipients: u64) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO usage (digest, at, recipients) VALUES (?1, ?2, ?3)",
                params![digest, at, recipients as i64],
            )
            .and_then(|_| {
                self.conn
                    .execute("DELETE FROM usage WHERE at < ?1", [at - 7 * 86_400])
            })
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Every reservation after `since` (Unix seconds) as (at, recipients).
    pub fn usage_since(&self, since: i64) -> Result<Vec<(i64, u64)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT at, recipients FROM usage WHERE at > ?1 ORDER BY at")
            .map_err(|e| self.err(e))?;
        stmt.query_map([since], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
        })
        .and_then(Iterator::collect)
        .map_err(|e| self.err(e))
    }

    /// Settles slot `id` without sending (see [`Note`]); a second note keeps the first.
    pub fn note(&self, note: &Note) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO notes (id, slot, reason, noted) VALUES (?1, ?2, ?3, ?4)",
                params![note.id, note.slot, note.reason, note.noted],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The note on slot `id`, if any.
    pub fn noted(&self, id: &str) -> Result<Option<Note>> {
        self.conn
            .query_row(
                "SELECT id, slot, reason, noted FROM notes WHERE id = ?1",
                [id],
                note_from,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The newest `n` notes, newest first.
    pub fn notes(&self, n: usize) -> Result<Vec<Note>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, slot, reason, noted FROM notes ORDER BY slot DESC LIMIT ?1")
            .map_err(|e| self.err(e))?;
        stmt.query_map([n as i64], note_from)
            .and_then(Iterator::collect)
            .map_err(|e| self.err(e))
    }

    /// The newest `n` recorded digests with their counts, newest first.
    pub fn recent(&self, n: usize) -> Result<Vec<DigestSummary>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, mode, (SELECT COUNT(*) FROM digest_posts WHERE digest = id), created, completed
                 FROM digests ORDER BY created DESC, id DESC LIMIT ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([n as i64], |r| {
                let id: String = r.get(0)?;
                Ok((
                    values::column::<Option<Mode>>(r, 1, &id)?,
                    r.get::<_, i64>(2)?.max(0) as usize,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    id,
                ))
            })
            .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
            .map_err(|e| self.err(e))?;
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
    pub fn unserved(&self) -> Result<Vec<Unserved>> {
        let mut stmt = self
            .conn
            .prepare("SELECT digest, status, recipients, reply FROM deliveries WHERE status IN ('failed','uncertain') ORDER BY digest, seq")
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| {
            let digest: String = r.get(0)?;
            Ok(Unserved {
                status: values::column(r, 1, &digest)?,
                digest,
                recipients: r.get(2)?,
                reply: r.get(3)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(|e| self.err(e))
    }
}

fn note_from(r: &rusqlite::Row) -> rusqlite::Result<Note> {
    Ok(Note {
        id: r.get(0)?,
        slot: r.get(1)?,
        reason: r.get(2)?,
        noted: r.get(3)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let state = State::open(&path).unwrap();
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
