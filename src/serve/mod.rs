//! `herald serve`: the site as it will look, on this machine, rebuilt on
//! every change and reloaded in every open tab.
//!
//! The site is built with its URL replaced by the server's own
//! (`http://127.0.0.1:PORT/`), so every absolute link stays on the machine,
//! into a temporary folder that is removed when the server stops: the real
//! output folder is never written and the ledger never opened. A failed
//! build leaves the last good one served, with the error shown over every
//! page ([`http`]) and in the terminal.
//!
//! This module touches the outside world: it reads the site's files (through
//! the pipeline), writes the temporary folder, listens on a TCP port, watches
//! the file system, reads the clock (through the `now` it is given, for
//! every build) and handles SIGINT and SIGTERM.

mod http;
mod page;
mod watch;

use std::cell::Cell;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::log::Log;
use crate::pipeline;

/// `herald serve` options.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// The port to listen on; 0 picks a free one. The URL is printed on stdout.
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Show drafts and posts dated after now, marked as such.
    #[arg(long)]
    pub drafts: bool,
    /// Listen on this address instead of 127.0.0.1, such as 0.0.0.0 to look
    /// at the site from a phone on the same network.
    #[arg(long, value_name = "ADDR", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
}

/// What wakes the main loop.
#[derive(Debug)]
pub(crate) enum Signal {
    /// These files or folders changed.
    Changed(Vec<PathBuf>),
    /// Ctrl-C or SIGTERM: stop.
    Stop,
}

/// The time a build publishes at, for a given config: `--now` read in the
/// site's time zone, or the clock when the build starts.
pub(crate) type Now<'a> = &'a dyn Fn(&Config) -> Result<DateTime<Utc>>;

/// Serves the site of the config `file` until Ctrl-C or SIGTERM.
pub(crate) fn run(file: &Path, options: &Options, now: Now, log: &Log) -> Result<()> {
    // Without a config there is nothing to watch: that is an error at once.
    let config = Config::load(file)?;
    let server = http::Server::listen(SocketAddr::new(options.bind, options.port))?;
    let origin = server.origin();
    let parent = temp_parent();
    let temp = tempfile::Builder::new()
        .prefix("herald-serve-")
        .tempdir_in(&parent)
        .map_err(|e| Error::write(&parent, e))?;
    let (signals, received) = mpsc::channel();
    let stop = signals.clone();
    ctrlc::set_handler(move || {
        // The main loop may be gone already; then there is nothing to stop.
        let _ = stop.send(Signal::Stop);
    })
    .map_err(|e| Error::Serve {
        what: "cannot handle Ctrl-C".into(),
        source: Box::new(e),
    })?;
    let builder = Builder {
        origin: origin.clone(),
        folder: temp.path().to_path_buf(),
        builds: Cell::new(0),
        retired: Cell::new(None),
        drafts: options.drafts,
        now,
        log,
    };
    let shared = Arc::new(http::Shared::new(&origin));
    let mut watcher = watch::Watcher::new(signals, *log)?;
    // Watching first, so that a save during the first build is not missed.
    watcher.follow(&config, log);
    builder.build(&shared, Ok(config.clone()));
    let serving = server.spawn(Arc::clone(&shared));
    println!("{origin}");
    log.info(format!(
        "serving {} at {origin}{}; Ctrl-C stops",
        file.display(),
        if options.drafts {
            " with drafts and scheduled posts"
        } else {
            ""
        }
    ));
    let mut config = config;
    while let Some(changed) = watch::next_change(&received) {
        if !changed.iter().any(|path| watch::concerns(&config, path)) {
            continue;
        }
        if let Some(loaded) = builder.build(&shared, Config::load(file)) {
            watcher.follow(&loaded, log);
            config = loaded;
        }
    }
    serving.stop();
    shared.close();
    temp.close().map_err(|e| Error::write(&parent, e))?;
    log.info("stopped");
    Ok(())
}

/// Where the preview's folder goes: `$TMPDIR` when set, else the user's
/// runtime folder (`$XDG_RUNTIME_DIR`, in memory on systemd systems), else
/// `/dev/shm` (in memory on every Linux), else `/tmp`. Every build writes
/// each page anew: on this project's machine that took 0.25 s for 1,000
/// posts in memory and 2.8 s on its disk.
fn temp_parent() -> PathBuf {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    var("TMPDIR")
        .or_else(|| var("XDG_RUNTIME_DIR"))
        .map(PathBuf::from)
        .or_else(|| {
            let shm = Path::new("/dev/shm");
            writable(shm).then(|| shm.to_path_buf())
        })
        .unwrap_or_else(std::env::temp_dir)
}

/// Whether this process may create files in `dir`.
fn writable(dir: &Path) -> bool {
    dir.is_dir() && rustix::fs::access(dir, rustix::fs::Access::WRITE_OK).is_ok()
}

/// Builds the preview into the temporary folder, each build into a folder
/// of its own: the server switches to a good build's folder in the same
/// step as it forgets the last error, so no page mixes the two.
struct Builder<'a> {
    origin: url::Url,
    /// The temporary folder the builds go in.
    folder: PathBuf,
    /// Builds made, for the next build's folder name.
    builds: Cell<u64>,
    /// The folder the last good build replaced: removed after the next one,
    /// so that a request that found a file in it can still read it.
    retired: Cell<Option<PathBuf>>,
    drafts: bool,
    now: Now<'a>,
    log: &'a Log,
}

impl Builder<'_> {
    /// Builds with `config` (as just loaded) and tells the open tabs; on
    /// an error, says it in the terminal and the browser and keeps the
    /// last good build. Returns the config when it loaded, whether or not
    /// the build then succeeded: the folders to watch come from it.
    fn build(&self, shared: &http::Shared, config: Result<Config>) -> Option<Config> {
        let started = Instant::now();
        self.builds.set(self.builds.get() + 1);
        let site = self.folder.join(format!("site-{}", self.builds.get()));
        let (config, built) = match config {
            Ok(config) => {
                let built = self.build_with(&config, &site);
                (Some(config), built)
            }
            Err(err) => (None, Err(err)),
        };
        match built {
            Ok(summary) => {
                self.log.info(format!(
                    "built {} posts in {} ms",
                    summary.posts,
                    started.elapsed().as_millis()
                ));
                let replaced = shared.built(Ok(site));
                if let Some(old) = self.retired.replace(replaced) {
                    // Gone with the temporary folder at the end otherwise.
                    let _ = std::fs::remove_dir_all(old);
                }
            }
            Err(err) => {
                let text = err.report();
                eprint!("{text}");
                self.log
                    .info("the last good build is still served; save a fix to rebuild");
                shared.built(Err(text));
            }
        }
        config
    }

    fn build_with(&self, config: &Config, site: &Path) -> Result<pipeline::Summary> {
        let mut config = config.clone();
        config.site.base_url = self.origin.clone();
        let now = (self.now)(&config)?;
        pipeline::preview(&config, now, site, self.drafts, self.log)
    }
}
