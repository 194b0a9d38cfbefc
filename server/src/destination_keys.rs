//! What one destination is: the key a budget is kept under, for an email address or phone
//! number (its canonical form, hashed), a phantom, or an account with nowhere to send to.

use std::borrow::Cow;

use confirmation_flow::cognito::AliasAttribute;
use sha2::{Digest as _, Sha256};

/// The key of an email address or phone number: the hex SHA-256 of the attribute name, a
/// 0 byte and the value's canonical form, so the table lists no address.
///
/// The canonical form is what makes respellings of one destination one budget (`SignUp`
/// has already refused malformed values: `AliasAttribute::accepts` in the crate). For
/// `email`, in order:
/// 1. NFKC-normalised (fullwidth letters, ligatures, compatibility digits and `＋` fold to
///    their plain forms) and lower-cased (mailboxes do not tell `Victim@` from `victim@`);
/// 2. the joiners U+200C and U+200D dropped (`accepts` lets them follow only non-ASCII
///    characters, so they cannot respell an ASCII name, but need not make a second one);
/// 3. the local part (before the last `@`) cut at its first `+` (mail to `victim+1@`
///    reaches `victim@` at most providers);
/// 4. a domain with a non-ASCII character replaced by its UTS-46 `ToASCII` form
///    (non-transitional, as the WHATWG URL standard and the `url` crate compute a host:
///    `gmail。com` and `bücher.de` become `gmail.com` and `xn--bcher-kva.de`); one that
///    fails `ToASCII` (a forbidden code point, a bad bidi or joiner context) is left as
///    step 1 made it, and reaches no mail server anyway; then one trailing `.` dropped;
/// 5. `googlemail.com` read as `gmail.com`, and a `gmail.com` local part's dots dropped
///    (Gmail delivers `v.ictim@` to `victim@`).
///
/// For `phone_number`: the number without a national (trunk) prefix written after its
/// country code, which an SMS gateway drops (`+4407911123456` is `+447911123456`,
/// `+112125551212` is `+12125551212`): `canonical_phone`.
///
/// `unicode-normalization` and Rust's `to_lowercase` may carry another Unicode version
/// than a JavaScript engine's ICU, so the two can fold characters added in recent versions
/// differently (68 code points in a scan of all of them): the vectors keep to characters
/// both agree on. The npm package (`bindings/js/ts/destinations.ts`, `addressKey`) computes
/// the same email keys (its phone keys stay the value as is);
/// `server/tests/destination-keys.json` (written by `destination-keys.py` beside it, from
/// Python's own NFKC and `lower`, the `idna` and `phonenumbers` packages) holds both to it.
#[must_use]
pub fn of_address(attribute: AliasAttribute, value: &str) -> String {
    let canonical = match attribute {
        AliasAttribute::Email => canonical_email(value),
        AliasAttribute::PhoneNumber => canonical_phone(value).into_owned(),
    };
    keyed(attribute.as_str(), &canonical)
}

/// The key of `canonical`, a destination of `kind`: its SHA-256, in hex.
fn keyed(kind: &str, canonical: &str) -> String {
    let digest = Sha256::new()
        .chain_update(kind.as_bytes())
        .chain_update([0])
        .chain_update(canonical.as_bytes())
        .finalize();
    hex::encode(digest)
}

/// A phone number's canonical form: the country code, then the number without the
/// national (trunk) prefix its country dials before it at home, as often as it was written
/// after the country code (`+44 0 7911…` is `+44 7911…`), as libphonenumber's metadata
/// gives both.
///
/// Table lookups only: libphonenumber's parse compiles its patterns into one global cache of
/// a hundred, and a pattern that fell out of it took 0.5 ms to compile again on the request
/// path (the fifth review timed a known user's `ConfirmSignUp` apart from an unknown one's
/// by flushing that cache). The regex-driven rewrites of a few countries (Mexico's and
/// Argentina's mobile tokens) are not applied: those respellings keep a budget of their own.
fn canonical_phone(value: &str) -> Cow<'_, str> {
    let Some(digits) = value.strip_prefix('+') else {
        return Cow::Borrowed(value);
    };
    if !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Cow::Borrowed(value);
    }
    // Country codes are prefix-free: the first of one to three digits that is one is it.
    for length in 1..=digits.len().min(3) {
        let (code, rest) = digits.split_at(length);
        let Some(regions) = code
            .parse::<u16>()
            .ok()
            .and_then(|code| phonenumber::metadata::DATABASE.by_code(&code))
        else {
            continue;
        };
        // The longest prefix any of the code's regions dials, as often as the number starts
        // with it (`+44 00 7911…` is a third spelling of `+44 7911…`), never to nothing.
        let mut national = rest;
        while let Some(shorter) = regions
            .iter()
            .filter_map(|region| region.national_prefix())
            .filter(|prefix| !prefix.is_empty())
            .filter_map(|prefix| national.strip_prefix(prefix))
            .filter(|shorter| !shorter.is_empty())
            .min_by_key(|shorter| shorter.len())
        {
            national = shorter;
        }
        return if national.len() == rest.len() {
            Cow::Borrowed(value)
        } else {
            Cow::Owned(format!("+{code}{national}"))
        };
    }
    Cow::Borrowed(value)
}

