//! The lock that keeps runs from overlapping: a file beside the ledger,
//! locked exclusively while a run may send.

use std::fs::{self, File, TryLockError};
use std::path::Path;

use crate::error::{Error, Result};

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

/// Creates the folder that will hold `path`.
pub(super) fn create_parent(path: &Path) -> Result<()> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => fs::create_dir_all(dir).map_err(|e| Error::write(dir, e)),
        None => Ok(()),
    }
}
