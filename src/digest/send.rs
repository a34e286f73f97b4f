//! The sending loop: takes each message the ledger says is still to send,
//! marks it `sending` in the ledger only once the transport is ready for its
//! bytes, and records the outcome right after, on one thread per transport
//! (connection), with retries on fresh connections and a rate limit shared
//! by all of them. A run that dies before the handover leaves the message
//! `pending`. The clock and sleeping are passed in ([`Clock`]).

use std::collections::VecDeque;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use chrono::SecondsFormat;
use indicatif::{ProgressBar, ProgressStyle};

use super::compose::{Composed, Composer};
use super::recipients::Addressing;
use crate::clock::Clock;
use crate::config::Delivery;
use crate::delivery::{Accepted, Failure, Transport};
use crate::error::{Error, Result};
use crate::log::Log;
use crate::state::{DeliveryRow, State, Status};

/// What the loop needs of a digest: each message, composed from the
/// addressing its ledger row holds, and the id a message to some
/// recipients has.
pub(crate) trait Messages: Sync {
    /// The message to `to`.
    fn compose(&self, to: &Addressing) -> Result<Composed>;
    /// The `Message-ID` of the message to `rcpt`.
    fn message_id(&self, rcpt: &[String]) -> String;
}

impl Messages for Composer<'_> {
    fn compose(&self, to: &Addressing) -> Result<Composed> {
        Composer::compose(self, to, false)
    }

    fn message_id(&self, rcpt: &[String]) -> String {
        Composer::message_id(self, rcpt)
    }
}

/// What one run did.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Messages accepted in this run.
    pub sent: usize,
    /// Messages refused in this run (a rerun tries them again).
    // Read by the send loop's tests only: the command reports the ledger's
    // counts, which include earlier runs of the same digest.
    #[cfg_attr(not(test), allow(dead_code))]
    pub failed: usize,
    /// Messages whose fate is unknown (connection lost after the final dot).
    #[cfg_attr(not(test), allow(dead_code))]
    pub uncertain: usize,
    /// Envelope recipients refused within otherwise accepted BCC batches.
    pub refused: usize,
    /// Messages (or BCC rows of their own) the server refused for good (5xx):
    /// a rerun is refused again, so the address must be fixed or removed.
    pub permanent: usize,
    /// Why the run stopped early, if it did.
    pub stopped: Option<Error>,
}

/// One run of the loop: everything besides the ledger and the transports.
pub(crate) struct Sending<'a> {
    /// The digest id.
    pub id: &'a str,
    /// Its messages.
    pub messages: &'a dyn Messages,
    /// Retries, their delay and the rate limit.
    pub limits: &'a Delivery,
    /// The time, for the ledger and the rate limit, and the sleeps.
    pub clock: &'a dyn Clock,
    /// Where messages for people go.
    pub log: &'a Log,
    /// How many messages are to be sent, for the progress bar.
    pub total: usize,
}

/// What a permanent refusal (5xx) asks of the operator: a rerun would be
/// refused the same way.
const FOR_GOOD: &str =
    "the server refuses it for good: fix or remove the address (a rerun is refused again)";

/// At most `per_minute` sends start in any 60-second window (0: no limit).
struct Rate {
    per_minute: usize,
    /// The starts of the latest sends, as [`Clock::elapsed`] readings.
    starts: Mutex<VecDeque<Duration>>,
}

impl Rate {
    fn wait(&self, clock: &dyn Clock) {
        if self.per_minute == 0 {
            return;
        }
        // Held while sleeping: the other connections would have to wait anyway.
        let mut starts = self.starts.lock().unwrap_or_else(|e| e.into_inner());
        if starts.len() == self.per_minute {
            let oldest = starts.pop_front().unwrap_or_default();
            let free = oldest + Duration::from_secs(60);
            let now = clock.elapsed();
            if free > now {
                clock.sleep(free - now);
            }
        }
        starts.push_back(clock.elapsed());
    }
}

/// Shared by the connection threads of one run.
struct Run<'a> {
    job: &'a Sending<'a>,
    state: &'a Mutex<State>,
    rate: Rate,
    cursor: Mutex<u32>,
    /// The last message planned when the run started.
    until: u32,
    stop: AtomicBool,
    stopped: Mutex<Option<Error>>,
    counts: [AtomicUsize; 5],
    progress: ProgressBar,
}

