//! The tokens' signing keys, derived from the key ring: they live with the other keys and
//! rotate with them, and every process that shares a ring signs with, and publishes, the same
//! keys.
//!
//! For each ring key and each pool, HKDF-SHA256 of the key's 32 bytes ([`Seed`], kept instead
//! of the bytes) is expanded under a fixed, versioned label per token kind, then the key's id
//! (4 bytes, big endian), the pool id's length (8 bytes, big endian) and the pool id, into a
//! 32-byte seed for `ChaCha20`, whose stream is the randomness of the `rsa` crate's 2048-bit
//! key generation. Each pool has keys of its own, as the service's pools do: a verifier that
//! trusts one pool's JWKS accepts no other pool's tokens, whether or not it checks `iss`. Two
//! keys per ring key and pool, as the service has two: one signs ID tokens, the other access
//! tokens. A key's `kid` is `<ring key id>-<the first 8 hex digits of the SHA-256 of its
//! modulus>`.
//!
//! The same ring gives the same keys only while the key generation stays the same: `rsa` is
//! pinned in `Cargo.toml`, and a test vector (the server's tests, `signing.rs`) fails if a
//! dependency bump (`rsa`, `crypto-primes`, `crypto-bigint`, `chacha20`) would derive other
//! keys. Moving on from such a change means a new label (`v2`): a rotation, after which the
//! tokens signed before it no longer verify.

use std::thread;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chacha20::{ChaCha20Rng, rand_core::SeedableRng};
use hkdf::Hkdf;
use jsonwebtoken::{
    Algorithm, EncodingKey, Header,
    jwk::{AlgorithmParameters, CommonParameters, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse},
    jwk::{RSAKeyParameters, RSAKeyType},
};
use rsa::{PrivateKey, pkcs1::EncodeRsaPrivateKey, traits::PublicKeyParts};
use sha2::{Digest, Sha256};

/// The modulus size: the service's, and RS256's usual.
const BITS: usize = 2048;

/// Which token a key signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenUse {
    /// The ID token (`token_use` `id`).
    Id,
    /// The access token (`token_use` `access`).
    Access,
}

impl TokenUse {
    /// The HKDF label of this kind's key; a new version is a new key for every ring key.
    const fn label(self) -> &'static [u8] {
        match self {
            Self::Id => b"confirmation-flow/v1/jwt-signing-rsa2048/id",
            Self::Access => b"confirmation-flow/v1/jwt-signing-rsa2048/access",
        }
    }
}

/// One ring key's pseudorandom key (HKDF-Extract of its bytes): what the signing keys are
/// derived from, which tells nothing of the ring key itself.
pub struct Seed {
    id: u32,
    prk: Hkdf<Sha256>,
}

impl Seed {
    /// The seed of the ring key `id` whose bytes are `secret`.
    #[must_use]
    pub fn of(id: u32, secret: &[u8; 32]) -> Self {
        Self {
            id,
            prk: Hkdf::new(None, secret),
        }
    }
}

impl std::fmt::Debug for Seed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seed")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The ring's seeds: the current key's and the older ones'.
#[derive(Debug)]
pub struct Seeds {
    pub current: Seed,
    pub older: Vec<Seed>,
}

/// One RSA signing key: its `kid`, the private key as the JWT crate takes it, and its public
/// JWK.
pub struct SigningKey {
    kid: String,
    private: EncodingKey,
    public: Jwk,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// The key for `kind` in the pool `pool_id` that `seed` gives, always the same.
    ///
    /// # Errors
    /// The key generation or its encoding failed (neither happens with these sizes).
    pub fn derive(seed: &Seed, kind: TokenUse, pool_id: &str) -> Result<Self, String> {
        let mut chacha_seed = [0; 32];
        let id = seed.id.to_be_bytes();
        let length = u64::try_from(pool_id.len())
            .map_err(|error| error.to_string())?
            .to_be_bytes();
        let info = [kind.label(), &id, &length, pool_id.as_bytes()];
        seed.prk
            .expand_multi_info(&info, &mut chacha_seed)
            .map_err(|error| error.to_string())?;
        let mut rng = ChaCha20Rng::from_seed(chacha_seed);
        let key = PrivateKey::new(&mut rng, BITS).map_err(|error| error.to_string())?;
        let der = key.to_pkcs1_der().map_err(|error| error.to_string())?;
        let modulus = key.n_bytes();
        let digest = Sha256::digest(&modulus);
        let key_id = format!(
            "{}-{}",
            seed.id,
            hex::encode(digest.get(..4).unwrap_or_default())
        );
        let public = Jwk {
            common: CommonParameters {
                public_key_use: Some(PublicKeyUse::Signature),
                key_algorithm: Some(KeyAlgorithm::RS256),
                key_id: Some(key_id.clone()),
                ..CommonParameters::default()
            },
            algorithm: AlgorithmParameters::RSA(RSAKeyParameters {
                key_type: RSAKeyType::RSA,
                n: URL_SAFE_NO_PAD.encode(&modulus),
                e: URL_SAFE_NO_PAD.encode(key.e_bytes()),
            }),
        };
        Ok(Self {
            kid: key_id,
            private: EncodingKey::from_rsa_der(der.as_bytes()),
            public,
        })
    }

