//! The image cache, `[images] cache`: every read and write of it is here.
//!
//! An entry is a folder named by the content hash of the original image and
//! the settings it was processed with, holding the encoded copies and
//! `entry.json` listing them. Entries are written into a temporary folder and
//! renamed into place, so a killed build never leaves half an entry; an
//! entry missing any file is treated as absent and made again.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::picture::Encoded;

/// The cache folder.
#[derive(Debug, Clone)]
pub(super) struct Cache {
    dir: PathBuf,
}

/// One cached copy: its file in the entry and its size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Copy {
    /// The configured width; `None` for the full-size copy.
    pub target: Option<u32>,
    pub width: u32,
    pub height: u32,
    /// The file name inside the entry's folder.
    pub file: String,
}

const INDEX: &str = "entry.json";

impl Cache {
    pub(super) fn new(dir: &Path) -> Cache {
        Cache {
            dir: dir.to_path_buf(),
        }
    }

    /// The path of `copy` in the entry `key`.
    pub(super) fn path(&self, key: &str, copy: &Copy) -> PathBuf {
        self.dir.join(key).join(&copy.file)
    }

    /// The copies of entry `key`, if it is complete.
    pub(super) fn get(&self, key: &str) -> Option<Vec<Copy>> {
        let text = fs::read(self.dir.join(key).join(INDEX)).ok()?;
        let copies: Vec<Copy> = serde_json::from_slice(&text).ok()?;
        self.has(key, &copies).then_some(copies)
    }

    /// Whether every file of `copies`, recorded for entry `key`, is there:
    /// without reading the entry's list, for an image the sources index
    /// knows.
    pub(super) fn has(&self, key: &str, copies: &[Copy]) -> bool {
        copies.iter().all(|c| self.path(key, c).is_file())
    }

    /// Stores `encoded` as entry `key` (files named `<width>.<ext>`,
    /// `full.<ext>`), replacing an incomplete one.
    pub(super) fn put(&self, key: &str, ext: &str, encoded: &[Encoded]) -> io::Result<Vec<Copy>> {
        let tmp = self.dir.join(format!(".{key}.tmp-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp)?;
        let mut copies = Vec::with_capacity(encoded.len());
        for e in encoded {
            let file = match e.target {
                Some(w) => format!("{w}.{ext}"),
                None => format!("full.{ext}"),
            };
            fs::write(tmp.join(&file), &e.bytes)?;
            copies.push(Copy {
                target: e.target,
                width: e.width,
                height: e.height,
                file,
            });
        }
        fs::write(tmp.join(INDEX), serde_json::to_vec(&copies)?)?;
        // Another build sharing the cache (`build --out` elsewhere) may
        // have stored the same entry meanwhile: keep that one.
        if let Some(stored) = self.get(key) {
            let _ = fs::remove_dir_all(&tmp);
            return Ok(stored);
        }
        let entry = self.dir.join(key);
        let _ = fs::remove_dir_all(&entry);
        if let Err(e) = fs::rename(&tmp, &entry) {
            let _ = fs::remove_dir_all(&tmp);
            return self.get(key).ok_or(e);
        }
        Ok(copies)
    }

    /// Removes every entry not in `keep`, and temporary folders and files of
    /// builds that are no longer running. Returns how many were removed.
    pub(super) fn prune(&self, keep: &HashSet<String>) -> io::Result<usize> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let mut removed = 0;
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            // Only folders named like entries: nothing else of the user's.
            let is_dir = entry.file_type()?.is_dir();
            let ours = match name.rsplit_once(".tmp-") {
                Some((_, pid)) => name.starts_with('.') && !is_running(pid),
                None => is_dir && name.bytes().all(|b| b.is_ascii_hexdigit()),
            };
            if ours && !keep.contains(&name) {
                // A temporary file is the sources index's (`sources.rs`).
                if is_dir {
                    fs::remove_dir_all(entry.path())?;
                } else {
                    fs::remove_file(entry.path())?;
                }
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// Whether the process `pid` runs (its temporary folder is in use).
fn is_running(pid: &str) -> bool {
    pid.parse::<u32>()
        .is_ok_and(|pid| Path::new("/proc").join(pid.to_string()).exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(&dir.path().join("images"));
        assert_eq!(cache.get("ab12"), None);
        let encoded = [Encoded {
            target: Some(16),
            width: 16,
            height: 8,
            bytes: b"jpeg".to_vec(),
        }];
        let copies = cache.put("ab12", "jpg", &encoded).unwrap();
        assert_eq!(cache.get("ab12"), Some(copies.clone()));
        assert_eq!(fs::read(cache.path("ab12", &copies[0])).unwrap(), b"jpeg");
        cache.put("cd34", "jpg", &encoded).unwrap();
        fs::remove_file(cache.path("cd34", &copies[0])).unwrap();
        assert_eq!(cache.get("cd34"), None, "an incomplete entry is absent");
        let keep = HashSet::from(["ab12".to_string()]);
        assert_eq!(cache.prune(&keep).unwrap(), 1);
        assert!(cache.get("ab12").is_some());
    }
}
