//! The sendmail transport: a local MTA binary, called like sendmail as
//! `<command> -i -f <from> -- <recipients>` with the message on stdin, and
//! bounded in time: a call that outlasts `timeout_seconds` is killed.
//!
//! Exit codes are read as sysexits(3) defines them: 0 the MTA took the
//! message, 75 (`EX_TEMPFAIL`) try again later, anything else this message
//! failed, with what the command said on stderr.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{Accepted, Envelope, Failure, Prepared, Transport};
use crate::config::Sendmail as Settings;

/// `EX_TEMPFAIL` from sysexits.h: a temporary failure, try again later.
const EX_TEMPFAIL: i32 = 75;

/// How much of the command's stderr is kept for the message and the ledger.
const STDERR_LIMIT: usize = 1000;

/// How often a running command is checked for having exited.
const POLL: Duration = Duration::from_millis(20);

/// A local MTA binary.
pub(super) struct Sendmail {
    command: PathBuf,
    timeout: Duration,
}

impl Sendmail {
    /// The transport for `[delivery.sendmail]`.
    pub(super) fn new(settings: &Settings) -> Sendmail {
        Sendmail {
            command: settings.command.clone(),
            timeout: Duration::from_secs(settings.timeout_seconds),
        }
    }
}

impl Transport for Sendmail {
    /// Starting the command is the handover: killed before it read all of
    /// stdin, `sendmail -i` may still send what it got.
    fn hand_over(
        &mut self,
        envelope: &Envelope,
        bytes: &[u8],
        _: Prepared,
    ) -> Result<Accepted, Failure> {
        let name = self.command.display();
        let mut child = spawn(&self.command, envelope)
            .map_err(|e| Failure::Fatal(format!("cannot run {name}: {e}")))?;
        // stdin and stderr are served by threads of their own, so a command
        // that reads neither can block neither herald nor itself.
        let (wrote, written) = mpsc::channel();
        let (told, said) = mpsc::channel();
        if let Some(mut stdin) = child.stdin.take() {
            let bytes = bytes.to_vec();
            // Dropping stdin at the end closes it: the command sees the end of the message.
            std::thread::spawn(move || wrote.send(stdin.write_all(&bytes).is_ok()));
        }
        if let Some(stderr) = child.stderr.take() {
            std::thread::spawn(move || told.send(read_bounded(stderr)));
        }
        let status = wait(&mut child, self.timeout);
        // Past the exit (or the kill) both pipes close; the grace is for a
        // command that handed them to a process of its own.
        let grace = Duration::from_secs(1);
        let said = said.recv_timeout(grace).unwrap_or_default();
        let written = written.recv_timeout(grace).unwrap_or(false);
        let Some(status) = status else {
            return Err(Failure::Temporary(format!(
                "{name} did not finish within {} s and was stopped",
                self.timeout.as_secs()
            )));
        };
        match status.code() {
            Some(0) if written => Ok(Accepted {
                reply: format!("{name} accepted the message"),
                refused: Vec::new(),
            }),
            Some(0) => Err(Failure::Temporary(format!(
                "{name} exited before it had read the whole message"
            ))),
            Some(EX_TEMPFAIL) => Err(Failure::Temporary(explained(
                &format!("{name} asked to try again later (exit status 75)"),
                &said,
            ))),
            Some(code) => Err(Failure::Permanent(explained(
                &format!("{name} refused the message (exit status {code})"),
                &said,
            ))),
            None => Err(Failure::Temporary(explained(
                &format!("{name} was stopped by a signal"),
                &said,
            ))),
        }
    }
}

fn spawn(command: &Path, envelope: &Envelope) -> std::io::Result<Child> {
    // An envelope without a sender is the null sender, `<>`.
    let from = envelope.from().map_or("", AsRef::as_ref);
    let mut command = Command::new(command);
    command
        .args(["-i", "-f", from, "--"])
        .args(envelope.to().iter().map(AsRef::<str>::as_ref))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // A group of its own, so a timeout stops the command and its children.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command.spawn()
}

/// Waits for `child` up to `timeout`; past it, kills it (and its process
/// group) and returns `None`.
fn wait(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
            // Out of time, or the child cannot be waited for: stop it.
            _ => break,
        }
    }
    kill(child);
    let _ = child.wait();
    None
}

#[cfg(unix)]
fn kill(child: &mut Child) {
    match i32::try_from(child.id()) {
        // SAFETY: kill(2) has no memory effects; a negative pid names the
        // process group that `spawn` created for this child alone.
        Ok(pid) => unsafe {
            libc::kill(-pid, libc::SIGKILL);
        },
        Err(_) => {
            let _ = child.kill();
        }
    }
}

#[cfg(not(unix))]
fn kill(child: &mut Child) {
    let _ = child.kill();
}

/// The first [`STDERR_LIMIT`] bytes of `stream`, as text; the rest is read
/// and dropped, so the command never blocks on a full pipe.
fn read_bounded(mut stream: impl Read) -> String {
    let mut kept = Vec::new();
    let mut buffer = [0u8; 4096];
    let mut cut = false;
    while let Ok(n @ 1..) = stream.read(&mut buffer) {
        let room = STDERR_LIMIT.saturating_sub(kept.len());
        kept.extend_from_slice(&buffer[..n.min(room)]);
        cut |= n > room;
    }
    let text = String::from_utf8_lossy(&kept);
    let text = text.trim();
    if cut {
        format!("{text} …")
    } else {
        text.to_string()
    }
}

/// `what`, and what the command said, on one line.
fn explained(what: &str, said: &str) -> String {
    let said = said.split_whitespace().collect::<Vec<_>>().join(" ");
    if said.is_empty() {
        what.to_string()
    } else {
        format!("{what}: {said}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stderr_is_kept_bounded_and_on_one_line() {
        let long = format!("first\nsecond {}", "x".repeat(5000));
        let said = read_bounded(long.as_bytes());
        assert!(said.len() <= STDERR_LIMIT + 4, "{}", said.len());
        assert!(said.ends_with(" …"));
        assert_eq!(explained("it failed", "a\n  b\n"), "it failed: a b");
        assert_eq!(explained("it failed", ""), "it failed");
    }
}
