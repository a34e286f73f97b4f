//! Debian's `chromium`, driven by `tests/browser/check.mjs` (Node with
//! puppeteer-core and axe-core from `tests/browser/package-lock.json`).
//!
//! Without chromium, node or the npm packages the browser tests are skipped
//! with a message, unless `HERALD_REQUIRE_BROWSER` is set (as `.ci/run`
//! does, after installing all three): then they fail.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where Debian's package puts the browser.
const CHROMIUM: &str = "/usr/bin/chromium";

/// The browser and the script that drives it, when both are installed.
pub struct Browser {
    chromium: PathBuf,
    script_dir: PathBuf,
}

/// The browser, or `None` (with a message saying the test is skipped).
pub fn browser() -> Option<Browser> {
    let script_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let missing = if !Path::new(CHROMIUM).exists() {
        Some("chromium (apt-get install chromium)")
    } else if Command::new("node").arg("--version").output().is_err() {
        Some("node (apt-get install nodejs npm)")
    } else if !script_dir.join("node_modules/puppeteer-core").is_dir()
        || !script_dir.join("node_modules/axe-core").is_dir()
    {
        Some("the npm packages (npm ci --prefix tests/browser)")
    } else {
        None
    };
    match missing {
        None => Some(Browser {
            chromium: PathBuf::from(CHROMIUM),
            script_dir,
        }),
        Some(what) if std::env::var_os("HERALD_REQUIRE_BROWSER").is_some() => {
            panic!("HERALD_REQUIRE_BROWSER is set but {what} is not installed")
        }
        Some(what) => {
            eprintln!("SKIPPED: {what} is not installed; the pages are not checked in a browser");
            None
        }
    }
}

impl Browser {
    /// Runs `check.mjs` on `plan` (see the script's header; `chromium` is
    /// filled in here) and returns its report.
    pub fn check(&self, mut plan: serde_json::Value) -> serde_json::Value {
        plan["chromium"] = self.chromium.to_string_lossy().into();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plan.json");
        std::fs::write(&file, serde_json::to_vec(&plan).unwrap()).unwrap();
        let out = Command::new("node")
            .arg(self.script_dir.join("check.mjs"))
            .arg(&file)
            .current_dir(&self.script_dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "check.mjs failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "check.mjs printed no JSON ({e}):\n{}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }
}
