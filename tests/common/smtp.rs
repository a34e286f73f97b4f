//! A small scriptable SMTP server on 127.0.0.1 for end-to-end tests: a real
//! TCP server speaking enough ESMTP (EHLO, MAIL, RCPT, DATA, RSET, NOOP,
//! QUIT, and STARTTLS or implicit TLS), recording what it accepts, with
//! fault injection.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rustls::{ServerConfig, ServerConnection, StreamOwned};

/// Called with the number of the message just received, before the reply.
pub type Hook = Box<dyn Fn(usize) + Send + Sync>;

/// What the server does wrong, and when.
#[derive(Default)]
pub struct Faults {
    /// Close the connection right after accepting message N (counted from 1), once.
    pub drop_after: Option<usize>,
    /// Greet the first connection with `421 4.7.0` and close it.
    pub greet_421_once: bool,
    /// Answer the final dot of message N with this 4xx reply, once (not recorded).
    pub temp_fail_at: Option<(usize, &'static str)>,
    /// `550 5.1.1` for these envelope recipients.
    pub reject: HashSet<String>,
    /// From message N on, answer MAIL with this reply.
    pub block_from: Option<(usize, &'static str)>,
    /// Called as each message is received, before its reply is sent.
    pub on_message: Option<Hook>,
    /// Called with the number the next message will have as its MAIL command
    /// arrives, before the reply: nothing of the message has been sent yet.
    pub on_mail: Option<Hook>,
    /// Offer only `AUTH XOAUTH2`, require it before MAIL, and accept only these.
    pub xoauth2: Option<Xoauth2>,
    /// Speak TLS with this configuration (see `tls::TestCa`).
    pub tls: Option<(Tls, Arc<ServerConfig>)>,
    /// Offer `AUTH PLAIN` and refuse every login with a `535` that echoes the
    /// password, plain and in base64, and the whole AUTH payload, as a
    /// careless server might.
    pub echo_password: bool,
}

/// How the server offers TLS.
#[derive(Clone, Copy)]
pub enum Tls {
    /// Offer `STARTTLS` after EHLO.
    Starttls,
    /// TLS from the first byte (port 465 style).
    Implicit,
}

/// What the server accepts in the XOAUTH2 exchange.
#[derive(Default)]
pub struct Xoauth2 {
    /// The mailbox (`user=`).
    pub user: String,
    /// Access tokens that pass (`auth=Bearer <token>`).
    pub tokens: Vec<String>,
    /// The reply to any login, instead of checking (e.g. Microsoft's `535 5.7.139`).
    pub refuse_with: Option<&'static str>,
}

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    pub rcpt: Vec<String>,
    pub data: Vec<u8>,
    /// Whether it arrived over TLS.
    pub tls: bool,
}

struct Shared {
    faults: Faults,
    received: Mutex<Vec<Received>>,
    auths: Mutex<Vec<String>>,
    helos: Mutex<Vec<String>>,
    messages: AtomicUsize,
    mail_commands: AtomicUsize,
    greeted_421: AtomicBool,
    temp_failed: AtomicBool,
    dropped: AtomicBool,
}

/// A running server; it lives until the test process ends.
pub struct Server {
    pub port: u16,
    shared: Arc<Shared>,
}

impl Server {
    pub fn start(faults: Faults) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            faults,
            received: Mutex::new(Vec::new()),
            auths: Mutex::new(Vec::new()),
            helos: Mutex::new(Vec::new()),
            messages: AtomicUsize::new(0),
            mail_commands: AtomicUsize::new(0),
            greeted_421: AtomicBool::new(false),
            temp_failed: AtomicBool::new(false),
            dropped: AtomicBool::new(false),
        });
        let for_thread = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = for_thread.clone();
                std::thread::spawn(move || {
                    let _ = session(stream, &shared);
                });
            }
        });
        Server { port, shared }
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Every XOAUTH2 initial response, decoded (`user=…\x01auth=Bearer …\x01\x01`).
    pub fn auths(&self) -> Vec<String> {
        self.shared.auths.lock().unwrap().clone()
    }

    /// The name the client gave in each EHLO, in order.
    pub fn helos(&self) -> Vec<String> {
        self.shared.helos.lock().unwrap().clone()
    }

    /// How many MAIL commands arrived (to check that a blocked run stops).
    pub fn mail_commands(&self) -> usize {
        self.shared.mail_commands.load(Ordering::SeqCst)
    }

    /// Envelope recipients of every accepted message, in order.
    pub fn recipients(&self) -> Vec<String> {
        self.received().into_iter().flat_map(|r| r.rcpt).collect()
    }

    /// How many messages each envelope recipient got.
    pub fn tally(&self) -> std::collections::BTreeMap<String, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for rcpt in self.recipients() {
            *counts.entry(rcpt).or_default() += 1;
        }
        counts
    }
}

