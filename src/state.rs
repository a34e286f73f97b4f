//! The digest ledger (in SQLite or PostgreSQL, see [`backend`]), and the
//! lock that keeps runs from overlapping: a ledger opened for writing holds
//! it for as long as it is open.
//!
//! Every message of a digest has a row, committed `pending` with the digest
//! before anything is sent, `sending` immediately before the message's bytes
//! go to the server, and `sent` or `failed` after the server answered. A row
//! still `sending` when a run starts belongs to a run that died with the
//! message in flight: it becomes `uncertain` and is never sent again, because
//! it may have arrived. Everything else not `sent` is sent.
//!
//! A digest's completion is recorded once and never cleared. `--force` sends
//! a completed digest again as a new round of rows beside the first; the
//! message queries below see the digest's current (latest) round.

use std::path::{Path, PathBuf};

use crate::config::{Ledger, Mode};
use crate::error::{Error, Result};

mod backend;
mod history;
mod lock;
mod migrate;
mod open;
mod pg;
mod schema;
mod values;
use backend::{values, Backend, Row, Value};
pub(crate) use history::{DigestSummary, Note};
pub(crate) use migrate::migrate;
pub(crate) use values::{Fault, Status};

/// A digest as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DigestRow {
    /// The digest id, e.g. `2013-W39`.
    pub id: String,
    /// The ISO week it belongs to.
    pub week: String,
    /// The ids of the posts it holds, newest first.
    pub post_ids: Vec<String>,
    /// When it was created (RFC 3339).
    pub created: String,
    /// When all its messages were first settled (RFC 3339); a later round
    /// (`--force`) never changes it.
    pub completed: Option<String>,
    /// How it was addressed; `None` for digests recorded before herald kept it.
    pub mode: Option<Mode>,
}

/// One message of a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeliveryRow {
    /// Position in the digest, from 1.
    pub seq: u32,
    /// The recipients as JSON (owned by the digest module).
    pub recipients: String,
    /// The message's `Message-ID`.
    pub message_id: String,
    /// The server's last reply, if any.
    pub reply: Option<String>,
}

/// How many messages of a digest's current round are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub pending: usize,
    pub sending: usize,
    pub sent: usize,
    pub failed: usize,
    pub uncertain: usize,
}

impl Counts {
    /// Whether nothing is left to send: every message is `sent` or `uncertain`.
    pub(crate) fn settled(&self) -> bool {
        self.pending + self.sending + self.failed == 0
    }
}

/// The open ledger, in SQLite or PostgreSQL.
pub(crate) struct State {
    db: Backend,
    /// The ledger as errors name it: the file, or the URL (without secrets).
    name: PathBuf,
    /// The run lock of a SQLite ledger opened for writing (its lock file,
    /// held while open). A PostgreSQL ledger's lock is on `db`'s session.
    _lock: Option<std::fs::File>,
}

impl State {
    /// Takes the run lock and opens the ledger for writing (creating the
    /// file or the tables if needed); fails with [`Error::Locked`] at once
    /// when another run holds the lock. The lock is held until the ledger
    /// is dropped. For PostgreSQL it is taken on the very session that
    /// records the sends: if that session ends (the server restarts, kills
    /// it, or the network cuts it) the lock is gone, and so is every way to
    /// record, so the run stops (exit 75) before another message goes out,
    /// while another herald may take the lock and resume.
    pub(crate) fn open(ledger: &Ledger) -> Result<State> {
        match ledger {
            Ledger::Sqlite(path) => Self::open_file(path),
            Ledger::Postgres(pg) => Self::open_postgres(pg, false),
        }
    }

    /// The ledger for dry runs and `herald status`: they see the history but
    /// record nothing (an in-memory copy of a SQLite file, empty if it does
    /// not exist; a PostgreSQL transaction that is never committed).
    pub(crate) fn scratch(ledger: &Ledger) -> Result<State> {
        match ledger {
            Ledger::Sqlite(path) => Self::scratch_file(path),
            Ledger::Postgres(pg) => Self::open_postgres(pg, true),
        }
    }

    fn err(&self, e: impl Into<Fault>) -> Error {
        state_error(&self.name, e)
    }

    /// The recorded digest `id`, if any.
    pub(crate) fn digest(&self, id: &str) -> Result<Option<DigestRow>> {
        let read = || -> std::result::Result<_, Fault> {
            let Some(r) = self.db.query_opt(
                "SELECT id, week, created, completed, mode FROM digests WHERE id = ?1",
                values![id],
            )?
            else {
                return Ok(None);
            };
            Ok(Some(DigestRow {
                id: r.text(0)?,
                week: r.text(1)?,
                post_ids: self.post_ids(
                    "SELECT post_id FROM digest_posts WHERE digest = ?1 ORDER BY position",
                    id,
                )?,
                created: r.text(2)?,
                completed: r.opt_text(3)?,
                mode: r.mode(4, id)?,
            }))
        };
        read().map_err(|e| self.err(e))
    }

