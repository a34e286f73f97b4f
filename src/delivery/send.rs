//! The sending loop: takes each message the ledger says is still to send,
//! marks it `sending` in the ledger only once the transport is ready for its
//! bytes, and records the outcome right after, on up to `connections`
//! threads, with retries on fresh connections and a rate limit shared by all
//! of them. A run that dies before the handover leaves the message `pending`.

use std::collections::VecDeque;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use indicatif::{ProgressBar, ProgressStyle};

use super::{Accepted, Factory, Failure, Transport};
use crate::config::Delivery;
use crate::digest::compose::{Composed, Composer};
use crate::digest::recipients::Addressing;
use crate::error::{Error, Result};
use crate::log::Log;
use crate::state::{DeliveryRow, State, Status};

/// What one run did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Messages accepted in this run.
    pub sent: usize,
    /// Messages refused in this run (a rerun tries them again).
    pub failed: usize,
    /// Messages whose fate is unknown (connection lost after the final dot).
    pub uncertain: usize,
    /// Envelope recipients refused within otherwise accepted BCC batches.
    pub refused: usize,
    /// Messages (or BCC rows of their own) the server refused for good (5xx):
    /// a rerun is refused again, so the address must be fixed or removed.
    pub permanent: usize,
    /// Why the run stopped early, if it did.
    pub stopped: Option<Error>,
}

/// What a permanent refusal (5xx) asks of the operator: a rerun would be
/// refused the same way.
const FOR_GOOD: &str =
    "the server refuses it for good: fix or remove the address (a rerun is refused again)";

/// At most `per_minute` sends start in any 60-second window (0: no limit).
struct Rate {
    per_minute: usize,
    starts: Mutex<VecDeque<Instant>>,
}

impl Rate {
    fn wait(&self) {
        if self.per_minute == 0 {
            return;
        }
        // Held while sleeping: the other connections would have to wait anyway.
        let mut starts = self.starts.lock().unwrap_or_else(|e| e.into_inner());
        if starts.len() == self.per_minute {
            let oldest = starts.pop_front().unwrap_or_else(Instant::now);
            let free = oldest + Duration::from_secs(60);
            std::thread::sleep(free.saturating_duration_since(Instant::now()));
        }
        starts.push_back(Instant::now());
    }
}

/// Shared by the connection threads of one run.
struct Run<'a> {
    id: &'a str,
    state: &'a Mutex<State>,
    composer: &'a Composer<'a>,
    limits: &'a Delivery,
    rate: Rate,
    cursor: Mutex<u32>,
    /// The last message planned when the run started.
    until: u32,
    stop: AtomicBool,
    stopped: Mutex<Option<Error>>,
    counts: [AtomicUsize; 5],
    log: &'a Log,
    progress: ProgressBar,
}

/// Sends every message of digest `id` that the ledger does not record as
/// sent or uncertain (`total` of them), and records each outcome before the
/// next message.
pub fn run(
    state: &Mutex<State>,
    id: &str,
    composer: &Composer,
    factory: &Factory,
    limits: &Delivery,
    log: &Log,
    total: usize,
) -> Outcome {
    let run = Run {
        id,
        state,
        composer,
        limits,
        rate: Rate {
            per_minute: limits.max_per_minute as usize,
            starts: Mutex::new(VecDeque::new()),
        },
        cursor: Mutex::new(0),
        // A ledger that cannot answer fails again at the first claim.
        until: lock(state).last_seq(id).unwrap_or(u32::MAX),
        stop: AtomicBool::new(false),
        stopped: Mutex::new(None),
        counts: Default::default(),
        log,
        progress: progress_bar(total, log),
    };
    std::thread::scope(|scope| {
        for _ in 0..factory.connections() {
            let run = &run;
            let transport = factory.open();
            scope.spawn(move || run.worker(transport));
        }
    });
    run.progress.finish_and_clear();
    let [sent, failed, uncertain, refused, permanent] = run.counts.map(AtomicUsize::into_inner);
    Outcome {
        sent,
        failed,
        uncertain,
        refused,
        permanent,
        stopped: run.stopped.into_inner().unwrap_or_else(|e| e.into_inner()),
    }
}

