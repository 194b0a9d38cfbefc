//! Where a trigger may be sent: the operator's allow-list for URLs given through the API, and
//! the resolver that connects a host name given through the API to public addresses only,
//! checked on the addresses actually connected to (a name that resolves to a private address
//! at invocation time, DNS rebinding included, is refused).
//!
//! | the URL | allowed when | connected to |
//! |---|---|---|
//! | the configuration's own `post_confirmation_url` | always (the operator wrote it) | whatever it names |
//! | given through the API, host an IP address | an `allowed_trigger_urls` entry names that address | that address, as the operator named it |
//! | given through the API, host a name | an entry names that host | its public addresses only |

use std::{
    future::Future,
    io,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    pin::Pin,
    task::{Context, Poll},
};

use hyper::Uri;
use hyper_util::client::legacy::connect::dns::Name;

/// An `http://` URL a trigger may be sent to: a host, no user information, no fragment, and
/// no dot segments or backslashes a receiver could read as another path.
///
/// # Errors
/// A message saying what is wrong with `url`.
pub fn trigger_uri(url: &str) -> Result<Uri, String> {
    let uri: Uri = url.parse().map_err(|error| format!("{url:?}: {error}"))?;
    let authority = uri.authority().map(hyper::http::uri::Authority::as_str);
    if uri.scheme_str() != Some("http") || uri.host().is_none_or(str::is_empty) {
        return Err(format!("{url:?}: an http:// URL with a host is needed"));
    }
    if authority.is_some_and(|authority| authority.contains('@')) {
        return Err(format!("{url:?}: no user information in a trigger URL"));
    }
    // Only unreserved characters and `/` in the path (`=` and `&` too in the query): no dot
    // segments, no `;` parameters, no `%` escapes or backslashes that a receiver or a proxy
    // in front of it could read as another path.
    let plain = |text: &str, extra: &[u8]| {
        text.bytes().all(|byte| {
            byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) || extra.contains(&byte)
        })
    };
    let dots = uri
        .path()
        .split('/')
        .any(|segment| segment == "." || segment == "..");
    if dots
        || !plain(uri.path(), b"")
        || !plain(uri.query().unwrap_or(""), b"=&")
        || url.contains('#')
    {
        return Err(format!(
            "{url:?}: only letters, digits, '-', '.', '_', '~' and '/' in the path ('=' and '&' \
             in the query), no dot segments, no fragment"
        ));
    }
    Ok(uri)
}

/// The operator's `allowed_trigger_urls`: whole URLs, or prefixes ending in `/`.
#[derive(Debug, Clone, Default)]
pub struct AllowedUrls {
    entries: Vec<Uri>,
}

impl AllowedUrls {
    /// The list `urls`, each checked.
    ///
    /// # Errors
    /// An entry that is not a plain `http://` URL, or that has a query.
    pub fn new(urls: &[String]) -> Result<Self, String> {
        let entries = urls
            .iter()
            .map(|url| {
                let uri =
                    trigger_uri(url).map_err(|error| format!("allowed_trigger_urls: {error}"))?;
                if uri.query().is_some() {
                    return Err(format!(
                        "allowed_trigger_urls: {url:?}: no query in an entry"
                    ));
                }
                Ok(uri)
            })
            .collect::<Result<_, String>>()?;
        Ok(Self { entries })
    }

    /// Whether `uri` is one of the entries, or under one that ends in `/`: the same host
    /// (letter case aside) and port, and a path that starts with the entry's.
    #[must_use]
    pub fn allows(&self, uri: &Uri) -> bool {
        let port = |uri: &Uri| uri.port_u16().unwrap_or(80);
        self.entries.iter().any(|entry| {
            let same_place = entry
                .host()
                .zip(uri.host())
                .is_some_and(|(allowed, host)| allowed.eq_ignore_ascii_case(host))
                && port(entry) == port(uri);
            let path = entry.path();
            let under = if path.ends_with('/') {
                uri.path().starts_with(path)
            } else {
                uri.path() == path && uri.query().is_none()
            };
            same_place && under
        })
    }
}

/// Whether `address` is reachable on the public internet: not unspecified, loopback,
/// private, shared (CGNAT), link-local, multicast, broadcast, reserved or documentation;
/// for IPv6, global unicast (`2000::/3`) only, less documentation, Teredo and 6to4, and an
/// IPv4-mapped address as its IPv4 address.
#[must_use]
pub fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or_else(|| is_public_v6(v6), is_public_v4),
    }
}