fn session(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let f = &shared.faults;
    if f.greet_421_once && !shared.greeted_421.swap(true, Ordering::SeqCst) {
        stream.write_all(b"421 4.7.0 test.local busy, try again later\r\n")?;
        return Ok(());
    }
    let encrypt = |stream| -> std::io::Result<_> {
        let config = f.tls.as_ref().expect("TLS configured").1.clone();
        Ok(StreamOwned::new(
            ServerConnection::new(config).map_err(std::io::Error::other)?,
            stream,
        ))
    };
    match f.tls {
        Some((Tls::Implicit, _)) => serve(encrypt(stream)?, shared, true, true).map(drop),
        Some((Tls::Starttls, _)) => match serve(stream, shared, true, false)? {
            Some(plain) => serve(encrypt(plain)?, shared, false, true).map(drop),
            None => Ok(()),
        },
        None => serve(stream, shared, true, false).map(drop),
    }
}

/// Speaks SMTP on `stream` until QUIT or EOF; returns the stream when the
/// client asked for STARTTLS, to be continued encrypted.
fn serve<S: Read + Write>(
    stream: S,
    shared: &Shared,
    greet: bool,
    tls: bool,
) -> std::io::Result<Option<S>> {
    let mut input = BufReader::new(stream);
    let f = &shared.faults;
    let offer_starttls = matches!(f.tls, Some((Tls::Starttls, _))) && !tls;
    if greet {
        send(&mut input, "220 test.local ESMTP test server\r\n")?;
    }
    let mut rcpt = Vec::new();
    let mut authenticated = f.xoauth2.is_none();
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            shared
                .helos
                .lock()
                .unwrap()
                .push(line[4..].trim().to_string());
        }
        let reply: String = if upper.starts_with("EHLO") && offer_starttls {
            "250-test.local\r\n250-STARTTLS\r\n250 8BITMIME\r\n".into()
        } else if upper.starts_with("STARTTLS") && offer_starttls {
            send(&mut input, "220 2.0.0 Ready to start TLS\r\n")?;
            return Ok(Some(input.into_inner()));
        } else if upper.starts_with("EHLO") && f.echo_password {
            "250-test.local\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n".into()
        } else if upper.starts_with("AUTH PLAIN ") && f.echo_password {
            echo_password(line["AUTH PLAIN ".len()..].trim())
        } else if upper.starts_with("EHLO") && f.xoauth2.is_some() {
            "250-test.local\r\n250-AUTH XOAUTH2\r\n250 8BITMIME\r\n".into()
        } else if upper.starts_with("EHLO") {
            "250-test.local\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n".into()
        } else if upper.starts_with("AUTH XOAUTH2 ") {
            authenticated = xoauth2(&line["AUTH XOAUTH2 ".len()..], shared);
            let refusal = f.xoauth2.as_ref().and_then(|x| x.refuse_with);
            if let Some(reply) = refusal {
                authenticated = false;
                format!("{reply}\r\n")
            } else if authenticated {
                "235 2.7.0 Authentication successful\r\n".into()
            } else {
                "535 5.7.3 Authentication unsuccessful\r\n".into()
            }
        } else if upper.starts_with("MAIL") && !authenticated {
            "530 5.7.57 Client not authenticated to send mail\r\n".into()
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            "250 2.0.0 Ok\r\n".into()
        } else if upper.starts_with("MAIL") {
            rcpt.clear();
            shared.mail_commands.fetch_add(1, Ordering::SeqCst);
            let next = shared.messages.load(Ordering::SeqCst) + 1;
            if let Some(hook) = &f.on_mail {
                hook(next);
            }
            match f.block_from {
                Some((n, reply)) if next >= n => format!("{reply}\r\n"),
                _ => "250 2.1.0 Ok\r\n".into(),
            }
        } else if upper.starts_with("RCPT") {
            let address = line[line.find('<').map_or(0, |i| i + 1)..]
                .split('>')
                .next()
                .unwrap_or("")
                .to_string();
            if f.reject.contains(&address) {
                format!("550 5.1.1 <{address}>: Recipient address rejected: User unknown\r\n")
            } else {
                rcpt.push(address);
                "250 2.1.5 Ok\r\n".into()
            }
        } else if upper.starts_with("DATA") {
            send(&mut input, "354 End data with <CR><LF>.<CR><LF>\r\n")?;
            let data = read_data(&mut input)?;
            let Some(data) = data else { return Ok(None) };
            let n = shared.messages.load(Ordering::SeqCst) + 1;
            if let Some((at, reply)) = f.temp_fail_at {
                if n == at && !shared.temp_failed.swap(true, Ordering::SeqCst) {
                    send(&mut input, &format!("{reply}\r\n"))?;
                    continue;
                }
            }
            shared.messages.fetch_add(1, Ordering::SeqCst);
            shared.received.lock().unwrap().push(Received {
                rcpt: std::mem::take(&mut rcpt),
                data,
                tls,
            });
            if let Some(hook) = &f.on_message {
                hook(n);
            }
            send(&mut input, &format!("250 2.0.0 Ok: queued as M{n}\r\n"))?;
            if f.drop_after == Some(n) && !shared.dropped.swap(true, Ordering::SeqCst) {
                // Dropping the stream closes the connection.
                return Ok(None);
            }
            continue;
        } else if upper.starts_with("RSET") {
            rcpt.clear();
            "250 2.0.0 Ok\r\n".into()
        } else if upper.starts_with("QUIT") {
            send(&mut input, "221 2.0.0 Bye\r\n")?;
            return Ok(None);
        } else {
            "502 5.5.2 Error: command not recognized\r\n".into()
        };
        send(&mut input, &reply)?;
    }
}

