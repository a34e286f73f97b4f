//! The command line: argument definitions, dispatch, and the one place where
//! errors are printed and turned into exit codes.

use std::error::Error as _;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, NaiveTime, Utc};
use clap::{CommandFactory, Parser, Subcommand};

use crate::config::Config;
use crate::content;
use crate::error::{exit, Error, Result};
use crate::log::{Level, Log};
use crate::{
    clock, delivery, digest, import, output, pipeline, run as run_cmd, serve, status, templates,
};

/// The exit codes, for `--help` and the man page (the README has the same table).
const EXIT_CODES: &str = "Exit codes:
  0   done, or (run) nothing due
  1   runtime failure, or delivery stopped on something a person must fix
  2   bad input: command line, config, post or template; nothing was written
  3   some digest recipients were not served; a rerun retries them
  4   another run holds the digest lock, or another build the output; nothing was done
  75  temporary failure (server unreachable, throttled, daily limit); try later";

/// herald: Markdown posts to feeds, pages and a weekly email digest.
#[derive(Debug, Parser)]
#[command(
    name = "herald",
    version,
    about,
    propagate_version = true,
    after_long_help = EXIT_CODES
)]
pub struct Cli {
    /// The site's config file; relative paths in it resolve against its folder.
    #[arg(
        long,
        global = true,
        default_value = "config.toml",
        value_name = "PATH"
    )]
    pub config: PathBuf,
    /// Use this time instead of the clock, for everything (real sends are recorded
    /// with it too): RFC 3339 (2013-09-27T16:00:00+02:00), or 2013-09-27 16:00 or
    /// 2013-09-27 in the site's time zone, as post dates are written.
    #[arg(long, global = true, value_name = "TIME")]
    pub now: Option<String>,
    /// Print errors only.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a new site into DIR (default: the current folder): a commented
    /// config.toml, an example post, recipients.csv, .gitignore. Never overwrites.
    Init {
        /// The new site's folder (created if needed).
        #[arg(default_value = ".", value_name = "DIR")]
        dir: PathBuf,
    },
    /// Build the pages and feeds into the output folder (atomically).
    Build {
        /// Write here instead of the configured output folder (relative to the
        /// current folder).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Check everything `build`, `digest` and `run` need, offline; write nothing, list every problem.
    Check,
    /// Start a new post (a draft with a stable id) in the posts folder.
    New {
        /// The post's title.
        title: String,
        /// Replace a post file of the same name.
        #[arg(long)]
        force: bool,
    },
    /// Bring in posts from an old blog's plain-text archive or RSS/Atom feed.
    Import {
        /// Where the posts come from.
        #[command(subcommand)]
        source: import::Source,
    },
    /// Send the weekly email digest of new posts (exactly once per recipient).
    Digest(digest::command::Options),
    /// For cron or CI: build the site, then send the digest if its slot is due.
    Run {
        /// Write a JSON report of the run to FILE (also when it fails).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// Show the last digests, posts waiting, the next slot and what failed.
    Status {
        /// Print JSON for machines instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Connect to the SMTP server, upgrade to TLS, log in and quit: send nothing.
    CheckSmtp,
    /// Print a completion script for SHELL (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print herald's man page (roff), e.g. `herald man > herald.1`; with
    /// --dir, write it and one page per subcommand (herald-build.1 …) there.
    Man {
        /// Write herald.1 and the subcommands' pages into this folder.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Preview the site on this machine: build it into a temporary folder,
    /// serve it on http://127.0.0.1:PORT/, rebuild on every change and reload
    /// the open tabs. Never writes the output folder. Ctrl-C stops.
    Serve(serve::Options),
    /// Work on the digest ledger itself.
    State {
        /// What to do with the ledger.
        #[command(subcommand)]
        action: StateAction,
    },
    /// Manage the page templates.
    Templates {
        /// What to do with the templates.
        #[command(subcommand)]
        action: TemplatesAction,
    },
}

/// `herald state ...`.
#[derive(Debug, Subcommand)]
pub enum StateAction {
    /// Copy a ledger into a new, empty one: a SQLite file into PostgreSQL
    /// (--to postgres://…) or back (--from postgres://… --to PATH). Holds
    /// the run lock of both while it copies, in one transaction; refuses a
    /// target that holds anything (exit 2). Then point [digest] state at it.
    Migrate {
        /// The ledger to copy: a SQLite file or a postgres:// URL (default:
        /// the config's [digest] state). A path is relative to the current folder.
        #[arg(long, value_name = "LEDGER")]
        from: Option<String>,
        /// The new ledger: a SQLite file or a postgres:// URL. A path is
        /// relative to the current folder.
        #[arg(long, value_name = "LEDGER")]
        to: String,
    },
}

/// `herald templates ...`.
#[derive(Debug, Subcommand)]
pub enum TemplatesAction {
    /// Write the built-in templates into the site's templates folder to edit them.
    Eject {
        /// Replace files that already exist.
        #[arg(long)]
        force: bool,
    },
}

impl Cli {
    /// Checks `--now`'s form before anything else is read; its meaning needs
    /// the site's time zone (see [`Cli::now`]).
    fn check_now(&self) -> Result<()> {
        self.now.as_ref().map_or(Ok(()), |text| {
            parse_now(text, chrono_tz::UTC, NaiveTime::MIN).map(drop)
        })
    }

    /// `--now` read as a post date of `site` is (a day alone at its
    /// `default_publish_time`), or `clock`.
    fn now(&self, site: &crate::config::Site, clock: DateTime<Utc>) -> Result<DateTime<Utc>> {
        self.now.as_ref().map_or(Ok(clock), |text| {
            parse_now(text, site.timezone, site.default_publish_time)
        })
    }
}

fn parse_now(text: &str, zone: chrono_tz::Tz, day_time: NaiveTime) -> Result<DateTime<Utc>> {
    content::parse_date(&toml::Value::String(text.into()), zone, day_time)
        .map(|date| date.with_timezone(&Utc))
        .map_err(|e| Error::Usage(format!("--now: {e}")))
}

/// Runs the command and returns the exit code; prints every error once.
pub fn run(cli: Cli) -> ExitCode {
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => Level::Quiet,
        (_, true) => Level::Verbose,
        _ => Level::Normal,
    };
    let log = Log::new(level);
    let clock = Utc::now();
    let result = match &cli.command {
        Command::Run { report } => cron_run(&cli, report.as_deref(), clock, log.for_cron()),
        command => cli.check_now().and_then(|()| match command {
            Command::Completions { .. } | Command::Man { .. } => generated(command),
            Command::Init { dir } => init(&cli, dir, clock, &log),
            Command::State {
                action: StateAction::Migrate { from, to },
            } => migrate(&cli, from.as_deref(), to, &log),
            _ => dispatch(&cli, clock, &log),
        }),
    };
    match result {
        Ok(()) => ExitCode::from(exit::OK),
        Err(err) => {
            report(&err);
            ExitCode::from(err.exit_code())
        }
    }
}

fn report(err: &Error) {
    eprint!("{}", err.report());
}

fn dispatch(cli: &Cli, clock: DateTime<Utc>, log: &Log) -> Result<()> {
    let config = Config::load(&cli.config)?;
    let now = cli.now(&config.site, clock)?;
    match &cli.command {
        Command::Build { out } => {
            let s = pipeline::build(&config, now, out.as_deref(), true, log)?;
            let dest = out.as_deref().unwrap_or(&config.paths.output);
            log.detail(format!(
                "built {} posts into {} ({} files)",
                s.posts,
                dest.display(),
                s.files
            ));
        }
        Command::Check => check(&config, now, log)?,
        Command::New { title, force } => new_post(&config, title, *force, now, log)?,
        Command::Import { source } => import::run(&config, source, log)?,
        Command::Digest(options) => {
            digest::command::run(&config, options, now, &clock::System::new(), log)?;
        }
        Command::Run { .. }
        | Command::Init { .. }
        | Command::State { .. }
        | Command::Completions { .. }
        | Command::Man { .. } => {
            unreachable!("handled in run, without a config")
        }
        Command::Status { json } => status::print(&config, now, *json)?,
        Command::Serve(options) => {
            // Each build reads the clock anew (and `--now` in the zone the
            // config then names), so a scheduled post appears when its time comes.
            serve::run(&cli.config, options, &|c| cli.now(&c.site, Utc::now()), log)?;
        }
        Command::CheckSmtp => println!("{}", delivery::check_smtp(&config, now)?),
        Command::Templates {
            action: TemplatesAction::Eject { force },
        } => {
            let files: Vec<(PathBuf, String)> = templates::DEFAULTS
                .iter()
                .chain(templates::MAIL_DEFAULTS)
                .chain([&templates::STYLESHEET])
                .map(|(name, text)| (PathBuf::from(name), text.to_string()))
                .collect();
            for path in output::write_new(&config.paths.templates, &files, *force)? {
                log.info(format!("wrote {}", path.display()));
            }
        }
    }
    Ok(())
}

/// `herald state migrate`: copies the ledger `from` (default: the
/// config's; the config is read only then) into the empty ledger `to`.
fn migrate(cli: &Cli, from: Option<&str>, to: &str, log: &Log) -> Result<()> {
    let parse = |text: &str, flag: &str| {
        crate::config::Ledger::parse(text, std::path::Path::new(""), flag).map_err(Error::Usage)
    };
    let from = match from {
        Some(text) => parse(text, "--from")?,
        None => Config::load(&cli.config)?
            .digest
            .map(|digest| digest.state)
            .ok_or_else(|| {
                Error::Usage(
                    "herald state migrate needs --from, or a [digest] table in the config".into(),
                )
            })?,
    };
    let to = parse(to, "--to")?;
    let copied = crate::state::migrate(&from, &to)?;
    log.info(format!(
        "copied {copied} from {from} into {to}; point [digest] state at the new ledger"
    ));
    Ok(())
}

/// `herald check`: the build's checks and the digest's, every problem of
/// both in one list.
fn check(config: &Config, now: DateTime<Utc>, log: &Log) -> Result<()> {
    let built = pipeline::build(config, now, None, false, log);
    let mut problems = match &built {
        Err(Error::Invalid(problems)) => problems.clone(),
        _ => Vec::new(),
    };
    if let Some(digest) = &config.digest {
        // The posts as `digest` reads them; when they have problems, the
        // build listed those, and the templates are rendered without posts.
        let published = match &built {
            Ok(_) => pipeline::published(config, now)?,
            Err(_) => Vec::new(),
        };
        let is_set = |var: &str| std::env::var_os(var).is_some();
        let found = digest::check::check(config, digest, &published, now, is_set)?;
        for warning in found.warnings {
            log.warn(warning);
        }
        problems.extend(found.problems);
    }
    let summary = match built {
        Ok(summary) => summary,
        Err(Error::Invalid(_)) => return Err(Error::Invalid(problems)),
        Err(e) => return Err(e),
    };
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    log.detail(format!(
        "{} posts, {} files: no problems",
        summary.posts, summary.files
    ));
    Ok(())
}

/// `herald run`: like [`dispatch`], and then the report, whatever happened
/// (a bad `--now` or config error included), so a scheduler always finds one.
fn cron_run(
    cli: &Cli,
    report_file: Option<&std::path::Path>,
    clock: DateTime<Utc>,
    log: Log,
) -> Result<()> {
    let started = std::time::Instant::now();
    let mut report = run_cmd::Report::starting(cli.now.as_deref(), clock);
    let result = cli
        .check_now()
        .and_then(|()| Config::load(&cli.config))
        .and_then(|config| {
            let now = cli.now(&config.site, clock)?;
            run_cmd::run(&config, now, &clock::System::new(), &log, &mut report)
        });
    let Some(file) = report_file else {
        return result;
    };
    report.exit_code = result.as_ref().map_or_else(Error::exit_code, |()| exit::OK);
    report.error = result.as_ref().err().map(chain);
    report.duration_seconds = started.elapsed().as_secs_f64();
    let json = serde_json::to_string_pretty(&report).expect("plain data serialises") + "\n";
    let name = file.file_name().map(PathBuf::from).unwrap_or_default();
    let dir = file.parent().unwrap_or(std::path::Path::new(""));
    let written = output::write_new(dir, &[(name, json)], true);
    // The run's own error matters more than a report that could not be written.
    result.and(written.map(|_| ()))
}

/// `completions` and `man`: text generated from the argument definitions.
fn generated(command: &Command) -> Result<()> {
    let mut text = Vec::new();
    match command {
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "herald", &mut text);
        }
        Command::Man { dir: Some(dir) } => {
            // Every `herald-build(1)` the main page refers to gets its page.
            std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
            return clap_mangen::generate_to(Cli::command(), dir).map_err(|e| Error::write(dir, e));
        }
        _ => clap_mangen::Man::new(Cli::command())
            .render(&mut text)
            .map_err(|e| Error::write("the man page", e))?,
    }
    print_bytes(&text)
}

