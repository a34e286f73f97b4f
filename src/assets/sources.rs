//! What the last build knew about each source image, so that a warm build
//! finds an unchanged image's cache entry without reading and hashing it.
//!
//! `sources.json` in the cache folder maps each image's path to its file
//! system stamp (size, modification and change times to the nanosecond,
//! inode, device: what Git and Make trust) and the settings fingerprint,
//! and from those to the cache key. An image whose stamp and settings are
//! as recorded is taken to have the recorded content; anything else is
//! read and hashed as before. The known trade-off, the same as Git's and
//! Make's: a file rewritten in place with its size kept and both times set
//! back (the change time cannot be set back without changing the clock) is
//! not noticed.
//!
//! "Racy Git": a file changed within the same clock tick as it was
//! recorded would keep its stamp. An entry is trusted only if both its
//! times are older than the whole second in which the index was written
//! (its file's own modification time), which covers every file system's
//! granularity up to one second; an untrusted image is simply hashed again.
//!
//! The index is an optimisation only: the output depends on the cache key,
//! which is the content's hash. A missing, corrupt or foreign index is
//! ignored and rebuilt; one that cannot be written is left alone.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::cache::Copy;

const FILE: &str = "sources.json";

/// Raised when the layout changes: an index of another version is ignored.
const VERSION: u32 = 2;

/// A source file's stamp: if it is the same, the content is taken to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Stamp {
    size: u64,
    /// Modification time, nanoseconds since the epoch.
    mtime: i128,
    /// Status change time, nanoseconds since the epoch (0 where unknown).
    ctime: i128,
    inode: u64,
    device: u64,
}

impl Stamp {
    /// The stamp of the file `meta` describes.
    #[cfg(unix)]
    pub(super) fn of(meta: &fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        let nanos = |s: i64, ns: i64| i128::from(s) * 1_000_000_000 + i128::from(ns);
        Stamp {
            size: meta.size(),
            mtime: nanos(meta.mtime(), meta.mtime_nsec()),
            ctime: nanos(meta.ctime(), meta.ctime_nsec()),
            inode: meta.ino(),
            device: meta.dev(),
        }
    }

    /// The stamp of the file `meta` describes.
    #[cfg(not(unix))]
    pub(super) fn of(meta: &fs::Metadata) -> Stamp {
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128);
        Stamp {
            size: meta.len(),
            mtime,
            ctime: 0,
            inode: 0,
            device: 0,
        }
    }
}

/// What is recorded about one source image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Known {
    pub stamp: Stamp,
    /// The fingerprint of the settings its copies were made with.
    pub settings: String,
    /// Its cache key.
    pub key: String,
    /// Its entry's copies, so that the entry's own list need not be read.
    pub copies: Vec<Copy>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    version: u32,
    sources: BTreeMap<PathBuf, Known>,
}

/// The index as read at the start of a build.
#[derive(Debug, Default)]
pub(super) struct Sources {
    known: BTreeMap<PathBuf, Known>,
    /// Entries with a time at or after this (nanoseconds) are not trusted.
    trusted_before: i128,
}

impl Sources {
    /// The index in the cache folder `dir`; empty if it is missing, corrupt
    /// or of another version.
    pub(super) fn load(dir: &Path) -> Sources {
        let path = dir.join(FILE);
        let read = || -> Option<Sources> {
            let written = fs::metadata(&path).ok()?.modified().ok()?;
            let secs = written.duration_since(UNIX_EPOCH).ok()?.as_secs();
            let stored: Stored = serde_json::from_slice(&fs::read(&path).ok()?).ok()?;
            (stored.version == VERSION).then(|| Sources {
                known: stored.sources,
                trusted_before: i128::from(secs) * 1_000_000_000,
            })
        };
        read().unwrap_or_default()
    }

