//! Writing the site: into a staging folder beside the output, swapped in only
//! when everything was written, so a failed build leaves the old site intact.
//!
//! A build replaces the whole output folder, so this module guarantees that it
//! only ever replaces or deletes folders herald wrote itself:
//! - every folder herald writes carries a marker file, [`MARKER`]; an existing
//!   output folder without it (and not empty) is refused;
//! - a symlinked output folder is judged, and replaced, at its target;
//! - staging folders left by a killed run are removed only when they are real
//!   folders (never a symlink), marked, and owned by this user;
//! - a lock beside the output serialises builds, so no build touches the
//!   staging folder of a live one;
//! - the new site is swapped in with one atomic exchange of the two folders
//!   (Linux `renameat2(RENAME_EXCHANGE)`), so the output path never vanishes.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{CopiedFile, OutputFile};
use crate::config::paths::real_path;
use crate::diag::Diagnostic;
use crate::error::{Error, Result};

/// The file that marks a folder as herald's output (written first into every
/// staging folder, so it is in every site herald swaps in).
pub(super) const MARKER: &str = ".herald-output";

const MARKER_TEXT: &str =
    "This folder was written by herald and is replaced by every build.\nDo not keep other files here.\n";

/// Writes every file produced by `files`, then copies every one of
/// `copies`, into a fresh staging folder next to `target`, then swaps it in.
/// A copy that would replace a generated file is an error naming both. On
/// any error the staging folder is removed and `target` is left exactly as
/// it was. Returns the number of files written.
pub(crate) fn write_site<I>(target: &Path, files: I, copies: &[CopiedFile]) -> Result<usize>
where
    I: ParallelIterator<Item = Result<OutputFile>>,
{
    let target = real_path(target).map_err(|e| Error::read(target, e))?;
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
        return Err(Error::NotOurs(target));
    };
    let name = name.to_string_lossy().into_owned();
    fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
    let _lock = lock(parent, &name, &target)?;
    refuse_foreign(&target)?;
    remove_leftovers(parent, &name);
    let staging = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    fs::create_dir(&staging).map_err(|e| Error::write(&staging, e))?;
    let written = fs::write(staging.join(MARKER), MARKER_TEXT)
        .map_err(|e| Error::write(&staging, e))
        .and_then(|()| {
            files
                .map(|file| write_one(&staging, file?))
                .collect::<Result<Vec<()>>>()
        })
        .and_then(|done| {
            copies
                .par_iter()
                .try_for_each(|copy| copy_one(&staging, copy))
                .map(|()| done.len() + copies.len())
        })
        .and_then(|done| swap_in(&staging, &target, parent, &name).map(|()| done));
    if written.is_err() {
        remove_tree(&staging);
    }
    written
}

fn write_one(root: &Path, file: OutputFile) -> Result<()> {
    let path = root.join(&file.path);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
    }
    fs::write(&path, &file.bytes).map_err(|e| Error::write(&path, e))
}

fn copy_one(root: &Path, copy: &CopiedFile) -> Result<()> {
    let path = root.join(&copy.path);
    if fs::symlink_metadata(&path).is_ok() || copy.path.as_os_str() == MARKER {
        return Err(clash(copy));
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
    }
    // A link fails across file systems; the copy then does the work.
    if copy.link && fs::hard_link(&copy.source, &path).is_ok() {
        return Ok(());
    }
    fs::copy(&copy.source, &path)
        .map(|_| ())
        .map_err(|e| Error::write(&path, e))
}

/// The error of a copied file in place of a generated one.
pub(crate) fn clash(copy: &CopiedFile) -> Error {
    let message = format!(
        "would replace `{}`, which herald generates (a page, a feed or the stylesheet); \
         rename or move the file",
        copy.path.display()
    );
    Error::Invalid(vec![Diagnostic::file(&copy.origin, message)])
}

/// Takes the build lock `.<name>.lock` beside the output, or fails at once
/// with [`Error::BuildLocked`]. Released when the file is dropped (or the
/// process dies), so a killed build never leaves a stale lock.
fn lock(parent: &Path, name: &str, target: &Path) -> Result<File> {
    let path = parent.join(format!(".{name}.lock"));
    let mut options = OpenOptions::new();
    options.write(true).create(true);
    #[cfg(unix)]
    {
        // A symlink planted under the lock's name must not lead herald elsewhere.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    let file = options.open(&path).map_err(|e| Error::write(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(Error::BuildLocked(target.to_path_buf())),
        Err(TryLockError::Error(e)) => Err(Error::write(&path, e)),
    }
}

/// Refuses an existing output that herald did not write: a file, or a folder
/// that is neither empty nor marked.
fn refuse_foreign(target: &Path) -> Result<()> {
    let meta = match fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::read(target, e)),
    };
    let empty = || fs::read_dir(target).is_ok_and(|mut entries| entries.next().is_none());
    if meta.is_dir() && (is_marked(target) || empty()) {
        Ok(())
    } else {
        Err(Error::NotOurs(target.to_path_buf()))
    }
}

fn is_marked(dir: &Path) -> bool {
    fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.is_file())
}

/// Replaces `target` with `staging`. Afterwards the old site, if there was
/// one, is removed; failing to tidy it up is not an error.
fn swap_in(staging: &Path, target: &Path, parent: &Path, name: &str) -> Result<()> {
    if fs::symlink_metadata(target).is_err() {
        return fs::rename(staging, target).map_err(|e| Error::write(target, e));
    }
    let old = exchange(staging, target, parent, name).map_err(|e| Error::write(target, e))?;
    remove_tree(&old);
    Ok(())
}

