//! The digest ledger in SQLite, and the lock that keeps runs from overlapping.
//!
//! Every message of a digest has a row that is committed before the message
//! is sent (`sending`) and after the server answered (`sent` or `failed`).
//! A row still `sending` when a run starts belongs to a run that died with
//! the message in flight: it becomes `uncertain` and is never sent again,
//! because it may have arrived. Everything else not `sent` is sent.

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};

mod history;
pub use history::{DigestSummary, Note, Unserved};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS digests (
    id        TEXT PRIMARY KEY,
    week      TEXT NOT NULL,
    post_ids  TEXT NOT NULL,
    created   TEXT NOT NULL,
    completed TEXT
);
CREATE TABLE IF NOT EXISTS deliveries (
    digest     TEXT NOT NULL REFERENCES digests(id),
    seq        INTEGER NOT NULL,
    recipients TEXT NOT NULL,
    message_id TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('pending','sending','sent','failed','uncertain')),
    reply      TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    updated    TEXT,
    PRIMARY KEY (digest, seq)
);";

/// A delivery row's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Not yet attempted.
    Pending,
    /// Handed to the transport; not yet answered.
    Sending,
    /// Accepted by the server.
    Sent,
    /// Refused (the reply is kept); a rerun tries again.
    Failed,
    /// In flight when a run died: may or may not have arrived; never resent.
    Uncertain,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Sending => "sending",
            Status::Sent => "sent",
            Status::Failed => "failed",
            Status::Uncertain => "uncertain",
        }
    }
}

/// A digest as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestRow {
    /// The digest id, e.g. `2013-W39`.
    pub id: String,
    /// The ISO week it belongs to.
    pub week: String,
    /// The ids of the posts it holds, newest first.
    pub post_ids: Vec<String>,
    /// When it was created (RFC 3339).
    pub created: String,
    /// When its last message was settled (RFC 3339).
    pub completed: Option<String>,
    /// How it was addressed: `group`, `individual` or `bcc` (empty for digests
    /// recorded before herald kept it).
    pub mode: String,
}

/// One message of a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    /// Position in the digest, from 1.
    pub seq: u32,
    /// The recipients as JSON (owned by the digest module).
    pub recipients: String,
    /// The message's `Message-ID`.
    pub message_id: String,
    /// The server's last reply, if any.
    pub reply: Option<String>,
}

/// How many messages of a digest are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pending: usize,
    pub sending: usize,
    pub sent: usize,
    pub failed: usize,
    pub uncertain: usize,
}

/// The open ledger.
pub struct State {
    conn: Connection,
    path: PathBuf,
}

/// Held while a run may send; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Takes the exclusive lock beside the ledger (`state.db.lock`), or fails with
/// [`Error::Locked`] at once when another run holds it.
pub fn lock(db: &Path) -> Result<Lock> {
    let path = db.with_extension("db.lock");
    create_parent(&path)?;
    let file = File::create(&path).map_err(|e| Error::write(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(Lock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(Error::Locked(path)),
        Err(TryLockError::Error(e)) => Err(Error::write(&path, e)),
    }
}

fn create_parent(path: &Path) -> Result<()> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => fs::create_dir_all(dir).map_err(|e| Error::write(dir, e)),
        None => Ok(()),
    }
}

