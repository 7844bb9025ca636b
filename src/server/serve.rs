//! `vhod serve`: the main listener, the optional admin listener (`server.admin_bind`), the key
//! maintenance tick and the job worker, and the graceful stop on SIGTERM (after the drain,
//! `server::drain`, when `server.drain_secs` is set).

use crate::clock::Clock;
use crate::config::Config;
use std::time::Duration;

pub async fn run(config: Config) -> anyhow::Result<()> {
    let bind = config.server.bind.clone();
    let admin_bind = config.server.admin_bind.clone();
    let grace = Duration::from_secs(config.server.shutdown_secs);
    let drain_for = Duration::from_secs(config.server.drain_secs);
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {bind} (server.bind): {e}"))?;
    let admin_listener = if admin_bind.is_empty() {
        None
    } else {
        Some(
            tokio::net::TcpListener::bind(&admin_bind)
                .await
                .map_err(|e| {
                    anyhow::anyhow!("cannot listen on {admin_bind} (server.admin_bind): {e}")
                })?,
        )
    };
    let limits = super::listen::Limits::from_config(&config);
    let (router, ops_router, app) = super::build_apps(config, Clock::default()).await?;
    crate::cli::spawn_key_maintenance(app.clone());
    super::housekeeping::spawn(app.clone());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let drain = super::drain::Drain::default();
    let worker = super::worker::spawn_worker_until(app.clone(), stop_rx.clone());
    if let Some(admin) = admin_listener {
        let mut stop = stop_rx.clone();
        tokio::spawn(super::listen::serve_draining(
            admin,
            ops_router,
            limits,
            drain.clone(),
            async move {
                let _ = stop.wait_for(|s| *s).await;
            },
        ));
    }
    tracing::info!(bind = %bind, admin_bind = %admin_bind, issuer = %app.issuer(), "vhod listening");
    let mut stop = stop_rx.clone();
    let server =
        super::listen::serve_draining(listener, router, limits, drain.clone(), async move {
            let _ = stop.wait_for(|s| *s).await;
        });
    let mut server = std::pin::pin!(server);
    tokio::select! {
        () = &mut server => return Ok(()),
        () = super::shutdown::signal() => {}
    }
    if drain_for > Duration::ZERO {
        tracing::info!(
            drain_secs = drain_for.as_secs(),
            "draining: /readyz answers 503, requests still served"
        );
        drain.start();
        tokio::select! {
            () = &mut server => return Ok(()),
            () = tokio::time::sleep(drain_for) => {}
            () = super::shutdown::signal() => tracing::info!("a second signal: the drain cut short"),
        }
    }
    tracing::info!(
        grace_secs = grace.as_secs(),
        "stopping: no new connections, finishing requests"
    );
    let _ = stop_tx.send(true);
    let deadline = tokio::time::Instant::now() + grace;
    if tokio::time::timeout_at(deadline, &mut server)
        .await
        .is_err()
    {
        tracing::warn!("requests still running after server.shutdown_secs: stopping anyway");
    }
    // The worker claims nothing more; the job it runs may finish until the deadline, else the task
    // is dropped and its lease given back (worker::LeaseGuard).
    let abort = worker.abort_handle();
    if tokio::time::timeout_at(deadline, worker).await.is_err() {
        abort.abort();
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tracing::info!("stopped");
    Ok(())
}
