//! TLS to PostgreSQL, as the connection string asks for it with libpq's `sslmode` and
//! `sslrootcert`, through rustls (`tokio-postgres-rustls`, ring as the crypto provider).
//!
//! | `sslmode` | here |
//! | --- | --- |
//! | none, `disable` | plaintext, as before |
//! | `require` | TLS or no connection; the certificate is verified as for `verify-full` (libpq would not verify it without a root certificate: an unverified TLS connection is open to the active attacker TLS is there to stop) |
//! | `verify-ca` | TLS; the chain is verified against the roots, the host name is not |
//! | `verify-full` | TLS; the chain and the host name are verified |
//! | `allow`, `prefer` | refused at start: they fall back to plaintext without saying so |
//!
//! The roots: the PEM file that `sslrootcert` names, or without it (or with
//! `sslrootcert=system`) the operating system's (`SSL_CERT_FILE` / `SSL_CERT_DIR` are
//! honoured). Any other `ssl…` option (client certificates, CRLs) is refused at start, naming
//! it, rather than ignored.

use std::{fmt, path::PathBuf, sync::Arc};

use percent_encoding::percent_decode_str;
use rustls::{
    ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
    client::{
        WebPkiServerVerifier,
        danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
    },
    pki_types::{CertificateDer, ServerName, UnixTime, pem::PemObject as _},
};
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres_rustls::MakeRustlsConnect;

/// What a connection string asks for: the driver's config, and TLS or not.
pub(crate) struct Connection {
    pub config: tokio_postgres::Config,
    /// `None`: plaintext.
    pub tls: Option<Tls>,
}

/// A TLS connector and what it checks, for messages.
pub(crate) struct Tls {
    pub connector: MakeRustlsConnect,
    /// For a start-up error: `sslmode=verify-full, roots from /etc/ca.pem`.
    pub described: String,
}

/// The `sslmode`s this server honours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Disable,
    Require,
    VerifyCa,
    VerifyFull,
}

impl Mode {
    fn parse(value: Option<&str>) -> Result<Self, String> {
        match value {
            None | Some("disable") => Ok(Self::Disable),
            Some("require") => Ok(Self::Require),
            Some("verify-ca") => Ok(Self::VerifyCa),
            Some("verify-full") => Ok(Self::VerifyFull),
            Some(weak @ ("allow" | "prefer")) => Err(format!(
                "sslmode={weak} is refused: it falls back to plaintext without saying so. Say \
                 sslmode=verify-full (TLS, or no connection) or sslmode=disable (plaintext, on a \
                 network you trust)"
            )),
            Some(other) => Err(format!(
                "sslmode={other} is not one this server honours (disable, require, verify-ca, \
                 verify-full)"
            )),
        }
    }

    const fn name(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Require => "require",
            Self::VerifyCa => "verify-ca",
            Self::VerifyFull => "verify-full",
        }
    }
}

