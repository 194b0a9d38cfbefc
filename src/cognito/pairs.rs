//! `Pairs`: string pairs in request order, wherever they were decoded —
//! `ClientMetadata` and the `UserAttributes` / `ValidationData` lists.

use core::fmt;

/// Longest metadata key the allocation-free wire form keeps, in bytes.
pub const METADATA_KEY_CAP: usize = 128;
/// Longest metadata value the allocation-free wire form keeps, in bytes.
pub const METADATA_VALUE_CAP: usize = 512;
/// Most metadata entries the allocation-free wire form keeps.
pub const METADATA_ENTRIES: usize = 8;
/// Longest attribute name the allocation-free wire form keeps, in bytes (32 characters).
pub const ATTRIBUTE_NAME_CAP: usize = 128;
/// Longest attribute value the allocation-free wire form keeps, in bytes: an email address
/// is at most 254.
pub const ATTRIBUTE_VALUE_CAP: usize = 256;
/// Most entries of one attribute list the allocation-free wire form keeps.
pub const ATTRIBUTE_ENTRIES: usize = 16;

/// Pairs held somewhere else: a decoded wire body's bounded or growable list.
#[cfg(feature = "serde")]
pub(crate) trait PairList {
    /// How many pairs there are.
    fn count(&self) -> usize;
    /// The pair at `index`.
    fn pair(&self, index: usize) -> Option<(&str, &str)>;
}

/// String pairs in request order: `ClientMetadata` (key → value) or an attribute list
/// (`Name` → `Value`).
///
/// Borrowed from the caller's own pairs ([`Pairs::new`]) or from a decoded wire body.
/// `Debug` shows the names only: attribute values are personal data.
#[derive(Clone, Copy)]
pub struct Pairs<'a> {
    source: Source<'a>,
}

/// `ClientMetadata`: pairs passed to the `PostConfirmation` trigger, never stored.
pub type ClientMetadata<'a> = Pairs<'a>;

/// `UserAttributes` (or `ValidationData`): the `Name`/`Value` entries of a `SignUp`.
pub type UserAttributes<'a> = Pairs<'a>;

#[derive(Clone, Copy)]
enum Source<'a> {
    Borrowed(&'a [(&'a str, &'a str)]),
    #[cfg(feature = "serde")]
    List(&'a (dyn PairList + Sync)),
}

impl<'a> Pairs<'a> {
    /// Pairs from the caller's own.
    #[must_use]
    pub const fn new(pairs: &'a [(&'a str, &'a str)]) -> Self {
        Self {
            source: Source::Borrowed(pairs),
        }
    }

    #[cfg(feature = "serde")]
    pub(crate) const fn list(list: &'a (dyn PairList + Sync)) -> Self {
        Self {
            source: Source::List(list),
        }
    }

    /// The pairs, in request order.
    #[must_use]
    pub const fn iter(&self) -> PairsIter<'a> {
        PairsIter {
            source: self.source,
            next: 0,
        }
    }

    /// The value of the first pair named `name`, if any.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.iter()
            .find(|&(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// How many pairs there are.
    #[must_use]
    pub fn len(&self) -> usize {
        match self.source {
            Source::Borrowed(pairs) => pairs.len(),
            #[cfg(feature = "serde")]
            Source::List(list) => list.count(),
        }
    }

    /// Whether there are no pairs.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl PartialEq for Pairs<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Pairs<'_> {}

impl fmt::Debug for Pairs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|(name, _)| name))
            .finish()
    }
}

impl<'a> IntoIterator for &Pairs<'a> {
    type Item = (&'a str, &'a str);
    type IntoIter = PairsIter<'a>;

    fn into_iter(self) -> PairsIter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for Pairs<'a> {
    type Item = (&'a str, &'a str);
    type IntoIter = PairsIter<'a>;

    fn into_iter(self) -> PairsIter<'a> {
        self.iter()
    }
}

/// The pairs of a [`Pairs`], in order.
#[derive(Clone)]
pub struct PairsIter<'a> {
    source: Source<'a>,
    next: usize,
}

impl fmt::Debug for PairsIter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PairsIter")
            .field("next", &self.next)
            .finish()
    }
}

impl<'a> Iterator for PairsIter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let index = self.next;
        let pair = match self.source {
            Source::Borrowed(pairs) => pairs.get(index).copied(),
            #[cfg(feature = "serde")]
            Source::List(list) => list.pair(index),
        }?;
        self.next = index.saturating_add(1);
        Some(pair)
    }
}
