//! Composing digest messages: pure functions from posts, config and one
//! message's addressing to the bytes of a MIME message.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use css_inline::CSSInliner;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{MultiPart, SinglePart};
use lettre::{Address, Message};
use serde::Serialize;

use super::recipients::{parse_mailbox, Addressing, Recipient};
use super::view::{self, PostView};
use super::{personal, stable_hash, text, IsoWeek};
use crate::config::{Config, Digest};
use crate::content::Post;
use crate::delivery::Envelope;
use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::i18n::Texts;
use crate::site::SiteView;
use crate::templates::{explain, Mail};

/// One composed message, ready for any transport.
#[derive(Debug, Clone)]
pub struct Composed {
    /// The `Message-ID` (with angle brackets).
    pub message_id: String,
    /// Envelope sender and recipients.
    pub envelope: Envelope,
    /// The whole message (RFC 5322, CRLF line ends).
    pub bytes: Vec<u8>,
}

/// One recipient's rendered subject, HTML part (CSS inlined) and text part.
#[derive(Debug, Clone)]
pub struct Parts {
    /// The rendered subject, on one line.
    pub subject: String,
    /// The HTML part, CSS inlined.
    pub html: String,
    /// The plain-text part.
    pub text: String,
}

/// What every message of one digest shares; templates see it at the top level.
#[derive(Serialize)]
struct Shared {
    site: SiteView,
    posts: Vec<PostView>,
    /// The first post's summary as one line of plain text: the preview a
    /// mail list shows under the subject.
    preheader: String,
    /// The week number, e.g. `39`.
    week: String,
    /// The week as people say it: `vecka 39`.
    week_label: String,
    digest_id: String,
    t: &'static Texts,
    m: crate::i18n::MailTexts,
}

#[derive(Serialize)]
struct View<'a> {
    #[serde(flatten)]
    shared: &'a Shared,
    recipient: &'a Recipient,
    subject: &'a str,
}

/// Composes the messages of one digest.
pub struct Composer<'a> {
    /// The config file, where a problem in the subject is reported.
    config_file: &'a Path,
    digest: &'a Digest,
    mail: Mail,
    shared: Shared,
    date: SystemTime,
    domain: String,
    inliner: CSSInliner<'static>,
    /// Whether the templates allow [`personal`] rendering.
    simple: bool,
    cache: Mutex<HashMap<personal::Shape, Arc<[Vec<personal::Piece>; 3]>>>,
}

