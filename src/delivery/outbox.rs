//! The outbox transport: each message as an `.eml` file (and its envelope
//! recipients in a `.rcpt` file beside it), so a site runs end to end without
//! a mail server, and a dry run can be inspected in any mail program.

use std::fs;
use std::path::{Path, PathBuf};

use super::{Accepted, Envelope, Failure, Prepared, Transport};

/// Writes messages into one folder.
pub(super) struct Outbox {
    dir: PathBuf,
}

impl Outbox {
    /// An outbox writing into `dir` (created on the first message).
    pub(super) fn new(dir: &Path) -> Outbox {
        Outbox {
            dir: dir.to_path_buf(),
        }
    }

    fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
        fs::create_dir_all(&self.dir)?;
        let path = self.dir.join(name);
        // Written aside, then renamed: a killed run never leaves half a message.
        let partial = self.dir.join(format!(".{name}.partial"));
        fs::write(&partial, bytes)?;
        fs::rename(&partial, &path)?;
        Ok(path)
    }
}

impl Transport for Outbox {
    fn hand_over(
        &mut self,
        envelope: &Envelope,
        bytes: &[u8],
        _: Prepared,
    ) -> Result<Accepted, Failure> {
        // The message id's left part is unique per digest and recipient, and
        // the same on a resend, which then replaces the file.
        let stem: String = message_id(bytes)
            .trim_matches(['<', '>'])
            .split('@')
            .next()
            .unwrap_or("message")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let rcpt: String = envelope.to().iter().map(|a| format!("{a}\n")).collect();
        let fail = |e: std::io::Error| {
            Failure::Fatal(format!("cannot write to {}: {e}", self.dir.display()))
        };
        self.write(&format!("{stem}.rcpt"), rcpt.as_bytes())
            .map_err(fail)?;
        let path = self.write(&format!("{stem}.eml"), bytes).map_err(fail)?;
        Ok(Accepted {
            reply: format!("written to {}", path.display()),
            refused: Vec::new(),
        })
    }
}

/// The `Message-ID` header of the message `bytes` (empty without one): the
/// outbox names its files after it, knowing nothing else of the message.
fn message_id(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    // Unfolded first: a long header continues on lines starting with blanks.
    let head = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    head.split("\r\n")
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("message-id")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_after_the_message_id_header() {
        let bytes = b"From: a@example.se\r\nMessage-ID:\r\n <2013-W40.abc@example.se>\r\n\r\nMessage-ID: <body@x>\r\n";
        assert_eq!(message_id(bytes), "<2013-W40.abc@example.se>");
        assert_eq!(message_id(b"Subject: x\r\n\r\n"), "");
    }
}
