//! Whether a value is an email address `SignUp` accepts
//! ([`AliasAttribute::accepts`](super::AliasAttribute::accepts) says which): a table look-up
//! a byte, and the characters' table only for an address with non-ASCII characters.

use super::pattern::username_char;

/// What each byte may be in an email address, one flag a use: [`LOCAL`], [`DOMAIN`].
const EMAIL_BYTES: [u8; 256] = email_bytes();
/// The byte may be in the local part: a graphic ASCII character but `"`, `\`, `(`, `)`,
/// `,`, `:`, `;`, `<`, `>`, `[`, `]` (quoting and comments) and `@`, or a byte of a
/// multi-byte character (>= 0x80, which the characters' table decides).
const LOCAL: u8 = 1;
/// The byte may be in the domain: a graphic ASCII character but `@`, or >= 0x80.
const DOMAIN: u8 = 2;

const fn email_bytes() -> [u8; 256] {
    let mut table = [0; 256];
    let mut rest: &mut [u8] = &mut table;
    let mut byte: u8 = 0;
    while let [slot, tail @ ..] = rest {
        *slot = if byte >= 0x80 {
            LOCAL | DOMAIN
        } else if !byte.is_ascii_graphic() || byte == b'@' {
            0
        } else if matches!(
            byte,
            b'"' | b'\\' | b'(' | b')' | b',' | b':' | b';' | b'<' | b'>' | b'[' | b']'
        ) {
            DOMAIN
        } else {
            LOCAL | DOMAIN
        };
        byte = byte.wrapping_add(1);
        rest = tail;
    }
    table
}

/// [`AliasAttribute::accepts`](super::AliasAttribute::accepts) for `email`: one pass over
/// the bytes, a table look-up a byte, and the characters' table only for an address with
/// non-ASCII characters.
pub(super) fn is_email(value: &str) -> bool {
    let class = |b: u8| EMAIL_BYTES.get(usize::from(b)).copied().unwrap_or(0);
    let bytes = value.as_bytes();
    let Some((local, domain)) = bytes
        .iter()
        .position(|&b| b == b'@')
        .and_then(|at| bytes.split_at_checked(at))
        .and_then(|(local, at_domain)| Some((local, at_domain.get(1..)?)))
    else {
        return false;
    };
    let local_ok = (1..=64).contains(&local.len()) && local.iter().all(|&b| class(b) & LOCAL != 0);
    // Labels: no dot first, last or after a dot; an empty domain ends "after a dot" too.
    let mut previous = b'.';
    let domain_ok = domain.len() <= 255
        && domain.iter().all(|&b| {
            let ok = class(b) & DOMAIN != 0 && !(b == b'.' && previous == b'.');
            previous = b;
            ok
        })
        && previous != b'.';
    local_ok && domain_ok && (value.is_ascii() || email_chars(value))
}

/// Whether U+200C (ZWNJ) or U+200D (ZWJ).
const fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200c}' | '\u{200d}')
}

/// [`Pattern::Username`](super::Pattern::Username)'s characters, and a joiner right after a
/// non-ASCII character that is not one: never after ASCII, so `vic\u{200c}tim` cannot
/// respell `victim`.
fn email_chars(value: &str) -> bool {
    let mut previous = '@';
    value.chars().all(|c| {
        let ok = if is_joiner(c) {
            !previous.is_ascii() && !is_joiner(previous)
        } else {
            username_char(c)
        };
        previous = c;
        ok
    })
}
