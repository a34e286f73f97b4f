//! Writing the site: into a staging folder beside the output, swapped in only
//! when everything was written, so a failed build leaves the old site intact.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path below the output folder, always relative and made of safe segments.
    pub path: PathBuf,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// Writes every file produced by `files` into a fresh staging folder next to
/// `target`, then swaps it in. On any error the staging folder is removed and
/// `target` is left exactly as it was. Returns the number of files written.
pub fn write_site<I>(target: &Path, files: I) -> Result<usize>
where
    I: ParallelIterator<Item = Result<OutputFile>>,
{
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("public")
        .to_string();
    fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
    remove_leftovers(parent, &name);
    let staging = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    fs::create_dir(&staging).map_err(|e| Error::write(&staging, e))?;
    let written = files
        .map(|file| write_one(&staging, file?))
        .collect::<Result<Vec<()>>>();
    match written {
        Ok(done) => swap_in(&staging, target, parent, &name).map(|()| done.len()),
        Err(err) => {
            let _ = fs::remove_dir_all(&staging);
            Err(err)
        }
    }
}

fn write_one(root: &Path, file: OutputFile) -> Result<()> {
    let path = root.join(&file.path);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
    }
    fs::write(&path, &file.bytes).map_err(|e| Error::write(&path, e))
}

/// Replaces `target` with `staging`: old output aside, new output in, old removed.
fn swap_in(staging: &Path, target: &Path, parent: &Path, name: &str) -> Result<()> {
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let had_old = target.exists();
    if had_old {
        fs::rename(target, &old).map_err(|e| Error::write(target, e))?;
    }
    if let Err(e) = fs::rename(staging, target) {
        if had_old {
            let _ = fs::rename(&old, target);
        }
        let _ = fs::remove_dir_all(staging);
        return Err(Error::write(target, e));
    }
    if had_old {
        // The new site is in place; failing to tidy up the old one is not an error.
        remove_tree(&old);
    }
    Ok(())
}

/// Removes a folder tree, its top-level entries in parallel (a large site
/// has thousands of post folders).
fn remove_tree(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        let paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.par_iter().for_each(|path| {
            let _ = if path.is_dir() {
                fs::remove_dir_all(path)
            } else {
                fs::remove_file(path)
            };
        });
    }
    let _ = fs::remove_dir_all(dir);
}

/// Removes staging folders left behind by a run that was killed.
fn remove_leftovers(parent: &Path, name: &str) {
    let prefixes = [format!(".{name}.tmp-"), format!(".{name}.old-")];
    if let Ok(entries) = fs::read_dir(parent) {
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            let file_name = file_name.to_string_lossy();
            if prefixes.iter().any(|p| file_name.starts_with(p.as_str())) {
                remove_tree(&entry.path());
            }
        }
    }
}

/// Writes `files` into `dir`, refusing to replace existing files unless `force`.
/// Returns the paths written. Used for `new` and `templates eject`.
pub fn write_new(dir: &Path, files: &[(PathBuf, String)], force: bool) -> Result<Vec<PathBuf>> {
    let existing: Vec<String> = files
        .iter()
        .map(|(p, _)| dir.join(p))
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !force && !existing.is_empty() {
        return Err(Error::Usage(format!(
            "{} already exist{}; nothing was written (use --force to replace)",
            existing.join(", "),
            if existing.len() == 1 { "s" } else { "" }
        )));
    }
    fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
    let mut written = Vec::new();
    for (path, text) in files {
        let path = dir.join(path);
        fs::write(&path, text).map_err(|e| Error::write(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

/// Writes each of `files` into `dir` unless a file of that name exists there
/// (or whatever exists, when `replace`). Returns the paths written and the
/// paths left alone because they existed. Used by `import`.
pub fn write_missing(
    dir: &Path,
    files: &[(PathBuf, String)],
    replace: bool,
) -> Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
    let (mut written, mut existed) = (Vec::new(), Vec::new());
    for (name, text) in files {
        let path = dir.join(name);
        let mut options = fs::OpenOptions::new();
        if replace {
            options.write(true).create(true).truncate(true);
        } else {
            options.write(true).create_new(true);
        }
        match options.open(&path) {
            Ok(mut file) => {
                std::io::Write::write_all(&mut file, text.as_bytes())
                    .map_err(|e| Error::write(&path, e))?;
                written.push(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => existed.push(path),
            Err(e) => return Err(Error::write(&path, e)),
        }
    }
    Ok((written, existed))
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

    #[test]
    fn swaps_in_a_complete_site() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let n = write_site(
            &target,
            vec![file("index.html", "a"), file("x/index.html", "b")].into_par_iter(),
        )
        .unwrap();
        assert_eq!(n, 2);
        assert_eq!(
            fs::read_to_string(target.join("x/index.html")).unwrap(),
            "b"
        );
        write_site(&target, vec![file("index.html", "c")].into_par_iter()).unwrap();
        assert_eq!(fs::read_to_string(target.join("index.html")).unwrap(), "c");
        assert!(!target.join("x").exists(), "stale files are gone");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no staging folders left"
        );
    }

    #[test]
    fn failure_keeps_the_old_site() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        write_site(&target, vec![file("index.html", "old")].into_par_iter()).unwrap();
        let failing = vec![file("index.html", "new"), Err(Error::Usage("boom".into()))];
        assert!(write_site(&target, failing.into_par_iter()).is_err());
        assert_eq!(
            fs::read_to_string(target.join("index.html")).unwrap(),
            "old"
        );
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no staging folders left"
        );
    }

    #[test]
    fn write_missing_leaves_existing_files_alone() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![(PathBuf::from("a.md"), "one".to_string())];
        assert_eq!(write_missing(dir.path(), &files, false).unwrap().0.len(), 1);
        let two = vec![
            (PathBuf::from("a.md"), "two".to_string()),
            (PathBuf::from("b.md"), "b".into()),
        ];
        let (written, existed) = write_missing(dir.path(), &two, false).unwrap();
        assert_eq!(
            (written, existed),
            (vec![dir.path().join("b.md")], vec![dir.path().join("a.md")])
        );
        assert_eq!(fs::read_to_string(dir.path().join("a.md")).unwrap(), "one");
        write_missing(dir.path(), &two, true).unwrap();
        assert_eq!(fs::read_to_string(dir.path().join("a.md")).unwrap(), "two");
    }

    #[test]
    fn write_new_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![(PathBuf::from("a.md"), "one".to_string())];
        write_new(dir.path(), &files, false).unwrap();
        assert!(write_new(dir.path(), &files, false).is_err());
        write_new(dir.path(), &[(PathBuf::from("a.md"), "two".into())], true).unwrap();
        assert_eq!(fs::read_to_string(dir.path().join("a.md")).unwrap(), "two");
    }
}
