//! Messages for the person at the terminal (or the cron mail): on stderr,
//! filtered by `-q`/`-v`. Passed down explicitly; there is no global logger.

/// How much to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Errors only (`-q`).
    Quiet,
    /// Warnings and one-line summaries (default).
    Normal,
    /// Everything (`-v`).
    Verbose,
}

/// Writes messages to stderr according to its level.
#[derive(Debug, Clone, Copy)]
pub struct Log {
    level: Level,
}

impl Log {
    /// A log at `level`.
    pub fn new(level: Level) -> Self {
        Log { level }
    }

    /// A warning: shown unless `-q`.
    pub fn warn(&self, message: impl AsRef<str>) {
        if self.level >= Level::Normal {
            eprintln!("warning: {}", message.as_ref());
        }
    }

    /// A summary line: shown unless `-q`.
    pub fn info(&self, message: impl AsRef<str>) {
        if self.level >= Level::Normal {
            eprintln!("{}", message.as_ref());
        }
    }

    /// Detail: only with `-v`.
    pub fn detail(&self, message: impl AsRef<str>) {
        if self.level >= Level::Verbose {
            eprintln!("{}", message.as_ref());
        }
    }
}
