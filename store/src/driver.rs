//! The loop every embedder would otherwise write: read what the request needs, decide, write
//! with the decision's conditions; on a lost race wait a moment and do it all again, a
//! bounded number of times. Only a decision whose write was stored (or that writes nothing)
//! comes back, so nothing can answer from a write that lost.

use std::{future::Future, time::Duration};

use rand::RngExt;

use confirmation_flow::{
    Timestamp,
    cognito::{After, Needs, Outcome, Reply},
};

use crate::{Applied, Change, Error, NewUser, Read, Snapshot, Store};

/// What one decision asks for: a change to store before `T` may be used, or nothing to
/// store.
#[derive(Debug)]
#[expect(
    clippy::large_enum_variant,
    reason = "built and moved once per attempt, beside a database round trip: a box would only add an allocation"
)]
pub enum Decided<T> {
    /// Store this change; `T` comes back only if it was stored.
    Write(Change, T),
    /// Nothing to store (a refusal that counted nothing, an answer that changes nothing).
    Nothing(T),
}

impl<T> Decided<T> {
    /// The common case in one call: `outcome`'s write as a [`Change`] in the pool of `needs`
    /// (with `new_user`'s password hash and sign-in alias for a sign-up; `now` the decision's
    /// `Fresh::now`), and
    /// `follow(reply, after)`, owned, as `T`. `follow` runs now, on the reply and the
    /// after-work that [`Outcome::applied`] gives; the driver hands its result back only
    /// once the change is stored, and drops it after a lost race. So `follow` only turns
    /// them into owned data: answer, deliver a code and invoke a trigger once
    /// [`Driver::run`] has returned, never inside it (it runs again after every lost
    /// race). A change that also takes a budget's unit sets [`Change::spend`] on the
    /// `Decided::Write` this returns.
    ///
    /// # Errors
    /// [`Change::of`]'s: a version or time beyond `i64`, a state that does not serialize.
    pub fn of<'a>(
        outcome: Outcome<'a>,
        needs: &Needs<'_, '_>,
        new_user: NewUser,
        now: Timestamp,
        follow: impl FnOnce(Reply<'a>, After<'a>) -> T,
    ) -> crate::Result<Self> {
        let pool = needs.pool();
        let now = i64::try_from(now.as_unix_seconds())?;
        let change = outcome
            .write()
            .map(|write| Change::of(pool.user_pool_id, write, pool.policy, new_user, now))
            .transpose()?;
        let followed = {
            let (reply, after) = outcome.applied();
            follow(reply, after)
        };
        Ok(match change {
            Some(change) => Self::Write(change, followed),
            None => Self::Nothing(followed),
        })
    }

    /// [`Self::of`] for a `follow` that may fail (rendering the answer, say): its error, or
    /// a [`Change::of`] error converted, stops the loop.
    ///
    /// # Errors
    /// `follow`'s error, or [`Change::of`]'s as `E`.
    pub fn try_of<'a, E: From<Error>>(
        outcome: Outcome<'a>,
        needs: &Needs<'_, '_>,
        new_user: NewUser,
        now: Timestamp,
        follow: impl FnOnce(Reply<'a>, After<'a>) -> Result<T, E>,
    ) -> Result<Self, E> {
        Decided::of(outcome, needs, new_user, now, follow)?.transpose()
    }
}

impl<T, E> Decided<Result<T, E>> {
    /// The decision on what follows, or what follows's error (then nothing is stored).
    ///
    /// # Errors
    /// `E`, when what follows failed.
    pub fn transpose(self) -> Result<Decided<T>, E> {
        Ok(match self {
            Self::Write(change, followed) => Decided::Write(change, followed?),
            Self::Nothing(followed) => Decided::Nothing(followed?),
        })
    }
}

/// Why the loop stopped without a committed decision.
#[derive(Debug)]
pub enum Failed<E> {
    /// The read found no app client (or, for an admin read, no pool) of the name the request
    /// gave: it never existed, or a deletion raced the request. Answer as the service does
    /// when it does not find them
    /// (`ResourceNotFoundException` for a client, `UserPoolNotFoundException` for a pool);
    /// nothing was stored.
    Gone,
    /// The decision stopped the loop.
    Decision(E),
    /// The store failed; nothing of this attempt was stored.
    Store(Error),
    /// Every attempt lost its race: the row is contended beyond the bound.
    TooManyLostRaces,
}

impl<E: core::fmt::Display> core::fmt::Display for Failed<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Gone => f.write_str("the app client or pool is gone"),
            Self::Decision(error) => write!(f, "the decision stopped the loop: {error}"),
            Self::Store(error) => write!(f, "the store failed: {error}"),
            Self::TooManyLostRaces => f.write_str("every attempt lost its race"),
        }
    }
}

