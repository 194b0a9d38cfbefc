//! The URLs the configuration may name: CORS origins, and the server's public URL.

/// `["*"]`, or origins (`scheme://host[:port]`, nothing after) that fit in a header.
///
/// # Errors
/// A message naming the origin that is not one.
pub fn check_origins(origins: &[String]) -> Result<(), String> {
    if origins.iter().any(|origin| origin == "*") {
        return if origins.len() == 1 {
            Ok(())
        } else {
            Err("cors_allowed_origins: \"*\" allows every origin; list it alone".into())
        };
    }
    for origin in origins {
        let rest = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        let valid = rest.is_some_and(|host| {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || b"-.:[]".contains(&byte))
        });
        if !valid {
            return Err(format!(
                "cors_allowed_origins: {origin:?} is not an origin like \"https://app.example.com\""
            ));
        }
    }
    Ok(())
}

/// `public_url`: an `http://` or `https://` URL, a path allowed (where the routes are
/// mounted), no query or fragment; without its trailing `/`.
///
/// # Errors
/// A message naming the value.
pub fn public_url(url: &str) -> Result<String, String> {
    let parsed = url.parse::<axum::http::Uri>().ok();
    let valid = parsed.as_ref().is_some_and(|uri| {
        matches!(uri.scheme_str(), Some("http" | "https"))
            && uri.authority().is_some()
            && uri.query().is_none()
            && !url.contains('#')
    });
    if !valid {
        return Err(format!(
            "public_url: {url:?} is not a URL like \"https://auth.example.com\" (no query)"
        ));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::{check_origins, public_url};

    #[test]
    fn public_urls_are_http_urls_without_a_query() {
        assert_eq!(
            public_url("https://auth.example.com/cognito/"),
            Ok("https://auth.example.com/cognito".to_owned())
        );
        assert_eq!(
            public_url("http://127.0.0.1:9229"),
            Ok("http://127.0.0.1:9229".to_owned())
        );
        for bad in [
            "auth.example.com",
            "ftp://a",
            "https://a/?x=1",
            "https://a/#f",
            "https://a b",
        ] {
            assert!(public_url(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn cors_origins_are_star_alone_or_plain_origins() {
        let list = |items: &[&str]| {
            items
                .iter()
                .map(|item| (*item).to_owned())
                .collect::<Vec<_>>()
        };
        for good in [
            &["*"][..],
            &[],
            &["http://localhost:3000", "https://app.example.com"],
        ] {
            assert_eq!(check_origins(&list(good)), Ok(()), "{good:?}");
        }
        for bad in [
            &["*", "https://app.example.com"][..],
            &["app.example.com"],
            &["https://app.example.com/path"],
            &["https://a\r\nSet-Cookie: x"],
        ] {
            assert!(check_origins(&list(bad)).is_err(), "{bad:?}");
        }
    }
}
