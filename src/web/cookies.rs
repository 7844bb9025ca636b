//! Reading and writing cookies: HttpOnly, SameSite=Lax, Secure whenever the issuer is https.

use axum::http::{HeaderMap, HeaderValue};

pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// `max_age` None makes a session cookie (gone when the browser closes); Some(0) deletes it.
pub fn set(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie values are url-safe tokens")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_named_cookie_among_several() {
        let mut h = HeaderMap::new();
        h.insert("cookie", HeaderValue::from_static("a=1; vhod_sid=xyz; b=2"));
        assert_eq!(get(&h, "vhod_sid").as_deref(), Some("xyz"));
        assert_eq!(get(&h, "c"), None);
    }

    #[test]
    fn set_cookie_has_the_security_flags() {
        let v = set("vhod_sid", "abc", None, true);
        assert_eq!(
            v.to_str().unwrap(),
            "vhod_sid=abc; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
    }
}
