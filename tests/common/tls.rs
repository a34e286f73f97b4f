//! A throwaway certificate authority for the TLS tests: a CA certificate (as
//! the operator's `ca_file` would hold it) and a server certificate for
//! 127.0.0.1 signed by it, made fresh for each test run (for the SMTP test
//! server as a rustls configuration, for PostgreSQL as PEM files).

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;

/// The CA in PEM and a server configuration whose certificate it signed.
pub struct TestCa {
    pub ca_pem: String,
    pub server: Arc<ServerConfig>,
    /// The server certificate and its private key, in PEM.
    pub cert_pem: String,
    pub key_pem: String,
}

impl TestCa {
    pub fn new() -> TestCa {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "herald test CA");
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])
            .unwrap()
            .signed_by(&key, &ca, &ca_key)
            .unwrap();
        let (cert_pem, key_pem) = (leaf.pem(), key.serialize_pem());
        let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![leaf.der().clone()], private)
            .unwrap();
        TestCa {
            ca_pem: ca.pem(),
            server: Arc::new(server),
            cert_pem,
            key_pem,
        }
    }
}
