//! The CORS origins the configuration may name.

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

#[cfg(test)]
mod tests {
    use super::check_origins;

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