/// Sends every message of digest `job.id` that the ledger does not record
/// as sent or uncertain, one thread per transport, and records each outcome
/// before the next message.
pub(crate) fn run(
    state: &Mutex<State>,
    job: &Sending,
    transports: Vec<Box<dyn Transport>>,
) -> Outcome {
    let run = Run {
        job,
        state,
        rate: Rate {
            per_minute: job.limits.max_per_minute as usize,
            starts: Mutex::new(VecDeque::new()),
        },
        cursor: Mutex::new(0),
        // A ledger that cannot answer fails again at the first claim.
        until: lock(state).last_seq(job.id).unwrap_or(u32::MAX),
        stop: AtomicBool::new(false),
        stopped: Mutex::new(None),
        counts: Default::default(),
        progress: progress_bar(job.total, job.log),
    };
    std::thread::scope(|scope| {
        for transport in transports {
            let run = &run;
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

impl Run<'_> {
    /// Now, as the ledger records it.
    fn timestamp(&self) -> String {
        self.job
            .clock
            .now()
            .to_rfc3339_opts(SecondsFormat::Millis, true)
    }

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
        let row = state.next_to_send(self.job.id, *cursor, self.until)?;
        if let Some(row) = &row {
            *cursor = row.seq;
        }
        Ok(row)
    }

    fn record(&self, seq: u32, status: Status, reply: &str) -> Result<()> {
        let state = lock(self.state);
        state.finish(self.job.id, seq, status, reply, &self.timestamp())
    }

    /// Composes and sends one claimed message and records the outcome.
    /// Returns an error when the whole run must stop.
    fn deliver(&self, transport: &mut dyn Transport, row: &DeliveryRow) -> Result<()> {
        let addressing = serde_json::from_str::<Addressing>(&row.recipients);
        // A failure here leaves the row as it was: nothing left the machine.
        let message = match &addressing {
            Ok(to) => self.job.messages.compose(to)?,
            Err(e) => {
                return Err(Error::Delivery {
                    what: format!("ledger row {} is unreadable: {e}", row.seq),
                    source: None,
                })
            }
        };
        let who = message
            .envelope
            .to()
            .first()
            .map_or_else(String::new, ToString::to_string);
        let log = self.job.log;
        match self.attempts(transport, row.seq, &message)? {
            Ok(accepted) => {
                self.accepted(row.seq, &accepted)?;
                match addressing {
                    Ok(to) if !accepted.refused.is_empty() => self.split_refused(to, &accepted),
                    _ => Ok(()),
                }
            }
            Err(Failure::Permanent(reply)) => {
                log.warn(format!("{who}: refused: {reply}; {FOR_GOOD}"));
                self.counts[1].fetch_add(1, Ordering::SeqCst);
                self.counts[4].fetch_add(1, Ordering::SeqCst);
                self.record(row.seq, Status::Failed, &reply)
            }
            Err(Failure::Uncertain(reply)) => {
                log.warn(format!("{who}: uncertain, not resent: {reply}"));
                self.counts[2].fetch_add(1, Ordering::SeqCst);
                self.record(row.seq, Status::Uncertain, &reply)
            }
            Err(failure @ Failure::Temporary(_)) => {
                self.counts[1].fetch_add(1, Ordering::SeqCst);
                self.record(row.seq, Status::Failed, failure.reply())?;
                Err(Error::Temporary {
                    what: format!(
                        "{who}: not accepted after {} retries",
                        self.job.limits.retries
                    ),
                    source: Some(failure.into()),
                })
            }
            Err(failure @ Failure::Blocked(_)) => {
                self.record(row.seq, Status::Pending, failure.reply())?;
                Err(Error::Temporary {
                    what: "the server blocks or throttles this sender".into(),
                    source: Some(failure.into()),
                })
            }
            Err(failure @ Failure::Fatal(_)) => {
                self.record(row.seq, Status::Pending, failure.reply())?;
                Err(Error::Delivery {
                    what: format!(
                        "the message to {who} could not be handed over, and retrying will not help"
                    ),
                    source: Some(failure.into()),
                })
            }
        }
    }

    fn accepted(&self, seq: u32, accepted: &Accepted) -> Result<()> {
        let mut reply = accepted.reply.clone();
        for (rcpt, why) in &accepted.refused {
            self.job
                .log
                .warn(format!("{rcpt}: refused: {why}; {FOR_GOOD}"));
            reply.push_str(&format!("; refused {rcpt}: {why}"));
        }
        self.counts[3].fetch_add(accepted.refused.len(), Ordering::SeqCst);
        let sent = self.counts[0].fetch_add(1, Ordering::SeqCst) + 1;
        if sent.is_multiple_of(100) {
            self.job.log.detail(format!("{sent} messages sent"));
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
            message_id: self.job.messages.message_id(&to.rcpt),
            reply: Some(reply.join("; ")),
        };
        self.counts[4].fetch_add(1, Ordering::SeqCst);
        let state = lock(self.state);
        state.add_failed(self.job.id, &row, &self.timestamp())
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
        let (limits, clock) = (self.job.limits, self.job.clock);
        let mut delay = limits.retry_delay;
        let mut attempt = 0;
        loop {
            self.rate.wait(clock);
            match self.attempt(transport, seq, message)? {
                Err(Failure::Temporary(reply))
                    if attempt < limits.retries && !self.stop.load(Ordering::SeqCst) =>
                {
                    self.job.log.detail(format!(
                        "temporary failure, retrying in {delay:.1} s: {reply}"
                    ));
                    // Refused, so not in flight while the run waits to retry.
                    self.record(seq, Status::Failed, &reply)?;
                    transport.reset();
                    clock.sleep(Duration::from_secs_f64(delay));
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
        let prepared = match transport.prepare(&message.envelope) {
            Ok(prepared) => prepared,
            Err(failure) => return Ok(Err(failure)),
        };
        let marked = lock(self.state).mark_sending(self.job.id, seq, &self.timestamp());
        if let Err(err) = marked {
            // Unrecorded, the message must not leave: drop the connection.
            transport.reset();
            return Err(err);
        }
        Ok(transport.hand_over(&message.envelope, &message.bytes, prepared))
    }
}

/// The ledger, also after a worker thread panicked while holding it.
fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests;