/// Swaps the two folders in one step; returns where the old site now is.
#[cfg(target_os = "linux")]
fn exchange(staging: &Path, target: &Path, parent: &Path, name: &str) -> io::Result<PathBuf> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    match renameat_with(CWD, staging, CWD, target, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(staging.to_path_buf()),
        // File systems without the exchange (some network ones) get the fallback.
        Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => {
            two_renames(staging, target, parent, name)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(staging: &Path, target: &Path, parent: &Path, name: &str) -> io::Result<PathBuf> {
    two_renames(staging, target, parent, name)
}

/// Old site aside, new site in: for systems without an atomic exchange, with
/// a moment (two system calls long) without a site between the renames.
fn two_renames(staging: &Path, target: &Path, parent: &Path, name: &str) -> io::Result<PathBuf> {
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    fs::rename(target, &old)?;
    if let Err(e) = fs::rename(staging, target) {
        let _ = fs::rename(&old, target);
        return Err(e);
    }
    Ok(old)
}

/// Removes a folder tree, its top-level entries in parallel (a large site
/// has thousands of post folders). Never follows a symlink.
fn remove_tree(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        let entries: Vec<fs::DirEntry> = entries.flatten().collect();
        entries.par_iter().for_each(|entry| {
            // `file_type` describes the entry itself, not what a symlink points at.
            let _ = match entry.file_type() {
                Ok(kind) if kind.is_dir() => fs::remove_dir_all(entry.path()),
                _ => fs::remove_file(entry.path()),
            };
        });
    }
    let _ = fs::remove_dir_all(dir);
}

/// Removes staging folders left behind by a killed run: only real folders,
/// marked as herald's, owned by this user. Runs under the build lock, so
/// none of them belongs to a live build.
fn remove_leftovers(parent: &Path, name: &str) {
    let prefixes = [format!(".{name}.tmp-"), format!(".{name}.old-")];
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if prefixes.iter().any(|p| file_name.starts_with(p.as_str()))
            && entry.file_type().is_ok_and(|kind| kind.is_dir())
            && is_marked(&entry.path())
            && is_own(&entry)
        {
            remove_tree(&entry.path());
        }
    }
}

#[cfg(unix)]
fn is_own(entry: &fs::DirEntry) -> bool {
    use std::os::unix::fs::MetadataExt;
    // `DirEntry::metadata` does not follow symlinks.
    entry
        .metadata()
        .is_ok_and(|m| m.uid() == rustix::process::geteuid().as_raw())
}

#[cfg(not(unix))]
fn is_own(_entry: &fs::DirEntry) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> Result<OutputFile> {
        Ok(OutputFile {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        })
    }

    /// The folder's entries other than the build lock.
    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != ".public.lock")
            .collect();
        names.sort();
        names
    }

    #[test]
    fn swaps_in_a_complete_site() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let n = write_site(
            &target,
            vec![file("index.html", "a"), file("x/index.html", "b")].into_par_iter(),
            &[],
        )
        .unwrap();
        assert_eq!(n, 2);
        assert_eq!(
            fs::read_to_string(target.join("x/index.html")).unwrap(),
            "b"
        );
        assert!(is_marked(&target));
        write_site(&target, vec![file("index.html", "c")].into_par_iter(), &[]).unwrap();
        assert_eq!(fs::read_to_string(target.join("index.html")).unwrap(), "c");
        assert!(!target.join("x").exists(), "stale files are gone");
        assert_eq!(entries(dir.path()), ["public"], "no staging folders left");
    }

    #[test]
    fn copies_never_replace_generated_files() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let source = dir.path().join("robots.txt");
        fs::write(&source, "User-agent: *\n").unwrap();
        let copy = |path: &str| CopiedFile {
            path: path.into(),
            source: source.clone(),
            origin: source.clone(),
            link: false,
        };
        let pages = || vec![file("index.html", "old")].into_par_iter();
        assert_eq!(
            write_site(&target, pages(), &[copy("robots.txt")]).unwrap(),
            2
        );
        assert_eq!(
            fs::read_to_string(target.join("robots.txt")).unwrap(),
            "User-agent: *\n"
        );
        for clash in ["index.html", MARKER] {
            let Err(Error::Invalid(problems)) = write_site(&target, pages(), &[copy(clash)]) else {
                panic!("{clash} replaced");
            };
            let message = problems[0].to_string();
            assert!(
                message.contains("robots.txt") && message.contains(clash),
                "{message}"
            );
        }
        assert!(target.join("robots.txt").exists(), "the old site stays");
    }

    #[test]
    fn failure_keeps_the_old_site() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        write_site(
            &target,
            vec![file("index.html", "old")].into_par_iter(),
            &[],
        )
        .unwrap();
        let failing = vec![file("index.html", "new"), Err(Error::Usage("boom".into()))];
        assert!(write_site(&target, failing.into_par_iter(), &[]).is_err());
        assert_eq!(
            fs::read_to_string(target.join("index.html")).unwrap(),
            "old"
        );
        assert_eq!(entries(dir.path()), ["public"], "no staging folders left");
    }

    #[test]
    fn the_output_path_never_goes_missing_during_a_swap() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        write_site(&target, vec![file("index.html", "0")].into_par_iter(), &[]).unwrap();
        let stop = std::sync::atomic::AtomicBool::new(false);
        let missing = std::thread::scope(|scope| {
            let watcher = scope.spawn(|| {
                let mut missing = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    if fs::symlink_metadata(target.join("index.html")).is_err() {
                        missing += 1;
                    }
                }
                missing
            });
            for i in 0..300 {
                let page = file("index.html", &i.to_string());
                write_site(&target, vec![page].into_par_iter(), &[]).unwrap();
            }
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            watcher.join().unwrap()
        });
        assert_eq!(missing, 0, "index.html was missing during {missing} looks");
    }
}
