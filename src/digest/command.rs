//! `herald digest`: choose the posts, record the digest, send what is not
//! yet sent, and say what happened.

use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::compose::Composer;
use super::recipients::{self, Addressing, Recipient};
use super::send::{self, Sending};
use super::{quota, Choice, IsoWeek};
use crate::clock::Clock;
use crate::config::{Config, Digest, Mode};
use crate::content::Post;
use crate::delivery::Factory;
use crate::error::{Error, Result};
use crate::log::Log;
use crate::output;
use crate::state::{DeliveryRow, DigestRow, State, Status};
use crate::templates;

/// `herald digest` options.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Options {
    /// Compose this ISO week's digest (2013-W39, or 2013W39) instead of the current one.
    #[arg(long, value_name = "YYYY-Www")]
    pub week: Option<IsoWeek>,
    /// Send a completed digest again, as a new round beside the first.
    #[arg(long)]
    pub force: bool,
    /// Dry run: write the messages as .eml files under DIR/<digest-id>/; record nothing.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["preview", "to"])]
    pub outbox: Option<PathBuf>,
    /// Write the HTML of the first message to a file and print its path; send nothing.
    #[arg(long, conflicts_with = "to")]
    pub preview: bool,
    /// Send one copy, marked [TEST], to this address only; record nothing.
    #[arg(long, value_name = "ADDR")]
    pub to: Option<String>,
}

impl Options {
    /// Real runs send to everyone and keep the ledger; the others only look.
    fn is_real(&self) -> bool {
        self.outbox.is_none() && self.to.is_none() && !self.preview
    }
}

/// What a real send of one digest did: the run report's digest part.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Sent {
    /// The digest id, e.g. `2013-W39`.
    pub id: String,
    /// Posts in the digest (0: nothing new, nothing sent).
    pub posts: usize,
    /// How it is addressed.
    pub mode: Mode,
    /// Messages accepted in this run.
    pub sent: usize,
    /// Messages refused (a rerun retries them).
    pub failed: usize,
    /// Messages that may or may not have arrived (never resent).
    pub uncertain: usize,
    /// Messages an earlier run had already sent.
    pub skipped: usize,
}

/// One digest to send: everything [`send`] needs besides the ledger.
pub(crate) struct Job<'a> {
    /// The site's config.
    pub config: &'a Config,
    /// Its `[digest]` table.
    pub digest: &'a Digest,
    /// `herald digest`'s options (the defaults for `herald run`).
    pub opts: &'a Options,
    /// The digest id.
    pub id: IsoWeek,
    /// Which posts a digest not yet recorded holds.
    pub posts: Choice,
    /// The run's time (`--now`, or the clock when the run started).
    pub now: DateTime<Utc>,
    /// The clock and sleeper of the sending loop.
    pub clock: &'a dyn Clock,
    /// Where messages for people go.
    pub log: &'a Log,
}

/// Runs `herald digest` at `now`, sending with `clock`.
pub(crate) fn run(
    config: &Config,
    opts: &Options,
    now: DateTime<Utc>,
    clock: &dyn Clock,
    log: &Log,
) -> Result<()> {
    let digest = config.digest.as_ref().ok_or_else(|| {
        Error::Usage("herald digest needs a [digest] table in the config (see the README)".into())
    })?;
    let (id, posts) = match opts.week {
        Some(week) => (week, Choice::DatedThatWeek),
        None => (
            IsoWeek::of(&now.with_timezone(&config.site.timezone)),
            Choice::New,
        ),
    };
    // Only a real run takes the lock and writes the ledger; the others work on a copy.
    let state = if opts.is_real() {
        State::open(&digest.state)?
    } else {
        State::scratch(&digest.state)?
    };
    let job = Job {
        config,
        digest,
        opts,
        id,
        posts,
        now,
        clock,
        log,
    };
    send(&job, state, &mut Sent::default()).map(drop)
}

