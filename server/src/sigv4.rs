//! AWS Signature Version 4, verified: the admin operations, pools and clients answer only to
//! a request signed with a secret the operator configured, as the service answers only to
//! AWS credentials.
//!
//! Hand-written on purpose. A verifier must rebuild the canonical request from exactly the
//! headers the client chose to sign (`SignedHeaders`); the signing crates (the SDK's
//! `aws-sigv4` among them) choose the headers themselves — it leaves out `content-length`,
//! which the JavaScript SDK signs — so re-signing with one would refuse real clients. The
//! tests sign with `aws-sigv4`, check AWS's published test suite and drive boto3, the CLI
//! and the JavaScript SDK.
//!
//! Checked, in order: the `Authorization` header's form; the access key; the credential
//! scope (the date of `x-amz-date`, the configured region, `cognito-idp`, `aws4_request`);
//! `host` and `x-amz-date` among the signed headers; the clock within five minutes either
//! way; the signature, in constant time.

use std::{fmt, time::SystemTime};

use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

pub use crate::sigv4_canonical::Signed;
use crate::{exceptions::ServerException, sigv4_canonical::canonical_request, sigv4_time::AmzDate};

/// The service name in a credential scope.
pub const SERVICE: &str = "cognito-idp";
const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// An access key the operator configured; the secret never prints.
#[derive(Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

/// Why a request was refused, with the service's exception and message.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization` header.
    Missing,
    /// A header without one of its parts, or one that is not SigV4.
    Incomplete(String),
    /// An access key nobody configured.
    UnknownKey,
    /// A credential scope for another date, region or service.
    Scope(String),
    /// Signed more than five minutes ago, or more than five minutes ahead.
    Skewed(String),
    /// The signature is not the one the secret gives.
    Mismatch,
}

impl Refusal {
    /// The service's exception.
    #[must_use]
    pub const fn exception(&self) -> ServerException {
        match self {
            Self::Missing => ServerException::MissingAuthenticationToken,
            Self::Incomplete(_) => ServerException::IncompleteSignature,
            Self::UnknownKey => ServerException::UnrecognizedClient,
            Self::Scope(_) | Self::Skewed(_) | Self::Mismatch => ServerException::InvalidSignature,
        }
    }

    /// The service's message.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Self::Missing => "Missing Authentication Token".into(),
            Self::UnknownKey => "The security token included in the request is invalid.".into(),
            Self::Mismatch => "The request signature we calculated does not match the signature \
                               you provided. Check your AWS Secret Access Key and signing method. \
                               Consult the service documentation for details."
                .into(),
            Self::Incomplete(message) | Self::Scope(message) | Self::Skewed(message) => {
                message.clone()
            }
        }
    }
}

/// The `Authorization` header's three parts.
struct Authorization<'a> {
    access_key_id: &'a str,
    scope: &'a str,
    signed_headers: &'a str,
    signature: [u8; 32],
}

/// Verifies requests for one region against the configured credentials.
#[derive(Debug)]
pub struct Verifier {
    region: String,
    service: &'static str,
    /// Headers every signature must cover: the host and moment, and the operation, so that a
    /// captured request cannot be sent again as another operation.
    must_sign: &'static [&'static str],
    credentials: Vec<Credential>,
}

impl Verifier {
    /// A verifier for `region` that knows `credentials`.
    #[must_use]
    pub const fn new(region: String, credentials: Vec<Credential>) -> Self {
        Self {
            region,
            service: SERVICE,
            must_sign: &["host", "x-amz-date", "x-amz-target"],
            credentials,
        }
    }

