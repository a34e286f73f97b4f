//! The ledger in PostgreSQL: connecting (TLS with rustls, the password from
//! the environment), its tables (the SQLite ledger's, in PostgreSQL's
//! types) and the run lock, an advisory lock held by the ledger's session.

use std::time::Duration;

use postgres::config::SslMode;
use postgres::{Client, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::schema::VERSION;
use super::values::Fault;
use crate::config::{Postgres, Tls};

/// The advisory lock key of the run lock ("herald" in ASCII, with a 0
/// before its last letter): one per database, as one SQLite file has one
/// lock file.
const RUN_LOCK: i64 = 0x0068_6572_616c_0064;
/// The advisory lock key that makes two heralds creating the tables at the
/// same moment take turns.
const SCHEMA_LOCK: i64 = RUN_LOCK + 1;

/// Connects to the ledger's database.
pub(super) fn connect(pg: &Postgres) -> Result<Client, Fault> {
    let mut config = postgres::Config::new();
    config
        .host(&pg.host)
        .port(pg.port)
        .user(&pg.user)
        .dbname(&pg.dbname)
        .application_name("herald")
        .connect_timeout(Duration::from_secs(15))
        // A cut connection must fail the run (exit 75) rather than hang it.
        .keepalives_idle(Duration::from_secs(30))
        .tcp_user_timeout(Duration::from_secs(60))
        // And the server's side: a herald cut off by the network loses its
        // session, and so its run lock, after about a minute rather than
        // after the system's default two hours of TCP keepalive.
        .options(
            "-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3",
        );
    if let Some(password) = std::env::var_os(&pg.password_env) {
        config.password(password.as_encoded_bytes());
    }
    match &pg.tls {
        Tls::Disable => {
            config.ssl_mode(SslMode::Disable);
            Ok(config.connect(NoTls)?)
        }
        Tls::VerifyFull { ca_file } => {
            config.ssl_mode(SslMode::Require);
            let tls = crate::tls::client_config(ca_file.as_deref()).map_err(Fault::Tls)?;
            let connector = MakeRustlsConnect::new(std::sync::Arc::unwrap_or_clone(tls));
            Ok(config.connect(connector)?)
        }
    }
}

/// Takes the run lock on `client`'s session, or says it is held. It is
/// released when the session ends, however it ends: a herald killed with
/// `kill -9` or cut off by the network leaves no stale lock. The session
/// must be the one that records the sends: then no `sending` can be
/// committed without the lock held.
pub(super) fn try_lock(client: &mut Client) -> Result<bool, Fault> {
    let row = client.query_one("SELECT pg_try_advisory_lock($1)", &[&RUN_LOCK])?;
    Ok(row.try_get(0)?)
}

/// The tables of a new ledger: those of SQLite, in PostgreSQL's types.
/// Texts compare byte by byte (`C`), as in SQLite, so lists come out in the
/// same order from both.
const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS herald_schema (version BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS digests (
    id        TEXT COLLATE "C" PRIMARY KEY,
    week      TEXT NOT NULL,
    created   TEXT COLLATE "C" NOT NULL,
    completed TEXT,
    mode      TEXT
);
CREATE TABLE IF NOT EXISTS digest_posts (
    digest   TEXT COLLATE "C" NOT NULL REFERENCES digests(id),
    position BIGINT NOT NULL,
    post_id  TEXT NOT NULL,
    PRIMARY KEY (digest, position)
);
CREATE TABLE IF NOT EXISTS deliveries (
    digest     TEXT COLLATE "C" NOT NULL REFERENCES digests(id),
    seq        BIGINT NOT NULL,
    round      BIGINT NOT NULL DEFAULT 1,
    recipients TEXT NOT NULL,
    message_id TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('pending','sending','sent','failed','uncertain')),
    reply      TEXT,
    attempts   BIGINT NOT NULL DEFAULT 0,
    updated    TEXT,
    PRIMARY KEY (digest, seq)
);
CREATE TABLE IF NOT EXISTS notes (
    id     TEXT COLLATE "C" PRIMARY KEY,
    slot   TEXT COLLATE "C" NOT NULL,
    reason TEXT NOT NULL,
    noted  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS usage (
    digest     TEXT NOT NULL,
    at         BIGINT NOT NULL,
    recipients BIGINT NOT NULL
);"#;

/// Brings the database to [`VERSION`] (creating the tables of a new
/// ledger), or refuses one written by a newer herald. Runs inside the
/// caller's transaction; two heralds doing it at once take turns.
pub(super) fn prepare(client: &mut Client) -> Result<(), Fault> {
    if version(client)? == Some(VERSION) {
        return Ok(());
    }
    client.query_one("SELECT pg_advisory_xact_lock($1)::text", &[&SCHEMA_LOCK])?;
    client.batch_execute(SCHEMA)?;
    client.batch_execute(super::schema::ROUND_INDEX)?;
    match version(client)? {
        Some(found) if found > VERSION => Err(Fault::Newer {
            found,
            known: VERSION,
        }),
        Some(found) if found == VERSION => Ok(()),
        Some(_) => {
            client.execute("UPDATE herald_schema SET version = $1", &[&VERSION])?;
            Ok(())
        }
        None => {
            client.execute("INSERT INTO herald_schema VALUES ($1)", &[&VERSION])?;
            Ok(())
        }
    }
}

/// The ledger's schema version; `None` for a database without the ledger.
fn version(client: &mut Client) -> Result<Option<i64>, Fault> {
    let exists = client.query_one("SELECT to_regclass('herald_schema') IS NOT NULL", &[])?;
    if !exists.try_get::<_, bool>(0)? {
        return Ok(None);
    }
    let row = client.query_opt("SELECT version FROM herald_schema", &[])?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}
