//! Webhook URLs: whether one can be posted to, and how it is shown. The
//! path and query of a webhook URL are its secret. A leaf, so the suite
//! parser checks `notify:` URLs without reaching the sender.

/// Checks that `url` is an http(s) URL with a host; the message shows the
/// URL redacted.
pub fn check_url(url: &str) -> Result<(), String> {
    let shown = redact(url);
    if url.trim().is_empty() {
        return Err("is empty".into());
    }
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(format!(
            "must start with http:// or https:// (found {shown})"
        ));
    }
    match url.parse::<ureq::http::Uri>() {
        Ok(u) if u.host().is_some_and(|h| !h.is_empty()) => Ok(()),
        Ok(_) => Err(format!("has no host ({shown})")),
        Err(_) => Err(format!("is not a valid URL ({shown})")),
    }
}

/// `https://hooks.slack.com/services/T0/B0/XYZ` → `https://hooks.slack.com/***`:
/// scheme, host and port only. The path and query of a webhook URL are its
/// secret, and so is any `user:password@`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "***".into();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host = match authority.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => authority.to_string(),
    };
    let tail = if tail.is_empty() || tail == "/" {
        tail
    } else {
        "/***"
    };
    format!("{scheme}://{host}{tail}")
}
