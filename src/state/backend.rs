//! The one seam between the ledger and its database: SQLite or PostgreSQL.
//! The ledger's queries are written once, in the SQL both understand, with
//! numbered parameters (`?1`); values cross the seam as [`Value`]s, so the
//! ledger never sees which database answers.

use std::cell::RefCell;
use std::collections::HashMap;

use postgres::types::{IsNull, ToSql as PgToSql, Type};
use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};

use super::values::{Fault, Unknown};
use super::Status;
use crate::config::Mode;

/// An open connection to the ledger's database.
pub(super) enum Backend {
    Sqlite(rusqlite::Connection),
    // Boxed: a session with its statement cache is large, and it is one per ledger.
    Postgres(Box<Pg>),
}

/// A PostgreSQL session with its prepared statements. `scratch`: the
/// session is inside a transaction that is never committed (dry runs and
/// `herald status` see the ledger but change nothing).
pub(super) struct Pg {
    pub client: RefCell<postgres::Client>,
    pub statements: RefCell<HashMap<String, postgres::Statement>>,
    pub scratch: bool,
}

/// A value going into or coming out of the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Value {
    Null,
    Int(i64),
    Text(String),
}

/// One row of a query's answer.
pub(super) struct Row(Vec<Value>);

impl Backend {
    /// Runs one statement; returns how many rows it changed.
    pub(super) fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, Fault> {
        match self {
            Backend::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                Ok(stmt.execute(rusqlite::params_from_iter(params))? as u64)
            }
            Backend::Postgres(pg) => {
                let stmt = pg.statement(sql)?;
                Ok(pg.client.borrow_mut().execute(&stmt, &pg_params(params))?)
            }
        }
    }

    /// Runs one `UPDATE … WHERE …` as its own transaction, committed
    /// without waiting for the database's disk: for PostgreSQL
    /// `synchronous_commit = off` for this transaction alone, which saves a
    /// flush of the server's log per message. Only for a change that is safe
    /// to lose in a crash of the database server: the next synchronous
    /// commit (every `sending` is one) flushes it too, as the log is written
    /// in order. SQLite never flushes per commit (`synchronous=NORMAL`, see
    /// open.rs).
    pub(super) fn execute_lazily(&self, sql: &str, params: &[Value]) -> Result<u64, Fault> {
        match self {
            // One statement, one round trip: `set_config(…, true)` holds for
            // the statement's own transaction, whose commit reads it. A
            // `BEGIN; SET LOCAL …` batch and a `COMMIT` took two more, and
            // round trips, not flushes, bound the send rate.
            Backend::Postgres(pg) if !pg.scratch => self.execute(
                &format!("{sql} AND set_config('synchronous_commit', 'off', true) IS NOT NULL"),
                params,
            ),
            _ => self.execute(sql, params),
        }
    }

    /// Runs one query; returns every row of its answer.
    pub(super) fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, Fault> {
        match self {
            Backend::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                let width = stmt.column_count();
                let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
                    (0..width).map(|i| sqlite_value(r.get_ref(i)?)).collect()
                })?;
                Ok(rows.map(|r| r.map(Row)).collect::<Result<_, _>>()?)
            }
            Backend::Postgres(pg) => {
                let stmt = pg.statement(sql)?;
                let rows = pg.client.borrow_mut().query(&stmt, &pg_params(params))?;
                rows.iter().map(pg_row).collect()
            }
        }
    }

    /// The first row of a query's answer, if any.
    pub(super) fn query_opt(&self, sql: &str, params: &[Value]) -> Result<Option<Row>, Fault> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Runs `f` as one transaction: all of it is committed, or none.
    pub(super) fn atomic<T, E: From<Fault>>(
        &self,
        f: impl FnOnce(&Backend) -> Result<T, E>,
    ) -> Result<T, E> {
        // A scratch session already is in a transaction that is never
        // committed: a savepoint nests in it.
        let (begin, commit, rollback) = match self {
            Backend::Postgres(pg) if pg.scratch => (
                "SAVEPOINT herald",
                "RELEASE SAVEPOINT herald",
                "ROLLBACK TO SAVEPOINT herald",
            ),
            _ => ("BEGIN", "COMMIT", "ROLLBACK"),
        };
        self.batch(begin)?;
        match f(self) {
            Ok(value) => Ok(self.batch(commit).map(|()| value)?),
            Err(err) => {
                // The error that made it fail is the one to report.
                let _ = self.batch(rollback);
                Err(err)
            }
        }
    }

    /// Runs statements without parameters.
    pub(super) fn batch(&self, sql: &str) -> Result<(), Fault> {
        match self {
            Backend::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Backend::Postgres(pg) => Ok(pg.client.borrow_mut().batch_execute(sql)?),
        }
    }
}

impl Pg {
    /// The prepared statement for `sql`, written with `?N` parameters.
    fn statement(&self, sql: &str) -> Result<postgres::Statement, Fault> {
        if let Some(stmt) = self.statements.borrow().get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self.client.borrow_mut().prepare(&numbered(sql))?;
        self.statements
            .borrow_mut()
            .insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }
}

/// `?N` (SQLite's numbered parameter) as PostgreSQL's `$N`. The ledger's
/// SQL has no `?` inside its string literals.
fn numbered(sql: &str) -> String {
    sql.replace('?', "$")
}

fn pg_params(params: &[Value]) -> Vec<&(dyn PgToSql + Sync)> {
    params.iter().map(|v| v as &(dyn PgToSql + Sync)).collect()
}