/// A progress bar on stderr, only when a person watches it: stderr is a
/// terminal, not `-q`, and there is more than one message. Under cron or CI
/// it is hidden, so the output stays clean.
fn progress_bar(total: usize, log: &Log) -> ProgressBar {
    if total < 2 || log.is_quiet() || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} messages, {per_sec}, {eta} left")
    {
        bar.set_style(style);
    }
    bar
}

fn timestamp() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Run<'_> {
    fn worker(&self, mut transport: Box<dyn Transport>) {
        while !self.stop.load(Ordering::SeqCst) {
            match self.claim() {
                Ok(Some(row)) => {
                    let result = self.deliver(&mut *transport, &row);
                    self.progress.inc(1);
                    if let Err(err) = result {
                        self.halt(err);
                    }
                }
                Ok(None) => break,
                Err(err) => self.halt(err),
            }
        }
        transport.close();
    }

    fn halt(&self, err: Error) {
        self.stop.store(true, Ordering::SeqCst);
        let mut stopped = self.stopped.lock().unwrap_or_else(|e| e.into_inner());
        stopped.get_or_insert(err);
    }

    fn claim(&self) -> Result<Option<DeliveryRow>> {
        let mut cursor = self.cursor.lock().unwrap_or_else(|e| e.into_inner());
        let state = lock(self.state);
        let row = state.next_to_send(self.id, *cursor, self.until)?;
        if let Some(row) = &row {
            *cursor = row.seq;
        }
        Ok(row)
    }

    fn record(&self, seq: u32, status: Status, reply: &str) -> Result<()> {
        let state = lock(self.state);
        state.finish(self.id, seq, status, reply, &timestamp())
    }

    /// Composes and sends one claimed message and records the outcome.
    /// Returns an error when the whole run must stop.
    fn deliver(&self, transport: &mut dyn Transport, row: &DeliveryRow) -> Result<()> {
        let addressing = serde_json::from_str::<Addressing>(&row.recipients)
            .map_err(|e| Error::Delivery(format!("ledger row {} is unreadable: {e}", row.seq)));
        // A failure here leaves the row as it was: nothing left the machine.
        let message = addressing
            .as_ref()
            .map_err(|e| Error::Delivery(e.to_string()))
            .and_then(|to| self.composer.compose(to, false))?;
        let who = message
            .rcpt
            .first()
            .map_or_else(String::new, ToString::to_string);
        match self.attempts(transport, row.seq, &message)? {
            Ok(accepted) => {
                self.accepted(row.seq, &accepted)?;
                match addressing {
                    Ok(to) if !accepted.refused.is_empty() => self.split_refused(to, &accepted),
                    _ => Ok(()),
                }
            }
            Err(Failure::Permanent(reply)) => {
                self.log
                    .warn(format!("{who}: refused: {reply}; {FOR_GOOD}"));
                self.counts[1].fetch_add(1, Ordering::SeqCst);
                self.counts[4].fetch_add(1, Ordering::SeqCst);
                self.record(row.seq, Status::Failed, &reply)
            }
            Err(Failure::Uncertain(reply)) => {
                self.log
                    .warn(format!("{who}: uncertain, not resent: {reply}"));
                self.counts[2].fetch_add(1, Ordering::SeqCst);
                self.record(row.seq, Status::Uncertain, &reply)
            }
            Err(Failure::Temporary(reply)) => {
                self.counts[1].fetch_add(1, Ordering::SeqCst);
                self.record(row.seq, Status::Failed, &reply)?;
                Err(Error::Temporary(format!(
                    "{who}: {reply} (after {} retries)",
                    self.limits.retries
                )))
            }
            Err(Failure::Blocked(reply)) => {
                self.record(row.seq, Status::Pending, &reply)?;
                Err(Error::Temporary(format!(
                    "the server blocks or throttles this sender: {reply}"
                )))
            }
            Err(Failure::Fatal(reply)) => {
                self.record(row.seq, Status::Pending, &reply)?;
                Err(Error::Delivery(reply))
            }
        }
    }

    fn accepted(&self, seq: u32, accepted: &Accepted) -> Result<()> {
        let mut reply = accepted.reply.clone();
        for (rcpt, why) in &accepted.refused {
            self.log.warn(format!("{rcpt}: refused: {why}; {FOR_GOOD}"));
            reply.push_str(&format!("; refused {rcpt}: {why}"));
        }
        self.counts[3].fetch_add(accepted.refused.len(), Ordering::SeqCst);
        let sent = self.counts[0].fetch_add(1, Ordering::SeqCst) + 1;
        if sent.is_multiple_of(100) {
            self.log.detail(format!("{sent} messages sent"));
        }
        self.record(seq, Status::Sent, &reply)
    }

    /// Recipients refused inside an accepted BCC batch were not served: they
    /// get a ledger row of their own, `failed` with the server's reply, so
    /// the exit code says so and a rerun sends them (and only them) a copy.
    fn split_refused(&self, mut to: Addressing, accepted: &Accepted) -> Result<()> {
        to.rcpt = accepted
            .refused
            .iter()
            .map(|(rcpt, _)| rcpt.clone())
            .collect();
        let reply: Vec<String> = accepted
            .refused
            .iter()
            .map(|(r, why)| format!("{r}: {why}"))
            .collect();
        let row = DeliveryRow {
            seq: 0,
            recipients: serde_json::to_string(&to).expect("plain strings serialise"),
            message_id: self.composer.message_id(&to.rcpt),
            reply: Some(reply.join("; ")),
        };
        self.counts[4].fetch_add(1, Ordering::SeqCst);
        let state = lock(self.state);
        state.add_failed(self.id, &row, &timestamp())
    }

    /// Sends message `seq` with up to `retries` more attempts after
    /// temporary failures, each on a fresh connection after an exponentially
    /// growing pause. The outer error is the ledger's, and stops the run.
    fn attempts(
        &self,
        transport: &mut dyn Transport,
        seq: u32,
        message: &Composed,
    ) -> Result<Result<Accepted, Failure>> {
        let mut delay = self.limits.retry_delay;
        let mut attempt = 0;
        loop {
            self.rate.wait();
            match self.attempt(transport, seq, message)? {
                Err(Failure::Temporary(reply))
                    if attempt < self.limits.retries && !self.stop.load(Ordering::SeqCst) =>
                {
                    self.log.detail(format!(
                        "temporary failure, retrying in {delay:.1} s: {reply}"
                    ));
                    // Refused, so not in flight while the run waits to retry.
                    self.record(seq, Status::Failed, &reply)?;
                    transport.reset();
                    std::thread::sleep(Duration::from_secs_f64(delay));
                    delay = (delay * 2.0).min(300.0);
                    attempt += 1;
                }
                other => return Ok(other),
            }
        }
    }

    /// One try: the transport prepares the message (connection, login,
    /// envelope), the ledger marks it `sending`, and only then do its bytes
    /// go out. The outer error is the ledger's.
    fn attempt(
        &self,
        transport: &mut dyn Transport,
        seq: u32,
        message: &Composed,
    ) -> Result<Result<Accepted, Failure>> {
        let prepared = match transport.prepare(message) {
            Ok(prepared) => prepared,
            Err(failure) => return Ok(Err(failure)),
        };
        let marked = lock(self.state).mark_sending(self.id, seq, &timestamp());
        if let Err(err) = marked {
            // Unrecorded, the message must not leave: drop the connection.
            transport.reset();
            return Err(err);
        }
        Ok(transport.hand_over(message, prepared))
    }
}

/// The ledger, also after a worker thread panicked while holding it.
fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_holds_over_any_window() {
        let rate = Rate {
            per_minute: 3,
            starts: Mutex::new(VecDeque::new()),
        };
        let t0 = Instant::now();
        for _ in 0..3 {
            rate.wait();
        }
        assert!(
            t0.elapsed() < Duration::from_secs(1),
            "the first three pass at once"
        );
        // A fourth would have to wait a minute: check the window instead of sleeping.
        let starts = rate.starts.lock().unwrap();
        assert_eq!(starts.len(), 3);
        let oldest = *starts.front().unwrap();
        assert!(oldest + Duration::from_secs(60) > Instant::now());
    }
}
