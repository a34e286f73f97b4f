//! The HTTP side of `herald serve`: files of the last good build, a 404
//! page, and an event stream that tells open tabs when to reload.
//!
//! Served with `tiny_http`, a small synchronous server: one thread per
//! request, which is plenty for one writer's browser, and no async runtime.

use std::fs;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use mime_guess::mime;
use percent_encoding::percent_decode_str;
use tiny_http::{Header, Method, Request, Response, ResponseBox};
use url::Url;

use super::page;
use crate::error::{Error, Result};

/// How often an idle event stream says it is still there, so that a closed
/// tab's thread notices (its write fails) and ends.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// A listening server, not yet answering.
pub(super) struct Server {
    inner: Arc<tiny_http::Server>,
    origin: Url,
}

impl Server {
    /// Listens on `addr` (port 0: a free port).
    pub(super) fn listen(addr: SocketAddr) -> Result<Server> {
        let inner = tiny_http::Server::http(addr).map_err(|source| Error::Serve {
            what: format!("cannot listen on {addr}"),
            source,
        })?;
        let port = inner
            .server_addr()
            .to_ip()
            .map_or(addr.port(), |a| a.port());
        // Listening on every address, the site is built for the loopback
        // one; other hosts get their own name in the links (`rebase`).
        let host = match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let origin = Url::parse(&format!("http://{}/", SocketAddr::new(host, port)))
            .expect("an address and a port make a URL");
        Ok(Server {
            inner: Arc::new(inner),
            origin,
        })
    }

    /// The site's URL on this server, ending with `/`.
    pub(super) fn origin(&self) -> Url {
        self.origin.clone()
    }

    /// Answers requests on a thread of its own until [`Serving::stop`].
    pub(super) fn spawn(self, shared: Arc<Shared>) -> Serving {
        let stopping = Arc::new(AtomicBool::new(false));
        let server = Arc::clone(&self.inner);
        let stop = Arc::clone(&stopping);
        let thread = thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                // An error is a connection that failed to open; the next may not.
                if let Ok(request) = server.recv() {
                    let shared = Arc::clone(&shared);
                    thread::spawn(move || respond(request, &shared));
                }
            }
        });
        Serving {
            server: self.inner,
            stopping,
            thread,
        }
    }
}

/// The answering thread.
pub(super) struct Serving {
    server: Arc<tiny_http::Server>,
    stopping: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Serving {
    /// Stops answering and closes the port.
    pub(super) fn stop(self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.server.unblock();
        // A panic there has been printed already; there is nothing to add.
        let _ = self.thread.join();
    }
}

/// What the builder and the request threads share.
pub(super) struct Shared {
    /// The URL the site was built for.
    origin: String,
    state: Mutex<State>,
}

struct State {
    /// Counts builds, so that a page knows whether it is the newest.
    builds: u64,
    /// The last good build's folder; `None` until a build succeeds.
    root: Option<PathBuf>,
    /// The last build's error, shown over every page until a build succeeds.
    failure: Option<String>,
    /// The open event streams.
    listeners: Vec<mpsc::Sender<String>>,
}

/// What one request is answered from: a build's folder, id and error,
/// read together, so that a page of a good build never carries the error
/// of the failed build before it.
struct View {
    root: Option<PathBuf>,
    build: String,
    failure: Option<String>,
}

impl Shared {
    /// Serves the builds made for `origin`.
    pub(super) fn new(origin: &Url) -> Shared {
        Shared {
            origin: origin.to_string(),
            state: Mutex::new(State {
                builds: 0,
                root: None,
                failure: None,
                listeners: Vec::new(),
            }),
        }
    }

    /// A build ended, in the folder it was written to or with its error:
    /// every open tab reloads. Returns the folder a good build replaced.
    pub(super) fn built(&self, outcome: std::result::Result<PathBuf, String>) -> Option<PathBuf> {
        let mut state = self.lock();
        state.builds += 1;
        let replaced = match outcome {
            Ok(root) => {
                state.failure = None;
                state.root.replace(root)
            }
            Err(failure) => {
                state.failure = Some(failure);
                None
            }
        };
        let id = build_id(state.builds);
        state.listeners.retain(|tab| tab.send(id.clone()).is_ok());
        replaced
    }

    /// Ends every event stream.
    pub(super) fn close(&self) {
        self.lock().listeners.clear();
    }

    /// What a request is answered from, now.
    fn view(&self) -> View {
        let state = self.lock();
        View {
            root: state.root.clone(),
            build: build_id(state.builds),
            failure: state.failure.clone(),
        }
    }