fn sqlite_value(value: ValueRef) -> rusqlite::Result<Value> {
    Ok(match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Text(_) => Value::Text(value.as_str()?.to_string()),
        ValueRef::Real(_) | ValueRef::Blob(_) => {
            return Err(rusqlite::Error::InvalidColumnType(
                0,
                String::new(),
                value.data_type(),
            ))
        }
    })
}

fn pg_row(row: &postgres::Row) -> Result<Row, Fault> {
    let values = row.columns().iter().enumerate().map(|(i, column)| {
        Ok(match *column.type_() {
            Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(Value::Int),
            Type::INT4 => row
                .try_get::<_, Option<i32>>(i)?
                .map(|n| Value::Int(n.into())),
            Type::BOOL => row
                .try_get::<_, Option<bool>>(i)?
                .map(|b| Value::Int(b.into())),
            _ => row.try_get::<_, Option<String>>(i)?.map(Value::Text),
        }
        .unwrap_or(Value::Null))
    });
    Ok(Row(values.collect::<Result<_, Fault>>()?))
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Owned(rusqlite::types::Value::Null),
            Value::Int(i) => ToSqlOutput::Owned((*i).into()),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

impl PgToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) if *ty == Type::INT4 => PgToSql::to_sql(&i32::try_from(*i)?, ty, out),
            Value::Int(i) => PgToSql::to_sql(i, ty, out),
            Value::Text(s) => PgToSql::to_sql(&s.as_str(), ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

impl Row {
    /// The row's values, in the query's column order.
    pub(super) fn into_values(self) -> Vec<Value> {
        self.0
    }

    fn get(&self, i: usize) -> &Value {
        self.0.get(i).unwrap_or(&Value::Null)
    }

    /// Column `i` as text; `NULL` where text is required is a damaged ledger.
    pub(super) fn text(&self, i: usize) -> Result<String, Fault> {
        self.opt_text(i)?.ok_or(Fault::Shape { column: i })
    }

    /// Column `i` as text or `NULL`.
    pub(super) fn opt_text(&self, i: usize) -> Result<Option<String>, Fault> {
        match self.get(i) {
            Value::Null => Ok(None),
            Value::Text(s) => Ok(Some(s.clone())),
            Value::Int(_) => Err(Fault::Shape { column: i }),
        }
    }

    /// Column `i` as a number.
    pub(super) fn int(&self, i: usize) -> Result<i64, Fault> {
        match self.get(i) {
            Value::Int(n) => Ok(*n),
            _ => Err(Fault::Shape { column: i }),
        }
    }

    /// Column `i` as a message number.
    pub(super) fn seq(&self, i: usize) -> Result<u32, Fault> {
        u32::try_from(self.int(i)?).map_err(|_| Fault::Shape { column: i })
    }

    /// Column `i` as a message status of digest `digest`.
    pub(super) fn status(&self, i: usize, digest: &str) -> Result<Status, Fault> {
        let text = self.text(i)?;
        Status::parse(&text).ok_or_else(|| Unknown::fault("deliveries", "status", &text, digest))
    }

    /// Column `i` as the mode of digest `digest` (`NULL` for digests
    /// recorded before herald kept it).
    pub(super) fn mode(&self, i: usize, digest: &str) -> Result<Option<Mode>, Fault> {
        self.opt_text(i)?
            .map(|text| {
                [Mode::Group, Mode::Individual, Mode::Bcc]
                    .into_iter()
                    .find(|m| m.as_str() == text)
                    .ok_or_else(|| Unknown::fault("digests", "mode", &text, digest))
            })
            .transpose()
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_string())
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::Text(s.clone())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Self {
        Value::Int(n.into())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl From<Status> for Value {
    fn from(s: Status) -> Self {
        s.as_str().into()
    }
}

impl From<Mode> for Value {
    fn from(m: Mode) -> Self {
        m.as_str().into()
    }
}

/// The parameters of one statement, each converted into a [`Value`].
macro_rules! values {
    ($($v:expr),* $(,)?) => { &[$($crate::state::backend::Value::from($v)),*] };
}
pub(super) use values;

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite() -> Backend {
        Backend::Sqlite(rusqlite::Connection::open_in_memory().unwrap())
    }

    #[test]
    fn every_status_and_mode_comes_back_as_it_was_written() {
        let db = sqlite();
        for status in Status::ALL {
            let back = db.query_opt("SELECT ?1", values![status]).unwrap();
            assert_eq!(back.unwrap().status(0, "2013-W39").unwrap(), status);
        }
        for mode in [
            Some(Mode::Group),
            Some(Mode::Individual),
            Some(Mode::Bcc),
            None,
        ] {
            let back = db.query_opt("SELECT ?1", values![mode]).unwrap();
            assert_eq!(back.unwrap().mode(0, "2013-W39").unwrap(), mode);
        }
    }

    #[test]
    fn an_unknown_value_is_an_error_naming_it_its_table_and_its_digest() {
        let row = sqlite()
            .query_opt("SELECT 'bounced'", &[])
            .unwrap()
            .unwrap();
        let Err(Fault::Unknown(unknown)) = row.status(0, "2013-W39") else {
            panic!("not an unknown value");
        };
        assert_eq!(
            unknown.to_string(),
            "table deliveries, digest 2013-W39: unknown status `bounced` (written by a newer herald, or by hand)"
        );
    }

    #[test]
    fn a_failed_transaction_leaves_nothing() {
        let db = sqlite();
        db.batch("CREATE TABLE t (n INTEGER)").unwrap();
        let failed = db.atomic(|db| {
            db.execute("INSERT INTO t VALUES (?1)", values![1_i64])?;
            db.execute("INSERT INTO nowhere VALUES (1)", &[])
        });
        assert!(failed.is_err());
        assert!(db.query("SELECT n FROM t", &[]).unwrap().is_empty());
    }
}
