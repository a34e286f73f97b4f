//! The outbox transport: each message as an `.eml` file (and its envelope
//! recipients in a `.rcpt` file beside it), so a site runs end to end without
//! a mail server, and a dry run can be inspected in any mail program.

use std::fs;
use std::path::{Path, PathBuf};

use super::{Accepted, Failure, Prepared, Transport};
use crate::digest::compose::Composed;

/// Writes messages into one folder.
pub struct Outbox {
    dir: PathBuf,
}

impl Outbox {
    /// An outbox writing into `dir` (created on the first message).
    pub fn new(dir: &Path) -> Outbox {
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
    fn hand_over(&mut self, message: &Composed, _: Prepared) -> Result<Accepted, Failure> {
        // The message id's left part is unique per digest and recipient, and
        // the same on a resend, which then replaces the file.
        let stem: String = message
            .message_id
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
        let rcpt: String = message.rcpt.iter().map(|a| format!("{a}\n")).collect();
        let fail = |e: std::io::Error| {
            Failure::Fatal(format!("cannot write to {}: {e}", self.dir.display()))
        };
        self.write(&format!("{stem}.rcpt"), rcpt.as_bytes())
            .map_err(fail)?;
        let path = self
            .write(&format!("{stem}.eml"), &message.bytes)
            .map_err(fail)?;
        Ok(Accepted {
            reply: format!("written to {}", path.display()),
            refused: Vec::new(),
        })
    }
}
