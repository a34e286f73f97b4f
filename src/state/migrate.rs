//! `herald state migrate`: a ledger copied into another, empty one (a
//! SQLite file into PostgreSQL, or back), every table and row as it is.

use super::{Fault, State};
use crate::config::Ledger;
use crate::error::{Error, Result};

/// Copies the ledger `from` into the new, empty ledger `to` (see
/// [`State::copy_into`]). A SQLite source must exist: an empty ledger is
/// not made up to be copied.
pub(crate) fn migrate(from: &Ledger, to: &Ledger) -> Result<Copied> {
    if same(from, to) {
        return Err(Error::Usage(format!(
            "--from and --to name the same ledger, {to}; nothing was copied"
        )));
    }
    if let Ledger::Sqlite(path) = from {
        if !path.exists() {
            return Err(Error::Usage(format!(
                "{} does not exist: there is no ledger to migrate",
                path.display()
            )));
        }
    }
    let source = State::open(from)?;
    source.copy_into(&State::open(to)?)
}

/// Whether two ledgers are the same file or the same database.
fn same(a: &Ledger, b: &Ledger) -> bool {
    match (a, b) {
        (Ledger::Sqlite(a), Ledger::Sqlite(b)) => {
            std::path::absolute(a).ok() == std::path::absolute(b).ok()
        }
        _ => a.to_string() == b.to_string(),
    }
}

/// The ledger's tables, each with its columns and the order its rows are
/// read in, listed so that every row comes after the rows it refers to.
const TABLES: [(&str, &str, &str); 5] = [
    ("digests", "id, week, created, completed, mode", "id"),
    (
        "digest_posts",
        "digest, position, post_id",
        "digest, position",
    ),
    (
        "deliveries",
        "digest, seq, round, recipients, message_id, status, reply, attempts, updated",
        "digest, seq",
    ),
    ("notes", "id, slot, reason, noted", "id"),
    ("usage", "digest, at, recipients", "at, digest, recipients"),
];

/// How many rows of each table a migration copied, in [`TABLES`] order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Copied(pub [usize; 5]);

impl std::fmt::Display for Copied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [digests, posts, messages, notes, usage] = self.0;
        write!(
            f,
            "{digests} digest(s) holding {posts} post(s) and {messages} message(s), \
             {notes} slot note(s), {usage} entry(ies) of the 24-hour recipient count"
        )
    }
}

/// Why a copy stopped; the target's transaction is rolled back in each case.
enum Stop {
    /// Reading the source failed.
    Source(Fault),
    /// Writing the target failed.
    Target(Fault),
    /// The target already holds rows of this table.
    NotEmpty(&'static str),
}

impl From<Fault> for Stop {
    fn from(e: Fault) -> Self {
        Stop::Target(e)
    }
}

impl State {
    /// Copies every row of this ledger into `target`, in one transaction
    /// on the target; refuses (writing nothing) a target that holds any
    /// row. Both are open for writing, so both run locks are held: no run
    /// changes either while it copies. Both have this herald's schema
    /// version, which opening them ensured.
    pub(crate) fn copy_into(&self, target: &State) -> Result<Copied> {
        let copied = target.db.atomic(|to| {
            for (table, ..) in TABLES {
                let any = to.query_opt(&format!("SELECT 1 FROM {table} LIMIT 1"), &[])?;
                if any.is_some() {
                    return Err(Stop::NotEmpty(table));
                }
            }
            let mut copied = [0; 5];
            for ((table, columns, order), count) in TABLES.into_iter().zip(&mut copied) {
                let select = format!("SELECT {columns} FROM {table} ORDER BY {order}");
                let rows = self.db.query(&select, &[]).map_err(Stop::Source)?;
                let params: Vec<String> = (1..=columns.split(',').count())
                    .map(|i| format!("?{i}"))
                    .collect();
                let insert = format!(
                    "INSERT INTO {table} ({columns}) VALUES ({})",
                    params.join(", ")
                );
                *count = rows.len();
                for row in rows {
                    to.execute(&insert, &row.into_values())?;
                }
            }
            Ok(Copied(copied))
        });
        copied.map_err(|stop| match stop {
            Stop::Source(e) => self.err(e),
            Stop::Target(e) => target.err(e),
            Stop::NotEmpty(table) => Error::Usage(format!(
                "{} already holds a ledger (its table {table} has rows); herald only migrates into an empty one, so nothing was copied",
                target.name.display()
            )),
        })
    }
}
