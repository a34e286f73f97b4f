//! The ledger's tables and their versions. `PRAGMA user_version` holds the
//! schema version; opening a ledger runs the migrations it lacks, in order,
//! in one transaction, and refuses a ledger from a newer herald.

use rusqlite::{Connection, Result};

use super::values::Fault;

/// One step from a schema version to the next.
type Migration = fn(&Connection) -> Result<()>;

/// Migration `i` brings a ledger from version `i` to `i + 1`. Only ever
/// append: a released ledger's version is a position in this list.
const MIGRATIONS: [Migration; 1] = [from_unversioned];

/// The schema version this herald writes (and the newest it reads).
pub(super) const VERSION: i64 = MIGRATIONS.len() as i64;

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

/// Every query of a digest's messages asks for its latest round
/// (`MAX(round)`): without this index that read every message of the digest,
/// once per message sent, which made a 10,000-message digest quadratic.
/// Made after the migrations, which add the column to old ledgers.
pub(super) const ROUND_INDEX: &str =
    "CREATE INDEX IF NOT EXISTS deliveries_round ON deliveries (digest, round);";

/// Brings the ledger to [`VERSION`], all or nothing, or refuses it when a
/// newer herald wrote it (reading on could misread, and writing could damage, it).
pub(super) fn prepare(conn: &Connection) -> Result<(), Fault> {
    let tx = conn.unchecked_transaction()?;
    let found: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > VERSION {
        return Err(Fault::Newer {
            found,
            known: VERSION,
        });
    }
    // A negative version was never written by herald: treat it as unversioned.
    for migrate in &MIGRATIONS[usize::try_from(found).unwrap_or(0)..] {
        migrate(&tx)?;
    }
    tx.execute_batch(ROUND_INDEX)?;
    if found != VERSION {
        tx.pragma_update(None, "user_version", VERSION)?;
    }
    Ok(tx.commit()?)
}

/// Version 0 to 1: a new ledger, or one written before herald kept a
/// version (any shape since the first release). Creates the tables it lacks
/// and adds the columns it lacks.
fn from_unversioned(conn: &Connection) -> Result<()> {
    conn.execute_batch(SCHEMA)?;
    if !has_column(conn, "digests", "mode")? {
        conn.execute_batch("ALTER TABLE digests ADD COLUMN mode TEXT")?;
    }
    if !has_column(conn, "deliveries", "round")? {
        conn.execute_batch("ALTER TABLE deliveries ADD COLUMN round INTEGER NOT NULL DEFAULT 1")?;
    }
    if has_column(conn, "digests", "post_ids")? {
        split_post_ids(conn)?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Ledger;
    use crate::error::Error;
    use crate::state::tests::FIRST_RELEASE;
    use crate::state::State;

    fn version(path: &Path) -> i64 {
        Connection::open(path)
            .unwrap()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_ledger_from_a_newer_herald_is_refused_and_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        drop(State::open(&Ledger::Sqlite(path.clone())).unwrap());
        let newer = VERSION + 1;
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", newer)
            .unwrap();
        for opened in [
            State::open(&Ledger::Sqlite(path.clone())),
            State::scratch(&Ledger::Sqlite(path.clone())),
        ] {
            let Err(Error::State { source, .. }) = opened else {
                panic!("a newer ledger was opened");
            };
            assert!(
                matches!(source, Fault::Newer { found, known } if found == newer && known == VERSION)
            );
            assert_eq!(
                source.to_string(),
                format!("the ledger has schema version {newer}, newer than this herald knows ({VERSION}); use the herald that wrote it, or a newer one")
            );
        }
        assert_eq!(version(&path), newer);
    }

    #[test]
    fn new_and_unversioned_ledgers_get_the_current_version() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("fresh.db");
        drop(State::open(&Ledger::Sqlite(fresh.clone())).unwrap());
        assert_eq!(version(&fresh), VERSION);
        let old = dir.path().join("old.db");
        Connection::open(&old)
            .unwrap()
            .execute_batch(FIRST_RELEASE)
            .unwrap();
        assert_eq!(version(&old), 0);
        drop(State::open(&Ledger::Sqlite(old.clone())).unwrap());
        assert_eq!(version(&old), VERSION);
        // Opening again runs nothing and changes nothing.
        drop(State::open(&Ledger::Sqlite(old.clone())).unwrap());
        assert_eq!(version(&old), VERSION);
    }

    #[test]
    fn a_migration_that_fails_leaves_the_ledger_and_its_version_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(FIRST_RELEASE).unwrap();
            // An index on the joined post ids makes dropping that column fail,
            // after the tables and columns before it were added.
            conn.execute_batch(
                "CREATE INDEX by_posts ON digests (post_ids);
                 INSERT INTO digests (id, week, post_ids, created) VALUES ('2013-W38', '2013-W38', 'a', 't');",
            )
            .unwrap();
        }
        assert!(State::open(&Ledger::Sqlite(path.clone())).is_err());
        assert_eq!(version(&path), 0);
        let conn = Connection::open(&path).unwrap();
        let tables: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('digest_posts', 'notes', 'usage')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0, "nothing of the migration is left");
        assert!(!has_column(&conn, "digests", "mode").unwrap());
    }
}
