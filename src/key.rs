//! The server key and the keyed tag that stands in for a code.

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::{alphabet::Alphabet, ct::ct_eq};

/// HMAC-SHA-256 with its key already absorbed.
pub(crate) type HmacSha256 = Hmac<Sha256>;

/// Prefix of every code tag's message, so a tag can never be confused with another MAC
/// made under the same key.
const CODE_TAG_DOMAIN: &[u8] = b"confirmation-flow/v1/code-tag";

/// Prefix of the tags of codes nobody may use (a phantom's, see `cognito`): as long as
/// [`CODE_TAG_DOMAIN`], so making one costs exactly what a real tag costs, and no submitted
/// code, which is always tagged under the code domain, can ever match one.
const UNMATCHABLE_DOMAIN: &[u8] = b"confirmation-flow/v1/no-match";

const _: () = assert!(CODE_TAG_DOMAIN.len() == UNMATCHABLE_DOMAIN.len());

/// Which domain a tag is made in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TagDomain {
    /// Tags of codes that are delivered and may be submitted.
    Code,
    /// Tags no submission can match.
    Unmatchable,
}

/// Keys an HMAC-SHA-256 per RFC 2104 §2: a key longer than the 64-byte block is hashed
/// first, a shorter one is zero-padded. Going through the fixed-size block keeps key set-up
/// infallible (no `Result` to unwrap); RFC 4231's vectors pin the equivalence.
pub(crate) fn keyed_hmac(key: &[u8]) -> HmacSha256 {
    let mut block = hmac::digest::Key::<HmacSha256>::default();
    if key.len() > block.len() {
        let digest = Sha256::digest(key);
        block
            .iter_mut()
            .zip(digest.iter())
            .for_each(|(slot, byte)| *slot = *byte);
    } else {
        block
            .iter_mut()
            .zip(key)
            .for_each(|(slot, byte)| *slot = *byte);
    }
    HmacSha256::new(&block)
}

/// The MAC of what has been fed to `mac`, as a fixed-size array.
pub(crate) fn finish(mac: HmacSha256) -> [u8; 32] {
    mac.finalize().into_bytes().into()
}

/// Which server key made a tag. Stored with the state so rotation fails closed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[expect(
    clippy::exhaustive_structs,
    reason = "a transparent identifier; its one field is the whole meaning"
)]
pub struct KeyId(pub u32);

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The server's secret for code tags, with its [`KeyId`].
///
/// The HMAC key schedule is computed once in [`ServerKey::new`]; each tag then costs only
/// the message blocks. Never stored by the crate, never serialised, `Debug` shows only the id.
#[derive(Clone)]
pub struct ServerKey {
    id: KeyId,
    mac: HmacSha256,
}

impl ServerKey {
    /// A key from 32 secret bytes (from a KMS, a secret store, or a CSPRNG at set-up).
    #[must_use]
    pub fn new(id: KeyId, secret: &[u8; 32]) -> Self {
        Self {
            id,
            mac: keyed_hmac(secret),
        }
    }

    /// The id stored with every tag this key makes.
    #[must_use]
    pub const fn id(&self) -> KeyId {
        self.id
    }

    /// `HMAC-SHA-256(key, domain ‖ u64be(len subject) ‖ subject ‖ normalized code)`, and
    /// how many symbols the normalized code has.
    pub(crate) fn tag(
        &self,
        domain: TagDomain,
        subject: &[u8],
        code: &[u8],
        alphabet: Alphabet,
    ) -> (Tag, usize) {
        let domain = match domain {
            TagDomain::Code => CODE_TAG_DOMAIN,
            TagDomain::Unmatchable => UNMATCHABLE_DOMAIN,
        };
        let mut mac = self.mac.clone();
        if alphabet == Alphabet::Digits {
            // Digits are read exactly as sent: no normalisation pass needed.
            absorb(&mut mac, &[domain, &length_prefix(subject), subject, code]);
            return (Tag(finish(mac)), code.len());
        }
        mac.update(domain);
        mac.update(&length_prefix(subject));
        mac.update(subject);
        let mut chunk = [0_u8; 64];
        let (mut filled, mut symbols) = (0_usize, 0_usize);
        for byte in code.iter().filter_map(|&byte| alphabet.normalize(byte)) {
            symbols = symbols.saturating_add(1);
            if let Some(slot) = chunk.get_mut(filled) {
                *slot = byte;
                filled = filled.saturating_add(1);
            } else {
                mac.update(&chunk);
                chunk = [byte; 64];
                filled = 1;
            }
        }
        mac.update(chunk.get(..filled).unwrap_or_default());
        (Tag(finish(mac)), symbols)
    }

    /// `HMAC-SHA-256(key, domain ‖ u64be(len part) ‖ part ‖ …)`: a keyed, domain-separated,
    /// unambiguous digest of `parts`, for ids derived from the key.
    pub(crate) fn derive(&self, domain: &[u8], parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(domain);
        for part in parts {
            mac.update(&length_prefix(part));
            mac.update(part);
        }
        finish(mac)
    }
}

/// Feeds `parts`, one after another, to `mac`. A message that fits 128 bytes (every tag of
/// a UUID subject, every `SecretHash` of a short username) is gathered first: one `update`
/// of the whole costs less than one per part. Longer ones are streamed part by part.
#[expect(
    clippy::inline_always,
    reason = "inlined, each caller's parts have known count and sizes; out of line it costs 150 instructions per request (.ci/icount-gate)"
)]
#[inline(always)]
pub(crate) fn absorb(mac: &mut HmacSha256, parts: &[&[u8]]) {
    let mut message = [0_u8; 128];
    let mut filled = 0_usize;
    for part in parts {
        let Some(slot) = filled
            .checked_add(part.len())
            .and_then(|end| message.get_mut(filled..end))
        else {
            for part in parts {
                mac.update(part);
            }
            return;
        };
        slot.copy_from_slice(part);
        filled = filled.saturating_add(part.len());
    }
    mac.update(message.get(..filled).unwrap_or_default());
}

