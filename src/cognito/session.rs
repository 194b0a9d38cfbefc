//! `Session` tokens: the sign-in hand-off after a confirmation, minted and verified by the
//! crate with the server key.

use core::{fmt, time::Duration};

use base64ct::{Base64UrlUnpadded, Encoding};

use crate::{KeyId, KeyRing, ServerKey, Timestamp, ct::ct_eq};

/// Prefix of every session's MAC input, apart from code tags' domain.
const SESSION_DOMAIN: &[u8] = b"confirmation-flow/v1/session";
/// `key id (4) ‖ purpose (1) ‖ expires (8) ‖ nonce (16)`: what the MAC binds besides the
/// user and the client.
const HEADER_LEN: usize = 29;
/// The header and the 32-byte MAC.
const RAW_LEN: usize = HEADER_LEN + 32;
/// Characters in a session token: the unpadded base64url of its 61 bytes.
pub const SESSION_LEN: usize = (RAW_LEN * 4).div_ceil(3);

/// What a session may be used for; a token minted for one purpose never verifies for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SessionPurpose {
    /// Handed out by `SignUp`, carried into `ConfirmSignUp`.
    ConfirmSignUp,
    /// Handed out by `ConfirmSignUp`, redeemed by `InitiateAuth` with `USER_AUTH`.
    SignIn,
}

impl SessionPurpose {
    const fn byte(self) -> u8 {
        match self {
            Self::ConfirmSignUp => 1,
            Self::SignIn => 2,
        }
    }
}

/// A session token: [`SESSION_LEN`] (82) characters of base64url, within the model's 20–2048.
/// `Debug` is redacted and equality is constant-time.
#[derive(Clone)]
pub struct Session(heapless::String<SESSION_LEN>);

impl PartialEq for Session {
    fn eq(&self, other: &Self) -> bool {
        let bytes = |session: &Self| {
            let mut bytes = [0_u8; SESSION_LEN];
            bytes
                .iter_mut()
                .zip(session.0.bytes())
                .for_each(|(slot, byte)| *slot = byte);
            bytes
        };
        bool::from(ct_eq(&bytes(self), &bytes(other)))
    }
}

impl Eq for Session {}

impl Session {
    /// Mints a token for `user` of `client`, valid until `now + ttl`, keyed with `key`.
    ///
    /// `nonce` is 16 bytes from the caller's CSPRNG; it makes every token unique, so a
    /// caller that records redeemed nonces until expiry makes tokens single-use.
    #[must_use]
    pub fn mint(
        key: &ServerKey,
        purpose: SessionPurpose,
        user: &str,
        client: &str,
        now: Timestamp,
        ttl: Duration,
        nonce: &[u8; 16],
    ) -> Self {
        let expires_at = now.saturating_add(ttl).as_unix_seconds();
        let header = raw_header(key.id(), purpose, expires_at, nonce);
        let tag = mac(key, &header, user, client);
        let mut raw = [0_u8; RAW_LEN];
        raw.iter_mut()
            .zip(header.iter().chain(&tag))
            .for_each(|(slot, byte)| *slot = *byte);
        let mut text = [0_u8; SESSION_LEN];
        let encoded = Base64UrlUnpadded::encode(&raw, &mut text).unwrap_or_default();
        let mut token = heapless::String::new();
        // The encoding is ASCII and exactly SESSION_LEN bytes long.
        let _ = token.push_str(encoded);
        Self(token)
    }

    /// Checks `token` for `purpose`, `user` and `client` at `now`, with the key of `keys`
    /// that minted it.
    ///
    /// # Errors
    /// [`SessionError::Malformed`] if it is not a token of this crate,
    /// [`SessionError::UnknownKey`] if it was minted under a key `keys` does not hold,
    /// [`SessionError::Invalid`] if it was forged or minted for another purpose, user or
    /// client, [`SessionError::Expired`] at or after its deadline.
    pub fn verify(
        keys: &KeyRing<'_>,
        token: &str,
        purpose: SessionPurpose,
        user: &str,
        client: &str,
        now: Timestamp,
    ) -> Result<VerifiedSession, SessionError> {
        let mut raw = [0_u8; RAW_LEN];
        match Base64UrlUnpadded::decode(token, &mut raw) {
            Ok(decoded) if decoded.len() == RAW_LEN => {}
            _ => return Err(SessionError::Malformed),
        }
        let (header, claimed) = raw
            .split_at_checked(HEADER_LEN)
            .ok_or(SessionError::Malformed)?;
        let id = KeyId(u32::from_be_bytes(array(header.get(..4))));
        let key = keys.get(id).ok_or(SessionError::UnknownKey)?;
        let expires_at = u64::from_be_bytes(array(header.get(5..13)));
        let nonce: [u8; 16] = array(header.get(13..29));
        // The MAC covers the header as received, and the header must say this purpose: a
        // token has exactly one spelling that verifies.
        let received: [u8; HEADER_LEN] = array(Some(header));
        let expected = mac(key, &received, user, client);
        let this_purpose = received == raw_header(id, purpose, expires_at, &nonce);
        if !(bool::from(ct_eq(&expected, &array(Some(claimed)))) && this_purpose) {
            return Err(SessionError::Invalid);
        }
        let expires_at = Timestamp::from_unix_seconds(expires_at);
        if now >= expires_at {
            return Err(SessionError::Expired);
        }
        Ok(VerifiedSession { expires_at, nonce })
    }

    /// The token.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Session(<redacted>)")
    }
}

/// A session that verified: when it expires, and its nonce (record it to make the token
/// single-use).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedSession {
    /// The token's deadline.
    pub expires_at: Timestamp,
    /// The token's unique nonce.
    pub nonce: [u8; 16],
}

/// Why a session token did not verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SessionError {
    /// Not a token of this crate.
    Malformed,
    /// Minted under a key the ring does not hold.
    UnknownKey,
    /// Forged, or minted for another purpose, user or client.
    Invalid,
    /// At or past its deadline.
    Expired,
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Malformed => "the session is not a well-formed token",
            Self::UnknownKey => "the session was minted under a key that is not in the ring",
            Self::Invalid => "the session does not verify for this purpose, user and client",
            Self::Expired => "the session has expired",
        })
    }
}

impl core::error::Error for SessionError {}

/// The first bytes of a token.
fn raw_header(
    id: KeyId,
    purpose: SessionPurpose,
    expires_at: u64,
    nonce: &[u8; 16],
) -> [u8; HEADER_LEN] {
    let mut header = [0_u8; HEADER_LEN];
    let fields =
        id.0.to_be_bytes()
            .into_iter()
            .chain([purpose.byte()])
            .chain(expires_at.to_be_bytes())
            .chain(nonce.iter().copied());
    header
        .iter_mut()
        .zip(fields)
        .for_each(|(slot, byte)| *slot = byte);
    header
}

/// `HMAC(key, domain ‖ u64be(len header) ‖ header ‖ u64be(len user) ‖ user ‖
/// u64be(len client) ‖ client)`.
fn mac(key: &ServerKey, header: &[u8; HEADER_LEN], user: &str, client: &str) -> [u8; 32] {
    key.derive(
        SESSION_DOMAIN,
        &[header, user.as_bytes(), client.as_bytes()],
    )
}

/// A fixed-size array from a slice of the right length (zeros otherwise; callers pass
/// ranges inside a buffer of known size).
fn array<const N: usize>(bytes: Option<&[u8]>) -> [u8; N] {
    bytes
        .and_then(|bytes| <[u8; N]>::try_from(bytes).ok())
        .unwrap_or([0; N])
}
