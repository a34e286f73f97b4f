//! `herald state migrate` through the binary: a SQLite ledger into
//! PostgreSQL and back again gives the same rows, `herald status` says the
//! same on both, and a target that holds anything is never written.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::mail::{code, individual_site};
use common::pg::{self, use_ledger};
use common::smtp::{Faults, Server};

/// Every row of every table of the SQLite ledger at `path`, and its schema
/// version, read with rusqlite.
fn dump(path: &Path) -> BTreeMap<String, Vec<Vec<String>>> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut tables = BTreeMap::new();
    for table in ["digests", "digest_posts", "deliveries", "notes", "usage"] {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2, 3"))
            .unwrap();
        let width = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                (0..width)
                    .map(|i| Ok(format!("{:?}", r.get::<_, rusqlite::types::Value>(i)?)))
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        tables.insert(table.to_string(), rows);
    }
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    tables.insert("user_version".into(), vec![vec![version.to_string()]]);
    tables
}

/// `herald status --json` without the line naming the ledger.
fn status(site: &common::Site) -> serde_json::Value {
    let out = pg::herald(site, &["status", "--json"]).output().unwrap();
    assert_eq!(code(&out), 0, "{}", common::stderr(&out));
    let mut json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json.as_object_mut().unwrap().remove("state_file").unwrap();
    json
}

#[test]
fn a_sqlite_ledger_migrated_to_postgres_and_back_has_the_same_rows_and_status() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    let server = Server::start(Faults {
        reject: ["person3@example.se".to_string()].into(),
        ..Faults::default()
    });
    let site = individual_site(&server, 6, 1);
    let out = pg::herald(&site, &["digest"]).output().unwrap();
    assert_eq!(code(&out), 3, "one refused: {}", common::stderr(&out));
    // Every status and table holds something: an uncertain message and a
    // noted slot beside the sent, the failed and the 24-hour count.
    let sqlite = site.path().join("state/state.db");
    rusqlite::Connection::open(&sqlite)
        .unwrap()
        .execute_batch(
            "UPDATE deliveries SET status = 'uncertain' WHERE seq = 5;
             INSERT INTO notes VALUES ('2013-W38', '2013-09-20T13:00:00Z', 'no new posts', '2013-09-20T13:05:00Z');",
        )
        .unwrap();
    let before = dump(&sqlite);
    let shown = status(&site);

    let moved = pg::herald(&site, &["state", "migrate", "--to", &url])
        .output()
        .unwrap();
    let said = common::stderr(&moved);
    assert_eq!(code(&moved), 0, "{said}");
    assert!(
        said.contains("1 digest(s) holding 2 post(s) and 6 message(s), 1 slot note(s)"),
        "{said}"
    );
    let again = pg::herald(&site, &["state", "migrate", "--to", &url])
        .output()
        .unwrap();
    let said = common::stderr(&again);
    assert_eq!(code(&again), 2, "{said}");
    assert!(said.contains("already holds a ledger"), "{said}");
    assert_eq!(
        pg::statuses(&url).values().sum::<i64>(),
        6,
        "not copied twice"
    );

    use_ledger(site.path(), &url);
    assert_eq!(status(&site), shown, "status says the same from PostgreSQL");

    // Back: the source is now the config's, PostgreSQL.
    let back = site.path().join("back/state.db");
    let back_arg = back.to_str().unwrap();
    let returned = pg::herald(&site, &["state", "migrate", "--to", back_arg])
        .output()
        .unwrap();
    assert_eq!(code(&returned), 0, "{}", common::stderr(&returned));
    assert_eq!(dump(&back), before, "the same rows after the round trip");

    // A run in progress holds the source's lock: nothing is copied.
    let db = url.rsplit('/').next().unwrap();
    let mut run = cluster.client(db);
    let held: bool = run
        .query_one(
            "SELECT pg_try_advisory_lock($1)",
            &[&0x0068_6572_616c_0064_i64],
        )
        .unwrap()
        .get(0);
    assert!(held);
    let other = site.path().join("other.db");
    let locked = pg::herald(
        &site,
        &["state", "migrate", "--to", other.to_str().unwrap()],
    )
    .output()
    .unwrap();
    assert_eq!(code(&locked), 4, "{}", common::stderr(&locked));
    assert!(!other.exists(), "no target made while the source is busy");
}
