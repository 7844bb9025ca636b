//! The process's log: human-readable lines, or one JSON object per line (`log.format = "json"`)
//! carrying the request span's fields (request id, method, path without the query, route, status,
//! client id, account id) with every event. Nothing a request sends is logged as it came: no query
//! string, form, header or cookie, so no secret, code, token or password reaches the log.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

fn filter() -> EnvFilter {
    EnvFilter::try_from_env("VHOD_LOG").unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Installs the global subscriber writing to stderr; `format` is "json" or anything else for text.
pub fn init(format: &str) {
    init_with(format, std::io::stderr, filter());
}

/// As [`init`], writing to `writer` with `filter` (tests capture the log this way). A second call
/// in one process leaves the first subscriber in place.
pub fn init_with<W>(format: &str, writer: W, filter: EnvFilter)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let _ = if format == "json" {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .flatten_event(true)
            .try_init()
    } else {
        builder.try_init()
    };
}
