//! Losing the PostgreSQL ledger mid-run: herald stops sending at once (it
//! cannot record), exits 75, and the next run resumes without a duplicate.
//! Its own test binary, so restarting the server disturbs no other test.

mod common;

use common::mail::{code, individual_site};
use common::pg::{self, use_ledger};
use common::smtp::{Faults, Hook, Server};

#[test]
fn losing_the_database_mid_run_stops_with_75_and_the_next_run_resumes_without_duplicates() {
    let Some(cluster) = pg::cluster() else { return };
    let url = cluster.database();
    // The database restarts as message 4 is handed over: the run cannot
    // record its outcome and must stop before sending more.
    let hook: Hook = Box::new(move |n| {
        if n == 4 {
            pg::cluster().unwrap().restart();
        }
    });
    let server = Server::start(Faults {
        on_message: Some(hook),
        ..Faults::default()
    });
    let n = 10;
    let site = individual_site(&server, n, 1);
    use_ledger(site.path(), &url);
    let first = pg::herald(&site, &["digest"]).output().unwrap();
    let said = common::stderr(&first);
    assert_eq!(code(&first), 75, "{said}");
    assert!(said.contains(&url), "{said}");
    assert_eq!(server.received().len(), 4, "nothing sent after the loss");
    pg::assert_rerun_finishes_once(&site, &url, &server, n);
}
