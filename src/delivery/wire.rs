//! The SMTP connection herald drives: lettre's commands, reply parser and
//! login mechanisms over a stream of herald's own, so that a broken or
//! hostile server is bounded. Every command, its reply included, must finish
//! within `timeout_seconds` (a deadline, not a per-read timeout that each
//! trickled byte would renew); a reply line may hold at most 1,000 bytes and a
//! reply 100,000; and every reply has the login's secrets redacted as it is
//! read, before any of it reaches an error, the terminal or the ledger.

use std::fmt;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{IpAddr, Shutdown, TcpStream};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::commands::{Auth, Ehlo, Quit, Starttls};
use lettre::transport::smtp::extension::{ClientId, Extension, ServerInfo};
use lettre::transport::smtp::response::Response;
use rustls::ClientConfig;

use super::bounded::{handshake, Bounded, Stream};
use super::redact::Redactor;
use super::setup;

/// The longest reply line accepted (Postfix's `line_length_limit`).
const MAX_LINE: usize = 1000;
/// The longest reply accepted, all lines together (Postfix's `smtp_response_limit`).
const MAX_REPLY: usize = 100_000;
/// The message body is written in pieces of this size, each with a fresh deadline.
const CHUNK: usize = 64 * 1024;

/// Why a command failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Fault {
    /// The server refused with this code and (redacted) text.
    Reply { code: u16, text: String },
    /// The connection failed, timed out, broke, or carried something that is not SMTP.
    Network(String),
    /// TLS could not be set up (for example, the certificate was refused).
    Tls(String),
    /// A setting cannot work with this server (a host name that does not
    /// resolve, no usable login, TLS where plain text was expected): retrying
    /// will not help, a person must change the config. The text says how.
    Config(String),
}

impl Fault {
    /// The server's reply code, for a refusal.
    pub(super) fn code(&self) -> Option<u16> {
        match self {
            Fault::Reply { code, .. } => Some(*code),
            _ => None,
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Reply { code, text } if *code >= 500 => {
                write!(f, "permanent error ({code}): {text}")
            }
            Fault::Reply { code, text } => write!(f, "transient error ({code}): {text}"),
            Fault::Network(text) | Fault::Config(text) => f.write_str(text),
            Fault::Tls(text) => write!(f, "TLS failed: {text}"),
        }
    }
}

/// A failed read or write as a fault.
pub(super) fn network(e: io::Error) -> Fault {
    Fault::Network(format!("network error: {e}"))
}

/// One SMTP session.
pub(super) struct Connection {
    stream: BufReader<Stream>,
    timeout: Duration,
    features: ServerInfo,
    redactor: Redactor,
    broken: bool,
    /// The name given in EHLO (again after STARTTLS).
    helo: ClientId,
}

impl Connection {
    /// Connects to `host:port`, with TLS from the first byte when `tls` is
    /// given, reads the greeting and says EHLO with `helo` (none: this
    /// end's address).
    pub(super) fn connect(
        host: &str,
        port: u16,
        timeout: Duration,
        tls: Option<&Arc<ClientConfig>>,
        helo: Option<ClientId>,
    ) -> Result<Connection, Fault> {
        let refused = |e: io::Error| Fault::Network(format!("Connection error: {e}"));
        let mut last = io::Error::new(io::ErrorKind::NotFound, "the host name has no address");
        let mut tcp = None;
        for address in setup::resolve(host, port)? {
            match TcpStream::connect_timeout(&address, timeout) {
                Ok(stream) => {
                    tcp = Some(stream);
                    break;
                }
                Err(e) => last = e,
            }
        }
        let tcp = tcp.ok_or_else(|| refused(last))?;
        // Without a name, the address literal of this end (RFC 5321 4.1.3).
        let helo = helo.unwrap_or_else(|| match tcp.local_addr().map(|a| a.ip()) {
            Ok(IpAddr::V6(ip)) => ClientId::Ipv6(ip),
            Ok(IpAddr::V4(ip)) => ClientId::Ipv4(ip),
            Err(_) => ClientId::Ipv4(std::net::Ipv4Addr::LOCALHOST),
        });
        // Nagle's algorithm would hold each small command for the server's delayed ACK.
        tcp.set_nodelay(true).map_err(network)?;
        let socket = Bounded {
            tcp,
            deadline: Instant::now() + timeout,
        };
        let stream = match tls {
            Some(config) => handshake(socket, config, host)?,
            None => Stream::Plain(socket),
        };
        let mut conn = Connection {
            stream: BufReader::new(stream),
            timeout,
            features: ServerInfo::default(),
            redactor: Redactor::default(),
            broken: false,
            helo,
        };
        conn.start();
        if let Err(fault) = conn.read_reply() {
            return Err(if tls.is_none() && conn.answers_in_tls() {
                Fault::Config(format!(
                    "{host}:{port} sent no greeting and answers in TLS: it expects TLS from the first byte (implicit TLS, usually port 465); use security = \"tls\" for this port, or port 587 with security = \"starttls\""
                ))
            } else {
                fault
            });
        }
        conn.ehlo()?;
        Ok(conn)
    }

