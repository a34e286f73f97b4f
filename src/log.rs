//! Messages for the person at the terminal (or the cron mail): on stderr,
//! filtered by `-q`/`-v`. Passed down explicitly; there is no global logger.

/// How much to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    /// Errors only (`-q`).
    Quiet,
    /// Warnings and one-line summaries (default).
    Normal,
    /// Everything (`-v`).
    Verbose,
}

/// Writes messages to stderr according to its level.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Log {
    level: Level,
    /// The level from which summary lines ([`Log::info`]) are shown.
    summaries: Level,
}

impl Log {
    /// A log at `level`.
    pub(crate) fn new(level: Level) -> Self {
        Log {
            level,
            summaries: Level::Normal,
        }
    }

    /// The same log with summary lines shown only with `-v`: for cron, where
    /// any output becomes a mail, a run that went to plan says nothing.
    pub(crate) fn for_cron(self) -> Self {
        Log {
            summaries: Level::Verbose,
            ..self
        }
    }

    /// Whether only errors are shown (`-q`).
    pub(crate) fn is_quiet(&self) -> bool {
        self.level == Level::Quiet
    }

    /// A warning: shown unless `-q`.
    pub(crate) fn warn(&self, message: impl AsRef<str>) {
        if self.level >= Level::Normal {
            eprintln!("warning: {}", message.as_ref());
        }
    }

    /// A summary line: shown unless `-q` (or, [`Log::for_cron`], unless `-v`).
    pub(crate) fn info(&self, message: impl AsRef<str>) {
        if self.level >= self.summaries {
            eprintln!("{}", message.as_ref());
        }
    }

    /// Detail: only with `-v`.
    pub(crate) fn detail(&self, message: impl AsRef<str>) {
        if self.level >= Level::Verbose {
            eprintln!("{}", message.as_ref());
        }
    }
}