/// Sends `job`'s digest with the ledger `state` (holding its lock for a real
/// run): its recorded posts, else the posts of `week`, else the new posts.
/// Fills in `sent` as it goes, so the caller can report a failed run. Gives
/// the ledger back, still locked, for what the caller records after.
pub(crate) fn send(job: &Job, mut state: State, sent: &mut Sent) -> Result<State> {
    let (config, digest, opts, now, log) = (job.config, job.digest, job.opts, job.now, job.log);
    let id = job.id.to_string();
    let id = id.as_str();
    sent.id = id.to_string();
    sent.mode = digest.mode;
    let recorded = state.digest(id)?;
    if let Some(done) = recorded.as_ref().and_then(|r| r.completed.as_ref()) {
        if !opts.force && opts.is_real() {
            let done = crate::when::stored(done, config.site.timezone);
            log.info(format!(
                "digest {id} was completed at {done}; nothing sent (--force sends it again)"
            ));
            return Ok(state);
        }
    }
    let published = crate::pipeline::published(config, now)?;
    let posts: Vec<&Post> = match (&recorded, job.posts) {
        (Some(row), _) => recorded_posts(row, &published, log),
        (None, Choice::DatedThatWeek) => {
            super::posts_in_week(&published, job.id, config.site.timezone)
        }
        (None, Choice::New) => {
            let held = state.held_post_ids(id)?;
            let held = held.iter().map(String::as_str).collect();
            super::new_posts(&published, &held, now, digest.max_age_days)
        }
    };
    sent.posts = posts.len();
    if posts.is_empty() {
        log.info(format!(
            "digest {id}: no new posts since the last digest; nothing sent"
        ));
        return Ok(state);
    }
    let mail = templates::mail(&config.paths.templates, &digest.subject)?;
    let composer = Composer::new(config, digest, mail, job.id, &posts, now)?;
    if opts.preview {
        return preview(digest, &composer, id).map(|()| state);
    }
    if let Some(address) = &opts.to {
        return test_copy(job, &composer, address).map(|()| state);
    }
    record(&mut state, job, &composer, &posts, recorded.as_ref())?;
    let factory = Factory::new(
        &config.delivery,
        opts.outbox.as_deref(),
        id,
        &digest.state.local_folder(),
        now,
    )?;
    if let Some(warning) = factory.password_warning() {
        log.warn(warning);
    }
    deliver(job, state, &composer, &factory, sent)
}

/// The posts a recorded digest holds, in its order; ones gone since are skipped.
fn recorded_posts<'a>(row: &DigestRow, published: &'a [Post], log: &Log) -> Vec<&'a Post> {
    row.post_ids
        .iter()
        .filter_map(|id| {
            let post = published.iter().find(|p| &p.id == id);
            if post.is_none() {
                log.warn(format!(
                    "digest {}: post {id} is no longer published; left out",
                    row.id
                ));
            }
            post
        })
        .collect()
}

fn preview(digest: &Digest, composer: &Composer, id: &str) -> Result<()> {
    let recipient = Recipient::address_only(digest.from.email.as_ref());
    let html = composer.parts(&recipient)?.html;
    let dir = digest.state.local_folder();
    let file = (PathBuf::from(format!("preview-{id}.html")), html);
    for path in output::write_new(&dir, &[file], true)? {
        println!("{}", path.display());
    }
    Ok(())
}

fn test_copy(job: &Job, composer: &Composer, address: &str) -> Result<()> {
    let (config, digest, now) = (job.config, job.digest, job.now);
    let id = job.id.to_string();
    let to = Addressing {
        to: vec![address.to_string()],
        rcpt: vec![address.to_string()],
        recipient: Recipient::address_only(address),
    };
    let message = composer.compose(&to, true)?;
    let factory = Factory::new(
        &config.delivery,
        None,
        &format!("{id}-test"),
        &digest.state.local_folder(),
        now,
    )?;
    let mut transport = factory.open();
    let sent = transport.send(&message.envelope, &message.bytes);
    transport.close();
    match sent {
        Ok(accepted) => {
            println!(
                "sent a test copy of digest {id} to {address}: {}",
                accepted.reply
            );
            Ok(())
        }
        Err(failure) => Err(Error::Delivery {
            what: format!("the test copy to {address} failed"),
            source: Some(failure.into()),
        }),
    }
}

/// Records what this run sends: a new digest with its posts and messages;
/// or, for a completed one sent again (`--force`, or a dry run), a new round
/// of messages, unless the last such round is unfinished: that one resumes.
fn record(
    state: &mut State,
    job: &Job,
    composer: &Composer,
    posts: &[&Post],
    recorded: Option<&DigestRow>,
) -> Result<()> {
    let (digest, log, id) = (job.digest, job.log, job.id.to_string());
    match recorded {
        None => {
            let row = DigestRow {
                id: id.clone(),
                week: id.clone(),
                post_ids: posts.iter().map(|p| p.id.clone()).collect(),
                created: job.now.to_rfc3339(),
                completed: None,
                mode: Some(digest.mode),
            };
            state.create(&row, &plan(digest, composer, log)?)
        }
        Some(row) if row.completed.is_some() && state.counts(&id)?.settled() => {
            state.add_round(&id, &plan(digest, composer, log)?)
        }
        Some(_) => Ok(()),
    }
}