impl<'a> Composer<'a> {
    /// Prepares digest `id` (its ISO week) of `posts`, dated `now`.
    pub fn new(
        config: &'a Config,
        digest: &'a Digest,
        mail: Mail,
        id: IsoWeek,
        posts: &[&Post],
        now: DateTime<Utc>,
    ) -> Result<Composer<'a>> {
        let lang = config.site.lang;
        let week = id.number();
        let shared = Shared {
            site: SiteView::new(config),
            posts: posts
                .iter()
                .map(|p| view::post(config, digest, p))
                .collect::<Result<_>>()?,
            preheader: posts
                .first()
                .map_or_else(String::new, |p| view::one_line(&p.summary_text)),
            week: week.to_string(),
            week_label: match lang {
                crate::i18n::Lang::Sv => format!("vecka {week}"),
                crate::i18n::Lang::En => format!("week {week}"),
            },
            digest_id: id.to_string(),
            t: lang.texts(),
            m: lang.mail_texts(digest.footer.as_deref()),
        };
        Ok(Composer {
            config_file: &config.file,
            digest,
            shared,
            date: SystemTime::from(now),
            domain: digest.from.email.domain().to_string(),
            // Remote stylesheets are never fetched: a digest needs no network to
            // compose. `@media` rules (dark mode, narrow screens) cannot be
            // inlined: they stay in a `<style>` in the head.
            inliner: CSSInliner::options()
                .load_remote_stylesheets(false)
                .keep_at_rules(true)
                .build(),
            simple: mail.sources.iter().all(|s| personal::is_simple(s)),
            cache: Mutex::new(HashMap::new()),
            mail,
        })
    }

    /// The `Message-ID` of the message to `rcpt`: the same in every run, so a
    /// resend keeps its identity.
    pub fn message_id(&self, rcpt: &[String]) -> String {
        let key = rcpt.join(",").to_lowercase();
        format!(
            "<{}.{}@{}>",
            self.shared.digest_id,
            stable_hash(&key),
            self.domain
        )
    }

    /// The subject, HTML part (CSS inlined) and text part (unwrapped) for
    /// `recipient`: filled into the cached rendering of its shape when the
    /// templates allow it, else rendered afresh.
    pub fn parts(&self, recipient: &Recipient) -> Result<Parts> {
        if !self.simple {
            return self.render_parts(recipient);
        }
        let shape = personal::shape(recipient);
        let cached = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&shape)
            .cloned();
        let pieces = match cached {
            Some(pieces) => pieces,
            None => {
                let parts = self.render_parts(&personal::stand_in(&shape))?;
                let pieces =
                    Arc::new([parts.subject, parts.html, parts.text].map(|p| personal::split(&p)));
                let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
                cache.entry(shape).or_insert(pieces).clone()
            }
        };
        Ok(Parts {
            subject: personal::fill(&pieces[0], recipient, false),
            html: personal::fill(&pieces[1], recipient, true),
            text: personal::fill(&pieces[2], recipient, false),
        })
    }

    fn render_parts(&self, recipient: &Recipient) -> Result<Parts> {
        let mut view = View {
            shared: &self.shared,
            recipient,
            subject: "",
        };
        let subject = self.render(false, "subject", &view)?;
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        view.subject = &subject;
        let html = self.render(true, "digest", &view)?;
        let html = self.inliner.inline(&html).map_err(|e| Error::Inline {
            name: "digest.html".into(),
            source: Box::new(e),
        })?;
        let text = self.render(false, "digest", &view)?;
        Ok(Parts {
            subject,
            html,
            text,
        })
    }

    /// Renders template `name` of the HTML (or text) registry; a failure is
    /// a problem in that template's file.
    fn render(&self, html: bool, name: &str, view: &View) -> Result<String> {
        let registry = if html {
            &self.mail.html
        } else {
            &self.mail.text
        };
        registry.render(name, view).map_err(|e| {
            let data = serde_json::to_value(view).unwrap_or_default();
            let file = self.mail.file_of(name, html);
            let page = format!("the digest {}", self.shared.digest_id);
            let mut problem = explain::render(&file, &e, &data, &page);
            if name == "subject" {
                // The subject is one value in the config: its own lines say
                // nothing there, the line of its key does.
                let message = format!("digest.subject: {}", problem.message);
                problem = Diagnostic::at(self.config_file, self.digest.subject_line, message);
            }
            Error::Invalid(vec![problem])
        })
    }

    /// The whole message for `to`; `test` marks a test copy (`[TEST] ` subject).
    pub fn compose(&self, to: &Addressing, test: bool) -> Result<Composed> {
        let parts = self.parts(&to.recipient)?;
        let subject = if test {
            format!("[TEST] {}", parts.subject)
        } else {
            parts.subject
        };
        let plain = text::wrap(&parts.text, text::WIDTH);
        let message_id = self.message_id(&to.rcpt);
        let from = self.digest.from.email.clone();
        let envelope =
            Envelope::new(Some(from), addresses(&to.rcpt)?).map_err(|e| Error::Message {
                source: Box::new(e),
            })?;
        let message = self.build(to, &subject, &message_id, plain, parts.html)?;
        Ok(Composed {
            message_id,
            envelope,
            bytes: message.formatted(),
        })
    }

    fn build(
        &self,
        to: &Addressing,
        subject: &str,
        message_id: &str,
        plain: String,
        html: String,
    ) -> Result<Message> {
        let d = self.digest;
        let mut builder = Message::builder()
            .from(d.from.clone())
            .subject(subject)
            .date(self.date)
            .message_id(Some(message_id.to_string()));
        for mailbox in &to.to {
            builder = builder.to(parse_mailbox(mailbox).map_err(|e| invalid(mailbox, e))?);
        }
        if let Some(reply_to) = &d.reply_to {
            builder = builder.reply_to(reply_to.clone());
        }
        // A header is one line: a title or id written over several lines is joined.
        let list_id = format!("{} <{}>", self.shared.site.title, d.list_id);
        let list_id = list_id.split_whitespace().collect::<Vec<_>>().join(" ");
        for (name, value) in [
            ("List-Id", list_id.as_str()),
            ("Auto-Submitted", "auto-generated"),
            ("Precedence", "bulk"),
            ("X-Auto-Response-Suppress", "OOF, DR, RN, NRN"),
        ] {
            let name = HeaderName::new_from_ascii_str(name);
            builder = builder.raw_header(HeaderValue::new(name, value.to_string()));
        }
        let body = MultiPart::alternative()
            .boundary(format!("=_herald_{}", stable_hash(message_id)))
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(plain),
            )
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(html),
            );
        builder.multipart(body).map_err(|e| Error::Message {
            source: Box::new(e),
        })
    }
}

fn addresses(list: &[String]) -> Result<Vec<Address>> {
    list.iter()
        .map(|a| parse_mailbox(a).map(|m| m.email).map_err(|e| invalid(a, e)))
        .collect()
}

fn invalid(address: &str, e: impl std::fmt::Display) -> Error {
    Error::Usage(format!("`{address}` is not an email address: {e}"))
}
