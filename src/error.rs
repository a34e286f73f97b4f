//! The error type of a whole run and the exit codes it maps to.

use std::io;
use std::path::PathBuf;

use crate::diag::Diagnostic;

/// Exit codes, documented in the README.
pub mod exit {
    /// Everything done (or nothing to do).
    pub const OK: u8 = 0;
    /// A runtime failure: a file could not be read or written, a transport stopped.
    pub const FAILURE: u8 = 1;
    /// Bad input: a command-line, config, post or template problem (one that fails
    /// while rendering too). Nothing was written.
    pub const INVALID_INPUT: u8 = 2;
    /// Some recipients of the digest were not served; a rerun retries them.
    pub const NOT_SERVED: u8 = 3;
    /// Another run holds the digest lock; nothing was sent.
    pub const LOCKED: u8 = 4;
    /// A temporary failure (server down, throttled, quota used up): try later.
    pub const TEMPORARY: u8 = 75;
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in the user's files, each with file and line.
    #[error("{} problem{} found; nothing was written", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    Invalid(Vec<Diagnostic>),
    /// A bad command-line argument or a request that cannot be honoured.
    #[error("{0}")]
    Usage(String),
    /// A file or folder could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// A file or folder could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// The CSS of a rendered HTML template could not be inlined.
    #[error("cannot inline the CSS of `{name}`")]
    Inline {
        /// The template whose HTML it was.
        name: String,
        /// The inliner's error.
        #[source]
        source: Box<css_inline::InlineError>,
    },
    /// A digest message could not be assembled from its rendered parts.
    #[error("cannot build the digest message")]
    Message {
        /// lettre's error.
        #[source]
        source: Box<lettre::error::Error>,
    },
    /// A feed could not be serialised.
    #[error("cannot write the {kind} feed")]
    Feed {
        /// `RSS`, `Atom` or `JSON`.
        kind: &'static str,
        /// The feed crate's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The digest state (the ledger: a SQLite file, or a PostgreSQL
    /// database named by its URL) could not be read or written.
    #[error("the digest state in {} failed", path.display())]
    State {
        /// The SQLite file, or the PostgreSQL URL without its password.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: crate::state::Fault,
    },
    /// Another run is sending: the lock file is held.
    #[error("another herald digest run holds {}; nothing was sent (try again when it has finished)", .0.display())]
    Locked(PathBuf),
    /// Another build is writing the same output folder.
    #[error("another herald build is writing {}; nothing was written (try again when it has finished)", .0.display())]
    BuildLocked(PathBuf),
    /// The output exists but herald did not write it: it is never replaced.
    #[error("{} holds files that herald did not write (it has no `.herald-output` marker); every build replaces the whole output folder, so herald refuses to touch it. Move those files elsewhere, or point `[paths] output` (or `--out`) at a new or empty folder", .0.display())]
    NotOurs(PathBuf),
    /// The run ended with recipients not served (failed or never attempted):
    /// `unserved` messages, of which the server refused `refused` for good.
    #[error("{}", not_served(*.unserved, *.refused))]
    NotServed {
        /// Messages not served.
        unserved: usize,
        /// Of those, refused for good by the server.
        refused: usize,
    },
    /// Delivery stopped on a temporary condition (server unreachable, quota,
    /// throttling), with the transport's failure when there was one.
    #[error("delivery stopped: {what}; try again later")]
    Temporary {
        /// What stopped it, in words.
        what: String,
        /// The transport's failure.
        #[source]
        source: Option<Cause>,
    },
    /// `serve` could not listen on its port, watch the files or handle
    /// Ctrl-C.
    #[error("{what}")]
    Serve {
        /// What could not be done.
        what: String,
        /// What the system said.
        #[source]
        source: Cause,
    },
    /// Delivery stopped on a condition a person must fix (for example bad
    /// credentials), with the transport's failure when there was one.
    #[error("delivery stopped: {what}")]
    Delivery {
        /// What stopped it, in words.
        what: String,
        /// The transport's failure.
        #[source]
        source: Option<Cause>,
    },
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Invalid(_) | Error::Usage(_) | Error::NotOurs(_) => exit::INVALID_INPUT,
            // The database went away: nothing more could be recorded, so
            // the run stopped; a later one goes on where it stopped.
            Error::State { source, .. } if source.is_temporary() => exit::TEMPORARY,
            Error::Read { .. }
            | Error::Write { .. }
            | Error::Inline { .. }
            | Error::Message { .. }
            | Error::Feed { .. }
            | Error::State { .. }
            | Error::Serve { .. }
            | Error::Delivery { .. } => exit::FAILURE,
            Error::NotServed { .. } => exit::NOT_SERVED,
            Error::Locked(_) | Error::BuildLocked(_) => exit::LOCKED,
            Error::Temporary { .. } => exit::TEMPORARY,
        }
    }

    /// The error as printed: each problem on its line, then `error: …`
    /// and a `caused by: …` line for each cause.
    pub fn report(&self) -> String {
        use std::error::Error as _;
        let mut text = String::new();
        if let Error::Invalid(problems) = self {
            for problem in problems {
                text.push_str(&format!("{problem}\n"));
            }
        }
        text.push_str(&format!("error: {self}\n"));
        let mut cause = self.source();
        while let Some(c) = cause {
            text.push_str(&format!("caused by: {c}\n"));
            cause = c.source();
        }
        text
    }

    /// Shorthand for a write error.
    pub fn write(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Write {
            path: path.into(),
            source,
        }
    }

    /// Shorthand for a read error.
    pub fn read(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Read {
            path: path.into(),
            source,
        }
    }
}

/// The transport's failure under a stopped delivery: any error, so that
/// this module needs to know no transport.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Only messages that failed for a while are worth a rerun; the ones the
/// server refused for good (5xx) need their addresses fixed.
fn not_served(unserved: usize, refused: usize) -> String {
    let refused = refused.min(unserved);
    let temporary = unserved - refused;
    match (refused, temporary) {
        (0, n) => format!("{n} message(s) not delivered; run `herald digest` again to retry them"),
        (n, 0) => format!(
            "{n} message(s) refused for good (5xx): fix or remove those addresses (see the warnings above); a rerun would be refused again"
        ),
        (r, t) => format!(
            "{unserved} message(s) not delivered: {r} refused for good (fix or remove those addresses), {t} failed for a while; run `herald digest` again to retry those {t}"
        ),
    }
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn a_message_or_css_failure_is_a_runtime_failure_with_its_cause() {
        let message = Error::Message {
            source: Box::new(lettre::error::Error::MissingTo),
        };
        let css = Error::Inline {
            name: "digest.html".into(),
            source: Box::new(css_inline::InlineError::ParseError("a{".into())),
        };
        for err in [message, css] {
            assert_eq!(err.exit_code(), exit::FAILURE, "{err}");
            assert!(err.source().is_some(), "{err}");
            assert!(!err.to_string().contains("template"), "{err}");
        }
    }
}