    /// The access key that signed `request`, checked at `now`.
    ///
    /// # Errors
    /// The service's refusal: see [`Refusal`].
    pub fn verify(&self, request: &Signed<'_>, now: SystemTime) -> Result<&str, Refusal> {
        let header = request
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or(Refusal::Missing)?;
        let authorization = parse(header.as_bytes())?;
        let credential = self
            .credentials
            .iter()
            .find(|known| known.access_key_id == authorization.access_key_id)
            .ok_or(Refusal::UnknownKey)?;
        let signed: Vec<&str> = authorization.signed_headers.split(';').collect();
        let date = request
            .headers
            .get("x-amz-date")
            .and_then(|value| AmzDate::parse(value.as_bytes()));
        let all_signed = self.must_sign.iter().all(|name| signed.contains(name));
        let (Some(date), true) = (date, all_signed) else {
            return Err(Refusal::Incomplete(format!(
                "Authorization header requires '{}' among its SignedHeaders, and an X-Amz-Date \
                 header of the form YYYYMMDD'T'HHMMSS'Z'.",
                self.must_sign.join("', '")
            )));
        };
        self.check_scope(authorization.scope, &date)?;
        date.within_skew(now).map_err(Refusal::Skewed)?;
        let canonical = canonical_request(request, &signed);
        let to_sign = format!(
            "{ALGORITHM}\n{}\n{}\n{}",
            date.text(),
            authorization.scope,
            hex::encode(Sha256::digest(&canonical))
        );
        let mut key = hmac(
            format!("AWS4{}", credential.secret_access_key).as_bytes(),
            date.day().as_bytes(),
        );
        for part in [self.region.as_str(), self.service, "aws4_request"] {
            key = hmac(&key, part.as_bytes());
        }
        let expected = hmac(&key, to_sign.as_bytes());
        if bool::from(expected.ct_eq(&authorization.signature)) {
            Ok(&credential.access_key_id)
        } else {
            Err(Refusal::Mismatch)
        }
    }

    fn check_scope(&self, scope: &str, date: &AmzDate) -> Result<(), Refusal> {
        let mut parts = scope.split('/');
        let (day, region, service, terminator) =
            (parts.next(), parts.next(), parts.next(), parts.next());
        if day != Some(date.day()) {
            return Err(Refusal::Scope(format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date \
                 from HTTP: '{}' != '{}', from '{}'.",
                day.unwrap_or(""),
                date.day(),
                date.text()
            )));
        }
        if region != Some(self.region.as_str()) {
            return Err(Refusal::Scope(format!(
                "Credential should be scoped to a valid region, not '{}'. ",
                region.unwrap_or("")
            )));
        }
        if service != Some(self.service) {
            return Err(Refusal::Scope(format!(
                "Credential should be scoped to correct service: '{}'. ",
                self.service
            )));
        }
        if terminator != Some("aws4_request") || parts.next().is_some() {
            return Err(Refusal::Scope(
                "Credential should be scoped with a valid terminator: 'aws4_request'. ".into(),
            ));
        }
        Ok(())
    }
}

/// `AWS4-HMAC-SHA256 Credential=KEY/SCOPE, SignedHeaders=a;b, Signature=HEX`.
fn parse(header: &[u8]) -> Result<Authorization<'_>, Refusal> {
    let incomplete = || {
        Refusal::Incomplete(
            "Authorization header requires 'Credential' parameter. Authorization header \
             requires 'Signature' parameter. Authorization header requires 'SignedHeaders' \
             parameter."
                .into(),
        )
    };
    let text = std::str::from_utf8(header).map_err(|_| incomplete())?;
    let rest = text
        .strip_prefix(ALGORITHM)
        .and_then(|rest| rest.strip_prefix(' '))
        .ok_or_else(incomplete)?;
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (name, value) = part.trim().split_once('=').ok_or_else(incomplete)?;
        let slot = match name {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => return Err(incomplete()),
        };
        if slot.replace(value).is_some() {
            return Err(incomplete());
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return Err(incomplete());
    };
    let (access_key_id, scope) = credential.split_once('/').ok_or_else(incomplete)?;
    let mut bytes = [0; 32];
    let lowercase = signature
        .bytes()
        .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
    if !lowercase || hex::decode_to_slice(signature, &mut bytes).is_err() {
        return Err(incomplete());
    }
    if !well_formed(signed_headers) {
        return Err(Refusal::Incomplete(format!(
            "SignedHeaders must name at most {MAX_SIGNED_HEADERS} headers, in lower case, each \
             once, in sorted order."
        )));
    }
    Ok(Authorization {
        access_key_id,
        scope,
        signed_headers,
        signature: bytes,
    })
}

/// The most headers one signature may cover: the SDKs sign a handful; a long list would only
/// make the server copy the same values again and again before the signature is compared.
const MAX_SIGNED_HEADERS: usize = 32;

/// `SignedHeaders` as every SDK writes it: lower-case names (`[a-z0-9-]`), strictly ascending
/// (so none twice), at most [`MAX_SIGNED_HEADERS`].
fn well_formed(signed_headers: &str) -> bool {
    let names: Vec<&str> = signed_headers.split(';').collect();
    let valid = |name: &&str| {
        !name.is_empty()
            && name
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
    };
    names.len() <= MAX_SIGNED_HEADERS
        && names.iter().all(valid)
        && names.windows(2).all(|pair| pair[0] < pair[1])
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes a key of any length: this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
#[path = "sigv4_tests.rs"]
mod tests;
