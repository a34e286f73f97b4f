//! OAuth2 for SMTP end to end: the real binary gets a token from a token
//! endpoint on 127.0.0.1 (client credentials) or a `token_command`, caches
//! it, and logs in with XOAUTH2 to the test SMTP server, which checks it.

mod common;

use std::process::{Command, Output};

use common::mail::{closed_port, code, digest_site, fails};
use common::smtp::{Faults, Server, Xoauth2};
use common::token::TokenServer;
use common::{stderr, Site};

const USER: &str = "veckobrev@example.se";
const SECRET: &str = "s3cret-value";

fn smtp_server(tokens: &[&str]) -> Server {
    Server::start(Faults {
        xoauth2: Some(Xoauth2 {
            user: USER.into(),
            tokens: tokens.iter().map(|t| t.to_string()).collect(),
            refuse_with: None,
        }),
        ..Faults::default()
    })
}

/// A group site sending to `smtp` with `auth = "oauth2"` and `oauth2` as the table's body.
fn site(smtp: &Server, oauth2: &str) -> Site {
    let delivery = format!(
        "auth = \"oauth2\"\n\n[delivery.smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nusername = \"{USER}\"\ntimeout_seconds = 5\n\n[delivery.oauth2]\n{oauth2}\n",
        smtp.port
    );
    digest_site("to = [\"alla@example.se\"]", &delivery)
}

/// `herald --now NOW digest --to test@example.se` with the client secret set.
fn test_copy(site: &Site, now: &str, secret: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_herald"))
        .arg("--config")
        .arg(site.path().join("config.toml"))
        .args(["--now", now, "digest", "--to", "test@example.se"])
        .env("HERALD_TEST_SECRET", secret)
        .output()
        .unwrap()
}

fn bearer(token: &str) -> String {
    format!("user={USER}\x01auth=Bearer {token}\x01\x01")
}

#[test]
fn a_client_credentials_token_is_cached_until_shortly_before_it_expires() {
    let tokens = TokenServer::start(SECRET, 3600);
    let smtp = smtp_server(&["token-1", "token-2"]);
    let site = site(
        &smtp,
        &format!(
            "client_id = \"app-id\"\ntoken_url = \"{}\"\nclient_secret_env = \"HERALD_TEST_SECRET\"",
            tokens.url()
        ),
    );
    let out = test_copy(&site, "2013-10-04T15:00:00+02:00", SECRET);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let form = &tokens.requests()[0];
    assert_eq!(form["grant_type"], "client_credentials");
    assert_eq!(form["client_id"], "app-id");
    assert_eq!(form["scope"], "https://outlook.office365.com/.default");
    assert_eq!(smtp.auths(), [bearer("token-1")]);
    assert_eq!(smtp.received().len(), 1);
    assert!(!stderr(&out).contains(SECRET) && !stderr(&out).contains("token-1"));

    // 50 minutes later the cached token is still good for more than 5 minutes.
    let out = test_copy(&site, "2013-10-04T15:50:00+02:00", SECRET);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(tokens.requests().len(), 1, "served from the cache");
    // 56 minutes in, it expires within the margin: a new one is fetched.
    let out = test_copy(&site, "2013-10-04T15:56:00+02:00", SECRET);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(tokens.requests().len(), 2);
    assert_eq!(
        smtp.auths(),
        [bearer("token-1"), bearer("token-1"), bearer("token-2")]
    );
    let cache = site.path().join("state/oauth2-token.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cache).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the cached bearer token is private");
    }
}

