//! Who gets the digest: the recipients file, checked up front, and how the
//! recipients are split into messages for each mode.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;
use std::path::Path;
use std::str::FromStr;

use lettre::address::AddressError;
use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};

use crate::config::{Digest, Mode};
use crate::diag::Diagnostic;
use crate::error::{Error, Result};

/// One person, as templates see them (`{{recipient.name}}`, any extra column).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// The address, as written (validated).
    pub email: String,
    /// Display name; empty when unknown.
    pub name: String,
    /// Every other column of the recipients file.
    #[serde(flatten)]
    pub fields: BTreeMap<String, String>,
}

impl Recipient {
    /// A recipient known only by address.
    pub fn address_only(email: &str) -> Recipient {
        Recipient {
            email: email.to_string(),
            name: String::new(),
            fields: BTreeMap::new(),
        }
    }
}

/// How one message is addressed; stored in its ledger row, so a rerun sends
/// exactly what was planned even if the recipients file changed meanwhile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addressing {
    /// The `To` header.
    pub to: Vec<String>,
    /// The envelope recipients (`RCPT TO`).
    pub rcpt: Vec<String>,
    /// Whom the templates address.
    pub recipient: Recipient,
}

/// Reads the recipients CSV: valid rows, and a warning (file and line) for
/// every invalid or duplicate row, which are skipped.
pub fn load(path: &Path) -> Result<(Vec<Recipient>, Vec<Diagnostic>)> {
    let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
    parse(path, &bytes)
}

