//! Graceful stop: SIGTERM (or Ctrl-C) — after the drain, when `server.drain_secs` is set
//! (`server::drain`) — stops accepting connections, in-flight requests finish within
//! `server.shutdown_secs`, the job worker finishes its job or gives the lease back, and the process
//! exits 0.

/// Resolves on the first SIGTERM or Ctrl-C.
pub async fn signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for SIGTERM; Ctrl-C only");
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
