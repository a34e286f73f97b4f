//! `[digest] state`: where the ledger lives. A path is a SQLite file on this
//! machine; a `postgres://` URL is a PostgreSQL database that several herald
//! processes (on several machines) share. The scheme decides.

use std::fmt;
use std::path::{Path, PathBuf};

use super::is_loopback;

/// The configured ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ledger {
    /// A SQLite file (the default `.herald/state.db`).
    Sqlite(PathBuf),
    /// A PostgreSQL database.
    Postgres(Postgres),
}

/// A PostgreSQL ledger: where it is and how to reach it. The password is
/// never here: it is read from the environment when connecting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Postgres {
    /// The server's host name or address.
    pub host: String,
    /// Its port. Default: 5432.
    pub port: u16,
    /// The database user.
    pub user: String,
    /// The database.
    pub dbname: String,
    /// The environment variable holding the password. Default: `PGPASSWORD`.
    pub password_env: String,
    /// How the connection is protected.
    pub tls: Tls,
    /// The local folder for this machine's files (token cache, previews):
    /// `.herald/` beside the config.
    pub local: PathBuf,
}

/// `sslmode` of a PostgreSQL ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tls {
    /// No TLS: only for a server on this machine (loopback).
    Disable,
    /// TLS, the certificate checked against `ca_file` (a private CA) or the
    /// public roots, and the host name checked against it.
    VerifyFull {
        /// PEM file with the CA certificate(s), relative to the config.
        ca_file: Option<PathBuf>,
    },
}

impl Ledger {
    /// The folder for this machine's files beside the ledger (the OAuth2
    /// token cache, digest previews): the SQLite file's folder, or `.herald/`
    /// for a database elsewhere. The one place that decides it.
    pub fn local_folder(&self) -> PathBuf {
        match self {
            Ledger::Sqlite(path) => path.parent().map(PathBuf::from).unwrap_or_default(),
            Ledger::Postgres(pg) => pg.local.clone(),
        }
    }
}

impl fmt::Display for Ledger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ledger::Sqlite(path) => write!(f, "{}", path.display()),
            Ledger::Postgres(pg) => pg.fmt(f),
        }
    }
}

impl fmt::Display for Postgres {
    /// The URL without secrets (there are none in it) or options.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        write!(
            f,
            "postgres://{}@{host}:{}/{}",
            self.user, self.port, self.dbname
        )
    }
}

