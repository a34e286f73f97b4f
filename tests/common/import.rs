//! Helpers for the import tests: a site with the example site's host and
//! author, and the fixture archives and feeds.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

/// A site in a temporary folder, with the example site's host and author,
/// run at a fixed `now`.
pub struct Site {
    pub dir: tempfile::TempDir,
    now: &'static str,
}

impl Site {
    pub fn new(now: &'static str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let config = "[site]\ntitle = \"Kommunchefens blogg\"\nbase_url = \"https://kommunchefen.example.se/\"\n\n[site.author]\nname = \"Kommunchefen\"\n";
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        Site { dir, now }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
        command
            .arg("--config")
            .arg(self.dir.path().join("config.toml"))
            .args(["--now", self.now])
            .args(args);
        command
    }

    pub fn herald(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs herald like [`Site::herald`], but ends it after `limit`: `None`
    /// means it had not finished by then (a hang). Its output goes to files,
    /// so a talkative run cannot block on a full pipe.
    pub fn herald_within(&self, args: &[&str], limit: Duration) -> Option<Output> {
        let out = tempfile::tempfile().unwrap();
        let err = tempfile::tempfile().unwrap();
        let mut child = self
            .command(args)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(err.try_clone().unwrap())
            .spawn()
            .unwrap();
        let Some(status) = child.wait_timeout(limit).unwrap() else {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        };
        let read = |mut file: std::fs::File| {
            use std::io::Seek;
            let mut bytes = Vec::new();
            file.rewind().unwrap();
            file.read_to_end(&mut bytes).unwrap();
            bytes
        };
        Some(Output {
            status,
            stdout: read(out),
            stderr: read(err),
        })
    }

    /// Runs `herald import KIND FILE args...`.
    pub fn import(&self, kind: &str, file: &Path, args: &[&str]) -> Output {
        self.herald(&[&["import", kind, file.to_str().unwrap()], args].concat())
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Every file in `posts/`: name → text.
    pub fn posts(&self) -> BTreeMap<String, String> {
        let Ok(entries) = std::fs::read_dir(self.path("posts")) else {
            return BTreeMap::new();
        };
        entries
            .map(|e| e.unwrap().path())
            .map(|p| {
                (
                    p.file_name().unwrap().to_str().unwrap().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                )
            })
            .collect()
    }
}

/// `tests/fixtures/import/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// The first user's real archive: a copy of `../shared/corpus/kommunchefens-blogg-2013-09.txt`
/// kept with the fixtures, so the tests run from any clone.
pub fn corpus() -> PathBuf {
    fixture("kommunchefens-blogg-2013-09.txt")
}

/// Asserts the command's exit code; returns (stdout, stderr).
pub fn expect(output: Output, code: i32) -> (String, String) {
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{out}\nstderr:\n{err}"
    );
    (out, err)
}
