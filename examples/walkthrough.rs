//! A whole sign-up confirmation on a simulated clock, printed step by step.
//!
//! It plays both sides of a server that embeds the crate: a tiny in-memory store that
//! writes with compare-and-swap on `version`, and the requests a user would send.
//!
//! Run it with `cargo run --example walkthrough`.
#![allow(
    clippy::arithmetic_side_effects,
    reason = "minute counts and digit rotation on small constants in a demo"
)]

use core::{error::Error, fmt, time::Duration};
use std::collections::HashMap;

use confirmation_flow::{
    Code, Confirmation, ENTROPY_LEN, KeyId, Policy, Refusal, ServerKey, Submission, Timestamp,
};

/// The caller's store: one row per user, replaced only if its version is unchanged.
#[derive(Default)]
struct Store {
    rows: HashMap<&'static str, Confirmation>,
}

#[derive(Debug)]
struct Conflict;

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the row changed since it was read")
    }
}

impl Error for Conflict {}

impl Store {
    fn load(&self, user: &str) -> Option<Confirmation> {
        self.rows.get(user).copied()
    }

    /// `UPDATE … SET state = new WHERE user = ? AND version = expected`.
    fn compare_and_swap(
        &mut self,
        user: &'static str,
        expected: Option<u64>,
        new: Confirmation,
    ) -> Result<(), Conflict> {
        if self.rows.get(user).map(Confirmation::version) != expected {
            return Err(Conflict);
        }
        self.rows.insert(user, new);
        Ok(())
    }
}

fn random<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

/// The server side of the walk-through: the key, the store and a simulated clock.
struct Server {
    policy: Policy,
    key: ServerKey,
    store: Store,
    started: Timestamp,
    clock: Timestamp,
}

impl Server {
    fn advance(&mut self, minutes: u64) {
        self.clock = self.clock.saturating_add(Duration::from_secs(minutes * 60));
    }

    fn show(&self, what: &str, result: &dyn fmt::Debug) {
        let minutes = self.clock.saturating_since(self.started).as_secs() / 60;
        println!("[+{minutes:>5} min] {what:<46} -> {result:?}");
    }

    fn load(&self, user: &str) -> Result<Confirmation, Box<dyn Error>> {
        Ok(self.store.load(user).ok_or("no such user")?)
    }

    /// Sign-up: issue a code, store the state (a new row), deliver the code.
    fn sign_up(&mut self, user: &'static str) -> Result<Code, Box<dyn Error>> {
        let entropy = random::<ENTROPY_LEN>()?;
        let (state, code) = Confirmation::issue(
            &self.policy,
            &self.key,
            user.as_bytes(),
            self.clock,
            &entropy,
        )?;
        self.store.compare_and_swap(user, None, state)?;
        Ok(code)
    }

    /// `ConfirmSignUp`: read, one pure call, compare-and-swap write, answer.
    fn confirm(
        &mut self,
        user: &'static str,
        code: &str,
    ) -> Result<Result<(), Refusal>, Box<dyn Error>> {
        let before = self.load(user)?;
        let Submission { state, outcome, .. } =
            before.submit(&self.policy, &self.key, user.as_bytes(), code, self.clock);
        if state.version() != before.version() {
            self.store
                .compare_and_swap(user, Some(before.version()), state)?;
        }
        Ok(outcome)
    }

    /// `ResendConfirmationCode`: a new code, the old one dead.
    fn resend(&mut self, user: &'static str) -> Result<Code, Box<dyn Error>> {
        let before = self.load(user)?;
        let entropy = random::<ENTROPY_LEN>()?;
        let (state, code) = before.reissue(
            &self.policy,
            &self.key,
            user.as_bytes(),
            self.clock,
            &entropy,
        )?;
        self.store
            .compare_and_swap(user, Some(before.version()), state)?;
        Ok(code)
    }

    /// `AdminConfirmSignUp`: no code.
    fn admin_confirm(&mut self, user: &'static str) -> Result<Confirmation, Box<dyn Error>> {
        let before = self.load(user)?;
        let state = before.admin_confirm(&self.policy, self.clock)?;
        self.store
            .compare_and_swap(user, Some(before.version()), state)?;
        Ok(state)
    }
}

/// A guess that is certainly wrong: every digit of `code` changed.
fn wrong_guess(code: &Code, salt: u8) -> String {
    code.as_str()
        .bytes()
        .map(|digit| char::from(b'0' + (digit - b'0' + 1 + salt % 9) % 10))
        .collect()
}

/// Alice: a wrong code, a lost race, an expired code, a resend, the right code.
fn alice(server: &mut Server) -> Result<(), Box<dyn Error>> {
    let code = server.sign_up("alice")?;
    server.show("alice signs up: code delivered", &code.as_str());

    server.advance(1);
    let outcome = server.confirm("alice", &wrong_guess(&code, 0))?;
    server.show("alice types a wrong code", &outcome);

    // Two requests race on the same stored version: the second write must lose.
    let before = server.load("alice")?;
    let (policy, key, now) = (&server.policy, &server.key, server.clock);
    let first = before.submit(policy, key, b"alice", &wrong_guess(&code, 1), now);
    let second = before.submit(policy, key, b"alice", &wrong_guess(&code, 2), now);
    server
        .store
        .compare_and_swap("alice", Some(before.version()), first.state)?;
    let lost = server
        .store
        .compare_and_swap("alice", Some(before.version()), second.state);
    server.show(
        "two concurrent guesses: the second write",
        &lost.map_err(|e| e.to_string()),
    );

    server.advance(24 * 60);
    let outcome = server.confirm("alice", code.as_str())?;
    server.show("a day later, the right code", &outcome);

    let new_code = server.resend("alice")?;
    server.show("resend: a new code delivered", &new_code.as_str());

    server.advance(2);
    let outcome = server.confirm("alice", code.as_str())?;
    server.show("the old code after the resend", &outcome);

    server.advance(1);
    let outcome = server.confirm("alice", new_code.as_str())?;
    server.show("the new code", &outcome);

    server.advance(1);
    let outcome = server.confirm("alice", new_code.as_str())?;
    server.show("the same code again", &outcome);
    Ok(())
}

/// Bob: five wrong guesses kill the code; even the right one is then refused without
/// comparison, and only a resend or an admin confirmation helps.
fn bob(server: &mut Server) -> Result<(), Box<dyn Error>> {
    let code = server.sign_up("bob")?;
    server.show("bob signs up", &"code delivered");
    for guess in 0..5 {
        server.advance(1);
        let outcome = server.confirm("bob", &wrong_guess(&code, guess))?;
        server.show("bob guesses", &outcome);
    }
    let outcome = server.confirm("bob", code.as_str())?;
    server.show("bob's right code after the budget is spent", &outcome);
    let state = server.admin_confirm("bob")?;
    server.show("an admin confirms bob", &state.status());
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let started = Timestamp::from_unix_seconds(1_767_225_600); // 2026-01-01T00:00:00Z
    let mut server = Server {
        policy: Policy::COGNITO,
        key: ServerKey::new(KeyId(1), &random()?),
        store: Store::default(),
        started,
        clock: started,
    };
    println!("{:?}\n", server.policy);
    alice(&mut server)?;
    bob(&mut server)?;
    println!();
    for user in ["alice", "bob"] {
        let state = server.load(user)?;
        println!(
            "\n{user}: {:?} at version {}",
            state.status(),
            state.version()
        );
    }
    Ok(())
}
