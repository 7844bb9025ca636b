//! A readable device name from a User-Agent header ("Chrome, Windows"): enough for a person to
//! recognise their own devices in the session list and login history.

/// None when nothing is recognised.
pub fn describe(user_agent: &str) -> Option<String> {
    let ua = user_agent;
    let browser = [
        ("YaBrowser/", "Яндекс Браузер"),
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| name);
    let os = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| name);
    match (browser, os) {
        (Some(b), Some(o)) => Some(format!("{b}, {o}")),
        (Some(x), None) | (None, Some(x)) => Some(x.to_string()),
        (None, None) if ua.trim().is_empty() => None,
        (None, None) => Some(ua.chars().take(60).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_browsers_are_named_with_their_system() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
        assert_eq!(describe(chrome).as_deref(), Some("Chrome, Windows"));
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
        assert_eq!(describe(firefox).as_deref(), Some("Firefox, Linux"));
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(describe(iphone).as_deref(), Some("Safari, iOS"));
        assert_eq!(describe(""), None);
        assert_eq!(describe("curl/8.0").as_deref(), Some("curl/8.0"));
    }
}