impl State {
    /// Opens (creating if needed) the ledger at `path`.
    pub fn open(path: &Path) -> Result<State> {
        create_parent(path)?;
        let conn = Connection::open(path).map_err(|e| state_error(path, e))?;
        // WAL with synchronous=NORMAL: a commit survives the process being
        // killed (what exactly-once must withstand) without an fsync per message.
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        )
        .and_then(|()| conn.execute_batch(SCHEMA))
        .and_then(|()| history::migrate(&conn))
        .map_err(|e| state_error(path, e))?;
        Ok(State {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// An in-memory copy of the ledger at `path` (empty if it does not exist),
    /// for dry runs and tests: they see the history but record nothing.
    pub fn scratch(path: &Path) -> Result<State> {
        let err = |e| state_error(path, e);
        let mut conn = Connection::open_in_memory().map_err(err)?;
        if path.exists() {
            let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
            let source = Connection::open_with_flags(path, flags).map_err(err)?;
            rusqlite::backup::Backup::new(&source, &mut conn)
                .and_then(|b| b.run_to_completion(256, std::time::Duration::ZERO, None))
                .map_err(err)?;
        }
        conn.execute_batch(SCHEMA)
            .and_then(|()| history::migrate(&conn))
            .map_err(err)?;
        Ok(State {
            conn,
            path: path.to_path_buf(),
        })
    }

    fn err(&self, e: rusqlite::Error) -> Error {
        state_error(&self.path, e)
    }

    /// The recorded digest `id`, if any.
    pub fn digest(&self, id: &str) -> Result<Option<DigestRow>> {
        self.conn
            .query_row(
                "SELECT id, week, post_ids, created, completed, mode FROM digests WHERE id = ?1",
                [id],
                |r| {
                    let ids: String = r.get(2)?;
                    Ok(DigestRow {
                        id: r.get(0)?,
                        week: r.get(1)?,
                        post_ids: ids.lines().map(String::from).collect(),
                        created: r.get(3)?,
                        completed: r.get(4)?,
                        mode: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The ids of every post held by any digest other than `except`.
    pub fn held_post_ids(&self, except: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT post_ids FROM digests WHERE id != ?1")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([except], |r| r.get::<_, String>(0))
            .and_then(Iterator::collect::<rusqlite::Result<Vec<String>>>)
            .map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .flat_map(|s| s.lines().map(String::from))
            .collect())
    }

    /// Records a new digest and all its messages as `pending`, in one transaction.
    pub fn create(&mut self, digest: &DigestRow, deliveries: &[DeliveryRow]) -> Result<()> {
        let path = self.path.clone();
        let err = |e| state_error(&path, e);
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute(
            "INSERT INTO digests (id, week, post_ids, created, mode) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                digest.id,
                digest.week,
                digest.post_ids.join("\n"),
                digest.created,
                digest.mode
            ],
        )
        .map_err(err)?;
        {
            let mut insert = tx
                .prepare("INSERT INTO deliveries (digest, seq, recipients, message_id, status) VALUES (?1, ?2, ?3, ?4, 'pending')")
                .map_err(err)?;
            for d in deliveries {
                insert
                    .execute(params![digest.id, d.seq, d.recipients, d.message_id])
                    .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    /// For `--force`: every message of `id` back to `pending`, not completed.
    pub fn reopen(&self, id: &str) -> Result<()> {
        self.conn
            .execute_batch("BEGIN")
            .and_then(|()| {
                self.conn.execute(
                    "UPDATE deliveries SET status = 'pending', reply = NULL WHERE digest = ?1",
                    [id],
                )
            })
            .and_then(|_| {
                self.conn
                    .execute("UPDATE digests SET completed = NULL WHERE id = ?1", [id])
            })
            .and_then(|_| self.conn.execute_batch("COMMIT"))
            .map_err(|e| self.err(e))
    }

    /// Marks messages left `sending` by a dead run as `uncertain`; returns them.
    pub fn settle_in_flight(&self, id: &str) -> Result<Vec<DeliveryRow>> {
        let rows = self.query_rows(
            "UPDATE deliveries SET status = 'uncertain' WHERE digest = ?1 AND status = 'sending' RETURNING seq, recipients, message_id, reply",
            params![id],
        )?;
        Ok(rows)
    }

    /// Claims the first message numbered after `after` and up to `until`
    /// that still needs sending (`pending` or `failed`): marks it `sending`
    /// and returns it. `until` keeps rows added during a run for the next one.
    pub fn claim_next(
        &self,
        id: &str,
        after: u32,
        until: u32,
        now: &str,
    ) -> Result<Option<DeliveryRow>> {
        let rows = self.query_rows(
            "UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated = ?4
             WHERE digest = ?1 AND seq = (SELECT seq FROM deliveries WHERE digest = ?1 AND seq > ?2
                                          AND seq <= ?3 AND status IN ('pending','failed')
                                          ORDER BY seq LIMIT 1)
             RETURNING seq, recipients, message_id, reply",
            params![id, after, until, now],
        )?;
        Ok(rows.into_iter().next())
    }

    /// The highest message number of digest `id` (0 when it has none).
    pub fn last_seq(&self, id: &str) -> Result<u32> {
        self.conn
            .query_row(
                "SELECT COALESCE(MAX(seq), 0) FROM deliveries WHERE digest = ?1",
                [id],
                |row| row.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// Adds a message to digest `id` that failed before it was planned as one
    /// (the refused part of a BCC batch), numbered after the last one.
    pub fn add_failed(&self, id: &str, row: &DeliveryRow, now: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO deliveries (digest, seq, recipients, message_id, status, reply, updated)
                 VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM deliveries WHERE digest = ?1), ?2, ?3, 'failed', ?4, ?5)",
                params![id, row.recipients, row.message_id, row.reply, now],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Records the outcome of one message.
    pub fn finish(&self, id: &str, seq: u32, status: Status, reply: &str, now: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE deliveries SET status = ?3, reply = ?4, updated = ?5 WHERE digest = ?1 AND seq = ?2",
                params![id, seq, status.as_str(), reply, now],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The messages of `id` in `status`.
    pub fn rows(&self, id: &str, status: Status) -> Result<Vec<DeliveryRow>> {
        self.query_rows(
            "SELECT seq, recipients, message_id, reply FROM deliveries WHERE digest = ?1 AND status = ?2 ORDER BY seq",
            params![id, status.as_str()],
        )
    }

    /// How many messages of `id` are in each state.
    pub fn counts(&self, id: &str) -> Result<Counts> {
        let mut stmt = self
            .conn
            .prepare("SELECT status, COUNT(*) FROM deliveries WHERE digest = ?1 GROUP BY status")
            .map_err(|e| self.err(e))?;
        let pairs = stmt
            .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
            .map_err(|e| self.err(e))?;
        let mut c = Counts::default();
        for (status, n) in pairs {
            let n = usize::try_from(n).unwrap_or(0);
            match status.as_str() {
                "pending" => c.pending = n,
                "sending" => c.sending = n,
                "sent" => c.sent = n,
                "failed" => c.failed = n,
                _ => c.uncertain = n,
            }
        }
        Ok(c)
    }

    /// Marks digest `id` completed at `now`.
    pub fn complete(&self, id: &str, now: &str) -> Result<()> {
        self.conn
            .execute("UPDATE digests SET completed = ?2 WHERE id = ?1", [id, now])
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    fn query_rows(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<DeliveryRow>> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        stmt.query_map(params, |r| {
            Ok(DeliveryRow {
                seq: r.get(0)?,
                recipients: r.get(1)?,
                message_id: r.get(2)?,
                reply: r.get(3)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(|e| self.err(e))
    }
}

fn state_error(path: &Path, source: rusqlite::Error) -> Error {
    Error::State {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests;
