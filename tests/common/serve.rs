//! `herald serve` running in the background for a test: its URL, requests to
//! it, its event stream and its stderr, and a stop that never leaves the
//! process behind (it is killed when the value is dropped).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wait_timeout::ChildExt;

use super::Site;

/// How long a test waits for a change to be served (the promise).
pub const RELOAD: Duration = Duration::from_secs(2);

/// How long starting and stopping may take on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(30);

/// A running `herald serve`.
pub struct Served {
    child: Child,
    /// The URL it printed, `http://127.0.0.1:PORT/`.
    pub url: String,
    stderr: Arc<Mutex<String>>,
}

/// One answer: status, `Content-Type`, body.
pub struct Page {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl Served {
    /// Starts `herald serve --port 0 ARGS` on `site` with `TMPDIR=tmp`, and
    /// waits for the URL it prints on stdout.
    pub fn start(site: &Site, args: &[&str], tmp: &Path) -> Served {
        let mut all = vec!["serve", "--port", "0"];
        all.extend_from_slice(args);
        let mut child = super::command(&site.path().join("config.toml"), &all)
            .env("TMPDIR", tmp)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = BufReader::new(child.stderr.take().unwrap());
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut line = String::new();
            while pipe.read_line(&mut line).is_ok_and(|n| n > 0) {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        let mut url = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut url)
            .unwrap();
        let mut served = Served {
            child,
            url: url.trim().to_string(),
            stderr,
        };
        if !served.url.starts_with("http://127.0.0.1:") {
            let status = served.child.wait_timeout(PATIENCE).unwrap();
            panic!(
                "herald serve printed no URL ({status:?}): {:?}\n{}",
                served.url,
                served.stderr()
            );
        }
        served
    }

    /// Everything herald wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// GET `path` (below the site's URL, without its leading `/`).
    pub fn get(&self, path: &str) -> Page {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(PATIENCE))
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent.get(format!("{}{path}", self.url)).call().unwrap();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        Page {
            status: response.status().as_u16(),
            content_type,
            body: response.body_mut().read_to_string().unwrap(),
        }
    }

    /// Fetches `path` until its body satisfies `done`, for at most `within`
    /// (polling, never sleeping a fixed time); the last answer either way.
    pub fn poll(&self, path: &str, within: Duration, done: impl Fn(&str) -> bool) -> Page {
        let deadline = Instant::now() + within;
        loop {
            let page = self.get(path);
            if done(&page.body) || Instant::now() >= deadline {
                return page;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until stderr satisfies `done`, for at most `within`.
    pub fn stderr_until(&self, within: Duration, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + within;
        loop {
            let text = self.stderr();
            if done(&text) || Instant::now() >= deadline {
                return text;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Opens the event stream that tells tabs to reload.
    pub fn events(&self) -> Events {
        let addr = self.url.trim_start_matches("http://").trim_end_matches('/');
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(
            stream,
            "GET /__herald/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        reader.read_line(&mut head).unwrap();
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        let mut line = String::new();
        let mut content_type = String::new();
        while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
            if line.to_ascii_lowercase().starts_with("content-type:") {
                content_type = line[13..].trim().to_string();
            }
            line.clear();
        }
        assert_eq!(content_type, "text/event-stream");
        Events { reader }
    }

    /// Sends `signal` and waits for the exit.
    pub fn stop(&mut self, signal: i32) -> ExitStatus {
        let pid = i32::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) on our own child, which has not been reaped.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
        match self.child.wait_timeout(PATIENCE).unwrap() {
            Some(status) => status,
            None => panic!("herald serve did not stop on signal {signal}"),
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        // Already gone after `stop`; then both only fail.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A reader of server-sent events.
pub struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    /// The data of the next event named `name`, or `None` if none came
    /// within `within`.
    pub fn next(&mut self, name: &str, within: Duration) -> Option<String> {
        let deadline = Instant::now() + within;
        let mut event = String::new();
        let mut line = String::new();
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let stream = self.reader.get_ref();
            stream
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .unwrap();
            line.clear();
            match self.reader.read_line(&mut line) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return None,
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return None,
                Err(e) => panic!("reading the event stream: {e}"),
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some(value) = line.strip_prefix("event:") {
                event = value.trim().to_string();
            } else if let Some(value) = line.strip_prefix("data:") {
                if event == name {
                    return Some(value.trim().to_string());
                }
            } else if line.is_empty() {
                event.clear();
            }
        }
    }
}
