//! The bounds on work one caller can make the server do (`"limits"` in the config file),
//! and the one answer a request gets when it meets one: `TooManyRequestsException`
//! `Too many requests`, HTTP 400 as the service answers it.
//!
//! None of these is a rate limit per caller: a caller is not known here (admin calls are
//! signed, but by keys this example does not tell apart, and clients are public). They keep
//! one process answering under load; per-IP rates belong in the proxy in front.

use serde::Deserialize;

/// What one process accepts at once, and what one pool may hold.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Password hashes computed at once (each takes 19 MiB for tens of milliseconds).
    /// Default: one per core.
    pub password_hashes_at_once: usize,
    /// Sign-ups waiting for a hash, beyond those being hashed; one more is answered
    /// `TooManyRequestsException` at once. Default: 64 per core.
    pub password_hashes_waiting: usize,
    /// Unknown-user phantoms one pool keeps: every `phantom_trim_seconds` a pool over it
    /// loses its phantoms closest to being pruned. Default 10,000.
    pub phantoms_per_pool: i64,
    /// How often pools are trimmed to `phantoms_per_pool`. Default 5 s.
    pub phantom_trim_seconds: u64,
    /// Reads of a whole pool (`ListUsers`, `DescribeUserPool`'s count) running at once.
    pub scans_at_once: usize,
    /// How long such a read may run (PostgreSQL: its `statement_timeout`).
    pub scan_timeout_seconds: u64,
    /// User pools this server keeps; one more `CreateUserPool` is answered
    /// `LimitExceededException`. Default 1,000, the service's default quota per account.
    pub pools: i64,
    /// App clients one pool keeps; one more `CreateUserPoolClient` is answered
    /// `LimitExceededException`. Default 1,000, the service's default quota.
    pub clients_per_pool: i64,
    /// Users one pool keeps: once a count finds a pool holding this many, its `SignUp`s are
    /// answered `LimitExceededException` until users are deleted. Sign-ups are public, so
    /// this is what bounds the disk a stranger can fill. Default 1,000,000.
    pub users_per_pool: i64,
    /// How often pools' users are counted against `users_per_pool` (off the request path:
    /// a pool may pass its cap by the sign-ups of one period). Default 10 s.
    pub pool_count_seconds: u64,
}

impl Default for Limits {
    fn default() -> Self {
        let cores = cores();
        Self {
            password_hashes_at_once: cores,
            password_hashes_waiting: 64 * cores,
            phantoms_per_pool: 10_000,
            phantom_trim_seconds: 5,
            scans_at_once: 2,
            scan_timeout_seconds: 5,
            pools: 1_000,
            clients_per_pool: 1_000,
            users_per_pool: 1_000_000,
            pool_count_seconds: 10,
        }
    }
}

/// The cores this process may use.
#[must_use]
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

impl Limits {
    /// Every bound is at least one and small enough not to be a typo.
    ///
    /// # Errors
    /// A message naming the bound.
    pub fn check(&self) -> Result<(), String> {
        let checks: [(&str, u64, u64); 10] = [
            ("phantom_trim_seconds", self.phantom_trim_seconds, 3600),
            (
                "password_hashes_at_once",
                count(self.password_hashes_at_once),
                1024,
            ),
            (
                "password_hashes_waiting",
                count(self.password_hashes_waiting),
                1 << 16,
            ),
            ("phantoms_per_pool", signed(self.phantoms_per_pool), 1 << 30),
            ("scans_at_once", count(self.scans_at_once), 1024),
            ("scan_timeout_seconds", self.scan_timeout_seconds, 3600),
            ("pools", signed(self.pools), 1 << 20),
            ("clients_per_pool", signed(self.clients_per_pool), 1 << 20),
            ("users_per_pool", signed(self.users_per_pool), 1 << 40),
            ("pool_count_seconds", self.pool_count_seconds, 3600),
        ];
        for (name, value, most) in checks {
            if !(1..=most).contains(&value) {
                return Err(format!("limits.{name} must be from 1 to {most}"));
            }
        }
        Ok(())
    }
}

fn count(value: usize) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

/// A negative bound reads as 0, which every check refuses.
fn signed(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}