    /// The ids of every post held by any digest other than `except`.
    pub(crate) fn held_post_ids(&self, except: &str) -> Result<Vec<String>> {
        self.post_ids(
            "SELECT post_id FROM digest_posts WHERE digest != ?1 ORDER BY digest, position",
            except,
        )
        .map_err(|e| self.err(e))
    }

    fn post_ids(&self, sql: &str, id: &str) -> std::result::Result<Vec<String>, Fault> {
        self.db
            .query(sql, values![id])?
            .iter()
            .map(|r| r.text(0))
            .collect()
    }

    /// Records a new digest, its posts and all its messages as `pending`
    /// (the first round), in one transaction.
    pub(crate) fn create(&mut self, digest: &DigestRow, deliveries: &[DeliveryRow]) -> Result<()> {
        self.db
            .atomic(|db| {
                db.execute(
                    "INSERT INTO digests (id, week, created, mode) VALUES (?1, ?2, ?3, ?4)",
                    values![&digest.id, &digest.week, &digest.created, digest.mode],
                )?;
                for (position, post) in digest.post_ids.iter().enumerate() {
                    db.execute(
                        "INSERT INTO digest_posts (digest, position, post_id) VALUES (?1, ?2, ?3)",
                        values![&digest.id, position as i64, post],
                    )?;
                }
                add_round(db, &digest.id, deliveries)
            })
            .map_err(|e| self.err(e))
    }

    /// For `--force` on a completed digest whose current round is settled:
    /// records `deliveries` as a new round, all `pending`, numbered after the
    /// digest's last message. The earlier rounds and the digest's completion
    /// stay as they are, so the fact that it was delivered survives whatever
    /// happens to the new round.
    pub(crate) fn add_round(&mut self, id: &str, deliveries: &[DeliveryRow]) -> Result<()> {
        self.db
            .atomic(|db| add_round(db, id, deliveries))
            .map_err(|e| self.err(e))
    }

    /// Marks messages left `sending` by a dead run as `uncertain`; returns them.
    pub(crate) fn settle_in_flight(&self, id: &str) -> Result<Vec<DeliveryRow>> {
        self.query_rows(
            "UPDATE deliveries SET status = 'uncertain' WHERE digest = ?1 AND status = 'sending' RETURNING seq, recipients, message_id, reply",
            values![id],
        )
    }

    /// The first message of the current round numbered after `after` and
    /// up to `until` that still needs sending (`pending` or `failed`). Only
    /// the caller's cursor claims it: its status changes when its bytes go
    /// out ([`State::mark_sending`]). `until` keeps rows added during a run
    /// for the next one.
    pub(crate) fn next_to_send(
        &self,
        id: &str,
        after: u32,
        until: u32,
    ) -> Result<Option<DeliveryRow>> {
        let rows = self.query_rows(
            "SELECT seq, recipients, message_id, reply FROM deliveries
             WHERE digest = ?1 AND seq > ?2 AND seq <= ?3 AND status IN ('pending','failed')
               AND round = (SELECT MAX(round) FROM deliveries WHERE digest = ?1)
             ORDER BY seq LIMIT 1",
            values![id, after, until],
        )?;
        Ok(rows.into_iter().next())
    }

    /// Marks message `seq` of `id` `sending`, immediately before its bytes go
    /// to the server: from this commit on, it may arrive.
    pub(crate) fn mark_sending(&self, id: &str, seq: u32, now: &str) -> Result<()> {
        self.execute(
            "UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated = ?3
             WHERE digest = ?1 AND seq = ?2 AND status IN ('pending','failed')",
            values![id, seq, now],
        )
    }

    /// The highest message number of digest `id` (0 when it has none).
    pub(crate) fn last_seq(&self, id: &str) -> Result<u32> {
        self.db
            .query_opt(
                "SELECT COALESCE(MAX(seq), 0) FROM deliveries WHERE digest = ?1",
                values![id],
            )
            .and_then(|r| r.map_or(Ok(0), |r| r.seq(0)))
            .map_err(|e| self.err(e))
    }