#[test]
fn a_token_command_provides_the_token() {
    let smtp = smtp_server(&["from-the-command"]);
    let site = site(
        &smtp,
        "token_command = [\"sh\", \"-c\", \"echo from-the-command\"]",
    );
    let out = test_copy(&site, "2013-10-04T15:00:00+02:00", "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(smtp.auths(), [bearer("from-the-command")]);
    assert_eq!(smtp.received().len(), 1);
}

#[test]
fn refusals_by_the_endpoint_or_the_server_are_explained_and_nothing_is_sent() {
    let tokens = TokenServer::start(SECRET, 3600);
    let smtp = smtp_server(&["token-9"]);
    let table = format!(
        "client_id = \"app-id\"\ntoken_url = \"{}\"\nclient_secret_env = \"HERALD_TEST_SECRET\"",
        tokens.url()
    );
    let site = site(&smtp, &table);
    let out = test_copy(&site, "2013-10-04T15:00:00+02:00", "wrong-secret");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("invalid_client: AADSTS7000215"), "{err}");
    assert!(!err.contains("wrong-secret"), "{err}");
    assert!(smtp.auths().is_empty());

    // The endpoint grants token-1, but the server only takes token-9: 535.
    let out = test_copy(&site, "2013-10-04T15:00:00+02:00", SECRET);
    fails(&out, 1, &["535"]);
    assert!(smtp.received().is_empty());
    // A refused token is not kept: the next run asks the endpoint again.
    assert!(!site.path().join("state/oauth2-token.json").exists());
    let out = test_copy(&site, "2013-10-04T15:01:00+02:00", SECRET);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(tokens.requests().len(), 3);
}

#[test]
fn oauth2_config_problems_are_listed_with_lines() {
    let site = Site::new("\n[digest]\nfrom = \"a@example.se\"\nto = [\"b@example.se\"]\n\n[delivery]\nauth = \"oauth2\"\n\n[delivery.smtp]\nhost = \"smtp.office365.com\"\n\n[delivery.oauth2]\nclient_id = \"x\"\ntoken_url = \"http://login.example.se/token\"\n");
    let out = site.herald(&["digest"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("config.toml:16: with auth = \"oauth2\", [delivery.smtp] needs `username`"),
        "{err}"
    );
    assert!(
        err.contains(
            "config.toml:23: token_url `http://login.example.se/token` must be an https URL"
        ),
        "{err}"
    );
}

#[test]
fn check_smtp_logs_in_and_quits_or_explains_why_not() {
    let smtp = smtp_server(&["from-the-command"]);
    let site = site(&smtp, "token_command = [\"echo\", \"from-the-command\"]");
    let out = site.herald(&["check-smtp"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(
        said.contains("logged in as veckobrev@example.se with XOAUTH2; quit without sending"),
        "{said}"
    );
    assert_eq!(smtp.auths(), [bearer("from-the-command")]);
    assert_eq!(smtp.mail_commands(), 0, "nothing sent");

    // Microsoft's reply when SMTP AUTH is off for the tenant.
    let off = Server::start(Faults {
        xoauth2: Some(Xoauth2 {
            user: USER.into(),
            tokens: Vec::new(),
            refuse_with: Some("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."),
        }),
        ..Faults::default()
    });
    let site = self::site(&off, "token_command = [\"echo\", \"t\"]");
    let out = site.herald(&["check-smtp"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("likely cause: SMTP AUTH is disabled for the tenant or for this mailbox"),
        "{}",
        stderr(&out)
    );

    // Implicit TLS against a server that expects STARTTLS.
    let plain = Server::start(Faults::default());
    let site = digest_site(
        "to = [\"alla@example.se\"]",
        &format!("[delivery.smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"tls\"\ntimeout_seconds = 5\n", plain.port),
    );
    let out = site.herald(&["check-smtp"]);
    fails(
        &out,
        1,
        &["greeted in plain text, not TLS: it is a STARTTLS port (587, or 25); use security = \"starttls\" for it"],
    );

    // Nothing listening: temporary, exit 75.
    let down = closed_port();
    let port = down.port;
    let site = digest_site(
        "to = [\"alla@example.se\"]",
        &format!("[delivery.smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\ntimeout_seconds = 5\n"),
    );
    let out = site.herald(&["check-smtp"]);
    fails(&out, 75, &["nothing accepts connections on 127.0.0.1"]);
}

#[test]
fn herald_run_exits_1_when_a_person_must_fix_the_login() {
    let smtp = smtp_server(&["never"]);
    let site = site(&smtp, "token_command = [\"false\"]");
    let report = site.path().join("report.json");
    let out = common::mail::herald_at(
        &site,
        "2013-10-04T15:00:00+02:00",
        &["run", "--report", report.to_str().unwrap()],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["exit_code"], 1);
    assert!(
        r["error"]
            .as_str()
            .unwrap()
            .contains("token_command false failed"),
        "{r}"
    );
    assert!(smtp.received().is_empty());
}