/// Writes a reply through the reader's stream and flushes it (TLS buffers).
fn send<S: Write>(input: &mut BufReader<S>, reply: &str) -> std::io::Result<()> {
    let stream = input.get_mut();
    stream.write_all(reply.as_bytes())?;
    stream.flush()
}

/// Checks an XOAUTH2 initial response (RFC 7628 style, as Microsoft 365 and
/// Gmail take it) and records it.
fn xoauth2(encoded: &str, shared: &Shared) -> bool {
    use base64::Engine;
    let Some(expected) = &shared.faults.xoauth2 else {
        return false;
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    shared.auths.lock().unwrap().push(decoded.clone());
    expected
        .tokens
        .iter()
        .any(|token| decoded == format!("user={}\x01auth=Bearer {token}\x01\x01", expected.user))
}

/// A `535` reply quoting the password of an AUTH PLAIN payload, plain and in
/// base64, and the payload itself.
fn echo_password(payload: &str) -> String {
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let decoded = engine.decode(payload).unwrap_or_default();
    let decoded = String::from_utf8_lossy(&decoded);
    let password = decoded.rsplit('\0').next().unwrap_or("");
    let encoded = engine.encode(password);
    format!("535 5.7.8 bad credentials {password} {encoded} {payload}\r\n")
}

/// Reads a message up to the lone dot, undoing dot-stuffing; `None` on EOF.
fn read_data(input: &mut impl BufRead) -> std::io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        if line == b".\r\n" {
            return Ok(Some(data));
        }
        let start = usize::from(line.starts_with(b".."));
        data.extend_from_slice(&line[start..]);
    }
}
