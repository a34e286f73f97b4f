//! OAuth2 access tokens for SMTP's XOAUTH2: the client credentials flow
//! against a token endpoint (Microsoft's by default), with the token cached
//! beside the ledger until shortly before it expires, or a `token_command`
//! whose stdout is the token.
//!
//! The run's clock is passed in; time spent in the run is added with a
//! monotonic clock, so a token that expires during a long run is refreshed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Failure;
use crate::config::Oauth2;
use crate::error::{Error, Result};

/// A cached token is used until this many seconds before it expires.
const MARGIN_SECONDS: i64 = 300;

/// Where tokens come from, and the current one.
pub(crate) struct Tokens {
    source: Source,
    cache: PathBuf,
    now: DateTime<Utc>,
    started: Instant,
    current: Mutex<Option<Token>>,
}

enum Source {
    ClientCredentials {
        url: String,
        client_id: String,
        secret: String,
        scope: String,
    },
    Command(Vec<String>),
}

/// A token as cached in `oauth2-token.json`, with what it was issued for, so a
/// changed config never reuses a token meant for another client.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Token {
    access_token: String,
    /// Unix seconds.
    expires_at: i64,
    issued_for: String,
}

#[derive(Deserialize)]
struct Issued {
    access_token: String,
    expires_in: i64,
}

impl Tokens {
    /// Tokens for `settings`, cached in `cache_dir`, at the run's clock `now`.
    /// Reads the client secret from its environment variable here, so a
    /// missing one fails before anything is sent.
    pub(crate) fn new(settings: &Oauth2, cache_dir: &Path, now: DateTime<Utc>) -> Result<Tokens> {
        let source = match (&settings.token_command, &settings.client_id) {
            (Some(command), _) => Source::Command(command.clone()),
            (None, client_id) => {
                let var = &settings.client_secret_env;
                let secret = std::env::var(var).map_err(|_| {
                    Error::Usage(format!(
                        "the OAuth2 client secret is read from the environment variable {var}, which is not set"
                    ))
                })?;
                Source::ClientCredentials {
                    url: settings.endpoint(),
                    client_id: client_id.clone().unwrap_or_default(),
                    secret,
                    scope: settings.scope.clone(),
                }
            }
        };
        Ok(Tokens {
            source,
            cache: cache_dir.join("oauth2-token.json"),
            now,
            started: Instant::now(),
            current: Mutex::new(None),
        })
    }

    /// A valid access token: the current or cached one, else a new one.
    pub(crate) fn token(&self) -> Result<String, Failure> {
        let (url, client_id, secret, scope) = match &self.source {
            Source::Command(command) => return run_command(command),
            Source::ClientCredentials {
                url,
                client_id,
                secret,
                scope,
            } => (url, client_id, secret, scope),
        };
        let now = self.now.timestamp() + self.started.elapsed().as_secs() as i64;
        let issued_for = format!("{url} {client_id} {scope}");
        let fresh = |t: &Token| t.issued_for == issued_for && t.expires_at - MARGIN_SECONDS > now;
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = current.as_ref().filter(|t| fresh(t)) {
            return Ok(t.access_token.clone());
        }
        let token = match self.read_cache().filter(|t| fresh(t)) {
            Some(t) => t,
            None => {
                let issued = request(url, client_id, secret, scope)?;
                let token = Token {
                    access_token: issued.access_token,
                    expires_at: now + issued.expires_in,
                    issued_for,
                };
                // A cache that cannot be written costs a request next time, nothing more.
                let _ = self.write_cache(&token);
                token
            }
        };
        let access = token.access_token.clone();
        *current = Some(token);
        Ok(access)
    }

    /// Drops the current and cached token after the server refused it (it
    /// may have been revoked), so the next connection or run asks afresh.
    pub(crate) fn forget(&self) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let _ = std::fs::remove_file(&self.cache);
    }

    fn read_cache(&self) -> Option<Token> {
        let text = std::fs::read_to_string(&self.cache).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Writes the cache readable by its owner only (it holds a bearer token).
    fn write_cache(&self, token: &Token) -> std::io::Result<()> {
        use std::io::Write;
        let tmp = self.cache.with_extension("json.tmp");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        if let Some(dir) = self.cache.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = options.open(&tmp)?;
        file.write_all(serde_json::to_string(token).unwrap_or_default().as_bytes())?;
        std::fs::rename(&tmp, &self.cache)
    }
}

/// The client credentials grant (RFC 6749 section 4.4).
fn request(url: &str, client_id: &str, secret: &str, scope: &str) -> Result<Issued, Failure> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", secret),
        ("scope", scope),
    ];
    let mut response = agent
        .post(url)
        .send_form(form)
        .map_err(|e| Failure::Temporary(format!("the token endpoint {url} is unreachable: {e}")))?;
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    match status {
        200 => serde_json::from_str(&body).map_err(|e| {
            Failure::Fatal(format!(
                "the token endpoint {url} sent no access token: {e}"
            ))
        }),
        400..=499 => Err(Failure::Fatal(format!(
            "the token endpoint {url} refused the client credentials ({status}): {}",
            endpoint_error(&body)
        ))),
        _ => Err(Failure::Temporary(format!(
            "the token endpoint {url} answered {status}"
        ))),
    }
}

/// `error: error_description` from an OAuth2 error reply (never the request).
fn endpoint_error(body: &str) -> String {
    #[derive(Deserialize)]
    struct Reply {
        error: String,
        error_description: Option<String>,
    }
    match serde_json::from_str::<Reply>(body) {
        Ok(r) => format!("{}: {}", r.error, r.error_description.unwrap_or_default()),
        Err(_) => "no OAuth2 error in the reply".into(),
    }
}

fn run_command(command: &[String]) -> Result<String, Failure> {
    let (program, args) = command.split_first().expect("the config checked it");
    let output = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| Failure::Fatal(format!("cannot run token_command {program}: {e}")))?;
    let token = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if !output.status.success() || token.is_empty() {
        return Err(Failure::Fatal(format!(
            "token_command {program} failed ({}), printing no token: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_errors_are_explained_without_the_request() {
        let body = r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}"#;
        assert_eq!(
            endpoint_error(body),
            "invalid_client: AADSTS7000215: Invalid client secret provided."
        );
        assert_eq!(endpoint_error("<html>"), "no OAuth2 error in the reply");
    }

    #[test]
    fn a_token_command_is_trimmed_and_its_failure_explained() {
        let ok = ["sh", "-c", "echo ' tok '"].map(String::from);
        assert_eq!(run_command(&ok).unwrap(), "tok");
        let bad = ["sh", "-c", "echo nope >&2; exit 3"].map(String::from);
        let Err(Failure::Fatal(why)) = run_command(&bad) else {
            panic!("a failing command is fatal")
        };
        assert!(why.contains("nope"), "{why}");
    }
}