/// Parses recipients CSV `bytes` read from `path`.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<(Vec<Recipient>, Vec<Diagnostic>)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::Invalid(vec![Diagnostic::at(path, 1, e.to_string())]))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let Some(email_col) = headers.iter().position(|h| h == "email") else {
        let message =
            "the first row must name the columns, one of them `email` (and usually `name`)";
        return Err(Error::Invalid(vec![Diagnostic::at(path, 1, message)]));
    };
    let (mut found, mut problems, mut seen) = (Vec::new(), Vec::new(), HashSet::new());
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(1, |p| p.line() as usize);
                problems.push(Diagnostic::at(path, line, format!("skipped: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(1, |p| p.line() as usize);
        match row(&headers, &record, email_col, &mut seen) {
            Ok(recipient) => found.push(recipient),
            Err(why) => problems.push(Diagnostic::at(path, line, format!("skipped: {why}"))),
        }
    }
    Ok((found, problems))
}

/// Splits the recipients into messages according to the digest's mode.
pub fn plan(digest: &Digest, recipients: Vec<Recipient>) -> Vec<Addressing> {
    let group_to: Vec<String> = digest.to.iter().map(ToString::to_string).collect();
    match digest.mode {
        Mode::Group => vec![Addressing {
            rcpt: digest.to.iter().map(|m| m.email.to_string()).collect(),
            recipient: Recipient::address_only(&group_to.join(", ")),
            to: group_to,
        }],
        Mode::Individual => recipients
            .into_iter()
            .map(|r| Addressing {
                // Checked on load; the bare address is what that check parsed.
                to: vec![to_header(&r).unwrap_or_else(|_| r.email.clone())],
                rcpt: vec![r.email.clone()],
                recipient: r,
            })
            .collect(),
        Mode::Bcc => {
            let to = if group_to.is_empty() {
                vec![digest.from.to_string()]
            } else {
                group_to
            };
            recipients
                .chunks(digest.bcc_batch_size)
                .map(|batch| Addressing {
                    to: to.clone(),
                    rcpt: batch.iter().map(|r| r.email.clone()).collect(),
                    recipient: Recipient::address_only(&to.join(", ")),
                })
                .collect()
        }
    }
}

/// The one parser of addresses on the way out: the `To` header and the
/// envelope (`RCPT TO`) of every message are parsed with it when composing,
/// and each row of the recipients file is checked with it on load, so an
/// address that passes the load never stops a run at send time.
pub fn parse_mailbox(text: &str) -> Result<Mailbox, AddressError> {
    Mailbox::from_str(text)
}

/// One row as a recipient, or why it is skipped.
fn row(
    headers: &[String],
    record: &csv::StringRecord,
    email_col: usize,
    seen: &mut HashSet<String>,
) -> Result<Recipient, String> {
    let email = record.get(email_col).unwrap_or("");
    // Line breaks cannot be written into a header, and control characters
    // have no business in a name, department or address.
    if let Some((column, _)) = headers
        .iter()
        .zip(record.iter())
        .find(|(_, value)| value.chars().any(char::is_control))
    {
        return Err(format!(
            "column `{column}` holds a line break or control character"
        ));
    }
    let mut fields: BTreeMap<String, String> = headers
        .iter()
        .zip(record.iter())
        // Noncharacters and the like go as they go everywhere else (`clean`).
        .map(|(h, v)| (h.clone(), crate::clean::text(v).into_owned()))
        .collect();
    fields.remove("email");
    let recipient = Recipient {
        email: email.to_string(),
        name: fields.remove("name").unwrap_or_default(),
        fields,
    };
    to_header(&recipient)
        .map_err(|e| format!("`{email}` is not an email address herald can send to ({e})"))?;
    if !seen.insert(email.to_lowercase()) {
        return Err(format!("{email} is listed more than once"));
    }
    Ok(recipient)
}

/// The `To` header of a message to `r` alone (`Name <email>`), checked with
/// [`parse_mailbox`] exactly as composing will read it back.
fn to_header(r: &Recipient) -> Result<String, AddressError> {
    let address = parse_mailbox(&r.email)?.email;
    let name = Some(r.name.clone()).filter(|n| !n.trim().is_empty());
    let mut text = String::new();
    // Fails only for a name that no header can carry (a line break).
    write!(text, "{}", Mailbox::new(name, address)).map_err(|_| AddressError::InvalidInput)?;
    parse_mailbox(&text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "email,name,avdelning\nanna@example.se,Anna Åberg,Skola\nnot-an-address,Bo,IT\nANNA@example.se,Anna igen,Skola\n\"cecilia@example.se\",\"Cecilia Ödman\",Vård\n";

    #[test]
    fn invalid_and_duplicate_rows_are_reported_with_lines() {
        let (found, problems) = parse(Path::new("r.csv"), CSV.as_bytes()).unwrap();
        let emails: Vec<&str> = found.iter().map(|r| r.email.as_str()).collect();
        assert_eq!(emails, ["anna@example.se", "cecilia@example.se"]);
        assert_eq!(found[1].name, "Cecilia Ödman");
        assert_eq!(found[1].fields["avdelning"], "Vård");
        let lines: Vec<Option<usize>> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [Some(3), Some(4)]);
        assert!(
            problems[0].message.contains("not-an-address"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_file_without_an_email_column_is_rejected() {
        let err = parse(Path::new("r.csv"), b"mail,name\na@b.se,A\n").unwrap_err();
        assert!(matches!(err, Error::Invalid(_)));
    }

    #[test]
    fn bcc_mode_batches_and_hides_recipients() {
        let text = "[site]\ntitle='t'\nbase_url='https://e.se/'\n[site.author]\nname='n'\n[digest]\nfrom='a@e.se'\nrecipients='r.csv'\nmode='bcc'\nbcc_batch_size=2\n";
        let config = crate::config::Config::parse(Path::new("c.toml"), text).unwrap();
        let people: Vec<Recipient> = (0..5)
            .map(|i| Recipient::address_only(&format!("p{i}@e.se")))
            .collect();
        let plan = plan(config.digest.as_ref().unwrap(), people);
        assert_eq!(plan.len(), 3);
        assert_eq!(plan[2].rcpt, ["p4@e.se"]);
        assert_eq!(plan[0].to, ["a@e.se"], "To falls back to the sender");
    }
}

/// The loader under arbitrary input: it never panics, keeps every valid row
/// whatever the rows around it hold, and keeps only rows that can be sent.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    /// A row known to be valid: a fresh address and a printable name.
    fn valid_row() -> impl Strategy<Value = (String, String)> {
        (
            "[a-z][a-z0-9_-]{0,5}(\\.[a-z0-9]{1,5})?",
            "[^\\p{Cc}]{0,20}",
        )
            .prop_map(|(local, name)| (format!("{local}@valid.example"), name))
    }

    /// A row of anything: an address (valid or not) and arbitrary fields.
    fn noise_row() -> impl Strategy<Value = Vec<String>> {
        let email = prop_oneof![any::<String>(), "[a-z]{1,8}@noise\\.example"];
        // Arbitrary text, and text with a control character or line break in it.
        let field = prop_oneof![any::<String>(), "[ -~]{0,6}[\\x00-\\x1f\\x7f][ -~]{0,6}"];
        let rest = proptest::collection::vec(field, 0..4);
        (email, rest).prop_map(|(email, rest)| std::iter::once(email).chain(rest).collect())
    }

    fn csv_of(rows: &[Vec<String>]) -> Vec<u8> {
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(vec![]);
        writer.write_record(["email", "name", "avdelning"]).unwrap();
        for row in rows {
            writer.write_record(row).unwrap();
        }
        writer.into_inner().unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn any_bytes_load_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut text = b"email,name\n".to_vec();
            text.extend(&bytes);
            for input in [&bytes[..], &text[..]] {
                if let Ok((found, _)) = parse(Path::new("r.csv"), input) {
                    for r in &found {
                        prop_assert!(to_header(r).is_ok(), "kept an unsendable row: {r:?}");
                    }
                }
            }
        }

        #[test]
        fn every_valid_row_is_kept_whatever_surrounds_it(
            valid in proptest::collection::vec(valid_row(), 1..6),
            noise in proptest::collection::vec(noise_row(), 0..8),
        ) {
            let mut valid = valid;
            valid.sort();
            valid.dedup_by(|a, b| a.0 == b.0);
            prop_assume!(noise.iter().all(|r| r.first().is_none_or(|e| !e.to_lowercase().ends_with("@valid.example"))));
            // Interleave: noise row, valid row, noise row, …
            let mut rows = Vec::new();
            let mut noise = noise.into_iter();
            for (email, name) in &valid {
                rows.extend(noise.next());
                rows.push(vec![email.clone(), name.clone(), "Avd".to_string()]);
            }
            rows.extend(noise);
            let (found, _) = parse(Path::new("r.csv"), &csv_of(&rows)).unwrap();
            for (email, name) in &valid {
                let kept = found.iter().find(|r| &r.email == email);
                prop_assert!(kept.is_some_and(|r| r.name == crate::clean::text(name.trim())), "{email} lost: {found:?}");
            }
            for r in &found {
                prop_assert!(to_header(r).is_ok(), "kept an unsendable row: {r:?}");
            }
            let digest = test_digest();
            prop_assert_eq!(plan(&digest, found.clone()).len(), found.len());
        }
    }

    fn test_digest() -> Digest {
        let text = "[site]\ntitle='t'\nbase_url='https://e.se/'\n[site.author]\nname='n'\n[digest]\nfrom='a@e.se'\nrecipients='r.csv'\nmode='individual'\n";
        let config = crate::config::Config::parse(Path::new("c.toml"), text).unwrap();
        config.digest.unwrap()
    }
}
