//! Randomness from the operating system, or a stop: no code, key or id is made without it.

/// `N` bytes from the operating system's CSPRNG.
#[must_use]
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    if let Err(error) = getrandom::fill(&mut bytes) {
        // Without randomness no code or key can be made safely: stop rather than guess.
        tracing::error!(%error, "no randomness available");
        std::process::exit(1);
    }
    bytes
}