    /// The key's `kid`, in the header of every token it signs.
    #[must_use]
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key, as the JWKS lists it.
    #[must_use]
    pub fn jwk(&self) -> &Jwk {
        &self.public
    }
}

/// The two keys of one ring key.
#[derive(Debug)]
struct Pair {
    id: SigningKey,
    access: SigningKey,
}

impl Pair {
    const fn get(&self, kind: TokenUse) -> &SigningKey {
        match kind {
            TokenUse::Id => &self.id,
            TokenUse::Access => &self.access,
        }
    }
}

/// The ring's signing keys: the current ring key's pair signs; the older ones' are published
/// still, so that the tokens they signed verify until they expire.
#[derive(Debug)]
pub struct SigningKeys {
    current: Pair,
    older: Vec<Pair>,
}

impl SigningKeys {
    /// Derives every key of the pool `pool_id` from the ring whose seeds are `seeds`, all at
    /// once on threads of their own (each takes a core for tens of milliseconds: see the README's Keys).
    ///
    /// # Errors
    /// A key could not be derived (which does not happen), or a thread could not be started.
    pub fn derive(seeds: &Seeds, pool_id: &str) -> Result<Self, String> {
        let keys = thread::scope(|scope| {
            let running: Vec<_> = std::iter::once(&seeds.current)
                .chain(&seeds.older)
                .flat_map(|seed| [(seed, TokenUse::Id), (seed, TokenUse::Access)])
                .map(|(seed, kind)| {
                    thread::Builder::new()
                        .spawn_scoped(scope, move || SigningKey::derive(seed, kind, pool_id))
                })
                .collect();
            running
                .into_iter()
                .map(|thread| {
                    thread
                        .map_err(|error| error.to_string())?
                        .join()
                        .map_err(|_| "a signing key's derivation panicked".to_owned())?
                })
                .collect::<Result<Vec<_>, String>>()
        })?;
        let mut keys = keys.into_iter();
        let mut pairs = std::iter::from_fn(|| {
            Some(Pair {
                id: keys.next()?,
                access: keys.next()?,
            })
        });
        let current = pairs.next().ok_or("no current key")?;
        Ok(Self {
            current,
            older: pairs.collect(),
        })
    }

    /// The current key for `kind`: the one that signs.
    #[must_use]
    pub const fn current(&self, kind: TokenUse) -> &SigningKey {
        self.current.get(kind)
    }

    /// The keys that may have signed a token of `kind`, the current one first.
    pub fn verifying(&self, kind: TokenUse) -> impl Iterator<Item = &SigningKey> {
        std::iter::once(&self.current)
            .chain(&self.older)
            .map(move |pair| pair.get(kind))
    }

    /// Every key, the current ones first: the JWKS's keys.
    pub fn keys(&self) -> impl Iterator<Item = &SigningKey> {
        std::iter::once(&self.current)
            .chain(&self.older)
            .flat_map(|pair| [&pair.id, &pair.access])
    }

    /// The JWKS (`{"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid", "n", "e"}, …]}`),
    /// the current keys first, the older ones after.
    #[must_use]
    pub fn jwks(&self) -> serde_json::Value {
        let set = JwkSet {
            keys: self.keys().map(|key| key.public.clone()).collect(),
        };
        serde_json::to_value(set).unwrap_or_default()
    }

    /// `claims` as an RS256 JWT signed by the current key for `kind`, its `kid` in the header
    /// (`{"kid", "alg"}`, as the service writes it: no `typ`).
    ///
    /// # Errors
    /// The claims do not serialise to a JSON object, or the signature failed.
    pub fn sign(&self, kind: TokenUse, claims: &impl serde::Serialize) -> Result<String, String> {
        let key = self.current(kind);
        let mut header = Header::new(Algorithm::RS256);
        header.typ = None;
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, claims, &key.private).map_err(|error| error.to_string())
    }
}