/// Reads a `postgres://` connection string.
///
/// # Errors
/// A message naming what this server cannot honour: an unknown or weak `sslmode`, another
/// `ssl…` option, an unreadable `sslrootcert`, or what the driver cannot parse.
pub(crate) fn connection(url: &str) -> Result<Connection, String> {
    // The query starts at the first `?` after the credentials: the driver reads a password
    // up to the first `@`, so one may hold a `?`.
    let scheme = url.find("://").map_or(0, |at| at + 3);
    let host = url[scheme..].find('@').map_or(scheme, |at| scheme + at + 1);
    let (base, query) = match url[host..].find('?') {
        Some(at) => (&url[..host + at], &url[host + at + 1..]),
        None => (url, ""),
    };
    let (mut mode, mut root) = (None, None);
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |text: &str| {
            percent_decode_str(text)
                .decode_utf8()
                .map(std::borrow::Cow::into_owned)
                .map_err(|_| format!("the connection string's {key} is not UTF-8"))
        };
        let slot = match decode(key)?.as_str() {
            "sslmode" => &mut mode,
            "sslrootcert" => &mut root,
            // How TLS starts (`postgres` or `direct`): the driver reads it.
            "sslnegotiation" => {
                kept.push(pair);
                continue;
            }
            other if other.starts_with("ssl") || other == "requiressl" => {
                return Err(format!(
                    "{other} is not supported by this server (only sslmode, sslrootcert and \
                     sslnegotiation are)"
                ));
            }
            _ => {
                kept.push(pair);
                continue;
            }
        };
        if slot.replace(decode(value)?).is_some() {
            return Err(format!("{key} is given twice in the connection string"));
        }
    }
    let mode = Mode::parse(mode.as_deref())?;
    let rebuilt = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config: tokio_postgres::Config = rebuilt
        .parse()
        .map_err(|error| format!("not a PostgreSQL connection string: {error}"))?;
    if mode == Mode::Disable {
        if root.is_some() {
            return Err(
                "sslrootcert is given but TLS is not asked for: say sslmode=verify-full \
                        (or verify-ca) to use it"
                    .to_owned(),
            );
        }
        // The driver's default is `prefer`; without a TLS connector it is plaintext anyway.
        config.ssl_mode(SslMode::Disable);
        return Ok(Connection { config, tls: None });
    }
    if config
        .get_hosts()
        .iter()
        .any(|host| matches!(host, Host::Unix(_)))
    {
        return Err(format!(
            "sslmode={}: TLS over a Unix socket is not possible; name a TCP host",
            mode.name()
        ));
    }
    config.ssl_mode(SslMode::Require);
    let tls = connector(mode, root.as_deref())?;
    Ok(Connection {
        config,
        tls: Some(tls),
    })
}

/// The rustls connector for `mode`, trusting `root` (a PEM file, or `system`) or the
/// system's roots.
fn connector(mode: Mode, root: Option<&str>) -> Result<Tls, String> {
    let (roots, from) = match root {
        None | Some("system") => (system_roots()?, "the system's roots".to_owned()),
        Some(path) => (file_roots(path)?, format!("roots from {path}")),
    };
    // ring: no C toolchain beyond a compiler, quick to build. rustls marks it deprecated for
    // want of post-quantum key exchange, which PostgreSQL's OpenSSL rarely offers yet.
    #[expect(
        deprecated,
        reason = "ring lacks only post-quantum key exchange (X25519MLKEM768)"
    )]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|error| format!("sslmode={}: {error}", mode.name()))?;
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| format!("sslmode={}: {error}", mode.name()))?;
    let config = if mode == Mode::VerifyCa {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ChainOnly(verifier)))
            .with_no_client_auth()
    } else {
        builder.with_webpki_verifier(verifier).with_no_client_auth()
    };
    Ok(Tls {
        connector: MakeRustlsConnect::new(config),
        described: format!("sslmode={}, {from}", mode.name()),
    })
}

fn file_roots(path: &str) -> Result<RootCertStore, String> {
    let named = |problem: String| format!("sslrootcert {path}: {problem}");
    let path = PathBuf::from(path);
    let certificates = CertificateDer::pem_file_iter(&path)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|error| named(error.to_string()))?;
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(certificates);
    if added == 0 {
        return Err(named("no certificate in it".to_owned()));
    }
    Ok(roots)
}

fn system_roots() -> Result<RootCertStore, String> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        let errors: Vec<String> = found.errors.iter().map(ToString::to_string).collect();
        return Err(format!(
            "no sslrootcert, and no system roots found to verify the server with ({}); name a \
             CA file with sslrootcert=",
            errors.join("; ")
        ));
    }
    Ok(roots)
}

