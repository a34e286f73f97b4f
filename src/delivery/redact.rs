//! Secrets out of server replies: a server that echoes the password or
//! token it was sent (in a `535`, say) is never quoted with it. Applied in
//! one place, where each reply is read ([`super::wire`]), before any of it
//! reaches an error, the terminal, a report or the ledger.

use base64::Engine;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};

/// The secrets of a login, each also as the base64 forms in which AUTH
/// sends it, so a server that echoes them back is never quoted with them.
#[derive(Clone, Default)]
pub(super) struct Redactor(Vec<String>);

impl Redactor {
    /// Adds the secret of `credentials` as sent with each of `mechanisms`.
    pub(super) fn add(
        &mut self,
        secret: &str,
        credentials: &Credentials,
        mechanisms: &[Mechanism],
    ) {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let mut forms = vec![secret.to_string(), b64(secret)];
        forms.extend(
            mechanisms
                .iter()
                .filter_map(|m| m.response(credentials, None).ok())
                .map(|payload| b64(&payload)),
        );
        self.0.extend(forms.into_iter().filter(|s| !s.is_empty()));
        // Longest first, so a secret inside a longer form never leaves half of it.
        self.0.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// `text` with every secret replaced by `[redacted]`.
    pub(super) fn redact(&self, text: &str) -> String {
        self.0.iter().fold(text.to_string(), |t, secret| {
            t.replace(secret, "[redacted]")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_plain_and_as_sent() {
        let mut redactor = Redactor::default();
        let credentials = Credentials::new("user".into(), "hemligt".into());
        redactor.add("hemligt", &credentials, &[Mechanism::Plain]);
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let reply = format!(
            "535 bad: hemligt {} {}",
            b64("hemligt"),
            b64("\0user\0hemligt")
        );
        assert_eq!(
            redactor.redact(&reply),
            "535 bad: [redacted] [redacted] [redacted]"
        );
    }
}
