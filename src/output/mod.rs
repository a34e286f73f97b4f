//! Everything herald writes to disk outside the ledger: the built site
//! ([`write_site`], atomically and only into a folder of its own) and the
//! user's new files (`new`, `templates eject`, `import`), never overwritten
//! unless asked.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

mod site;
pub(crate) use site::{clash, write_site};

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path below the output folder, always relative and made of safe segments.
    pub path: PathBuf,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// A file of the built site copied from elsewhere: the static folder, a
/// post folder, the image cache. Copied after every generated file, and never
/// over one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CopiedFile {
    /// Path below the output folder, always relative and made of safe segments.
    pub path: PathBuf,
    /// The file to copy.
    pub source: PathBuf,
    /// Where it comes from, for a message naming both sides of a collision
    /// (the user's file, not the cache's).
    pub origin: PathBuf,
    /// The source is herald's own and never changed in place (the image
    /// cache writes new files and renames them): it is hard-linked rather
    /// than copied, which makes a build with every image cached nearly as
    /// fast as one without images. The user's files are always copied.
    pub link: bool,
}

/// Writes `files` into `dir`, refusing to replace existing files unless `force`.
/// Returns the paths written. Used for `new`, `init` and `templates eject`.
pub(crate) fn write_new(
    dir: &Path,
    files: &[(PathBuf, String)],
    force: bool,
) -> Result<Vec<PathBuf>> {
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
    let mut written = Vec::new();
    for (path, text) in files {
        let path = dir.join(path);
        let folder = path.parent().unwrap_or(dir);
        fs::create_dir_all(folder).map_err(|e| Error::write(folder, e))?;
        fs::write(&path, text).map_err(|e| Error::write(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

/// Writes each of `files` into `dir` unless a file of that name exists there
/// (or whatever exists, when `replace`). Returns the paths written and the
/// paths left alone because they existed. Used by `import`.
pub(crate) fn write_missing(
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
