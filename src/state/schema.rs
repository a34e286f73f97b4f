//! The ledger's tables, and the migration of a ledger written by any earlier
//! version, run in one transaction each time the ledger is opened.

use rusqlite::{Connection, Result};

/// The tables of a new ledger.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS digests (
    id        TEXT PRIMARY KEY,
    week      TEXT NOT NULL,
    created   TEXT NOT NULL,
    completed TEXT
);
CREATE TABLE IF NOT EXISTS digest_posts (
    digest   TEXT NOT NULL REFERENCES digests(id),
    position INTEGER NOT NULL,
    post_id  TEXT NOT NULL,
    PRIMARY KEY (digest, position)
);
CREATE TABLE IF NOT EXISTS deliveries (
    digest     TEXT NOT NULL REFERENCES digests(id),
    seq        INTEGER NOT NULL,
    round      INTEGER NOT NULL DEFAULT 1,
    recipients TEXT NOT NULL,
    message_id TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('pending','sending','sent','failed','uncertain')),
    reply      TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    updated    TEXT,
    PRIMARY KEY (digest, seq)
);
CREATE TABLE IF NOT EXISTS notes (
    id     TEXT PRIMARY KEY,
    slot   TEXT NOT NULL,
    reason TEXT NOT NULL,
    noted  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS usage (
    digest     TEXT NOT NULL,
    at         INTEGER NOT NULL,
    recipients INTEGER NOT NULL
);";

/// Creates the tables a ledger lacks and brings one of any earlier version
/// up to date, all or nothing.
pub(super) fn prepare(conn: &Connection) -> Result<()> {
    let tx = conn.unchecked_transaction()?;
    tx.execute_batch(SCHEMA)?;
    if !has_column(&tx, "digests", "mode")? {
        tx.execute_batch("ALTER TABLE digests ADD COLUMN mode TEXT")?;
    }
    if !has_column(&tx, "deliveries", "round")? {
        tx.execute_batch("ALTER TABLE deliveries ADD COLUMN round INTEGER NOT NULL DEFAULT 1")?;
    }
    if has_column(&tx, "digests", "post_ids")? {
        split_post_ids(&tx)?;
    }
    tx.commit()
}

fn has_column(conn: &Connection, table: &str, column: &str) -> Result<bool> {
    conn.prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2")?
        .exists([table, column])
}

/// Earlier versions kept a digest's post ids joined by newlines in
/// `digests.post_ids`: they move to `digest_posts`, split as those versions
/// read them, and the column goes.
fn split_post_ids(conn: &Connection) -> Result<()> {
    let joined: Vec<(String, String)> = conn
        .prepare("SELECT id, post_ids FROM digests")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_>>()?;
    let mut insert = conn.prepare(
        "INSERT OR IGNORE INTO digest_posts (digest, position, post_id) VALUES (?1, ?2, ?3)",
    )?;
    for (digest, ids) in &joined {
        for (position, post) in ids.lines().enumerate() {
            insert.execute(rusqlite::params![digest, position as i64, post])?;
        }
    }
    conn.execute_batch("ALTER TABLE digests DROP COLUMN post_ids")
}
