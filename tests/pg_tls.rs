//! A PostgreSQL ledger over TLS with `sslmode=verify-full`: the throwaway
//! server with a certificate from a test CA. herald connects when `ca_file`
//! names that CA and the URL names the certificate's host; with another CA
//! or another name it refuses, saying why (exit 1: a person must fix it).
//! Its own test binary: it turns TLS on in its server.

mod common;

use common::mail::{code, digest_site};
use common::pg::{self, use_ledger};
use common::tls::TestCa;

/// `herald status` on a site whose ledger is `url` with `ca` as its `ca_file`.
fn status_with(url: &str, ca: &str) -> (i32, String) {
    let site = digest_site("to = [\"alla@example.se\"]", "");
    std::fs::write(site.path().join("ca.pem"), ca).unwrap();
    use_ledger(
        site.path(),
        &format!("{url}?sslmode=verify-full&ca_file=ca.pem"),
    );
    let out = pg::herald(&site, &["status"]).output().unwrap();
    (code(&out), common::stderr(&out))
}

#[test]
fn verify_full_connects_with_the_private_ca_and_refuses_another_ca_or_name() {
    let Some(cluster) = pg::cluster() else { return };
    let ca = TestCa::new();
    cluster.enable_tls(&ca.cert_pem, &ca.key_pem);
    let url = cluster.database();

    let (status, said) = status_with(&url, &ca.ca_pem);
    assert_eq!(status, 0, "{said}");

    let stranger = TestCa::new();
    let (status, said) = status_with(&url, &stranger.ca_pem);
    assert_eq!(status, 1, "{said}");
    assert!(said.contains(&url), "names the ledger: {said}");
    assert!(
        said.contains("invalid peer certificate"),
        "says why: {said}"
    );

    // The certificate is for 127.0.0.1, not for localhost.
    let by_name = url.replace("127.0.0.1", "localhost");
    let (status, said) = status_with(&by_name, &ca.ca_pem);
    assert_eq!(status, 1, "{said}");
    assert!(
        said.contains("certificate not valid for name \"localhost\""),
        "says why: {said}"
    );
}
