//! The error type of a whole run and the exit codes it maps to.

use std::io;
use std::path::PathBuf;

use crate::diag::Diagnostic;

/// Exit codes, documented in the README.
pub mod exit {
    /// Everything done (or nothing to do).
    pub const OK: u8 = 0;
    /// A runtime failure: a file could not be read or written, a template failed to render.
    pub const FAILURE: u8 = 1;
    /// Bad input: a command-line, config, post or template problem. Nothing was written.
    pub const INVALID_INPUT: u8 = 2;
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
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A file or folder could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A template failed while rendering (for example a missing variable in strict mode).
    #[error("template `{name}` failed to render")]
    Render {
        name: String,
        #[source]
        source: Box<handlebars::RenderError>,
    },
    /// A feed could not be serialised.
    #[error("cannot write the {kind} feed")]
    Feed {
        kind: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Invalid(_) | Error::Usage(_) => exit::INVALID_INPUT,
            Error::Read { .. }
            | Error::Write { .. }
            | Error::Render { .. }
            | Error::Feed { .. } => exit::FAILURE,
        }
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

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
