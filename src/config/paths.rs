//! Which folder a build may replace.
//!
//! A build replaces its whole output folder, so the output must never be, or
//! contain, anything else of the user's: the posts, the templates, the config
//! file's folder, the standalone pages, the ledger, the recipients file, the outbox, the home folder.
//! Paths are compared as the file system sees them (`..` and symlinks
//! resolved), because `output = "../site"` or a symlinked `public/` name the
//! same folders as the plain spellings.

use std::io;
use std::path::{Component, Path, PathBuf};

/// The user's files and folders that an output folder must not swallow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guarded {
    /// `[paths] posts`.
    Posts,
    /// `[paths] templates`.
    Templates,
    /// `[paths] static`.
    Static,
    /// `[paths] pages`.
    Pages,
    /// `[images] cache`.
    ImageCache,
    /// The folder holding `config.toml`.
    ConfigFolder,
    /// `[digest] state`.
    Ledger,
    /// `[digest] recipients`.
    Recipients,
    /// `[delivery] outbox`.
    Outbox,
    /// `$HOME`.
    Home,
}

impl Guarded {
    fn describe(self) -> &'static str {
        match self {
            Guarded::Posts => "the posts folder",
            Guarded::Templates => "the templates folder",
            Guarded::Static => "the static folder",
            Guarded::Pages => "the pages folder",
            Guarded::ImageCache => "the image cache",
            Guarded::ConfigFolder => "the folder of the config file",
            Guarded::Ledger => "the digest ledger",
            Guarded::Recipients => "the recipients file",
            Guarded::Outbox => "the outbox folder",
            Guarded::Home => "the home folder",
        }
    }

    /// Posts and templates are read by the build: an output inside them
    /// would be read back as input, or replaced along with them.
    fn refuses_inside(self) -> bool {
        matches!(
            self,
            Guarded::Posts | Guarded::Templates | Guarded::Static | Guarded::Pages
        )
    }
}

/// Why a folder may not be used as the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap {
    /// What the output would swallow.
    pub guarded: Guarded,
    /// Its path, resolved.
    pub path: PathBuf,
    /// The output, resolved.
    pub output: PathBuf,
}

impl Overlap {
    /// What is wrong, for a message that starts with the key or flag naming the output.
    pub fn explain(&self) -> String {
        let relation = if self.path == self.output {
            "is"
        } else if self.output.starts_with(&self.path) {
            "lies inside"
        } else {
            "contains"
        };
        format!(
            "`{}` {relation} {} ({}); every build replaces the whole output folder, so herald \
             refuses it. Use a folder of its own, such as `public`",
            self.output.display(),
            self.guarded.describe(),
            self.path.display()
        )
    }
}

/// The first of the `guarded` paths that a build into `output` would replace.
pub fn overlap(guarded: &[(Guarded, PathBuf)], output: &Path) -> io::Result<Option<Overlap>> {
    let output = real_path(output)?;
    for &(guarded, ref path) in guarded {
        let path = real_path(path)?;
        let inside = guarded.refuses_inside() && output.starts_with(&path);
        if path.starts_with(&output) || inside {
            return Ok(Some(Overlap {
                guarded,
                path,
                output,
            }));
        }
    }
    Ok(None)
}

/// `path` as the file system resolves it: absolute, symlinks followed (a
/// dangling one too: it names where the folder will be), `.` and `..`
/// applied to the part that does not exist yet.
pub fn real_path(path: &Path) -> io::Result<PathBuf> {
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    resolve(&std::path::absolute(path)?, 0)
}

fn resolve(absolute: &Path, links: u32) -> io::Result<PathBuf> {
    let mut real = PathBuf::new();
    let mut exists = true;
    let mut components = absolute.components();
    while let Some(component) = components.next() {
        match component {
            Component::CurDir => {}
            // `real` is already resolved, so its parent is the true parent.
            Component::ParentDir => {
                real.pop();
            }
            other => {
                real.push(other);
                if !exists {
                    continue;
                }
                match real.canonicalize() {
                    Ok(resolved) => real = resolved,
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    Err(e) => match std::fs::read_link(&real) {
                        // Like the kernel, give up after 40 links.
                        Ok(_) if links >= 40 => return Err(e),
                        Ok(dest) => {
                            real.pop();
                            let rest = real.join(dest).join(components.as_path());
                            return resolve(&rest, links + 1);
                        }
                        Err(_) => exists = false,
                    },
                }
            }
        }
    }
    Ok(real)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_path_resolves_dots_and_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        std::fs::create_dir(base.join("site")).unwrap();
        assert_eq!(
            real_path(&base.join("site/../site/./x/../y")).unwrap(),
            base.join("site/y")
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(base.join("site"), base.join("link")).unwrap();
            assert_eq!(real_path(&base.join("link")).unwrap(), base.join("site"));
            assert_eq!(
                real_path(&base.join("link/new/..")).unwrap(),
                base.join("site")
            );
            std::os::unix::fs::symlink(base.join("site/later"), base.join("dangling")).unwrap();
            assert_eq!(
                real_path(&base.join("dangling")).unwrap(),
                base.join("site/later")
            );
        }
    }

    #[test]
    fn an_empty_path_is_the_working_folder() {
        assert_eq!(
            real_path(Path::new("")).unwrap(),
            std::env::current_dir().unwrap().canonicalize().unwrap()
        );
    }
}
