//! XML Schema validation with `xmllint --schema` (Debian package
//! `libxml2-utils`), a validator independent of herald's XML writer.
//!
//! Without `xmllint` the check is skipped with a message, unless
//! `HERALD_REQUIRE_XMLLINT` is set (as `.ci/run` does): then it fails.

use std::path::Path;
use std::process::Command;

/// Validates the XML file `xml` against the schema `xsd`, panicking with
/// xmllint's messages when it is not valid. Returns false (after saying the
/// check is skipped) when xmllint is not installed.
pub fn validate(xml: &Path, xsd: &Path) -> bool {
    let run = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(xsd)
        .arg(xml)
        .output();
    match run {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{} is not valid against {}:\n{}",
                xml.display(),
                xsd.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            assert!(
                std::env::var_os("HERALD_REQUIRE_XMLLINT").is_none(),
                "HERALD_REQUIRE_XMLLINT is set but xmllint is not installed (apt-get install libxml2-utils)"
            );
            eprintln!("SKIPPED: xmllint is not installed (apt-get install libxml2-utils); {} is not validated against its schema", xml.display());
            false
        }
        Err(e) => panic!("cannot run xmllint: {e}"),
    }
}
