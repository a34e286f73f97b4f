//! Opening the ledger: a SQLite file with its lock file (or an in-memory
//! copy of it), or a session on a PostgreSQL database holding the run lock
//! (or inside a transaction never committed, for a scratch ledger).

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::backend::{self, Backend};
use super::lock::lock_file;
use super::{pg, schema, state_error, Fault, State};
use crate::config::Postgres;
use crate::error::{Error, Result};

impl State {
    pub(super) fn open_file(path: &Path) -> Result<State> {
        let lock = lock_file(path)?;
        let conn = Connection::open(path).map_err(|e| state_error(path, e))?;
        // WAL with synchronous=NORMAL: a commit survives the process being
        // killed (what exactly-once must withstand) without an fsync per message.
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        )
        .map_err(Fault::from)
        .and_then(|()| schema::prepare(&conn))
        .map_err(|e| state_error(path, e))?;
        Ok(State {
            db: Backend::Sqlite(conn),
            name: path.to_path_buf(),
            _lock: Some(lock),
        })
    }

    pub(super) fn scratch_file(path: &Path) -> Result<State> {
        let err = |e| state_error(path, e);
        let mut conn = Connection::open_in_memory().map_err(err)?;
        if path.exists() {
            let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
            let source = Connection::open_with_flags(path, flags).map_err(err)?;
            rusqlite::backup::Backup::new(&source, &mut conn)
                .and_then(|b| b.run_to_completion(256, std::time::Duration::ZERO, None))
                .map_err(err)?;
        }
        schema::prepare(&conn).map_err(|e| state_error(path, e))?;
        Ok(State {
            db: Backend::Sqlite(conn),
            name: path.to_path_buf(),
            _lock: None,
        })
    }

    /// A session on the database: holding the run lock, or (`scratch`) in
    /// a transaction that is never committed.
    pub(super) fn open_postgres(pg: &Postgres, scratch: bool) -> Result<State> {
        let name = PathBuf::from(pg.to_string());
        let err = |e| state_error(&name, e);
        let mut client = pg::connect(pg).map_err(err)?;
        if !scratch && !pg::try_lock(&mut client).map_err(err)? {
            return Err(Error::Locked(name));
        }
        let mut prepare = || -> std::result::Result<(), Fault> {
            client.batch_execute("BEGIN")?;
            pg::prepare(&mut client)?;
            if !scratch {
                client.batch_execute("COMMIT")?;
            }
            Ok(())
        };
        prepare().map_err(err)?;
        Ok(State {
            db: Backend::Postgres(Box::new(backend::Pg {
                client: RefCell::new(client),
                statements: RefCell::default(),
                scratch,
            })),
            name,
            _lock: None,
        })
    }
}