/// `u64be(len bytes)`: usize is at most 64 bits on every target Rust supports, so this
/// never saturates.
pub(crate) fn length_prefix(bytes: &[u8]) -> [u8; 8] {
    u64::try_from(bytes.len()).unwrap_or(u64::MAX).to_be_bytes()
}

impl fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A code's keyed tag: what a state stores instead of the code.
#[derive(Clone, Copy)]
pub(crate) struct Tag(pub(crate) [u8; 32]);

/// Equality is constant-time too, so no comparison of states can leak a tag prefix.
impl PartialEq for Tag {
    fn eq(&self, other: &Self) -> bool {
        self.matches(other)
    }
}

impl Eq for Tag {}

/// The first 8 bytes of a replaced code's tag: enough to recognise that code and answer
/// "expired" rather than "wrong", too short to be worth anything as a tag. All zeros when
/// no code was replaced.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ReplacedTag(pub(crate) [u8; 8]);

impl fmt::Debug for ReplacedTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReplacedTag(<redacted>)")
    }
}

impl Tag {
    /// What a state keeps of this tag once its code is replaced.
    pub(crate) fn replaced(&self) -> ReplacedTag {
        let mut prefix = [0_u8; 8];
        prefix
            .iter_mut()
            .zip(self.0)
            .for_each(|(slot, byte)| *slot = byte);
        ReplacedTag(prefix)
    }

    /// Whether this tag begins with `replaced`, in constant time.
    pub(crate) fn begins_with(&self, replaced: ReplacedTag) -> bool {
        bool::from(ct_eq(&self.replaced().0, &replaced.0))
    }

    /// Constant-time equality on the fixed-size arrays ([`ct_eq`](crate::ct::ct_eq)). The `Choice` becomes a
    /// `bool` only here.
    ///
    /// Never inlined: the optimiser cannot fuse the comparison into the branch that
    /// follows, and the constant-time gate (`.ci/ct-gate`) can count its instructions.
    #[inline(never)]
    pub(crate) fn matches(&self, other: &Self) -> bool {
        bool::from(ct_eq(&self.0, &other.0))
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tag(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    //! RFC 4231 pins the HMAC wiring (key set-up through the padded block, hashing of long
    //! keys, finalisation). Vectors are copied from the RFC, not produced by this code.

    use super::{Alphabet, KeyId, ServerKey, TagDomain, finish, keyed_hmac};
    use hmac::Mac;

    fn hex(text: &str) -> heapless::Vec<u8, 256> {
        let digits: heapless::Vec<u8, 512> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
        digits
            .chunks(2)
            .map(|pair| u8::from_str_radix(core::str::from_utf8(pair).unwrap(), 16).unwrap())
            .collect()
    }

    fn rfc4231(key: &[u8], data: &[u8], expected: &str) {
        let mut mac = keyed_hmac(key);
        mac.update(data);
        assert_eq!(finish(mac).as_slice(), hex(expected).as_slice());
    }

    #[test]
    fn rfc4231_case_1_short_key() {
        rfc4231(
            &[0x0b; 20],
            b"Hi There",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        );
    }

    #[test]
    fn rfc4231_case_2_key_shorter_than_output() {
        rfc4231(
            b"Jefe",
            b"what do ya want for nothing?",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        );
    }

    #[test]
    fn rfc4231_case_3_combined_key_and_data() {
        rfc4231(
            &[0xaa; 20],
            &[0xdd; 50],
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
        );
    }

    #[test]
    fn rfc4231_case_4_counting_key() {
        let key = hex("0102030405060708090a0b0c0d0e0f10111213141516171819");
        rfc4231(
            &key,
            &[0xcd; 50],
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
        );
    }

    #[test]
    fn rfc4231_case_6_key_longer_than_block() {
        rfc4231(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        );
    }

    #[test]
    fn rfc4231_case_7_long_key_and_data() {
        rfc4231(
            &[0xaa; 131],
            b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.",
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
        );
    }

    #[test]
    fn block_sized_key_is_used_as_is() {
        // RFC 2104: a key of exactly the block size is neither hashed nor padded; compare
        // with hmac's own slice constructor, which implements that rule independently.
        let key = [0x5a_u8; 64];
        let mut ours = keyed_hmac(&key);
        let mut theirs = <super::HmacSha256 as hmac::KeyInit>::new_from_slice(&key).unwrap();
        ours.update(b"x");
        theirs.update(b"x");
        assert_eq!(finish(ours), finish(theirs));
    }

    #[test]
    fn tags_are_the_same_mac_whether_gathered_or_streamed() {
        // Short messages are gathered into one buffer before hashing, long ones streamed
        // part by part: both must be the HMAC of the same bytes, on either side of the
        // buffer's size. The reference is the hmac crate fed the parts one by one.
        let key = ServerKey::new(KeyId(1), &[9; 32]);
        let subject = [0x73_u8; 200];
        for length in [0, 1, 36, 84, 85, 86, 91, 92, 93, 128, 200] {
            let subject = subject.get(..length).unwrap();
            let mut reference = keyed_hmac(&[9; 32]);
            reference.update(b"confirmation-flow/v1/code-tag");
            reference.update(&u64::try_from(length).unwrap().to_be_bytes());
            reference.update(subject);
            reference.update(b"123456");
            let (tag, symbols) = key.tag(TagDomain::Code, subject, b"123456", Alphabet::Digits);
            assert_eq!(tag.0, finish(reference), "subject of {length} bytes");
            assert_eq!(symbols, 6);
        }
    }
}