impl<E: core::fmt::Debug + core::fmt::Display> std::error::Error for Failed<E> {}

/// The loop's bounds.
#[derive(Clone, Copy, Debug)]
pub struct Driver {
    /// Attempts before [`Failed::TooManyLostRaces`].
    pub attempts: u32,
    /// The longest wait before the `n`th retry is `n` times this (the wait is drawn
    /// uniformly below it, so the losers of one race spread out instead of colliding again).
    pub backoff: Duration,
}

impl Default for Driver {
    fn default() -> Self {
        Self {
            attempts: 64,
            backoff: Duration::from_micros(100),
        }
    }
}

/// A decision the loop may have to take more than once: one per snapshot it reads.
///
/// A plain closure (`FnMut(Snapshot) -> Result<Decided<T>, E>`) is one, through
/// [`Driver::run`]; implement this when deciding needs to wait on something (a password
/// hashed off the async workers, a look-up of its own), and use [`Driver::run_with`].
pub trait Decide {
    /// What comes back once the decision's write was stored.
    type Committed: Send;
    /// Why a decision stops the loop.
    type Error: Send;

    /// Decides on `snapshot`, a fresh read each time.
    fn decide(
        &mut self,
        snapshot: Snapshot,
    ) -> impl Future<Output = Result<Decided<Self::Committed>, Self::Error>> + Send;
}

/// A closure as a [`Decide`].
struct Closure<F>(F);

impl<F, T, E> Decide for Closure<F>
where
    F: FnMut(Snapshot) -> Result<Decided<T>, E> + Send,
    T: Send,
    E: Send,
{
    type Committed = T;
    type Error = E;

    fn decide(&mut self, snapshot: Snapshot) -> impl Future<Output = Result<Decided<T>, E>> + Send {
        core::future::ready((self.0)(snapshot))
    }
}

impl Driver {
    /// Runs the loop: reads `read` from `store`, hands the snapshot to `decide`, stores the
    /// change it returns, and returns its `T` once stored. A lost race reads and decides
    /// again; `decide` sees a new snapshot each time, by value, and returns owned values,
    /// so nothing of a snapshot that lost outlives its attempt.
    ///
    /// # Errors
    /// [`Failed::Gone`] when the read finds the client or pool gone, [`Failed::Decision`]
    /// when `decide` returns an error (nothing is stored), [`Failed::Store`] when the store
    /// fails, [`Failed::TooManyLostRaces`] past [`Self::attempts`].
    pub async fn run<S, T, E, F>(self, store: &S, read: Read, decide: F) -> Result<T, Failed<E>>
    where
        S: Store + ?Sized,
        F: FnMut(Snapshot) -> Result<Decided<T>, E> + Send,
        T: Send,
        E: Send,
    {
        self.run_with(store, read, Closure(decide)).await
    }

    /// [`Self::run`] for a decision that waits on something.
    ///
    /// # Errors
    /// As [`Self::run`].
    pub async fn run_with<S, D>(
        self,
        store: &S,
        read: Read,
        mut decision: D,
    ) -> Result<D::Committed, Failed<D::Error>>
    where
        S: Store + ?Sized,
        D: Decide + Send,
    {
        for attempt in 0..self.attempts {
            if attempt > 0 {
                tokio::time::sleep(self.wait(attempt)).await;
            }
            let snapshot = store.read(read.clone()).await.map_err(Failed::Store)?;
            // Decided on, a snapshot without its client or pool would only lose its write
            // (the store inserts nothing into a pool that is gone) until the bound.
            if !snapshot.live {
                return Err(Failed::Gone);
            }
            match decision.decide(snapshot).await.map_err(Failed::Decision)? {
                Decided::Nothing(committed) => return Ok(committed),
                Decided::Write(change, committed) => match store.apply(change).await {
                    Ok(Applied::Done) => return Ok(committed),
                    Ok(Applied::LostRace) => {}
                    Err(error) => return Err(Failed::Store(error)),
                },
            }
        }
        Err(Failed::TooManyLostRaces)
    }

    /// The wait before retry `attempt`: uniform in `0..=attempt × backoff`.
    /// The wait before the `attempt`th retry: drawn uniformly up to `attempt` ×
    /// [`Self::backoff`]. For a caller retrying a compare-and-swap of its own.
    #[must_use]
    pub fn wait(self, attempt: u32) -> Duration {
        let most = self.backoff.saturating_mul(attempt);
        let most = u64::try_from(most.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rand::rng().random_range(0..=most))
    }
}
