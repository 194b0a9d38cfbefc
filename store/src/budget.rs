//! Budgets: how many of something (codes delivered, codes submitted) one key (a destination:
//! an email address, a phone number) has had in its current window, capped. A change may
//! carry one unit to [`Spend`]; the store takes it in the same transaction as the change's
//! row, only while the budget has room (or its window has passed), and otherwise refuses the
//! whole change as a lost race, so two requests can never both take the last unit.

/// One unit of a budget, taken with a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spend {
    /// What the budget is for (a destination's canonical key).
    pub key: String,
    /// What it counts (`"guess"`, `"code"`).
    pub kind: &'static str,
    /// Units a window allows.
    pub most: i64,
    /// The window, in seconds from its first unit.
    pub window: i64,
    /// Whether the change needs the unit: then, without one left, the whole change is a lost
    /// race. Otherwise the unit is taken if there is one and the change is made either way —
    /// the same statement runs, so a request past its budget does the same work as one
    /// within it.
    pub required: bool,
}

/// A budget as stored: when its window started, and how much of it was spent since.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub window_start: i64,
    pub spent: i64,
}

impl Budget {
    /// Whether `spend` may take a unit of this budget at `now`.
    #[must_use]
    pub const fn has_room(self, spend: &Spend, now: i64) -> bool {
        now.saturating_sub(self.window_start) >= spend.window || self.spent < spend.most
    }

    /// The budget once `spend` took a unit at `now` (the caller checked [`Self::has_room`]).
    #[must_use]
    pub const fn after(self, spend: &Spend, now: i64) -> Self {
        if now.saturating_sub(self.window_start) >= spend.window {
            Self {
                window_start: now,
                spent: 1,
            }
        } else {
            Self {
                window_start: self.window_start,
                spent: self.spent.saturating_add(1),
            }
        }
    }
}

/// Takes one unit (`$1` pool, `$2` key, `$3` kind, `$4` now, `$5` the window, `$6` the
/// most): a new budget, or a new window if the last has passed, or one more if the budget
/// has room; otherwise nothing (no row changed). One statement, so two writers cannot both
/// take the last unit (SQLite's writer runs one transaction at a time; PostgreSQL re-checks
/// the condition on the row it locked).
pub const SPEND: &str = "INSERT INTO destination_budgets AS b \
     (pool_id, destination, kind, window_start, spent) VALUES ($1, $2, $3, $4, 1) \
     ON CONFLICT (pool_id, destination, kind) DO UPDATE SET \
     spent = CASE WHEN excluded.window_start - b.window_start >= $5 THEN 1 ELSE b.spent + 1 END, \
     window_start = CASE WHEN excluded.window_start - b.window_start >= $5 \
                    THEN excluded.window_start ELSE b.window_start END \
     WHERE excluded.window_start - b.window_start >= $5 OR b.spent < $6";
/// The budget row (`$1` pool, `$2` key, `$3` kind): its window's start and what was spent.
pub const READ: &str = "SELECT window_start, spent FROM destination_budgets \
     WHERE pool_id = $1 AND destination = $2 AND kind = $3";

/// Budgets pruned per statement: a slice of the primary key, so that pruning never holds
/// the writer for long, and needs no index of its own (an index on the window's start was
/// rewritten by every unit spent).
#[cfg(all(feature = "sqlite", feature = "postgres"))]
pub(crate) const PRUNE_SLICE: i64 = 1_000;

/// The key [`PRUNE_SLICE`] rows past `($1, $2, $3)` (`$4` = the slice − 1): where the slice
/// from there ends, or nothing when fewer are left.
#[cfg(all(feature = "sqlite", feature = "postgres"))]
pub(crate) const SLICE_END: &str = "SELECT pool_id, destination, kind FROM destination_budgets \
     WHERE (pool_id, destination, kind) > ($1, $2, $3) \
     ORDER BY pool_id, destination, kind LIMIT 1 OFFSET $4";
/// Deletes the budgets in the slice past `($1, $2, $3)` up to `($4, $5, $6)` whose window
/// started before `$7`.
#[cfg(all(feature = "sqlite", feature = "postgres"))]
pub(crate) const PRUNE_UP_TO: &str = "DELETE FROM destination_budgets \
     WHERE (pool_id, destination, kind) > ($1, $2, $3) \
     AND (pool_id, destination, kind) <= ($4, $5, $6) AND window_start < $7";
/// Deletes the budgets past `($1, $2, $3)` whose window started before `$4` (the last slice).
#[cfg(all(feature = "sqlite", feature = "postgres"))]
pub(crate) const PRUNE_REST: &str = "DELETE FROM destination_budgets \
     WHERE (pool_id, destination, kind) > ($1, $2, $3) AND window_start < $4";