/// Writes generated text (completions, the man page) to stdout; a closed
/// pipe (`| head`) is an error to report, not a panic.
fn print_bytes(bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| Error::write("stdout", e))
}

/// An error and its causes on one line: `a: b: c`.
fn chain(err: &Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    text
}

/// `herald init`: lists the files written and what to do next.
fn init(cli: &Cli, dir: &std::path::Path, clock: DateTime<Utc>, log: &Log) -> Result<()> {
    for path in crate::init::run(dir, |site| cli.now(site, clock))? {
        println!("{}", path.display());
    }
    log.info(format!(
        "edit the lines marked CHANGE in {}, then run `herald --config {} build`",
        dir.join("config.toml").display(),
        dir.join("config.toml").display()
    ));
    Ok(())
}

/// Writes `posts/<date>-<slug>.md`: a draft with the title, the date and an id
/// fixed now, so later renames and domain moves keep the post's identity.
fn new_post(
    config: &Config,
    title: &str,
    force: bool,
    now: DateTime<Utc>,
    log: &Log,
) -> Result<()> {
    let title = title.trim();
    if title.is_empty() {
        return Err(Error::Usage("the title is empty".into()));
    }
    let local = now.with_timezone(&config.site.timezone);
    let date = local.format("%Y-%m-%d").to_string();
    // A title without letters or digits (`!!!`) would make a slug of code
    // points (`u21-21-21`); the date names such a post better.
    let wordless = !deunicode::deunicode(title)
        .chars()
        .any(|c| c.is_ascii_alphanumeric());
    let slug = if wordless {
        date.clone()
    } else {
        content::slug::slugify(title)
    };
    let id = content::tag_uri(config.host(), &local, &slug);
    let text = content::frontmatter::NewFront {
        title,
        date: &local.format("%Y-%m-%d %H:%M").to_string(),
        id: &id,
        tags: Some(&[]),
        draft: Some(true),
        ..Default::default()
    }
    .with_body("");
    // `<date>.md` gives the slug `<date>` (see `slug::from_file_stem`).
    let name = PathBuf::from(if wordless {
        format!("{date}.md")
    } else {
        format!("{date}-{slug}.md")
    });
    let written = output::write_new(&config.paths.posts, &[(name, text)], force)?;
    for path in written {
        println!("{}", path.display());
    }
    log.detail("the post is a draft: set `draft = false` (or remove the line) to publish it");
    Ok(())
}