fn is_public_v4(address: Ipv4Addr) -> bool {
    let [a, b, c, _] = address.octets();
    let refused = a == 0
        || a == 10
        || a == 127
        || a >= 224
        || (a == 100 && (64..128).contains(&b))
        || (a == 169 && b == 254)
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 168)
        || (a == 192 && b == 0 && (c == 0 || c == 2))
        || (a == 198 && (b == 18 || b == 19))
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113);
    !refused
}

fn is_public_v6(address: Ipv6Addr) -> bool {
    let [first, second, ..] = address.segments();
    let global_unicast = first & 0xe000 == 0x2000;
    let documentation = first == 0x2001 && second == 0x0db8;
    let teredo = first == 0x2001 && second == 0;
    let six_to_four = first == 0x2002;
    global_unicast && !documentation && !teredo && !six_to_four
}

/// Resolves a trigger's host name; for a URL given through the API, to public addresses only.
#[derive(Clone, Copy, Debug)]
pub struct Resolver {
    pub public_only: bool,
}

impl tower::Service<Name> for Resolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let public_only = self.public_only;
        Box::pin(async move {
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|address| !public_only || is_public(address.ip()))
                .collect();
            if addresses.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    format!("{} has no public address", name.as_str()),
                ));
            }
            Ok(addresses.into_iter())
        })
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::{AllowedUrls, is_public, trigger_uri};

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "0.0.0.0",
            "127.0.0.1",
            "127.255.0.9",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "192.0.0.8",
            "::",
            "::1",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::7f00:1",
            "2001:db8::1",
            "2001::1",
            "2002:7f00:1::",
            "::127.0.0.1",
        ] {
            assert!(!is_public(private.parse::<IpAddr>().unwrap()), "{private}");
        }
        for public in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(public.parse::<IpAddr>().unwrap()), "{public}");
        }
    }

    #[test]
    fn urls_that_could_mean_something_else_are_refused() {
        for bad in [
            "https://hooks.example.com/",
            "http://user:pass@hooks.example.com/",
            "http://hooks.example.com@127.0.0.1/",
            "http:///path",
            "http://hooks.example.com/a/../admin",
            "http://hooks.example.com/a/%2E%2E/admin",
            "http://hooks.example.com/a%2fb",
            "http://hooks.example.com/a\\b",
            "http://hooks.example.com/#fragment",
            "http://hooks.example.com/cognito/..;/admin",
            "http://hooks.example.com/cognito/..%5cadmin",
            "http://hooks.example.com/cognito/%252e%252e/admin",
            "http://hooks.example.com/cognito/;/x",
            "http://hooks.example.com/cognito/a?b=%2e",
            "not a url",
        ] {
            assert!(trigger_uri(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_entry_allows_itself_or_what_is_under_it_on_the_same_host_and_port() {
        let allowed = AllowedUrls::new(&[
            "http://hooks.example.com/cognito/".to_owned(),
            "http://127.0.0.1:9000/post-confirmation".to_owned(),
        ])
        .unwrap();
        let allows = |url: &str| allowed.allows(&trigger_uri(url).unwrap());
        for good in [
            "http://hooks.example.com/cognito/",
            "http://HOOKS.example.com/cognito/pool-1?x=1",
            "http://hooks.example.com:80/cognito/a",
            "http://127.0.0.1:9000/post-confirmation",
        ] {
            assert!(allows(good), "{good}");
        }
        for bad in [
            "http://hooks.example.com/cognito",
            "http://hooks.example.com/cognitox/",
            "http://hooks.example.com.evil.net/cognito/",
            "http://hooks.example.com:8080/cognito/",
            "http://127.0.0.1:9000/post-confirmation/more",
            "http://127.0.0.1:9000/post-confirmation?x=1",
            "http://127.0.0.1:9001/post-confirmation",
            "http://[::ffff:127.0.0.1]:9000/post-confirmation",
            "http://2130706433:9000/post-confirmation",
        ] {
            assert!(!allows(bad), "{bad}");
        }
        assert!(!AllowedUrls::default().allows(&trigger_uri("http://hooks.example.com/").unwrap()));
        assert!(AllowedUrls::new(&["http://hooks.example.com/?a=1".to_owned()]).is_err());
    }
}