/// `verify-ca`: the chain must lead to a root, the name may be any. Every other check,
/// and the handshake's signatures, are webpki's.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        use rustls::{CertificateError, Error};
        // webpki checks the name last, once the chain and its dates are good.
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            verified => verified,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.described)
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        reason = "a test that cannot set up says so and stops"
    )]

    use tokio_postgres::config::SslMode;

    use super::connection;

    fn refused(url: &str) -> String {
        match connection(url) {
            Ok(_) => String::new(),
            Err(error) => error,
        }
    }

    #[test]
    fn no_sslmode_and_disable_are_plaintext() {
        for url in [
            "postgres://u@db/x",
            "postgres://u:pw@db/x?sslmode=disable&user=v",
        ] {
            let connection = connection(url).unwrap();
            assert!(connection.tls.is_none(), "{url}");
            assert_eq!(connection.config.get_ssl_mode(), SslMode::Disable, "{url}");
        }
        let connection = connection("postgres://u:pw@db/x?sslmode=disable&user=v").unwrap();
        assert_eq!(connection.config.get_user(), Some("v"));
        assert_eq!(connection.config.get_password(), Some(&b"pw"[..]));
    }

    #[test]
    fn a_question_mark_in_the_password_is_not_the_query() {
        let connection = connection("postgres://u:p?ss/w@db/x?sslmode=disable").unwrap();
        assert_eq!(connection.config.get_password(), Some(&b"p?ss/w"[..]));
        assert!(connection.tls.is_none());
        // A password cannot turn TLS off.
        let error = refused("postgres://u:x?sslmode=disable@db/x?sslmode=allow");
        assert!(error.contains("sslmode=allow is refused"), "{error}");
    }

    #[test]
    fn tls_modes_require_tls_from_the_driver() {
        for mode in ["require", "verify-ca", "verify-full"] {
            let url = format!("postgres://u@db/x?sslmode={mode}&sslrootcert=system");
            // A machine without system roots says so; one with them gets a connector.
            match connection(&url) {
                Ok(connection) => {
                    assert_eq!(connection.config.get_ssl_mode(), SslMode::Require);
                    let tls = connection.tls.unwrap();
                    assert!(tls.described.starts_with(&format!("sslmode={mode},")));
                }
                Err(error) => assert!(error.contains("no system roots"), "{error}"),
            }
        }
    }

    #[test]
    fn what_cannot_be_honoured_is_refused_by_name() {
        for (url, named) in [
            (
                "postgres://db/x?sslmode=prefer",
                "sslmode=prefer is refused",
            ),
            ("postgres://db/x?sslmode=allow", "sslmode=allow is refused"),
            (
                "postgres://db/x?sslmode=verify_full",
                "sslmode=verify_full is not",
            ),
            (
                "postgres://db/x?sslmode=require&sslcert=c.pem",
                "sslcert is not supported",
            ),
            (
                "postgres://db/x?sslmode=require&sslkey=k.pem",
                "sslkey is not supported",
            ),
            (
                "postgres://db/x?sslmode=verify-full&sslcrl=x",
                "sslcrl is not supported",
            ),
            (
                "postgres://db/x?sslmode=verify-full&sslmode=disable",
                "sslmode is given twice",
            ),
            (
                "postgres://db/x?sslrootcert=/ca.pem",
                "TLS is not asked for",
            ),
            (
                "postgres://db/x?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
                "sslrootcert /nonexistent/ca.pem:",
            ),
            (
                "postgres://db/x?sslmode=require&host=%2Frun%2Fpostgresql",
                "Unix socket",
            ),
        ] {
            let error = refused(url);
            assert!(error.contains(named), "{url}: {error:?}");
        }
    }

    #[test]
    fn an_empty_or_foreign_ca_file_is_refused() {
        let dir = std::env::temp_dir().join(format!("pg-tls-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ca.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let error = refused(&format!(
            "postgres://db/x?sslmode=verify-full&sslrootcert={}",
            path.display()
        ));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(error.contains("no certificate in it"), "{error}");
    }
}
