//! The crate as a plain WebAssembly module (no wasm-bindgen, no imports): a confirmation
//! and a `SecretHash`, exchanged with the host through one static buffer.
//!
//! Buffer layout for `confirm(len)`: bytes 0..32 entropy, 32..32+len the submitted code; the
//! issued code is written back at 64..70. For `secret_hash(s, u, c)`: secret, username and
//! client id back to back from 0; the 44-byte hash is written at 1024.
#![no_std]

use confirmation_flow::{Confirmation, KeyId, Policy, ServerKey, Timestamp, cognito::ClientSecret};

const BUF_LEN: usize = 2048;
static mut BUF: [u8; BUF_LEN] = [0; BUF_LEN];

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

fn buffer() -> &'static mut [u8; BUF_LEN] {
    // SAFETY: wasm32-unknown-unknown is single-threaded and the host calls one export at
    // a time; no reference to BUF outlives the export that made it.
    unsafe { &mut *(&raw mut BUF) }
}

/// Where the host writes its inputs and reads the outputs.
#[unsafe(no_mangle)]
pub extern "C" fn buf_ptr() -> *mut u8 {
    (&raw mut BUF).cast()
}

/// The buffer's length.
#[unsafe(no_mangle)]
pub extern "C" fn buf_len() -> usize {
    BUF_LEN
}

/// Issues a code from the entropy in the buffer, writes it back, and submits the `len`-byte
/// candidate: 1 confirmed, 0 refused, 2 bad input.
#[unsafe(no_mangle)]
pub extern "C" fn confirm(len: usize) -> u32 {
    let buf = buffer();
    let (Some(entropy), Some(candidate)) = (buf.get(..32), buf.get(32..32 + len.min(32))) else {
        return 2;
    };
    let Ok(entropy) = <[u8; 32]>::try_from(entropy) else {
        return 2;
    };
    let Ok(candidate) = core::str::from_utf8(candidate) else {
        return 2;
    };
    let policy = Policy::COGNITO;
    let key = ServerKey::new(KeyId(1), &[7; 32]);
    let now = Timestamp::from_unix_seconds(1_700_000_000);
    let Ok((state, code)) = Confirmation::issue(&policy, &key, b"user", now, &entropy) else {
        return 2;
    };
    let confirmed = u32::from(
        state
            .submit(&policy, &key, b"user", candidate, now)
            .is_confirmed(),
    );
    for (slot, byte) in buf.iter_mut().skip(64).zip(code.as_str().bytes()) {
        *slot = byte;
    }
    confirmed
}

/// Computes the `SecretHash` of the inputs in the buffer into bytes 1024..1068: 1 done,
/// 2 bad input.
#[unsafe(no_mangle)]
pub extern "C" fn secret_hash(secret_len: usize, user_len: usize, client_len: usize) -> u32 {
    let buf = buffer();
    let mut parts = [""; 3];
    let mut start = 0_usize;
    for (part, len) in parts.iter_mut().zip([secret_len, user_len, client_len]) {
        let Some(bytes) = buf.get(start..start.saturating_add(len)) else {
            return 2;
        };
        let Ok(text) = core::str::from_utf8(bytes) else {
            return 2;
        };
        (*part, start) = (text, start.saturating_add(len));
    }
    let [secret, user, client] = parts;
    let hash = ClientSecret::new(secret).compute(user, client);
    for (slot, byte) in buf.iter_mut().skip(1024).zip(hash.bytes()) {
        *slot = byte;
    }
    1
}