    /// What is known of `source`, if its stamp and settings are as recorded
    /// and the record is older than the index's own write.
    pub(super) fn get(&self, source: &Path, stamp: &Stamp, settings: &str) -> Option<&Known> {
        let known = self.known.get(source)?;
        let old = stamp.mtime < self.trusted_before && stamp.ctime < self.trusted_before;
        (old && known.stamp == *stamp && known.settings == settings).then_some(known)
    }

    /// Writes the index of `seen` (this build's images) to `dir`; with
    /// `keep_others`, the entries of images this build did not see stay.
    /// Written to a temporary file and renamed, so a reader never sees half
    /// of it. A failure is ignored: the next build hashes the images again.
    pub(super) fn save(self, dir: &Path, seen: Vec<(PathBuf, Known)>, keep_others: bool) {
        let mut sources = if keep_others {
            self.known
        } else {
            BTreeMap::new()
        };
        sources.extend(seen);
        let stored = Stored {
            version: VERSION,
            sources,
        };
        let tmp = dir.join(format!(".{FILE}.tmp-{}", std::process::id()));
        let written = serde_json::to_vec(&stored)
            .map_err(std::io::Error::from)
            .and_then(|bytes| fs::write(&tmp, bytes))
            .and_then(|()| fs::rename(&tmp, dir.join(FILE)));
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(stamp: Stamp) -> Known {
        Known {
            stamp,
            settings: "s1".into(),
            key: "ab12".into(),
            copies: Vec::new(),
        }
    }

    fn stamp(mtime: i128, ctime: i128) -> Stamp {
        Stamp {
            size: 10,
            mtime,
            ctime,
            inode: 7,
            device: 1,
        }
    }

    #[test]
    fn only_an_unchanged_old_file_is_trusted() {
        let old = stamp(1_000, 2_000);
        let sources = Sources {
            known: BTreeMap::from([(PathBuf::from("a.jpg"), known(old))]),
            trusted_before: 5_000,
        };
        let a = Path::new("a.jpg");
        assert_eq!(
            sources.get(a, &old, "s1").map(|k| k.key.as_str()),
            Some("ab12")
        );
        assert_eq!(sources.get(Path::new("b.jpg"), &old, "s1"), None);
        assert_eq!(sources.get(a, &old, "s2"), None, "other settings");
        for changed in [
            Stamp { size: 11, ..old },
            Stamp { inode: 8, ..old },
            Stamp { device: 2, ..old },
            stamp(1_001, 2_000),
            stamp(1_000, 2_001),
        ] {
            assert_eq!(sources.get(a, &changed, "s1"), None, "{changed:?}");
        }
        // Racy: recorded in the tick the index was written in.
        let racy = Sources {
            trusted_before: 2_000,
            ..sources
        };
        assert_eq!(racy.get(a, &old, "s1"), None);
    }

    #[test]
    fn the_index_round_trips_and_a_bad_one_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Sources::load(dir.path()).known.is_empty(), "missing");
        let entry = (PathBuf::from("a.jpg"), known(stamp(1, 1)));
        Sources::default().save(dir.path(), vec![entry.clone()], false);
        let loaded = Sources::load(dir.path());
        assert_eq!(loaded.known, BTreeMap::from([entry.clone()]));
        assert!(loaded.trusted_before > 1, "the write time");
        // Kept for builds that do not prune, dropped by those that do.
        let other = (PathBuf::from("b.jpg"), known(stamp(2, 2)));
        loaded.save(dir.path(), vec![other.clone()], true);
        assert_eq!(Sources::load(dir.path()).known.len(), 2);
        Sources::load(dir.path()).save(dir.path(), vec![other], false);
        assert_eq!(Sources::load(dir.path()).known.len(), 1);

        for bad in [&b"{not json"[..], br#"{"version":99,"sources":{}}"#] {
            fs::write(dir.path().join(FILE), bad).unwrap();
            assert!(Sources::load(dir.path()).known.is_empty());
        }
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left");
    }
}
