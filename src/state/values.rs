//! The closed sets the ledger stores as text (a message's status, a digest's
//! mode), and what a value outside them means: an error naming the value,
//! its table and its digest, never a guess.

use std::fmt;

/// A delivery row's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    /// Not yet attempted.
    Pending,
    /// Its bytes are going to the server; not yet answered.
    Sending,
    /// Accepted by the server.
    Sent,
    /// Refused (the reply is kept); a rerun tries again.
    Failed,
    /// In flight when a run died: may or may not have arrived; never resent.
    Uncertain,
}

impl Status {
    pub(super) const ALL: [Status; 5] = [
        Status::Pending,
        Status::Sending,
        Status::Sent,
        Status::Failed,
        Status::Uncertain,
    ];

    /// The status the ledger's word `text` stands for, if any.
    pub(crate) fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The word the ledger (and the status JSON) uses.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Sending => "sending",
            Status::Sent => "sent",
            Status::Failed => "failed",
            Status::Uncertain => "uncertain",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value in the ledger that this herald does not know: written by a newer
/// herald or by hand. Reading on would mean guessing what it stands for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("table {table}{}: unknown {column} `{value}` (written by a newer herald, or by hand)", digest.as_ref().map_or(String::new(), |d| format!(", digest {d}")))]
pub struct Unknown {
    /// The table holding it.
    pub table: &'static str,
    /// Its column.
    pub column: &'static str,
    /// The value as stored.
    pub value: String,
    /// The digest its row belongs to, when the reader knows it.
    pub digest: Option<String>,
}

impl Unknown {
    /// The fault of finding `value` in `table`.`column` of digest `digest`'s rows.
    pub(super) fn fault(
        table: &'static str,
        column: &'static str,
        value: &str,
        digest: &str,
    ) -> Fault {
        Fault::Unknown(Unknown {
            table,
            column,
            value: value.to_string(),
            digest: Some(digest.to_string()),
        })
    }
}

/// Why the ledger could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum Fault {
    /// SQLite failed (the file is unreadable, corrupt, locked, ...).
    #[error(transparent)]
    Sql(rusqlite::Error),
    /// PostgreSQL failed (unreachable, refused the login, went away, ...).
    #[error(transparent)]
    Postgres(postgres::Error),
    /// TLS to the database server could not be set up (the `ca_file`).
    #[error("{0}")]
    Tls(String),
    /// A column holds a value of the wrong kind (changed by hand).
    #[error("column {column} of a ledger row holds a value of the wrong kind (changed by hand?)")]
    Shape {
        /// The column's position in the query.
        column: usize,
    },
    /// A value this herald does not know.
    #[error(transparent)]
    Unknown(Unknown),
    /// The ledger was written by a newer herald: refused rather than misread.
    #[error("the ledger has schema version {found}, newer than this herald knows ({known}); use the herald that wrote it, or a newer one")]
    Newer {
        /// The ledger's schema version.
        found: i64,
        /// The newest version this herald knows.
        known: i64,
    },
}

impl From<rusqlite::Error> for Fault {
    fn from(e: rusqlite::Error) -> Self {
        Fault::Sql(e)
    }
}

impl From<postgres::Error> for Fault {
    fn from(e: postgres::Error) -> Self {
        Fault::Postgres(e)
    }
}

impl Fault {
    /// Whether the database went away (a server restart, a cut connection,
    /// a server not answering): a later run can go on where this one stopped.
    pub fn is_temporary(&self) -> bool {
        let Fault::Postgres(e) = self else {
            return false;
        };
        if e.is_closed() {
            return true;
        }
        match e.code() {
            // Class 08 (connection exception), 57P0x (the server shuts down
            // or is starting).
            Some(code) => code.code().starts_with("08") || code.code().starts_with("57P"),
            // No SQLSTATE: the connection itself failed (refused, reset),
            // unless TLS refused the server (its certificate, for another
            // name or from another CA): a person must fix that.
            None => std::error::Error::source(e)
                .and_then(|s| s.downcast_ref::<std::io::Error>())
                .is_some_and(|io| {
                    !io.get_ref()
                        .is_some_and(|inner| inner.is::<rustls::Error>())
                }),
        }
    }
}
