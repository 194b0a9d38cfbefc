//! The seeded users, made again from their index whenever needed, and the calls the
//! benchmark sends them.

use confirmation_flow::{Code, Confirmation, Policy, ServerKey, Timestamp};
use confirmation_flow_store::{SeedUser, SqlStore, describe};
use hyper::{StatusCode, body::Bytes};

use crate::{client::Call, servers};

/// Users seeded or reset per statement batch.
const SEED_CHUNK: usize = 20_000;

/// The seeded users, made again from their index whenever needed (no million states held).
pub struct Users {
    pub count: usize,
    pub pool_id: String,
    /// Distinguishes this scenario's users from earlier ones on the same database (a `sub`
    /// is unique across pools).
    pub run: u32,
    /// How often the users were seeded: each seeding gives them new email addresses, so that
    /// no destination's hourly budget (15 submissions, `destinations.rs`) runs out across
    /// rounds and every call still takes the path it names.
    pub seedings: std::sync::atomic::AtomicUsize,
    pub key: ServerKey,
    pub policy: Policy,
    pub now: Timestamp,
}

impl Users {
    fn user(&self, index: usize) -> (SeedUser, Code) {
        let seeding = self.seedings.load(std::sync::atomic::Ordering::Relaxed);
        let sub = format!("{:08x}-0000-4000-8000-{index:012}", self.run);
        let mut entropy = [0x5a_u8; 32];
        entropy[..8].copy_from_slice(&(index as u64).to_le_bytes());
        let (state, code) =
            Confirmation::issue(&self.policy, &self.key, sub.as_bytes(), self.now, &entropy)
                .expect("32 bytes of entropy make a six-digit code");
        let user = SeedUser {
            username: format!("user-{index}"),
            sub,
            email: format!("user-{index}-{seeding}@example.com"),
            state,
        };
        (user, code)
    }

    pub async fn seed(
        &self,
        store: &SqlStore,
        range: std::ops::Range<usize>,
    ) -> Result<(), String> {
        self.seedings
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let indices: Vec<usize> = range.collect();
        for chunk in indices.chunks(SEED_CHUNK) {
            let users = chunk.iter().map(|&index| self.user(index).0).collect();
            store
                .seed(&self.pool_id, users, 0)
                .await
                .map_err(|error| describe(&*error))?;
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
pub enum Workload {
    RightCode,
    WrongCode,
}

impl Workload {
    pub const fn name(self) -> &'static str {
        match self {
            Self::RightCode => "right code",
            Self::WrongCode => "wrong code",
        }
    }
}

pub fn call(users: &Users, index: usize, workload: Workload, checked: bool) -> Call {
    let (user, code) = users.user(index);
    let code = match workload {
        Workload::RightCode => code.as_str().to_owned(),
        Workload::WrongCode if code.as_str() == "000000" => "111111".to_owned(),
        Workload::WrongCode => "000000".to_owned(),
    };
    let body = serde_json::json!({
        "ClientId": servers::CLIENT_ID,
        "Username": user.username,
        "ConfirmationCode": code,
    });
    let expect = match workload {
        Workload::RightCode => StatusCode::OK,
        Workload::WrongCode => StatusCode::BAD_REQUEST,
    };
    Call {
        body: Bytes::from(body.to_string()),
        expect: checked.then_some(expect),
    }
}
