//! Opening the ledger: a SQLite file (or an in-memory copy of it), or a
//! session on a PostgreSQL database (inside a transaction never committed,
//! for a scratch ledger).

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::backend::{self, Backend};
use super::lock::create_parent;
use super::{pg, schema, state_error, Fault, State};
use crate::config::Postgres;
use crate::error::Result;

impl State {
    pub(super) fn open_file(path: &Path) -> Result<State> {
        create_parent(path)?;
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
        })
    }

    pub(super) fn open_postgres(pg: &Postgres, scratch: bool) -> Result<State> {
        let name = PathBuf::from(pg.to_string());
        let opened = pg::connect(pg).and_then(|mut client| {
            client.batch_execute("BEGIN")?;
            pg::prepare(&mut client)?;
            if !scratch {
                client.batch_execute("COMMIT")?;
            }
            Ok(client)
        });
        let client = opened.map_err(|e| state_error(&name, e))?;
        Ok(State {
            db: Backend::Postgres(Box::new(backend::Pg {
                client: RefCell::new(client),
                statements: RefCell::default(),
                scratch,
            })),
            name,
        })
    }
}