/// Loads libphonenumber's metadata now, not at the first phone number a request keys (it
/// takes about 0.1 s once).
pub fn warm() {
    drop(phonenumber::metadata::DATABASE.by_code(&1));
}

/// An email address's canonical form: the steps [`of_address`] lists.
fn canonical_email(value: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    let folded: String = value
        .nfkc()
        .collect::<String>()
        .to_lowercase()
        .chars()
        .filter(|&c| !matches!(c, '\u{200c}' | '\u{200d}'))
        .collect();
    let Some((local, domain)) = folded.rsplit_once('@') else {
        return folded;
    };
    let mailbox = local
        .split_once('+')
        .map_or(local, |(mailbox, _tag)| mailbox);
    let ascii = if domain.is_ascii() {
        Cow::Borrowed(domain)
    } else {
        idna::domain_to_ascii_cow(domain.as_bytes(), idna::AsciiDenyList::URL)
            .unwrap_or(Cow::Borrowed(domain))
    };
    let domain = ascii.strip_suffix('.').unwrap_or(&ascii);
    match domain {
        "gmail.com" | "googlemail.com" => format!("{}@gmail.com", mailbox.replace('.', "")),
        _ => format!("{mailbox}@{domain}"),
    }
}

/// The key of a phantom's destination: its own id (a made-up address reaches nobody).
#[must_use]
pub fn of_phantom(phantom_id: &str) -> String {
    format!("{PHANTOM_PREFIX}{phantom_id}")
}

/// What every phantom's key starts with; the character after `:` in ASCII ends the range.
const PHANTOM_PREFIX: &str = "phantom:";

/// The key of a real user's submissions where no code can have been sent (the pool verifies
/// nothing the user has): the user's own, hashed as an address is. Spent as an address's
/// is, so such a user's answer takes an unknown user's time (a budget write), not less.
#[must_use]
pub fn of_account(username: &str) -> String {
    keyed("account", username)
}

#[cfg(test)]
mod tests {
    use confirmation_flow::cognito::AliasAttribute;

    use super::of_address;

    #[test]
    fn an_address_is_one_destination_whatever_its_case() {
        assert_eq!(
            of_address(AliasAttribute::Email, "Victim@Example.com"),
            of_address(AliasAttribute::Email, "victim@example.com")
        );
        assert_ne!(
            of_address(AliasAttribute::Email, "victim@example.com"),
            of_address(AliasAttribute::PhoneNumber, "victim@example.com")
        );
        assert_ne!(
            of_address(AliasAttribute::Email, "a@example.com"),
            of_address(AliasAttribute::Email, "b@example.com")
        );
        assert!(!of_address(AliasAttribute::Email, "victim@example.com").contains("victim"));
    }

    #[test]
    fn keys_match_the_vectors_the_worker_is_held_to() {
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../tests/destination-keys.json")).unwrap();
        let vectors = file["vectors"].as_array().unwrap();
        assert!(vectors.len() >= 20);
        for vector in vectors {
            let [attribute, value, key] =
                ["attribute", "value", "key"].map(|name| vector[name].as_str().unwrap());
            let attribute = AliasAttribute::from_name(attribute).unwrap();
            assert_eq!(of_address(attribute, value), key, "{value:?}");
        }
        // The spellings the budget once told apart are one destination.
        let victim = of_address(AliasAttribute::Email, "victim@example.com");
        for spelling in [
            "Victim+a@Example.com",
            "victim+b@example.com",
            "\u{ff36}\u{ff29}\u{ff23}\u{ff34}\u{ff29}\u{ff2d}@example.com",
            "\u{ff56}ictim\u{ff0b}x@example.com",
        ] {
            assert_eq!(
                of_address(AliasAttribute::Email, spelling),
                victim,
                "{spelling:?}"
            );
        }
        assert_ne!(
            of_address(AliasAttribute::PhoneNumber, "+12125551212"),
            victim
        );
    }

    #[test]
    fn the_reviews_respellings_of_one_mailbox_or_number_are_one_destination() {
        // /tmp/review2/respell.py's spellings: 42 codes to one Gmail mailbox in an hour.
        let gmail = of_address(AliasAttribute::Email, "victim@gmail.com");
        for spelling in [
            "v.ictim@gmail.com",
            "vi.c.tim@gmail.com",
            "victim@gmail\u{3002}com",
            "victim@gmail.com\u{3002}",
            "victim@gmail\u{ff61}com\u{3002}",
            "victim@googlemail.com",
        ] {
            assert_eq!(
                of_address(AliasAttribute::Email, spelling),
                gmail,
                "{spelling:?}"
            );
        }
        // Dots are a Gmail rule, not every provider's.
        assert_ne!(
            of_address(AliasAttribute::Email, "v.ictim@example.com"),
            of_address(AliasAttribute::Email, "victim@example.com")
        );
        assert_eq!(
            of_address(AliasAttribute::Email, "user@xn--bcher-kva.de"),
            of_address(AliasAttribute::Email, "user@b\u{fc}cher.de")
        );
        assert_eq!(
            of_address(AliasAttribute::PhoneNumber, "+4407911123456"),
            of_address(AliasAttribute::PhoneNumber, "+447911123456")
        );
    }
}
