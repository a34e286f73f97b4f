//! The lock that keeps runs from overlapping, held while a run may send:
//! a file beside a SQLite ledger, locked exclusively; for a PostgreSQL
//! ledger an advisory lock held by a session of its own.

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};

use super::{pg, state_error};
use crate::config::Ledger;
use crate::error::{Error, Result};

/// Held while a run may send; released when dropped (or when the process
/// dies, or its database session ends).
pub(crate) struct Lock {
    _held: Held,
}

/// What holds the lock; only ever dropped.
enum Held {
    File { _file: File },
    Session { _client: Box<postgres::Client> },
}

/// Takes the exclusive run lock of `ledger`, or fails with
/// [`Error::Locked`] at once when another run holds it.
pub(crate) fn lock(ledger: &Ledger) -> Result<Lock> {
    match ledger {
        Ledger::Sqlite(db) => lock_file(db),
        Ledger::Postgres(settings) => {
            let name = PathBuf::from(settings.to_string());
            let mut client = pg::connect(settings).map_err(|e| state_error(&name, e))?;
            match pg::try_lock(&mut client) {
                Ok(true) => Ok(Lock {
                    _held: Held::Session {
                        _client: Box::new(client),
                    },
                }),
                Ok(false) => Err(Error::Locked(name)),
                Err(e) => Err(state_error(&name, e)),
            }
        }
    }
}

/// The lock file beside a SQLite ledger (`state.db.lock`).
fn lock_file(db: &Path) -> Result<Lock> {
    let path = db.with_extension("db.lock");
    create_parent(&path)?;
    let file = File::create(&path).map_err(|e| Error::write(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(Lock {
            _held: Held::File { _file: file },
        }),
        Err(TryLockError::WouldBlock) => Err(Error::Locked(path)),
        Err(TryLockError::Error(e)) => Err(Error::write(&path, e)),
    }
}

/// Creates the folder that will hold `path`.
pub(super) fn create_parent(path: &Path) -> Result<()> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => fs::create_dir_all(dir).map_err(|e| Error::write(dir, e)),
        None => Ok(()),
    }
}