    /// Adds a message to the current round of digest `id` that failed before
    /// it was planned as one (the refused part of a BCC batch), numbered after
    /// the last one.
    pub(crate) fn add_failed(&self, id: &str, row: &DeliveryRow, now: &str) -> Result<()> {
        self.execute(
            "INSERT INTO deliveries (digest, seq, round, recipients, message_id, status, reply, updated)
             VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM deliveries WHERE digest = ?1),
                     (SELECT MAX(round) FROM deliveries WHERE digest = ?1), ?2, ?3, 'failed', ?4, ?5)",
            values![id, &row.recipients, &row.message_id, row.reply.as_deref(), now],
        )
    }

    /// Records the outcome of one message, committed without waiting for
    /// a PostgreSQL server's disk (see [`Backend::execute_lazily`]): lost
    /// only if that server crashes before its next synchronous commit, and
    /// then the message is still `sending`, so it becomes `uncertain`,
    /// never sent twice.
    pub(crate) fn finish(
        &self,
        id: &str,
        seq: u32,
        status: Status,
        reply: &str,
        now: &str,
    ) -> Result<()> {
        self.db
            .execute_lazily(
                "UPDATE deliveries SET status = ?3, reply = ?4, updated = ?5 WHERE digest = ?1 AND seq = ?2",
                values![id, seq, status, reply, now],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The messages of `id`'s current round in `status`.
    pub(crate) fn rows(&self, id: &str, status: Status) -> Result<Vec<DeliveryRow>> {
        self.query_rows(
            "SELECT seq, recipients, message_id, reply FROM deliveries WHERE digest = ?1 AND status = ?2
               AND round = (SELECT MAX(round) FROM deliveries WHERE digest = ?1) ORDER BY seq",
            values![id, status],
        )
    }

    /// How many messages of `id`'s current round are in each state.
    pub(crate) fn counts(&self, id: &str) -> Result<Counts> {
        let read = || -> std::result::Result<_, Fault> {
            let rows = self.db.query(
                "SELECT status, COUNT(*) FROM deliveries WHERE digest = ?1
                   AND round = (SELECT MAX(round) FROM deliveries WHERE digest = ?1) GROUP BY status",
                values![id],
            )?;
            let mut c = Counts::default();
            for r in rows {
                let n = usize::try_from(r.int(1)?).unwrap_or(0);
                match r.status(0, id)? {
                    Status::Pending => c.pending = n,
                    Status::Sending => c.sending = n,
                    Status::Sent => c.sent = n,
                    Status::Failed => c.failed = n,
                    Status::Uncertain => c.uncertain = n,
                }
            }
            Ok(c)
        };
        read().map_err(|e| self.err(e))
    }

    /// Marks digest `id` completed at `now`, unless it already was: the
    /// first completion is the one kept.
    pub(crate) fn complete(&self, id: &str, now: &str) -> Result<()> {
        self.execute(
            "UPDATE digests SET completed = ?2 WHERE id = ?1 AND completed IS NULL",
            values![id, now],
        )
    }

    /// Runs one statement, its own transaction (committed when it returns).
    fn execute(&self, sql: &str, params: &[Value]) -> Result<()> {
        self.db
            .execute(sql, params)
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    fn query_rows(&self, sql: &str, params: &[Value]) -> Result<Vec<DeliveryRow>> {
        self.read(sql, params, |r| {
            Ok(DeliveryRow {
                seq: r.seq(0)?,
                recipients: r.text(1)?,
                message_id: r.text(2)?,
                reply: r.opt_text(3)?,
            })
        })
    }

    /// The answer to a query, each row read by `each`.
    fn read<T>(
        &self,
        sql: &str,
        params: &[Value],
        each: impl Fn(&Row) -> std::result::Result<T, Fault>,
    ) -> Result<Vec<T>> {
        let read = || -> std::result::Result<Vec<T>, Fault> {
            self.db.query(sql, params)?.iter().map(&each).collect()
        };
        read().map_err(|e| self.err(e))
    }

    /// The SQLite connection, for tests that look under the ledger.
    #[cfg(test)]
    fn sqlite(&self) -> &rusqlite::Connection {
        match &self.db {
            Backend::Sqlite(conn) => conn,
            Backend::Postgres(_) => panic!("not a SQLite ledger"),
        }
    }
}

/// Inserts `deliveries` as digest `id`'s next round (the first for a new
/// digest), `pending`, numbered after its last message.
fn add_round(db: &Backend, id: &str, deliveries: &[DeliveryRow]) -> std::result::Result<(), Fault> {
    let next = db.query_opt(
        "SELECT COALESCE(MAX(round), 0) + 1, COALESCE(MAX(seq), 0) FROM deliveries WHERE digest = ?1",
        values![id],
    )?;
    let (round, last) = match next {
        Some(r) => (r.int(0)?, r.seq(1)?),
        None => (1, 0),
    };
    for d in deliveries {
        db.execute(
            "INSERT INTO deliveries (digest, seq, round, recipients, message_id, status)
             VALUES (?1, ?2, ?3, ?4, ?5, 'pending')",
            values![id, last + d.seq, round, &d.recipients, &d.message_id],
        )?;
    }
    Ok(())
}

fn state_error(path: &Path, source: impl Into<Fault>) -> Error {
    Error::State {
        path: path.to_path_buf(),
        source: source.into(),
    }
}

#[cfg(test)]
mod tests;