    /// After the greeting failed to come: whether the server answers a line
    /// of text with a TLS record (an alert), as an implicit-TLS port does
    /// while it waits for the client's TLS handshake.
    fn answers_in_tls(&mut self) -> bool {
        if !self.stream.buffer().is_empty() {
            return false;
        }
        // A TLS server answers at once; a slow SMTP server gets little more time.
        self.stream.get_mut().socket().deadline =
            Instant::now() + self.timeout.min(Duration::from_secs(5));
        let stream = self.stream.get_mut();
        if stream
            .write_all(b"QUIT\r\n")
            .and_then(|()| stream.flush())
            .is_err()
        {
            return false;
        }
        // 0x15: a TLS alert record, 0x16: a handshake record.
        matches!(self.stream.fill_buf(), Ok([0x15 | 0x16, ..]))
    }

    fn ehlo(&mut self) -> Result<(), Fault> {
        let reply = self.command(Ehlo::new(self.helo.clone()))?;
        self.features = ServerInfo::from_response(&reply)
            .map_err(|e| Fault::Network(format!("the server's EHLO reply is not SMTP: {e}")))?;
        Ok(())
    }

    /// Whether the server offers STARTTLS on this still plain connection.
    pub(super) fn can_starttls(&self) -> bool {
        !self.is_encrypted() && self.features.supports_feature(Extension::StartTls)
    }

    /// Whether the connection is encrypted.
    pub(super) fn is_encrypted(&self) -> bool {
        matches!(self.stream.get_ref(), Stream::Tls(_))
    }

    /// Upgrades to TLS with STARTTLS and says EHLO again.
    pub(super) fn starttls(&mut self, config: &Arc<ClientConfig>, host: &str) -> Result<(), Fault> {
        self.command(Starttls)?;
        // Anything already buffered came before the handshake: an injection, never trusted.
        if !self.stream.buffer().is_empty() {
            return Err(Fault::Tls(
                "the server sent data before the TLS handshake".into(),
            ));
        }
        let Stream::Plain(socket) = self.stream.get_mut() else {
            return Err(Fault::Tls("already encrypted".into()));
        };
        let socket = Bounded {
            tcp: socket.tcp.try_clone().map_err(network)?,
            deadline: socket.deadline,
        };
        self.stream = BufReader::new(handshake(socket, config, host)?);
        self.ehlo()
    }

    /// Logs in with the first of `mechanisms` that the server offers; the
    /// secret is redacted from every reply from now on.
    pub(super) fn auth(
        &mut self,
        mechanisms: &[Mechanism],
        credentials: &Credentials,
        secret: &str,
    ) -> Result<Response, Fault> {
        self.redactor.add(secret, credentials, mechanisms);
        let mechanism = self
            .features
            .get_auth_mechanism(mechanisms)
            .ok_or_else(|| setup::no_login(&self.features, self.is_encrypted(), mechanisms))?;
        let refused = |e: lettre::transport::smtp::Error| Fault::Network(e.to_string());
        let mut reply =
            self.command(Auth::new(mechanism, credentials.clone(), None).map_err(refused)?)?;
        // A few challenges at most (LOGIN asks two questions).
        for _ in 0..10 {
            if !reply.has_code(334) {
                return Ok(reply);
            }
            let next = Auth::new_from_response(mechanism, credentials.clone(), &reply);
            reply = self.command(next.map_err(refused)?)?;
        }
        Err(Fault::Network("too many authentication challenges".into()))
    }

    /// Sends one command and reads its reply, within one deadline.
    pub(super) fn command(&mut self, command: impl fmt::Display) -> Result<Response, Fault> {
        self.start();
        self.write(command.to_string().as_bytes())?;
        self.read_reply()
    }

