//! A tiny OAuth2 token endpoint on 127.0.0.1 for end-to-end tests: a real
//! HTTP server answering the client credentials grant like Microsoft's.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// A running token endpoint; it lives until the test process ends.
pub struct TokenServer {
    pub port: u16,
    requests: Arc<Mutex<Vec<BTreeMap<String, String>>>>,
}

impl TokenServer {
    /// Issues `token-1`, `token-2` … valid for `expires_in` seconds to
    /// requests with `client_secret`; refuses others like Microsoft does.
    pub fn start(client_secret: &'static str, expires_in: i64) -> TokenServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = answer(stream, &seen, client_secret, expires_in);
            }
        });
        TokenServer { port, requests }
    }

    /// The endpoint's URL, shaped like Microsoft's.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/tenant-id/oauth2/v2.0/token", self.port)
    }

    /// The form of every request so far.
    pub fn requests(&self) -> Vec<BTreeMap<String, String>> {
        self.requests.lock().unwrap().clone()
    }
}

fn answer(
    stream: TcpStream,
    seen: &Mutex<Vec<BTreeMap<String, String>>>,
    secret: &str,
    expires_in: i64,
) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut input = BufReader::new(stream);
    let mut length = 0;
    let mut line = String::new();
    input.read_line(&mut line)?;
    let post = line.starts_with("POST /tenant-id/oauth2/v2.0/token ");
    loop {
        line.clear();
        input.read_line(&mut line)?;
        if line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    let form: BTreeMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let n = {
        let mut seen = seen.lock().unwrap();
        seen.push(form.clone());
        seen.len()
    };
    let granted = post
        && form.get("grant_type").map(String::as_str) == Some("client_credentials")
        && form.get("client_secret").map(String::as_str) == Some(secret);
    let (status, json) = if granted {
        (
            "200 OK",
            format!(
                r#"{{"token_type":"Bearer","expires_in":{expires_in},"ext_expires_in":{expires_in},"access_token":"token-{n}"}}"#
            ),
        )
    } else {
        (
            "401 Unauthorized",
            r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}"#.to_string(),
        )
    };
    write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
        json.len()
    )
}
