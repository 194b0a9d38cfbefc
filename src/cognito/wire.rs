//! Decoding pieces for the AWS JSON 1.1 request bodies (feature `serde`): strings kept in
//! bounded storage with the facts validation needs, and `ClientMetadata`.

use core::fmt;

#[cfg(not(feature = "alloc"))]
use serde::de::Error as _;
use serde::{
    Deserialize, Deserializer,
    de::{MapAccess, Visitor},
};

#[cfg(not(feature = "alloc"))]
use super::metadata::{BoundedPair, METADATA_ENTRIES, METADATA_KEY_CAP, METADATA_VALUE_CAP};
use super::{ClientMetadata, validation::Facts};

/// A JSON string kept up to `N` bytes, with the facts validation needs about all of it.
///
/// Capacities are four bytes per character the model allows (so every valid value is kept
/// whole), except for the confirmation code and the session: no code or session this crate
/// issues is longer than their capacity, so a longer one is judged by its facts and can only
/// fail to match.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Text<const N: usize> {
    kept: heapless::String<N>,
    facts: Facts,
    complete: bool,
}

impl<const N: usize> Text<N> {
    /// The value, or its first `N` bytes if it was longer.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.kept
    }

    /// Whether the whole value was kept.
    #[must_use]
    pub const fn is_complete(&self) -> bool {
        self.complete
    }

    pub(crate) fn known(&self) -> (&str, Facts) {
        (&self.kept, self.facts)
    }
}

impl<const N: usize> fmt::Debug for Text<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Text({} chars)", self.facts.chars)
    }
}

impl<'de, const N: usize> Deserialize<'de> for Text<N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor<const N: usize>;
        impl<const N: usize> Visitor<'_> for TextVisitor<N> {
            type Value = Text<N>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Text<N>, E> {
                let mut kept = heapless::String::new();
                let complete = value.chars().all(|c| kept.push(c).is_ok());
                Ok(Text {
                    kept,
                    facts: Facts::of(value),
                    complete,
                })
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// `ClientMetadata` as decoded. Without feature `alloc` it holds at most
/// [`METADATA_ENTRIES`](super::METADATA_ENTRIES) pairs of at most
/// [`METADATA_KEY_CAP`](super::METADATA_KEY_CAP) / [`METADATA_VALUE_CAP`](super::METADATA_VALUE_CAP)
/// bytes, and a larger map fails to decode with a message saying so; with `alloc` it is
/// unbounded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetadataBody {
    #[cfg(not(feature = "alloc"))]
    pairs: heapless::Vec<BoundedPair, METADATA_ENTRIES>,
    #[cfg(feature = "alloc")]
    pairs: alloc::vec::Vec<(alloc::string::String, alloc::string::String)>,
}

impl MetadataBody {
    /// The pairs, in request order.
    #[must_use]
    pub fn metadata(&self) -> ClientMetadata<'_> {
        #[cfg(not(feature = "alloc"))]
        return ClientMetadata::bounded(&self.pairs);
        #[cfg(feature = "alloc")]
        return ClientMetadata::owned(&self.pairs);
    }
}

#[cfg(not(feature = "alloc"))]
const METADATA_BOUND: &str = "ClientMetadata exceeds the allocation-free bounds \
     (8 entries, 128-byte keys, 512-byte values); enable the `alloc` feature";

impl<'de> Deserialize<'de> for MetadataBody {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MetadataVisitor;
        impl<'de> Visitor<'de> for MetadataVisitor {
            type Value = MetadataBody;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of strings to strings")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<MetadataBody, M::Error> {
                let mut body = MetadataBody::default();
                #[cfg(not(feature = "alloc"))]
                while let Some((key, value)) =
                    map.next_entry::<Text<METADATA_KEY_CAP>, Text<METADATA_VALUE_CAP>>()?
                {
                    let fits = key.is_complete() && value.is_complete();
                    let pair = (key.kept, value.kept);
                    if !fits || body.pairs.push(pair).is_err() {
                        return Err(M::Error::custom(METADATA_BOUND));
                    }
                }
                #[cfg(feature = "alloc")]
                while let Some(pair) = map.next_entry()? {
                    body.pairs.push(pair);
                }
                Ok(body)
            }
        }
        deserializer.deserialize_map(MetadataVisitor)
    }
}
