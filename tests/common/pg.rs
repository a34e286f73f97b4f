//! A throwaway PostgreSQL server for the tests of the PostgreSQL ledger:
//! Debian's `postgresql` binaries (initdb + pg_ctl), a cluster in a
//! temporary folder, on 127.0.0.1 and a free port, started once per test
//! binary and removed when the test process ends. Run as root (CI
//! containers), the server runs as the unprivileged `postgres` user.
//!
//! Without the binaries the tests are skipped with a message, unless
//! `HERALD_REQUIRE_PG` is set (as `.ci/run` does): then they fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// The password of the cluster's superuser `herald`, which herald reads
/// from `PGPASSWORD` (never from the config).
pub const PASSWORD: &str = "throwaway-test-password";

/// The running test cluster.
pub struct Cluster {
    /// The folder holding the data, the socket and the log.
    dir: PathBuf,
    bin: PathBuf,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    /// The watchdog that removes the cluster once the tests have ended.
    _watchdog: Option<std::process::Child>,
}

/// The cluster of this test binary, started on first use; `None` (with a
/// message saying the test is skipped) when PostgreSQL is not installed.
pub fn cluster() -> Option<&'static Cluster> {
    static CLUSTER: OnceLock<Option<Cluster>> = OnceLock::new();
    CLUSTER
        .get_or_init(|| match bin_dir() {
            Some(bin) => Some(Cluster::start(bin)),
            None if std::env::var_os("HERALD_REQUIRE_PG").is_some() => {
                panic!("HERALD_REQUIRE_PG is set but PostgreSQL (initdb, pg_ctl) is not installed")
            }
            None => None,
        })
        .as_ref()
        .or_else(|| {
            eprintln!("SKIPPED: PostgreSQL is not installed (apt-get install postgresql); the PostgreSQL ledger is not tested");
            None
        })
}

/// Where Debian puts the server binaries (the newest version), or `PATH`.
fn bin_dir() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|e| Some(e.ok()?.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    found.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok())
    });
    found.pop().or_else(|| {
        std::env::var_os("PATH")
            .and_then(|paths| std::env::split_paths(&paths).find(|dir| dir.join("initdb").exists()))
    })
}

/// Whether this process is root (PostgreSQL refuses to run as root).
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

impl Cluster {
    fn start(bin: PathBuf) -> Cluster {
        let dir = tempfile::Builder::new()
            .prefix("herald-pg-")
            .tempdir()
            .unwrap()
            .keep();
        if is_root() {
            let (uid, gid) = postgres_user();
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).unwrap();
        }
        let pwfile = dir.join("password");
        std::fs::write(&pwfile, PASSWORD).unwrap();
        if is_root() {
            let (uid, gid) = postgres_user();
            std::os::unix::fs::chown(&pwfile, Some(uid), Some(gid)).unwrap();
        }
        let port = free_port();
        let mut cluster = Cluster {
            dir,
            bin,
            port,
            _watchdog: None,
        };
        cluster.run(
            "initdb",
            &[
                "-D",
                &cluster.data(),
                "-U",
                "herald",
                "--auth=scram-sha-256",
                &format!("--pwfile={}", pwfile.display()),
                "--locale=C",
                "-E",
                "UTF8",
            ],
        );
        cluster.pg_ctl("start");
        cluster._watchdog = Some(cluster.remove_when_process_ends());
        cluster
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    /// Runs one of the server's programs as the user the server runs as.
    fn run(&self, program: &str, args: &[&str]) {
        let out = self
            .command(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{program} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    fn pg_ctl(&self, action: &str) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("server.log").display().to_string();
        let data = self.data();
        self.run(
            "pg_ctl",
            &[
                "-D", &data, "-l", &log, "-o", &options, "-w", "-m", "fast", action,
            ],
        );
    }

    /// Restarts the server: every session (and advisory lock) ends.
    pub fn restart(&self) {
        self.pg_ctl("restart");
    }

    /// Turns TLS on with this server certificate and key (PEM): `ssl = on`
    /// in the server's settings, then a restart.
    pub fn enable_tls(&self, cert_pem: &str, key_pem: &str) {
        let (cert, key) = (self.dir.join("server.crt"), self.dir.join("server.key"));
        std::fs::write(&cert, cert_pem).unwrap();
        std::fs::write(&key, key_pem).unwrap();
        // PostgreSQL refuses a key others can read.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        if is_root() {
            let (uid, gid) = postgres_user();
            for file in [&cert, &key] {
                std::os::unix::fs::chown(file, Some(uid), Some(gid)).unwrap();
            }
        }
        let mut admin = self.client("postgres");
        for setting in [
            format!("ssl_cert_file = '{}'", cert.display()),
            format!("ssl_key_file = '{}'", key.display()),
            "ssl = on".to_string(),
        ] {
            // One statement per query: ALTER SYSTEM refuses a transaction.
            admin
                .batch_execute(&format!("ALTER SYSTEM SET {setting}"))
                .unwrap();
        }
        self.restart();
    }

