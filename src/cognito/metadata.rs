//! `ClientMetadata`: string pairs passed through to the trigger, wherever they are stored.

use core::fmt;

/// Longest key the allocation-free wire form keeps, in bytes.
pub const METADATA_KEY_CAP: usize = 128;
/// Longest value the allocation-free wire form keeps, in bytes.
pub const METADATA_VALUE_CAP: usize = 512;
/// Most entries the allocation-free wire form keeps.
pub const METADATA_ENTRIES: usize = 8;

/// A bounded key–value pair, as the allocation-free wire form stores it.
#[cfg(all(feature = "serde", not(feature = "alloc")))]
pub(crate) type BoundedPair = (
    heapless::String<METADATA_KEY_CAP>,
    heapless::String<METADATA_VALUE_CAP>,
);

/// `ClientMetadata`: string pairs for the `PostConfirmation` trigger, never stored.
///
/// Borrowed from the caller's own pairs ([`ClientMetadata::new`]) or from a decoded wire
/// body; either way [`iter`](Self::iter) yields `(key, value)` in request order.
#[derive(Clone, Copy)]
pub struct ClientMetadata<'a> {
    pairs: Pairs<'a>,
}

#[derive(Clone, Copy)]
enum Pairs<'a> {
    Borrowed(&'a [(&'a str, &'a str)]),
    #[cfg(all(feature = "serde", not(feature = "alloc")))]
    Bounded(&'a [BoundedPair]),
    #[cfg(feature = "alloc")]
    Owned(&'a [(alloc::string::String, alloc::string::String)]),
}

impl<'a> ClientMetadata<'a> {
    /// Metadata from the caller's pairs.
    #[must_use]
    pub const fn new(pairs: &'a [(&'a str, &'a str)]) -> Self {
        Self {
            pairs: Pairs::Borrowed(pairs),
        }
    }

    #[cfg(all(feature = "serde", not(feature = "alloc")))]
    pub(crate) const fn bounded(pairs: &'a [BoundedPair]) -> Self {
        Self {
            pairs: Pairs::Bounded(pairs),
        }
    }

    #[cfg(feature = "alloc")]
    pub(crate) const fn owned(pairs: &'a [(alloc::string::String, alloc::string::String)]) -> Self {
        Self {
            pairs: Pairs::Owned(pairs),
        }
    }

    /// The pairs, in request order.
    #[must_use]
    pub const fn iter(&self) -> MetadataIter<'a> {
        MetadataIter {
            pairs: self.pairs,
            next: 0,
        }
    }

    /// How many pairs there are.
    #[must_use]
    pub const fn len(&self) -> usize {
        match self.pairs {
            Pairs::Borrowed(pairs) => pairs.len(),
            #[cfg(all(feature = "serde", not(feature = "alloc")))]
            Pairs::Bounded(pairs) => pairs.len(),
            #[cfg(feature = "alloc")]
            Pairs::Owned(pairs) => pairs.len(),
        }
    }

    /// Whether there are no pairs.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl PartialEq for ClientMetadata<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for ClientMetadata<'_> {}

impl fmt::Debug for ClientMetadata<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for &ClientMetadata<'a> {
    type Item = (&'a str, &'a str);
    type IntoIter = MetadataIter<'a>;

    fn into_iter(self) -> MetadataIter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for ClientMetadata<'a> {
    type Item = (&'a str, &'a str);
    type IntoIter = MetadataIter<'a>;

    fn into_iter(self) -> MetadataIter<'a> {
        self.iter()
    }
}

/// The pairs of a [`ClientMetadata`].
#[derive(Clone, Debug)]
pub struct MetadataIter<'a> {
    pairs: Pairs<'a>,
    next: usize,
}

impl fmt::Debug for Pairs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pairs")
    }
}

impl<'a> Iterator for MetadataIter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let index = self.next;
        let pair = match self.pairs {
            Pairs::Borrowed(pairs) => pairs.get(index).copied(),
            #[cfg(all(feature = "serde", not(feature = "alloc")))]
            Pairs::Bounded(pairs) => pairs
                .get(index)
                .map(|(key, value)| (key.as_str(), value.as_str())),
            #[cfg(feature = "alloc")]
            Pairs::Owned(pairs) => pairs
                .get(index)
                .map(|(key, value)| (key.as_str(), value.as_str())),
        }?;
        self.next = index.saturating_add(1);
        Some(pair)
    }
}
