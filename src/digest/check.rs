//! `herald check`'s part for the digest: what `herald digest` and `herald
//! run` will need, checked offline on Monday rather than found by cron on
//! Friday. The templates and the subject are rendered in strict mode into a
//! whole message, with the real posts and a real recipient; the recipients
//! file is read as sending reads it; missing secrets are warnings.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::compose::Composer;
use super::recipients::{self, Addressing, Recipient};
use super::IsoWeek;
use crate::config::{Auth, Config, Delivery, Digest, Mode, Transport};
use crate::content::Post;
use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::templates;

/// What checking the digest found.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    /// Problems that would stop or spoil a send, each with its file and line.
    pub problems: Vec<Diagnostic>,
    /// Things that may be fine where cron runs (an unset variable).
    pub warnings: Vec<String>,
}

/// Checks `digest` of `config` with the `published` posts (newest first) at
/// `now`; `is_set` tells whether an environment variable is set.
pub(crate) fn check(
    config: &Config,
    digest: &Digest,
    published: &[Post],
    now: DateTime<Utc>,
    is_set: impl Fn(&str) -> bool,
) -> Result<Findings> {
    let mut found = Findings {
        warnings: unset_secrets(&config.delivery, is_set),
        ..Findings::default()
    };
    let recipients = read_recipients(digest, &mut found.problems);
    let mail = match templates::mail(&config.paths.templates, &digest.subject) {
        Ok(mail) => mail,
        Err(Error::Invalid(problems)) => {
            found.problems.extend(problems);
            return Ok(found);
        }
        Err(e) => return Err(e),
    };
    let id = IsoWeek::of(&now.with_timezone(&config.site.timezone));
    let mut posts = super::new_posts(published, &HashSet::new(), now, digest.max_age_days);
    // With no recent post, the newest one still shows what a post renders as.
    if posts.is_empty() {
        posts.extend(published.first());
    }
    let composer = Composer::new(config, digest, mail, id, &posts, now)?;
    let sample = recipients::plan(digest, recipients)
        .into_iter()
        .next()
        .unwrap_or_else(|| to_sender(digest));
    match composer.compose(&sample, false) {
        // Rendering stops at the first problem: it is the one to report.
        Err(Error::Invalid(problems)) => found.problems.extend(problems),
        Err(e) => return Err(e),
        Ok(_) => {}
    }
    Ok(found)
}

/// The recipients file as sending reads it; every row it would skip, and a
/// file it cannot read, is a problem.
fn read_recipients(digest: &Digest, problems: &mut Vec<Diagnostic>) -> Vec<Recipient> {
    let Some(path) = &digest.recipients else {
        return Vec::new();
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            problems.push(Diagnostic::file(path, format!("cannot be read: {e}")));
            return Vec::new();
        }
    };
    match recipients::parse(path, &bytes) {
        Ok((found, skipped)) => {
            problems.extend(skipped);
            if found.is_empty() && digest.mode != Mode::Group {
                problems.push(Diagnostic::file(path, "holds no one to send to"));
            }
            found
        }
        Err(Error::Invalid(found)) => {
            problems.extend(found);
            Vec::new()
        }
        Err(e) => {
            problems.push(Diagnostic::file(path, e.to_string()));
            Vec::new()
        }
    }
}

/// A message to the sender, when the plan has none (nobody to send to).
fn to_sender(digest: &Digest) -> Addressing {
    let from = digest.from.email.to_string();
    Addressing {
        to: vec![from.clone()],
        rcpt: vec![from.clone()],
        recipient: Recipient::address_only(&from),
    }
}

/// A warning for each secret the transport reads from an unset variable:
/// cron may well set it, so it is not an error here.
fn unset_secrets(delivery: &Delivery, is_set: impl Fn(&str) -> bool) -> Vec<String> {
    if delivery.transport != Transport::Smtp {
        return Vec::new();
    }
    let secret = match (delivery.auth, &delivery.smtp, &delivery.oauth2) {
        (Auth::Password, Some(smtp), _) => smtp
            .password_env
            .as_deref()
            .map(|var| ("the SMTP password", var)),
        (Auth::Oauth2, _, Some(oauth2)) if oauth2.token_command.is_none() => Some((
            "the OAuth2 client secret",
            oauth2.client_secret_env.as_str(),
        )),
        _ => None,
    };
    secret
        .filter(|(_, var)| !is_set(var))
        .map(|(what, var)| {
            format!(
                "{what} is read from the environment variable {var}, which is not set here; \
                 `digest` and `run` need it (fine if cron sets it)"
            )
        })
        .into_iter()
        .collect()
}