/// Plans every message of a digest (or of a new round of it), from the
/// recipients as they are now.
fn plan(digest: &Digest, composer: &Composer, log: &Log) -> Result<Vec<DeliveryRow>> {
    let people = match (&digest.recipients, digest.mode) {
        (Some(path), Mode::Individual | Mode::Bcc) => {
            let (found, problems) = recipients::load(path)?;
            for problem in problems {
                log.warn(problem.to_string());
            }
            if found.is_empty() {
                return Err(Error::Usage(format!(
                    "{} has no valid recipients",
                    path.display()
                )));
            }
            found
        }
        _ => Vec::new(),
    };
    Ok(recipients::plan(digest, people)
        .iter()
        .zip(1..)
        .map(|(to, seq)| DeliveryRow {
            seq,
            recipients: serde_json::to_string(to).expect("plain strings serialise"),
            message_id: composer.message_id(&to.rcpt),
            reply: None,
        })
        .collect())
}

fn deliver(
    job: &Job,
    state: State,
    composer: &Composer,
    factory: &Factory,
    sent: &mut Sent,
) -> Result<State> {
    let (config, digest, now, log) = (job.config, job.digest, job.now, job.log);
    let id = job.id.to_string();
    let id = id.as_str();
    for row in state.settle_in_flight(id)? {
        log.warn(format!(
            "message {} ({}) was in flight when an earlier run stopped: it may have arrived, so it is not sent again",
            row.message_id,
            recipients_of(&row).join(", ")
        ));
    }
    let before = state.counts(id)?;
    let todo: Vec<DeliveryRow> = [Status::Pending, Status::Failed]
        .iter()
        .map(|s| state.rows(id, *s))
        .collect::<Result<Vec<_>>>()?
        .concat();
    let people: usize = todo.iter().map(|r| recipients_of(r).len()).sum();
    log.info(format!(
        "digest {id}: {} mode, {} message(s) to {people} recipient(s) via {}; {}",
        digest.mode,
        todo.len(),
        factory.describe(),
        estimate(todo.len(), config.delivery.max_per_minute)
    ));
    let total = todo.len();
    drop(todo);
    if job.opts.is_real() {
        let limit = config.delivery.daily_recipients;
        quota::enforce(&state, id, people as u64, limit, now, config.site.timezone)?;
    }
    let state = Mutex::new(state);
    let sending = Sending {
        id,
        messages: composer,
        limits: &config.delivery,
        clock: job.clock,
        log,
        total,
    };
    let transports = (0..factory.connections()).map(|_| factory.open()).collect();
    let outcome = send::run(&state, &sending, transports);
    let state = state.into_inner().unwrap_or_else(|e| e.into_inner());
    let after = state.counts(id)?;
    sent.sent = outcome.sent;
    sent.failed = after.failed;
    sent.uncertain = after.uncertain;
    sent.skipped = before.sent;
    log.info(format!(
        "digest {id}: {} {}, {} failed, {} uncertain, {} skipped (sent by an earlier run){}",
        outcome.sent,
        factory.done_word(),
        after.failed,
        after.uncertain,
        before.sent,
        if outcome.refused > 0 {
            format!(", {} recipient(s) refused in BCC batches", outcome.refused)
        } else {
            String::new()
        }
    ));
    if after.settled() {
        state.complete(id, &now.to_rfc3339())?;
    }
    match outcome.stopped {
        Some(err) => Err(err),
        None if after.failed + after.pending > 0 => Err(Error::NotServed {
            unserved: after.failed + after.pending,
            refused: outcome.permanent,
        }),
        None => Ok(state),
    }
}

fn recipients_of(row: &DeliveryRow) -> Vec<String> {
    serde_json::from_str::<Addressing>(&row.recipients).map_or_else(|_| Vec::new(), |a| a.rcpt)
}

/// "about 7 minutes at 30/min" or "no rate limit".
fn estimate(messages: usize, per_minute: u32) -> String {
    if per_minute == 0 {
        return "no rate limit".into();
    }
    let minutes = messages.div_ceil(per_minute as usize);
    format!("about {minutes} minute(s) at {per_minute}/min")
}
