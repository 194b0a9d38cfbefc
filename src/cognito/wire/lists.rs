//! The structured members: `ClientMetadata`, the attribute lists, `AnalyticsMetadata`
//! and `UserContextData`. Without feature `alloc` every list is bounded and a larger one
//! fails to decode with a message saying so; with `alloc` they are unbounded.

use core::fmt;

use serde::{
    Deserialize, Deserializer,
    de::{MapAccess, SeqAccess, Visitor},
};

use super::text::Text;
#[cfg(not(feature = "alloc"))]
use crate::cognito::pairs::{
    ATTRIBUTE_ENTRIES, ATTRIBUTE_NAME_CAP, ATTRIBUTE_VALUE_CAP, METADATA_ENTRIES, METADATA_KEY_CAP,
    METADATA_VALUE_CAP,
};
use crate::cognito::{AnalyticsMetadata, Pairs, UserContextData, pairs::PairList};

/// Pairs in bounded storage: at most `E` entries of `K`-byte names and `V`-byte values.
#[cfg(not(feature = "alloc"))]
type Bounded<const K: usize, const V: usize, const E: usize> =
    heapless::Vec<(heapless::String<K>, heapless::String<V>), E>;

#[cfg(not(feature = "alloc"))]
impl<const K: usize, const V: usize, const E: usize> PairList for Bounded<K, V, E> {
    fn count(&self) -> usize {
        self.len()
    }
    fn pair(&self, index: usize) -> Option<(&str, &str)> {
        self.get(index)
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }
}

#[cfg(feature = "alloc")]
type Growable = alloc::vec::Vec<(alloc::string::String, alloc::string::String)>;

#[cfg(feature = "alloc")]
impl PairList for Growable {
    fn count(&self) -> usize {
        self.len()
    }
    fn pair(&self, index: usize) -> Option<(&str, &str)> {
        self.get(index)
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }
}

#[cfg(not(feature = "alloc"))]
type MetadataPairs = Bounded<METADATA_KEY_CAP, METADATA_VALUE_CAP, METADATA_ENTRIES>;
#[cfg(feature = "alloc")]
type MetadataPairs = Growable;

#[cfg(not(feature = "alloc"))]
type AttributePairs = Bounded<ATTRIBUTE_NAME_CAP, ATTRIBUTE_VALUE_CAP, ATTRIBUTE_ENTRIES>;
#[cfg(feature = "alloc")]
type AttributePairs = Growable;

/// Appends a decoded pair, or says why the allocation-free bounds refuse it.
#[cfg(not(feature = "alloc"))]
fn push_bounded<E: serde::de::Error, const K: usize, const V: usize, const N: usize>(
    pairs: &mut Bounded<K, V, N>,
    (name, value): (Text<K>, Text<V>),
    bound: &'static str,
) -> Result<(), E> {
    let (Some(name), Some(value)) = (name.whole(), value.whole()) else {
        return Err(E::custom(bound));
    };
    let mut pair = (heapless::String::new(), heapless::String::new());
    // Both were kept whole in the same capacities.
    let _ = (pair.0.push_str(name), pair.1.push_str(value));
    pairs.push(pair).map_err(|_| E::custom(bound))
}

/// `ClientMetadata` as decoded.
#[derive(Clone, Debug, Default)]
pub(crate) struct MetadataBody(MetadataPairs);

impl MetadataBody {
    pub(crate) fn pairs(&self) -> Pairs<'_> {
        Pairs::list(&self.0)
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
                let mut pairs = MetadataPairs::default();
                #[cfg(not(feature = "alloc"))]
                while let Some(pair) = map.next_entry()? {
                    push_bounded(&mut pairs, pair, METADATA_BOUND)?;
                }
                #[cfg(feature = "alloc")]
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                Ok(MetadataBody(pairs))
            }
        }
        deserializer.deserialize_map(MetadataVisitor)
    }
}

/// `UserAttributes` or `ValidationData` as decoded: a list of `{"Name", "Value"}` entries
/// (an absent `Value` reads as empty).
#[derive(Clone, Debug, Default)]
pub(crate) struct AttributeList(AttributePairs);

impl AttributeList {
    pub(crate) fn pairs(&self) -> Pairs<'_> {
        Pairs::list(&self.0)
    }
}

#[cfg(not(feature = "alloc"))]
const ATTRIBUTE_BOUND: &str = "an attribute list exceeds the allocation-free bounds \
     (16 entries, 128-byte names, 256-byte values); enable the `alloc` feature";

/// One `AttributeType` entry.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Entry<N, V> {
    name: N,
    value: Option<V>,
}

impl<'de> Deserialize<'de> for AttributeList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = AttributeList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of {\"Name\", \"Value\"} objects")
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<AttributeList, S::Error> {
                let mut pairs = AttributePairs::default();
                #[cfg(not(feature = "alloc"))]
                while let Some(entry) = seq
                    .next_element::<Entry<Text<ATTRIBUTE_NAME_CAP>, Text<ATTRIBUTE_VALUE_CAP>>>()?
                {
                    let value = entry.value.unwrap_or_default();
                    push_bounded(&mut pairs, (entry.name, value), ATTRIBUTE_BOUND)?;
                }
                #[cfg(feature = "alloc")]
                while let Some(entry) =
                    seq.next_element::<Entry<alloc::string::String, alloc::string::String>>()?
                {
                    pairs.push((entry.name, entry.value.unwrap_or_default()));
                }
                Ok(AttributeList(pairs))
            }
        }
        deserializer.deserialize_seq(ListVisitor)
    }
}

/// `AnalyticsMetadata` as decoded; an endpoint id over 256 bytes is dropped.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AnalyticsBody {
    analytics_endpoint_id: Option<Text<256>>,
}

impl AnalyticsBody {
    pub(crate) fn metadata(&self) -> AnalyticsMetadata<'_> {
        AnalyticsMetadata {
            analytics_endpoint_id: self.analytics_endpoint_id.as_ref().and_then(Text::whole),
        }
    }
}

/// `UserContextData` as decoded; an address over 64 bytes or data over 4 KiB is dropped.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ContextBody {
    ip_address: Option<Text<64>>,
    encoded_data: Option<Text<4096>>,
}

impl ContextBody {
    pub(crate) fn data(&self) -> UserContextData<'_> {
        UserContextData {
            ip_address: self.ip_address.as_ref().and_then(Text::whole),
            encoded_data: self.encoded_data.as_ref().and_then(Text::whole),
        }
    }
}