impl Ledger {
    /// Reads a ledger as written in `[digest] state` (or on the command line,
    /// or in the variable `state_env` names), a path relative to `root`. The
    /// error is the problem in words, starting with `name`, the ledger's
    /// origin (the caller adds file and line); it never repeats the text,
    /// which may come from a secret.
    pub fn parse(text: &str, root: &Path, name: &str) -> Result<Ledger, String> {
        if !(text.starts_with("postgres://") || text.starts_with("postgresql://")) {
            if text.contains("://") {
                let scheme = text.split("://").next().unwrap_or_default();
                return Err(format!(
                    "{name}: only postgres:// URLs or file paths are ledgers, not {scheme}://"
                ));
            }
            return Ok(Ledger::Sqlite(root.join(text)));
        }
        let url = url::Url::parse(text).map_err(|e| format!("{name} is not a valid URL: {e}"))?;
        if url.password().is_some() {
            return Err(format!("{name} must not hold a password: put it in the environment (PGPASSWORD, or the variable named by ?password_env=)"));
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| format!("{name} needs a host: postgres://user@host:port/database"))?
            .trim_matches(['[', ']'])
            .to_string();
        let user = url.username().to_string();
        let dbname = url.path().trim_start_matches('/').to_string();
        if user.is_empty() || dbname.is_empty() || dbname.contains('/') {
            return Err(format!(
                "{name} needs a user and a database: postgres://user@host:port/database"
            ));
        }
        let mut sslmode = None;
        let (mut ca_file, mut password_env) = (None, "PGPASSWORD".to_string());
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "sslmode" => sslmode = Some(value.into_owned()),
                "ca_file" | "sslrootcert" => ca_file = Some(root.join(value.as_ref())),
                "password_env" => password_env = value.into_owned(),
                other => {
                    return Err(format!(
                        "{name}: unknown option `{other}` (known: sslmode, ca_file, password_env)"
                    ))
                }
            }
        }
        let loopback = is_loopback(&host) || host == "localhost";
        let tls = match sslmode.as_deref() {
            None if loopback && ca_file.is_none() => Tls::Disable,
            None | Some("verify-full") => Tls::VerifyFull { ca_file },
            Some("disable") if loopback => Tls::Disable,
            Some("disable") => {
                return Err(format!(
                    "{name}: sslmode=disable is only allowed for a server on this machine, not {host}; use sslmode=verify-full"
                ))
            }
            Some(other) => {
                return Err(format!(
                    "{name}: sslmode `{other}` is not supported (use verify-full, or disable for a server on this machine)"
                ))
            }
        };
        Ok(Ledger::Postgres(Postgres {
            host,
            port: url.port().unwrap_or(5432),
            user,
            dbname,
            password_env,
            tls,
            local: root.join(".herald"),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(text: &str) -> Postgres {
        match Ledger::parse(text, Path::new("/site"), "digest.state") {
            Ok(Ledger::Postgres(pg)) => pg,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn the_scheme_decides_between_a_file_and_a_database() {
        assert_eq!(
            Ledger::parse("ledger/state.db", Path::new("/site"), "digest.state"),
            Ok(Ledger::Sqlite("/site/ledger/state.db".into()))
        );
        let local = pg("postgres://herald@127.0.0.1:5433/herald");
        assert_eq!(
            (local.port, &local.tls, local.password_env.as_str()),
            (5433, &Tls::Disable, "PGPASSWORD")
        );
        assert_eq!(local.to_string(), "postgres://herald@127.0.0.1:5433/herald");
        let remote =
            pg("postgres://herald@db.kommun.se/ledger?ca_file=ca.pem&password_env=HERALD_DB");
        assert_eq!(
            remote.tls,
            Tls::VerifyFull {
                ca_file: Some("/site/ca.pem".into())
            }
        );
        assert_eq!(
            (remote.port, remote.password_env.as_str()),
            (5432, "HERALD_DB")
        );
    }

    #[test]
    fn passwords_weak_tls_and_unknown_options_are_refused() {
        let root = Path::new("/site");
        for (text, says) in [
            (
                "postgres://herald:secret@db/herald",
                "must not hold a password",
            ),
            (
                "postgres://herald@db.kommun.se/herald?sslmode=disable",
                "only allowed for a server on this machine",
            ),
            (
                "postgres://herald@db/herald?sslmode=prefer",
                "not supported",
            ),
            (
                "postgres://herald@db/herald?timeout=3",
                "unknown option `timeout`",
            ),
            ("postgres://db/herald", "needs a user"),
            ("mysql://herald@db/herald", "only postgres://"),
        ] {
            let err = Ledger::parse(text, root, "digest.state").unwrap_err();
            assert!(err.contains(says), "{text}: {err}");
            assert!(!err.contains("secret"), "{err}");
        }
    }

    /// The problems of a config whose `[digest]` ends with `tail`.
    fn problems(tail: &str) -> Vec<String> {
        let text = format!("[site]\ntitle = \"Blogg\"\nbase_url = \"https://example.se/\"\n[site.author]\nname = \"K\"\n\n[digest]\nfrom = \"a@example.se\"\nto = [\"b@example.se\"]\n{tail}");
        match super::super::Config::parse(Path::new("site/config.toml"), &text) {
            Ok(_) => Vec::new(),
            Err(problems) => problems.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn a_ledger_from_the_environment_is_named_by_its_variable_and_checked_at_its_line() {
        let unset = problems("state_env = \"HERALD_TEST_NEVER_SET_4711\"\n");
        assert_eq!(unset.len(), 1, "{unset:?}");
        assert!(
            unset[0].starts_with("site/config.toml:10: digest.state_env: the environment variable HERALD_TEST_NEVER_SET_4711 is not set"),
            "{unset:?}"
        );
        let both = problems("state = \"a.db\"\nstate_env = \"HERALD_STATE_URL\"\n");
        assert_eq!(both.len(), 1, "{both:?}");
        assert!(both[0].starts_with("site/config.toml:11:"), "{both:?}");
        assert!(both[0].contains("keep one"), "{both:?}");
    }

    #[test]
    fn a_password_in_the_config_is_a_problem_named_with_its_line() {
        let said = problems("state = \"postgres://herald:hemligt@db.kommun.se/herald\"\n");
        assert_eq!(said.len(), 1, "a password in the URL is refused: {said:?}");
        assert!(said[0].starts_with("site/config.toml:10"), "{said:?}");
        assert!(said[0].contains("must not hold a password"), "{said:?}");
        assert!(
            !said[0].contains("hemligt"),
            "the password is never repeated"
        );
    }
}
