//! The byte streams under an SMTP session, plain or TLS, over a socket
//! whose every read and write fails once the current command's deadline has
//! passed. The deadline sits below TLS, so a server that trickles a TLS
//! record a byte at a time is bounded as well.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};

use super::wire::{network, Fault};

/// A TCP stream whose reads and writes fail once the current deadline has passed.
pub struct Bounded {
    pub tcp: TcpStream,
    pub deadline: Instant,
}

impl Bounded {
    /// The time left, as the socket timeout for the next read or write.
    fn left(&self) -> io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(io::Error::new(io::ErrorKind::TimedOut, "timed out"))
        } else {
            Ok(left)
        }
    }
}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.tcp.set_read_timeout(Some(self.left()?))?;
        self.tcp.read(buf)
    }
}

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tcp.set_write_timeout(Some(self.left()?))?;
        self.tcp.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

/// Plain or TLS, over a [`Bounded`] socket (so TLS records are bounded too).
pub enum Stream {
    Plain(Bounded),
    Tls(Box<StreamOwned<ClientConnection, Bounded>>),
}

impl Stream {
    /// The socket under the stream.
    pub fn socket(&mut self) -> &mut Bounded {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => &mut s.sock,
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// Wraps `socket` in TLS for `host` and completes the handshake.
pub fn handshake(socket: Bounded, config: &Arc<ClientConfig>, host: &str) -> Result<Stream, Fault> {
    let tls = Fault::Tls;
    let name = ServerName::try_from(host.to_string()).map_err(|e| tls(e.to_string()))?;
    let conn = ClientConnection::new(config.clone(), name).map_err(|e| tls(e.to_string()))?;
    let mut stream = StreamOwned::new(conn, socket);
    while stream.conn.is_handshaking() {
        stream
            .conn
            .complete_io(&mut stream.sock)
            .map_err(|e| match e.kind() {
                // rustls reports what it refuses (a certificate, a plain-text peer) as invalid data.
                io::ErrorKind::InvalidData => tls(e.to_string()),
                _ => network(e),
            })?;
    }
    Ok(Stream::Tls(Box::new(stream)))
}
