//! SigV4's canonical request: the method, the normalised and encoded path, the sorted
//! query, the signed headers with their values trimmed, and the body's hash — built from the
//! request as it came on the wire.

use sha2::{Digest as _, Sha256};

use axum::http::HeaderMap;

/// What one request brings: the method, the path and query as they came on the wire, the
/// headers and the body.
#[derive(Debug)]
pub struct Signed<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// The canonical request, from the signed headers in the order the client listed them.
pub fn canonical_request(request: &Signed<'_>, signed: &[&str]) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + request.path.len() + request.query.len());
    out.extend_from_slice(request.method.as_bytes());
    out.push(b'\n');
    for segment in normalized_segments(request.path) {
        out.push(b'/');
        encode(&mut out, segment.as_bytes());
    }
    if request.path.ends_with('/') || normalized_segments(request.path).is_empty() {
        out.push(b'/');
    }
    out.push(b'\n');
    canonical_query(&mut out, request.query);
    out.push(b'\n');
    for name in signed {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        for (index, value) in request.headers.get_all(*name).iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            trim_all(&mut out, value.as_bytes());
        }
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(signed.join(";").as_bytes());
    out.push(b'\n');
    out.extend_from_slice(hex::encode(Sha256::digest(request.body)).as_bytes());
    out
}

/// The path's segments with `.`, `..` and empty segments resolved, as services other than
/// S3 normalise it.
fn normalized_segments(path: &str) -> Vec<&str> {
    let mut segments = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            _ => segments.push(segment),
        }
    }
    segments
}

/// The query's pairs, each part decoded then encoded as SigV4 encodes, sorted.
fn canonical_query(out: &mut Vec<u8>, query: &str) {
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let mut encoded = (Vec::new(), Vec::new());
            encode(&mut encoded.0, &decode(name));
            encode(&mut encoded.1, &decode(value));
            encoded
        })
        .collect();
    pairs.sort();
    for (index, (name, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push(b'&');
        }
        out.extend_from_slice(name);
        out.push(b'=');
        out.extend_from_slice(value);
    }
}

/// Every byte but the unreserved ones as `%XX`.
fn encode(out: &mut Vec<u8>, bytes: &[u8]) {
    for &byte in bytes {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte);
        } else {
            out.extend_from_slice(format!("%{byte:02X}").as_bytes());
        }
    }
}

/// `%XX` decoded; a `%` not followed by two hex digits stays as it is.
fn decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        let escaped = (byte == b'%')
            .then(|| bytes.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        if let Some(decoded) = escaped {
            out.push(decoded);
            index += 3;
        } else {
            out.push(byte);
            index += 1;
        }
    }
    out
}

/// The value without leading and trailing whitespace, and each run of spaces as one.
fn trim_all(out: &mut Vec<u8>, value: &[u8]) {
    let value = value.trim_ascii();
    let mut previous_space = false;
    for &byte in value {
        let space = byte == b' ' || byte == b'\t';
        if !(space && previous_space) {
            out.push(if space { b' ' } else { byte });
        }
        previous_space = space;
    }
}
