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
pub(super) struct Bounded {
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
pub(super) enum Stream {
    Plain(Bounded),
    Tls(Box<StreamOwned<ClientConnection, Bounded>>),
}

impl Stream {
    /// The socket under the stream.
    pub(super) fn socket(&mut self) -> &mut Bounded {
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
pub(super) fn handshake(
    socket: Bounded,
    config: &Arc<ClientConfig>,
    host: &str,
) -> Result<Stream, Fault> {
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
                io::ErrorKind::InvalidData => tls(refusal(&e, host)),
                _ => network(e),
            })?;
    }
    Ok(Stream::Tls(Box::new(stream)))
}

/// A refused handshake in the operator's terms: for the certificate
/// problems an operator meets, what is wrong and the one fix; else rustls's
/// words.
fn refusal(e: &io::Error, host: &str) -> String {
    use rustls::{CertificateError as Cert, Error as Tls};
    let cause = e.get_ref().and_then(|inner| inner.downcast_ref::<Tls>());
    let Some(Tls::InvalidCertificate(cert)) = cause else {
        return e.to_string();
    };
    match cert {
        Cert::NotValidForNameContext { presented, .. } if !presented.is_empty() => {
            let names: Vec<&str> = presented.iter().map(|n| bare_name(n)).collect();
            format!(
                "the server's certificate is not valid for the name {host}; it carries {}: set [delivery.smtp] host to that name",
                names.join(", ")
            )
        }
        Cert::NotValidForName | Cert::NotValidForNameContext { .. } => format!(
            "the server's certificate is not valid for the name {host}: set [delivery.smtp] host to the name the certificate carries"
        ),
        Cert::UnknownIssuer => "the server's certificate comes from a CA herald does not trust (UnknownIssuer; often the organisation's own CA, on an on-premises relay): name that CA's certificate file (PEM) in [delivery.smtp] ca_file".into(),
        _ => e.to_string(),
    }
}

/// `example.se` from webpki's `DnsName("example.se")`, `127.0.0.1` from
/// `IpAddress(127.0.0.1)`.
fn bare_name(presented: &str) -> &str {
    presented
        .split_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .map_or(presented, |inner| inner.trim_matches('"'))
}

#[cfg(test)]
mod tests {
    use super::bare_name;

    #[test]
    fn certificate_names_are_shown_bare() {
        assert_eq!(bare_name("DnsName(\"smtp.example.se\")"), "smtp.example.se");
        assert_eq!(bare_name("IpAddress(127.0.0.1)"), "127.0.0.1");
        assert_eq!(bare_name("odd"), "odd");
    }
}
