//! The admin credentials: which access keys admin calls are verified against, where they
//! came from, and the rules that keep a listener beyond loopback from trusting the
//! well-known test key.

use crate::{
    config::{CREDENTIALS_VARIABLE, Config},
    sigv4::Credential,
};

/// The key the AWS tools' local-emulator conventions use; accepted on loopback only.
const LOCAL_TEST_KEY: &str = "test";

/// The shortest secret accepted on a listener beyond loopback (AWS's own are 40 characters).
const MIN_SECRET_BEYOND_LOOPBACK: usize = 16;

/// Where the admin credentials came from, as the start-up line says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialSource {
    /// `admin_credentials` or the environment.
    Configured,
    /// None configured, on loopback: `test` / `test`.
    LocalTestKey,
}

impl Config {
    /// The access keys admin calls are verified against, and where they came from.
    /// `loopback`: whether the routes are served on a loopback address only — known when
    /// this server binds `listen` itself, never when an application mounts the routes
    /// (`Service::start`), which is then held to the rules beyond loopback.
    ///
    /// # Errors
    /// No credentials while served beyond loopback (anyone who reaches the port could sign
    /// with the well-known test key), or credentials that are malformed or repeated.
    pub fn admin_keys(
        &self,
        loopback: bool,
    ) -> Result<(Vec<Credential>, CredentialSource), String> {
        if self.admin_credentials.is_empty() {
            if !loopback {
                let served = if self.listen.ip().to_canonical().is_loopback() {
                    "the routes are mounted in an application whose listener this server \
                     cannot see"
                        .to_owned()
                } else {
                    format!("listen {} is not a loopback address", self.listen)
                };
                return Err(format!(
                    "{served}, and no admin credentials are configured: anyone reaching the \
                     port could sign admin calls with the well-known test key. Set \
                     \"admin_credentials\": [{{\"access_key_id\": \"...\", \
                     \"secret_access_key\": \"...\"}}] in the configuration, or the same \
                     JSON list in {CREDENTIALS_VARIABLE}"
                ));
            }
            let local = Credential {
                access_key_id: LOCAL_TEST_KEY.into(),
                secret_access_key: LOCAL_TEST_KEY.into(),
            };
            return Ok((vec![local], CredentialSource::LocalTestKey));
        }
        for (index, credential) in self.admin_credentials.iter().enumerate() {
            let id = &credential.access_key_id;
            if !(1..=128).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(format!(
                    "admin_credentials[{index}].access_key_id must be 1 to 128 letters and digits"
                ));
            }
            let secret = &credential.secret_access_key;
            if !loopback && secret.len() < MIN_SECRET_BEYOND_LOOPBACK {
                return Err(format!(
                    "admin_credentials[{index}].secret_access_key: at least \
                     {MIN_SECRET_BEYOND_LOOPBACK} characters on a listener beyond loopback"
                ));
            }
            if !(1..=256).contains(&secret.len()) || secret.bytes().any(|b| b.is_ascii_control()) {
                return Err(format!(
                    "admin_credentials[{index}].secret_access_key must be 1 to 256 characters, \
                     none of them a control character"
                ));
            }
            let repeated = self.admin_credentials[..index]
                .iter()
                .any(|earlier| earlier.access_key_id == *id);
            if repeated {
                return Err(format!(
                    "admin_credentials: access key {id} is listed twice"
                ));
            }
        }
        Ok((self.admin_credentials.clone(), CredentialSource::Configured))
    }
}