    /// Sends the message (after DATA) with dot-stuffing and the final dot,
    /// and reads the reply; each piece of the body gets a deadline of its own.
    pub(super) fn message(&mut self, bytes: &[u8]) -> Result<Response, Fault> {
        let block = data_block(bytes);
        for piece in block.chunks(CHUNK) {
            self.start();
            self.write(piece)?;
        }
        self.start();
        self.read_reply()
    }

    /// Whether a failure left the session in an unknown state.
    pub(super) fn has_broken(&self) -> bool {
        self.broken
    }

    /// Says QUIT and waits for the answer.
    pub(super) fn quit(&mut self) -> Result<Response, Fault> {
        self.command(Quit)
    }

    /// Says QUIT without caring for the answer, and closes.
    pub(super) fn abort(&mut self) {
        if !self.broken {
            self.broken = true;
            let _ = self.command(Quit);
        }
        let _ = self.stream.get_mut().socket().tcp.shutdown(Shutdown::Both);
    }

    /// Starts the deadline of the next command.
    fn start(&mut self) {
        self.stream.get_mut().socket().deadline = Instant::now() + self.timeout;
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Fault> {
        let stream = self.stream.get_mut();
        let result = stream.write_all(bytes).and_then(|()| stream.flush());
        result.map_err(|e| self.fail(e))
    }

    fn fail(&mut self, e: io::Error) -> Fault {
        self.broken = true;
        match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Fault::Network(format!(
                "the server did not answer within timeout_seconds = {}",
                self.timeout.as_secs()
            )),
            _ => network(e),
        }
    }

    /// One reply, all its lines, bounded in size and time, redacted.
    fn read_reply(&mut self) -> Result<Response, Fault> {
        let mut text = String::new();
        loop {
            let line = self.read_line()?;
            text.push_str(&line);
            if text.len() > MAX_REPLY {
                self.broken = true;
                return Err(Fault::Network(format!(
                    "the server's reply is longer than {MAX_REPLY} bytes"
                )));
            }
            if line.as_bytes().get(3) != Some(&b'-') {
                break;
            }
        }
        let text = self.redactor.redact(&text);
        let reply = Response::from_str(&text).map_err(|e| {
            self.broken = true;
            Fault::Network(format!("the server's reply is not SMTP: {e}"))
        })?;
        if reply.is_positive() {
            return Ok(reply);
        }
        let lines: Vec<&str> = reply.message().collect();
        Err(Fault::Reply {
            code: reply.code().into(),
            text: lines.join(" "),
        })
    }

    /// One line, at most [`MAX_LINE`] bytes: a longer one fails as soon as
    /// it passes the limit, so an endless line never grows memory.
    fn read_line(&mut self) -> Result<String, Fault> {
        let mut line = Vec::new();
        loop {
            let available = match self.stream.fill_buf() {
                Ok([]) => {
                    self.broken = true;
                    return Err(Fault::Network("the server closed the connection".into()));
                }
                Ok(available) => available,
                Err(e) => return Err(self.fail(e)),
            };
            let end = available.iter().position(|&b| b == b'\n');
            let take = end.map_or(available.len(), |i| i + 1);
            line.extend_from_slice(&available[..take]);
            self.stream.consume(take);
            if line.len() > MAX_LINE {
                self.broken = true;
                return Err(Fault::Network(format!(
                    "the server sent a reply line longer than {MAX_LINE} bytes"
                )));
            }
            if end.is_some() {
                return Ok(String::from_utf8_lossy(&line).into_owned());
            }
        }
    }
}

/// A message's content, dot-stuffed (RFC 5321 section 4.5.2), and its
/// terminating dot, as one block: written at once, the terminator never waits
/// as a small segment of its own for the server's delayed ACK.
fn data_block(bytes: &[u8]) -> Vec<u8> {
    let mut block = Vec::with_capacity(bytes.len() + 5);
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b".") {
            block.push(b'.');
        }
        block.extend_from_slice(line);
    }
    if !bytes.is_empty() && !bytes.ends_with(b"\r\n") {
        block.extend_from_slice(b"\r\n");
    }
    block.extend_from_slice(b".\r\n");
    block
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stuffs_dots_and_terminates_once() {
        assert_eq!(
            data_block(b"a\r\n.b\r\n..\r\n"),
            b"a\r\n..b\r\n...\r\n.\r\n"
        );
        assert_eq!(data_block(b"a\r\nb"), b"a\r\nb\r\n.\r\n");
        assert_eq!(data_block(b"."), b"..\r\n.\r\n");
    }
}
