//! Budgets per destination, across accounts: an email address or phone number gets no more
//! codes, and no more guesses at the codes sent to it, than one account gets, however many
//! accounts name it. Without them, twenty sign-ups naming a victim's address mail it twenty
//! codes and buy twenty budgets of guesses at them (a lucky one, with `ForceAliasCreation`,
//! takes the verified address from its owner).
//!
//! | what | per destination, per hour | why that number |
//! |---|---|---|
//! | codes delivered | 6 | one account's: its sign-up's code and five resends |
//! | code submissions | 15 | one account's rolling window (`LimitExceededException` after 15) |
//!
//! A submission is counted before its code is compared (as the crate counts a user's). One
//! over the budget is decided as a wrong code — compared against a code that cannot match —
//! so its answer and its work are a wrong code's, the same for a real user as for an
//! unknown one (a phantom's destination is its own id, and its own budget); it spends the
//! user's attempt too. A code over the budget is not delivered (the answer does not change,
//! so it tells nothing either). The hour is a fixed window from its first use: in the worst
//! case twice the budget falls in one span of an hour across a window's end.
//!
//! The price, stated: whoever knows an address can, by signing up accounts that name it and
//! submitting wrong codes, keep codes from being confirmed or delivered there for an hour —
//! as whoever knows a username can already do to one account.

use std::borrow::Cow;

use sha2::{Digest as _, Sha256};

use confirmation_flow::cognito::{ConfirmSignUp, Needs, Operation};

use crate::{
    App,
    pools::Pool,
    store::{self, Param, Read, Store},
};

/// Codes delivered to one destination in an hour: one account's sign-up and five resends.
pub const CODES_PER_HOUR: i64 = 6;
/// Code submissions for one destination in an hour: one account's rolling window.
pub const GUESSES_PER_HOUR: i64 = 15;
/// The window, in seconds.
const WINDOW: i64 = 60 * 60;

/// What a budget counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spend {
    /// A code delivered.
    Code,
    /// A code submitted.
    Guess,
}

impl Spend {
    const fn name(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Guess => "guess",
        }
    }

    const fn budget(self) -> i64 {
        match self {
            Self::Code => CODES_PER_HOUR,
            Self::Guess => GUESSES_PER_HOUR,
        }
    }
}

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
/// For `phone_number`: the E.164 form libphonenumber (`phonenumber`) reads it as, which an
/// SMS gateway delivers to (`+4407911123456`, a trunk `0` after the country code, is
/// `+447911123456`); a value it cannot parse, as is. The crate's parse differs from the Java
/// and Python libphonenumber on a few spellings (`+112125551212` stays apart from
/// `+12125551212`; `+44007911123456` joins `+447911123456`).
///
/// `unicode-normalization` and Rust's `to_lowercase` may carry another Unicode version
/// than a JavaScript engine's ICU, so the two can fold characters added in recent versions
/// differently (68 code points in a scan of all of them): the vectors keep to characters
/// both agree on. The Worker
/// (`bindings/js/examples/worker/src/worker.ts`, `addressKey`) computes the same email keys
/// (its phone keys stay the value as is: it verifies email only);
/// `server/tests/destination-keys.json` (written by `destination-keys.py` beside it, from
/// Python's own NFKC and `lower`, the `idna` and `phonenumbers` packages) holds both to it.
#[must_use]
pub fn of_address(attribute: &str, value: &str) -> String {
    let canonical = match attribute {
        "email" => canonical_email(value),
        "phone_number" => phonenumber::parse(None, value).map_or_else(
            |_unparsed| value.to_owned(),
            |number| number.format().mode(phonenumber::Mode::E164).to_string(),
        ),
        _ => value.to_owned(),
    };
    let digest = Sha256::new()
        .chain_update(attribute.as_bytes())
        .chain_update([0])
        .chain_update(canonical.as_bytes())
        .finalize();
    hex::encode(digest)
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
    of_address("account", username)
}

/// Creates the budget row if there is none.
const INSERT: &str = "INSERT INTO destination_budgets (pool_id, destination, kind, window_start, spent) \
     VALUES ($1, $2, $3, $4, 0) ON CONFLICT (pool_id, destination, kind) DO NOTHING";
/// Spends one unit if the window has passed (a new window) or the budget has room: one
/// statement, so two processes cannot both take the last unit (SQLite's writer runs one
/// transaction at a time; PostgreSQL re-checks the condition on the row it locked).
const SPEND: &str = "UPDATE destination_budgets SET \
     spent = CASE WHEN $4 - window_start >= $5 THEN 1 ELSE spent + 1 END, \
     window_start = CASE WHEN $4 - window_start >= $5 THEN $4 ELSE window_start END \
     WHERE pool_id = $1 AND destination = $2 AND kind = $3 \
     AND ($4 - window_start >= $5 OR spent < $6)";
/// Budgets whose window has passed: deleted by the prune loop.
pub const PRUNE: &str = "DELETE FROM destination_budgets WHERE window_start < $1";
/// The pool `$1`'s phantom budgets whose phantom is gone: run after a trim, so a flood of
/// unknown usernames leaves no more budget rows than the phantom cap (a range over the
/// primary key, `phantom:` up to `phantom;`).
pub const DELETE_ORPHANED: &str = "DELETE FROM destination_budgets \
     WHERE pool_id = $1 AND destination >= 'phantom:' AND destination < 'phantom;' \
     AND NOT EXISTS (SELECT 1 FROM phantoms p \
                     WHERE p.id = substr(destination_budgets.destination, 9))";

