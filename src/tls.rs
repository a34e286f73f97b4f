//! The TLS client setup shared by everything herald connects to over TLS
//! (the SMTP server, a PostgreSQL ledger): rustls with the ring provider.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

/// TLS trusting the public roots (webpki-roots), plus the certificates of
/// `ca_file` (a private CA) when set. The error says what is wrong, in words.
pub(crate) fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, String> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = ca_file {
        let unusable = |why: String| {
            format!(
                "ca_file {}: {why}; it must hold PEM certificates (-----BEGIN CERTIFICATE-----)",
                path.display()
            )
        };
        let pem = std::fs::read(path).map_err(|e| unusable(e.to_string()))?;
        if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
            return Err(unusable("no certificate in it".into()));
        }
        for certificate in CertificateDer::pem_slice_iter(&pem) {
            let certificate = certificate.map_err(|e| unusable(e.to_string()))?;
            roots
                .add(certificate)
                .map_err(|e| unusable(e.to_string()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
