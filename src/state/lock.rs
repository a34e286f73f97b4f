//! The lock that keeps runs from overlapping, held by every ledger opened
//! for writing ([`State::open`](super::State::open)) for as long as it is
//! open: a file beside a SQLite ledger, locked exclusively; for a
//! PostgreSQL ledger an advisory lock on the ledger's own database session
//! (`state/pg.rs`), so the lock and the connection that records the sends
//! live and die together.

use std::fs::{self, File, TryLockError};
use std::path::Path;

use crate::error::{Error, Result};

/// Takes the lock file beside the SQLite ledger `db` (`state.db.lock`), or
/// fails with [`Error::Locked`] at once when another run holds it. The
/// lock is released when the file is closed (or the process dies).
pub(super) fn lock_file(db: &Path) -> Result<File> {
    let path = db.with_extension("db.lock");
    create_parent(&path)?;
    let file = File::create(&path).map_err(|e| Error::write(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(Error::Locked(path)),
        Err(TryLockError::Error(e)) => Err(Error::write(&path, e)),
    }
}

/// Creates the folder that will hold `path`.
fn create_parent(path: &Path) -> Result<()> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => fs::create_dir_all(dir).map_err(|e| Error::write(dir, e)),
        None => Ok(()),
    }
}