/// Spends one `spend` of `destination`'s budget in `pool_id` at `now` (Unix seconds):
/// whether there was one to spend.
///
/// # Errors
/// A database error.
pub async fn spend(
    store: &Store,
    pool_id: &str,
    destination: &str,
    spend: Spend,
    now: i64,
) -> store::Result<bool> {
    let key = [
        Param::text(pool_id),
        Param::text(destination),
        Param::text(spend.name()),
    ];
    let mut insert = key.to_vec();
    insert.push(Param::Int(now));
    let mut update = key.to_vec();
    update.extend([
        Param::Int(now),
        Param::Int(WINDOW),
        Param::Int(spend.budget()),
    ]);
    let changed = store
        .transaction(vec![(INSERT.into(), insert), (SPEND.into(), update)])
        .await?;
    Ok(changed.get(1) == Some(&1))
}

/// What a submission past its destination's budget is decided with: no code the crate
/// makes (six digits) is this, so it is compared and found wrong, with a wrong code's work.
const NO_CODE: &str = "over-the-destination-budget";

/// Spends one guess of the budget of where the code of the user `needs` names was sent (a
/// phantom's: its own; a user with nowhere to send to: the account's): whether there was
/// one. The same read and write for a real user as for an unknown one; nothing to spend
/// only where the answer is `UserNotFoundException` anyway (no phantom is kept).
async fn guess_within_budget(
    app: &App,
    pool: &Pool,
    needs: &Needs<'_, '_>,
    now: i64,
) -> store::Result<bool> {
    let snapshot = app.store.read(Read::of(needs)).await?;
    let destination = match (&snapshot.user, needs.phantom()) {
        (Some(user), _) => Some(
            pool.auto_verified
                .destination(user.email.as_deref(), user.phone_number.as_deref())
                .map_or_else(
                    || of_account(&user.username),
                    |to| of_address(to.attribute.as_str(), to.value),
                ),
        ),
        (None, Some(phantom)) => Some(of_phantom(phantom.as_str())),
        (None, None) => None,
    };
    let Some(destination) = destination else {
        return Ok(true);
    };
    spend(&app.store, &pool.id, &destination, Spend::Guess, now).await
}

/// `operation` with a code that cannot match, when it is a `ConfirmSignUp` past its
/// destination's budget at `now` (the guess spent either way); `None` otherwise.
///
/// # Errors
/// A database error.
pub async fn past_budget<'a>(
    app: &App,
    (pool, crate_pool): (&Pool, &confirmation_flow::cognito::Pool<'_>),
    operation: &Operation<'a>,
    now: i64,
) -> store::Result<Option<Operation<'a>>> {
    let Operation::ConfirmSignUp(request) = operation else {
        return Ok(None);
    };
    if guess_within_budget(app, pool, &operation.needs(crate_pool), now).await? {
        return Ok(None);
    }
    let wrong = ConfirmSignUp {
        confirmation_code: NO_CODE,
        ..**request
    };
    let valid = wrong
        .validate()
        .map_err(|exception| exception.to_string())?;
    Ok(Some(Operation::from(valid)))
}

/// Budgets older than a window, as of `now`.
///
/// # Errors
/// A database error.
pub async fn prune(store: &Store, now: i64) -> store::Result<u64> {
    let changed = store
        .transaction(vec![(PRUNE.into(), vec![Param::Int(now - WINDOW)])])
        .await?;
    Ok(changed.into_iter().sum())
}

#[cfg(test)]
mod tests {
    use super::of_address;

    #[test]
    fn an_address_is_one_destination_whatever_its_case() {
        assert_eq!(
            of_address("email", "Victim@Example.com"),
            of_address("email", "victim@example.com")
        );
        assert_ne!(
            of_address("email", "victim@example.com"),
            of_address("phone_number", "victim@example.com")
        );
        assert_ne!(
            of_address("email", "a@example.com"),
            of_address("email", "b@example.com")
        );
        assert!(!of_address("email", "victim@example.com").contains("victim"));
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
            assert_eq!(of_address(attribute, value), key, "{value:?}");
        }
        // The spellings the budget once told apart are one destination.
        let victim = of_address("email", "victim@example.com");
        for spelling in [
            "Victim+a@Example.com",
            "victim+b@example.com",
            "\u{ff36}\u{ff29}\u{ff23}\u{ff34}\u{ff29}\u{ff2d}@example.com",
            "\u{ff56}ictim\u{ff0b}x@example.com",
        ] {
            assert_eq!(of_address("email", spelling), victim, "{spelling:?}");
        }
        assert_ne!(of_address("phone_number", "+12125551212"), victim);
    }

    #[test]
    fn the_reviews_respellings_of_one_mailbox_or_number_are_one_destination() {
        // /tmp/review2/respell.py's spellings: 42 codes to one Gmail mailbox in an hour.
        let gmail = of_address("email", "victim@gmail.com");
        for spelling in [
            "v.ictim@gmail.com",
            "vi.c.tim@gmail.com",
            "victim@gmail\u{3002}com",
            "victim@gmail.com\u{3002}",
            "victim@gmail\u{ff61}com\u{3002}",
            "victim@googlemail.com",
        ] {
            assert_eq!(of_address("email", spelling), gmail, "{spelling:?}");
        }
        // Dots are a Gmail rule, not every provider's.
        assert_ne!(
            of_address("email", "v.ictim@example.com"),
            of_address("email", "victim@example.com")
        );
        assert_eq!(
            of_address("email", "user@xn--bcher-kva.de"),
            of_address("email", "user@b\u{fc}cher.de")
        );
        assert_eq!(
            of_address("phone_number", "+4407911123456"),
            of_address("phone_number", "+447911123456")
        );
    }
}