    /// A new, empty database; returns its `[digest] state` URL (no password).
    pub fn database(&self) -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!("ledger{}", NEXT.fetch_add(1, Ordering::SeqCst));
        let mut admin = self.client("postgres");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        format!("postgres://herald@127.0.0.1:{}/{name}", self.port)
    }

    /// A session on database `name`, for looking at the ledger directly.
    pub fn client(&self, name: &str) -> postgres::Client {
        postgres::Config::new()
            .host("127.0.0.1")
            .port(self.port)
            .user("herald")
            .password(PASSWORD)
            .dbname(name)
            .connect(postgres::NoTls)
            .unwrap()
    }

    /// A watchdog (a shell, not part of the test) that stops the server and
    /// deletes its folder once this test process has ended.
    fn remove_when_process_ends(&self) -> std::process::Child {
        let stop = format!(
            "{} {} -D {} -m immediate stop",
            if is_root() {
                "runuser -u postgres --"
            } else {
                ""
            },
            self.bin.join("pg_ctl").display(),
            self.data()
        );
        let script = format!(
            "while kill -0 {} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf '{}'",
            std::process::id(),
            self.dir.display()
        );
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }
}

/// The uid and gid of the `postgres` user (Debian's package creates it).
fn postgres_user() -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        let out = Command::new("id")
            .args([flag, "postgres"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "no postgres user to run the server as"
        );
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    (id("-u"), id("-g"))
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `herald <args>` on `site` at the test clock, with the database password
/// in the environment (where herald reads it from).
pub fn herald(site: &super::Site, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
    command
        .arg("--config")
        .arg(site.path().join("config.toml"))
        .args(["--now", super::NOW])
        .args(args)
        .env("PGPASSWORD", PASSWORD);
    command
}

/// A second `herald digest` after a run that stopped mid-send: exit 0,
/// each of the `n` recipients served exactly once, and the one message in
/// flight when the first run stopped left `uncertain`.
pub fn assert_rerun_finishes_once(
    site: &super::Site,
    url: &str,
    server: &super::smtp::Server,
    n: usize,
) {
    let rerun = herald(site, &["digest"]).output().unwrap();
    let err = super::stderr(&rerun);
    assert_eq!(super::mail::code(&rerun), 0, "{err}");
    let counts = server.tally();
    assert!(counts.values().all(|&c| c == 1), "nobody twice: {counts:?}");
    assert_eq!(counts.len(), n, "everyone served or uncertain: {err}");
    assert_eq!(statuses(url).get("uncertain"), Some(&1));
}

/// The messages of the ledger at `url` by status, read from the database.
pub fn statuses(url: &str) -> std::collections::BTreeMap<String, i64> {
    let db = url.rsplit('/').next().unwrap();
    let mut client = cluster().unwrap().client(db);
    client
        .query(
            "SELECT status, COUNT(*) FROM deliveries GROUP BY status",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

/// Ends the database session that holds the run lock of the ledger at
/// `url` (as a server's admin, or its dead-peer detection, would); returns
/// how many sessions were ended.
pub fn end_lock_holder(url: &str) -> i64 {
    let db = url.rsplit('/').next().unwrap();
    let mut admin = cluster().unwrap().client("postgres");
    admin
        .query_one(
            "SELECT COUNT(pg_terminate_backend(l.pid)) FROM pg_locks l
             JOIN pg_database d ON d.oid = l.database
             WHERE l.locktype = 'advisory' AND l.granted AND d.datname = $1",
            &[&db],
        )
        .unwrap()
        .get(0)
}

/// The config's `[digest] state` line pointed at `url`.
pub fn use_ledger(site: &Path, url: &str) {
    let path = site.join("config.toml");
    let config = std::fs::read_to_string(&path).unwrap();
    let moved = config.replace("state = \"state/state.db\"", &format!("state = \"{url}\""));
    assert_ne!(config, moved, "the config names the SQLite ledger");
    std::fs::write(path, moved).unwrap();
}
