//! Which files make the site, and watching them for changes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

use super::Signal;
use crate::config::paths::real_path;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::log::Log;

/// How long the files must be left alone before a build starts: an
/// editor's save is often several writes (and a rename) in a few
/// milliseconds, and one build covers them all.
const QUIET: Duration = Duration::from_millis(100);

/// The folders whose files make the site, from the config's `[paths]`:
/// one line each (the config file itself is watched besides these).
fn folders(config: &Config) -> Vec<&Path> {
    vec![
        &config.paths.posts,
        &config.paths.pages,
        &config.paths.templates,
        &config.paths.static_files,
    ]
}

/// Whether a change at `path` can change the site: the config file, or a
/// file in one of [`folders`] (or the folder itself, created or removed).
pub(super) fn concerns(config: &Config, path: &Path) -> bool {
    let real = |p: &Path| real_path(p).unwrap_or_else(|_| p.to_path_buf());
    path == real(&config.file)
        || folders(config)
            .into_iter()
            .any(|f| path.starts_with(real(f)))
}

/// The file system watch, with the changes it sees sent as [`Signal`]s.
pub(super) struct Watcher {
    inner: RecommendedWatcher,
    watched: BTreeMap<PathBuf, RecursiveMode>,
}

impl Watcher {
    /// Watches nothing yet; see [`Watcher::follow`].
    pub(super) fn new(signals: Sender<Signal>, log: Log) -> Result<Watcher> {
        let inner = notify::recommended_watcher(move |event: notify::Result<Event>| match event {
            Ok(event) if changes(&event.kind) => {
                // The main loop may be gone already: nothing left to tell.
                let _ = signals.send(Signal::Changed(event.paths));
            }
            Ok(_) => {}
            Err(e) => log.warn(format!("watching the site's files: {e}")),
        })
        .map_err(|e| Error::Serve {
            what: "cannot watch the site's files".into(),
            source: Box::new(e),
        })?;
        Ok(Watcher {
            inner,
            watched: BTreeMap::new(),
        })
    }

    /// Watches what `config` names, and no longer what it does not: the
    /// config may have moved a folder, or one may have been created.
    pub(super) fn follow(&mut self, config: &Config, log: &Log) {
        let wanted = targets(config);
        for path in self.watched.keys().filter(|p| !wanted.contains_key(*p)) {
            // A folder removed since is no longer watched anyway.
            let _ = self.inner.unwatch(path);
        }
        self.watched.retain(|path, _| wanted.contains_key(path));
        for (path, mode) in wanted {
            if self.watched.get(&path) == Some(&mode) {
                continue;
            }
            match self.inner.watch(&path, mode) {
                Ok(()) => {
                    self.watched.insert(path, mode);
                }
                Err(e) => log.warn(format!(
                    "cannot watch {}: {e}; changes there need a restart",
                    path.display()
                )),
            }
        }
    }
}

/// Whether an event can be a change of a file's content or of a folder's
/// files. Not opening and reading (every build reads every file, which
/// would start the next build), nor a file's metadata (its link count
/// changes when a build links it into the site).
fn changes(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(access) => *access == AccessKind::Close(AccessMode::Write),
        EventKind::Modify(modify) => !matches!(modify, ModifyKind::Metadata(_)),
        _ => true,
    }
}

/// Waits for changes, then for [`QUIET`] without one, and returns them all
/// as one; `None` once asked to stop.
pub(super) fn next_change(received: &mpsc::Receiver<Signal>) -> Option<Vec<PathBuf>> {
    let mut changed = match received.recv() {
        Ok(Signal::Changed(paths)) => paths,
        Ok(Signal::Stop) | Err(_) => return None,
    };
    loop {
        match received.recv_timeout(QUIET) {
            Ok(Signal::Changed(paths)) => changed.extend(paths),
            Ok(Signal::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            Err(mpsc::RecvTimeoutError::Timeout) => return Some(changed),
        }
    }
}

/// What to watch: the config file's folder alone (editors often save by
/// writing a new file and renaming it over the old, which a watch on the
/// file itself would lose track of; and a folder created there later is
/// seen), and each of [`folders`] that exists, with everything in it.
fn targets(config: &Config) -> BTreeMap<PathBuf, RecursiveMode> {
    let real = |p: &Path| real_path(p).ok();
    let mut wanted = BTreeMap::new();
    let folder = config.file.parent().unwrap_or(Path::new(""));
    if let Some(folder) = real(folder) {
        wanted.insert(folder, RecursiveMode::NonRecursive);
    }
    for folder in folders(config).into_iter().filter(|f| f.is_dir()) {
        if let Some(folder) = real(folder) {
            wanted.insert(folder, RecursiveMode::Recursive);
        }
    }
    wanted
}

#[cfg(test)]
mod tests {
    use notify::event::{CreateKind, DataChange, MetadataKind, RenameMode};

    use super::*;

    #[test]
    fn writes_renames_and_removals_are_changes_reads_are_not() {
        let yes = [
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Modify(ModifyKind::Name(RenameMode::To)),
            EventKind::Create(CreateKind::File),
            EventKind::Remove(notify::event::RemoveKind::Any),
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
        ];
        let no = [
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any)),
        ];
        assert!(yes.iter().all(changes));
        assert!(!no.iter().any(changes));
    }

    #[test]
    fn changes_close_together_are_one_and_a_stop_ends_the_wait() {
        let (send, receive) = mpsc::channel();
        send.send(Signal::Changed(vec!["a".into()])).unwrap();
        send.send(Signal::Changed(vec!["b".into()])).unwrap();
        assert_eq!(
            next_change(&receive),
            Some(vec![PathBuf::from("a"), PathBuf::from("b")])
        );
        send.send(Signal::Changed(vec!["c".into()])).unwrap();
        send.send(Signal::Stop).unwrap();
        assert_eq!(next_change(&receive), None);
    }

    #[test]
    fn the_config_and_the_site_folders_concern_the_site_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let root = real_path(dir.path()).unwrap();
        std::fs::write(root.join("config.toml"), "").unwrap();
        let text = "[site]\ntitle = \"T\"\ndescription = \"D\"\nbase_url = \"https://example.se/\"\nlanguage = \"sv\"\n[site.author]\nname = \"A\"\n[paths]\nstatic = \"assets\"\n";
        let config = Config::parse(&root.join("config.toml"), text).unwrap();
        for path in [
            "config.toml",
            "posts",
            "posts/a.md",
            "templates/post.hbs",
            "assets/x.png",
        ] {
            assert!(concerns(&config, &root.join(path)), "{path}");
        }
        for path in [
            "public/index.html",
            "static/x.png",
            ".config.toml.swp",
            "recipients.csv",
        ] {
            assert!(!concerns(&config, &root.join(path)), "{path}");
        }
    }
}
