//! The metrics of every request, by route template, method and status. The handles of each series
//! are kept after its first request: the `metrics` macros would otherwise build the series' key
//! (three owned label strings), hash it and look it up in the exporter's registry on every request
//! (≈ 6 % of a `/userinfo` answer's CPU). The series are bounded — route templates, the methods
//! of [`method_label`], three-digit statuses — so what is kept is too.

use metrics::{Counter, Histogram};
use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

struct Series {
    method: &'static str,
    status: u16,
    requests: Counter,
    seconds: Histogram,
}

/// Kept series by route template.
static KEPT: LazyLock<RwLock<HashMap<Box<str>, Vec<Series>>>> = LazyLock::new(Default::default);

/// The method label of a request: a method HTTP defines, or `other`. A client can send any token
/// as a method (`FOO1`, `FOO2`, …), and each would be a new series every node keeps for good.
pub fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
    ];
    KNOWN.into_iter().find(|m| *m == method).unwrap_or("other")
}

fn new_series(route: &str, method: &'static str, status: u16) -> Series {
    let labels = [
        ("route", route.to_owned()),
        ("method", method.to_owned()),
        ("status", status.to_string()),
    ];
    Series {
        method,
        status,
        requests: ::metrics::counter!("vhod_http_requests_total", &labels),
        seconds: ::metrics::histogram!("vhod_http_request_duration_seconds", &labels),
    }
}

fn record_in(series: &Series, seconds: f64) {
    series.requests.increment(1);
    series.seconds.record(seconds);
}

/// Records one request; `keep` is false until vhod's recorder is installed (a handle taken before
/// would be the facade's no-op for good).
pub fn record(route: &str, method: &'static str, status: u16, seconds: f64, keep: bool) {
    if !keep {
        return record_in(&new_series(route, method, status), seconds);
    }
    let same = |s: &&Series| s.method == method && s.status == status;
    if let Ok(kept) = KEPT.read()
        && let Some(series) = kept.get(route).and_then(|all| all.iter().find(same))
    {
        return record_in(series, seconds);
    }
    let Ok(mut kept) = KEPT.write() else {
        return record_in(&new_series(route, method, status), seconds);
    };
    let all = kept.entry(route.into()).or_default();
    if !all.iter().any(|s| same(&s)) {
        all.push(new_series(route, method, status));
    }
    if let Some(series) = all.iter().find(same) {
        record_in(series, seconds);
    }
}

#[cfg(test)]
mod tests {
    use super::method_label;

    #[test]
    fn methods_http_defines_are_their_own_label_and_any_other_token_is_other() {
        for m in ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
            assert_eq!(method_label(m), m);
        }
        for m in ["FOO1", "get", "PROPFIND", ""] {
            assert_eq!(method_label(m), "other", "{m}");
        }
    }
}
