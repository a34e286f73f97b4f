//! Who gets the digest: the recipients file, checked up front, and how the
//! recipients are split into messages for each mode.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::str::FromStr;

use lettre::message::Mailbox;
use lettre::Address;
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
        let email = record.get(email_col).unwrap_or("");
        if let Err(e) = Address::from_str(email) {
            let message = format!("skipped: `{email}` is not an email address ({e})");
            problems.push(Diagnostic::at(path, line, message));
            continue;
        }
        if !seen.insert(email.to_lowercase()) {
            let message = format!("skipped: {email} is listed more than once");
            problems.push(Diagnostic::at(path, line, message));
            continue;
        }
        let mut fields: BTreeMap<String, String> = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.clone(), crate::clean::text(v).into_owned()))
            .collect();
        fields.remove("email");
        let name = fields.remove("name").unwrap_or_default();
        found.push(Recipient {
            email: email.to_string(),
            name,
            fields,
        });
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
                to: vec![mailbox(&r).to_string()],
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

/// `Name <email>` for the `To` header (the email was validated on load).
fn mailbox(r: &Recipient) -> Mailbox {
    let address = Address::from_str(&r.email).expect("validated when loaded");
    let name = Some(r.name.clone()).filter(|n| !n.is_empty());
    Mailbox::new(name, address)
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
