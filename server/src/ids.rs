//! Ids and secrets shaped like the service's: pool ids `us-east-1_AbC123xYz`, app client
//! ids of 26 lower-case letters and digits, client secrets of 51, all from the OS CSPRNG
//! through `rand`'s thread generator (uniform: `choose` draws without modulo bias).

use rand::seq::IndexedRandom;

const LOWER_DIGITS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const LETTERS_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn random(alphabet: &[u8], length: usize) -> String {
    let mut rng = rand::rng();
    (0..length)
        .filter_map(|_| alphabet.choose(&mut rng))
        .map(|&byte| char::from(byte))
        .collect()
}

/// A new user pool id in `region`: the region, `_`, nine letters and digits.
#[must_use]
pub fn pool_id(region: &str) -> String {
    format!("{region}_{}", random(LETTERS_DIGITS, 9))
}

/// A new app client id.
#[must_use]
pub fn client_id() -> String {
    random(LOWER_DIGITS, 26)
}

/// A new app client secret.
#[must_use]
pub fn client_secret() -> String {
    random(LOWER_DIGITS, 51)
}

/// A pool's ARN, under the account id every local emulator uses.
#[must_use]
pub fn pool_arn(region: &str, pool_id: &str) -> String {
    format!("arn:aws:cognito-idp:{region}:000000000000:userpool/{pool_id}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_have_the_services_shapes() {
        let pool = super::pool_id("eu-west-1");
        let (region, suffix) = pool.split_once('_').unwrap_or_default();
        assert_eq!(region, "eu-west-1");
        assert_eq!(suffix.len(), 9);
        assert!(suffix.bytes().all(|byte| byte.is_ascii_alphanumeric()));
        let client = super::client_id();
        assert_eq!(client.len(), 26);
        assert!(
            client
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        assert_ne!(super::client_id(), client, "ids are drawn, not fixed");
        assert_eq!(super::client_secret().len(), 51);
    }
}
