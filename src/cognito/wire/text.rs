//! `Text`: a JSON string kept in bounded storage, with the facts validation needs about all
//! of it.

use core::fmt;

use serde::{
    Deserialize, Deserializer,
    de::{Error, Visitor},
};

use crate::cognito::validation::Facts;

/// A JSON string kept up to `N` bytes (at a character boundary), with the facts about the
/// whole value. Capacities are chosen so that every valid value is kept whole; a longer
/// one is judged by its facts.
#[derive(Clone)]
pub(crate) struct Text<const N: usize> {
    kept: heapless::String<N>,
    facts: Facts,
    complete: bool,
}

impl<const N: usize> Text<N> {
    /// The value, or as much of it as fits.
    pub(crate) fn as_str(&self) -> &str {
        &self.kept
    }

    /// What validation sees: what was kept, and the facts of the whole value.
    pub(crate) fn known(&self) -> (&str, Facts) {
        (&self.kept, self.facts)
    }

    /// The value if it was kept whole.
    pub(crate) fn whole(&self) -> Option<&str> {
        self.complete.then_some(self.kept.as_str())
    }
}

impl<const N: usize> Default for Text<N> {
    /// The empty string, kept whole.
    fn default() -> Self {
        Self {
            kept: heapless::String::new(),
            facts: Facts::default(),
            complete: true,
        }
    }
}

impl<const N: usize> fmt::Debug for Text<N> {
    /// Only the length: a value may be a secret.
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
            fn visit_str<E: Error>(self, value: &str) -> Result<Text<N>, E> {
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
