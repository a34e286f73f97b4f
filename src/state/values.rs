//! The closed sets the ledger stores as text (a message's status, a digest's
//! mode), and what a value outside them means: an error naming the value,
//! its table and its digest, never a guess.

use std::fmt;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::Row;

use crate::config::Mode;

/// A delivery row's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
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
    const ALL: [Status; 5] = [
        Status::Pending,
        Status::Sending,
        Status::Sent,
        Status::Failed,
        Status::Uncertain,
    ];

    /// The word the ledger (and the status JSON) uses.
    pub fn as_str(self) -> &'static str {
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

impl ToSql for Status {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for Status {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        Status::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| Unknown::error("deliveries", "status", text))
    }
}

// A digest's mode is stored as the config writes it. Digests recorded before
// herald kept the mode have NULL there: read as `Option<Mode>`, they are `None`.
impl ToSql for Mode {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for Mode {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        [Mode::Group, Mode::Individual, Mode::Bcc]
            .into_iter()
            .find(|m| m.as_str() == text)
            .ok_or_else(|| Unknown::error("digests", "mode", text))
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
    /// The error `FromSql` gives for `value`, found in `table`.`column`.
    fn error(table: &'static str, column: &'static str, value: &str) -> FromSqlError {
        FromSqlError::Other(Box::new(Unknown {
            table,
            column,
            value: value.to_string(),
            digest: None,
        }))
    }
}

/// Column `idx` of a row of digest `digest`: an unknown value names the digest.
pub(super) fn column<T: FromSql>(row: &Row, idx: usize, digest: &str) -> rusqlite::Result<T> {
    use rusqlite::Error::FromSqlConversionFailure;
    row.get(idx).map_err(|e| match e {
        FromSqlConversionFailure(i, kind, inner) => match inner.downcast::<Unknown>() {
            Ok(mut unknown) => {
                unknown.digest = Some(digest.to_string());
                FromSqlConversionFailure(i, kind, unknown)
            }
            Err(inner) => FromSqlConversionFailure(i, kind, inner),
        },
        other => other,
    })
}

/// Why the ledger could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum Fault {
    /// SQLite failed (the file is unreadable, corrupt, locked, ...).
    #[error(transparent)]
    Sql(rusqlite::Error),
    /// A value this herald does not know.
    #[error(transparent)]
    Unknown(Unknown),
    /// The ledger was written by a newer herald: refused rather than misread.
    #[error("the ledger has schema version {found}, newer than this herald knows ({known}); use the herald that wrote it, or a newer one")]
    Newer {
        /// The ledger's `PRAGMA user_version`.
        found: i64,
        /// The newest version this herald knows.
        known: i64,
    },
}

impl From<rusqlite::Error> for Fault {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::Error::FromSqlConversionFailure;
        match e {
            FromSqlConversionFailure(i, kind, inner) => match inner.downcast::<Unknown>() {
                Ok(unknown) => Fault::Unknown(*unknown),
                Err(inner) => Fault::Sql(FromSqlConversionFailure(i, kind, inner)),
            },
            other => Fault::Sql(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;

    #[test]
    fn every_status_and_mode_comes_back_as_it_was_written() {
        let conn = Connection::open_in_memory().unwrap();
        for status in Status::ALL {
            let back: Status = conn.query_row("SELECT ?1", [status], |r| r.get(0)).unwrap();
            assert_eq!(back, status);
        }
        for mode in [
            Some(Mode::Group),
            Some(Mode::Individual),
            Some(Mode::Bcc),
            None,
        ] {
            let back: Option<Mode> = conn.query_row("SELECT ?1", [mode], |r| r.get(0)).unwrap();
            assert_eq!(back, mode);
        }
    }

    #[test]
    fn an_unknown_value_is_an_error_naming_it_its_table_and_its_digest() {
        let conn = Connection::open_in_memory().unwrap();
        let read = conn.query_row("SELECT 'bounced'", [], |r| {
            column::<Status>(r, 0, "2013-W39")
        });
        let Fault::Unknown(unknown) = Fault::from(read.unwrap_err()) else {
            panic!("not an unknown value");
        };
        assert_eq!(
            unknown.to_string(),
            "table deliveries, digest 2013-W39: unknown status `bounced` (written by a newer herald, or by hand)"
        );
    }
}