    /// A new event stream: the current build's id, and the ids to come.
    fn subscribe(&self) -> (String, mpsc::Receiver<String>) {
        let (sender, receiver) = mpsc::channel();
        let mut state = self.lock();
        state.listeners.push(sender);
        (build_id(state.builds), receiver)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays whole whatever a panicking thread did with it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A build's id, unique to this process too, so that a tab left open
/// across a restart of `herald serve` reloads.
fn build_id(builds: u64) -> String {
    format!("{}-{builds}", std::process::id())
}

fn respond(request: Request, shared: &Shared) {
    let path = request.url().split(['?', '#']).next().unwrap_or("/");
    if path == page::EVENTS {
        return events(request, shared);
    }
    let response = if matches!(request.method(), Method::Get | Method::Head) {
        let host = host(&request);
        let view = shared.view();
        let found = view
            .root
            .as_deref()
            .map_or(Found::Missing, |root| locate(root, path));
        match found {
            Found::File(file) => shared.file(&view, &file, 200, host.as_deref()),
            Found::Folder(to) => plain(302, "").with_header(header("Location", &to)),
            Found::Missing => shared.not_found(&view, host.as_deref()),
        }
    } else {
        plain(405, "herald serve only reads\n").with_header(header("Allow", "GET, HEAD"))
    };
    // A tab closed before its answer is nobody's error.
    let _ = request.respond(response.with_header(header("Cache-Control", "no-store")));
}

/// What a request's path names.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    File(PathBuf),
    /// A folder asked for without its `/`: where to go instead, so that
    /// relative links resolve as in the real site (a temporary redirect:
    /// browsers keep a permanent one, and the folder may become a file).
    Folder(String),
    Missing,
}

fn locate(root: &Path, path: &str) -> Found {
    let Ok(decoded) = percent_decode_str(path).decode_utf8() else {
        return Found::Missing;
    };
    let mut file = root.to_path_buf();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            // Nothing outside the build is served.
            ".." => return Found::Missing,
            part if part.contains(['\\', '\0']) => return Found::Missing,
            part => file.push(part),
        }
    }
    if file.is_dir() {
        if !path.ends_with('/') {
            return Found::Folder(format!("{path}/"));
        }
        file.push("index.html");
    }
    if file.is_file() {
        Found::File(file)
    } else {
        Found::Missing
    }
}

impl Shared {
    /// The file as the browser gets it: text with the site's URL as the
    /// browser asked for it, HTML with the reload script (and the last
    /// build's error, if it failed).
    fn file(&self, view: &View, file: &Path, status: u16, host: Option<&str>) -> ResponseBox {
        let mime = mime_guess::from_path(file).first_or_octet_stream();
        if !page::is_text(&mime) {
            return match fs::File::open(file) {
                Ok(opened) => Response::from_file(opened)
                    .with_status_code(status)
                    .with_header(header("Content-Type", mime.essence_str()))
                    .boxed(),
                Err(_) => self.not_found(view, host),
            };
        }
        let Ok(bytes) = fs::read(file) else {
            return self.not_found(view, host);
        };
        let mut text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(origin) = host.and_then(|h| self.origin_for(h)) {
            text = text.replace(&self.origin, &origin);
        }
        if mime.subtype() == mime::HTML {
            text = page::inject(&text, &view.build, view.failure.as_deref());
        }
        Response::from_data(text)
            .with_status_code(status)
            .with_header(header(
                "Content-Type",
                &format!("{}; charset=utf-8", mime.essence_str()),
            ))
            .boxed()
    }

    /// The site's `404.html` if it has one, else herald's own.
    fn not_found(&self, view: &View, host: Option<&str>) -> ResponseBox {
        let custom = view.root.as_ref().map(|root| root.join("404.html"));
        if let Some(custom) = custom.filter(|c| c.is_file()) {
            return self.file(view, &custom, 404, host);
        }
        let page = page::inject(page::NOT_FOUND, &view.build, view.failure.as_deref());
        Response::from_data(page)
            .with_status_code(404)
            .with_header(header("Content-Type", "text/html; charset=utf-8"))
            .boxed()
    }

    /// The site's URL as the browser named this server (`localhost`, or
    /// this machine's address on the network under `--bind`), when that
    /// is not the URL it was built for; a malformed name is ignored.
    fn origin_for(&self, host: &str) -> Option<String> {
        let plausible = !host.is_empty()
            && host.len() <= 255
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c));
        let origin = format!("http://{host}/");
        (plausible && origin != self.origin).then_some(origin)
    }
}

fn host(request: &Request) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_ascii_lowercase())
}

/// An event stream (server-sent events): the current build's id at once,
/// then each new build's, until the tab closes or the server stops.
fn events(request: Request, shared: &Shared) {
    let (build, builds) = shared.subscribe();
    let mut out = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\nretry: 1000\n\n";
    let mut text = format!("{head}{}", page::event(&build));
    loop {
        if send(&mut out, &text).is_err() {
            return;
        }
        text = match builds.recv_timeout(KEEP_ALIVE) {
            Ok(build) => page::event(&build),
            Err(RecvTimeoutError::Timeout) => ": still here\n\n".into(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
    }
}

fn send(out: &mut dyn Write, text: &str) -> io::Result<()> {
    out.write_all(text.as_bytes())?;
    out.flush()
}

fn plain(status: u16, text: &str) -> ResponseBox {
    Response::from_string(text)
        .with_status_code(status)
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
        .boxed()
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name, value).expect("header names and values here are ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_inside_the_build_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("inlägg")).unwrap();
        fs::write(root.join("inlägg/index.html"), "x").unwrap();
        fs::write(root.join("feed.xml"), "x").unwrap();
        assert_eq!(
            locate(root, "/inl%C3%A4gg/"),
            Found::File(root.join("inlägg/index.html"))
        );
        assert_eq!(
            locate(root, "/inl%C3%A4gg"),
            Found::Folder("/inl%C3%A4gg/".into())
        );
        assert_eq!(
            locate(root, "/feed.xml"),
            Found::File(root.join("feed.xml"))
        );
        for outside in ["/../x", "/inlägg/../../etc/passwd", "/%2e%2e/x", "/a%5cb"] {
            assert_eq!(locate(root, outside), Found::Missing, "{outside}");
        }
        assert_eq!(locate(root, "/nothing/"), Found::Missing);
    }

    #[test]
    fn links_follow_the_name_the_browser_used() {
        let origin = Url::parse("http://127.0.0.1:8000/").unwrap();
        let shared = Shared::new(&origin);
        assert_eq!(
            shared.origin_for("localhost:8000").as_deref(),
            Some("http://localhost:8000/")
        );
        assert_eq!(shared.origin_for("127.0.0.1:8000"), None);
        assert_eq!(shared.origin_for("evil\"><script>"), None);
    }
}
