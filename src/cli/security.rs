//! Security-administration commands: keys, audit, administrators.

use super::*;
use crate::store::audit_reads::{AUDIT_CHUNK, ChainCheck};

/// Who acts from the command line: the operating-system user.
pub(super) fn cli_actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

/// Commits a command's change with its audit entry: both or neither.
pub(super) async fn commit(
    change: crate::store::change::Change<'_>,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> anyhow::Result<()> {
    change
        .commit(crate::store::audit::AuditEntry {
            actor: &cli_actor(),
            action,
            target,
            request_id: &crate::request_id::current(),
            details,
        })
        .await?;
    Ok(())
}

/// [`commit`] for a change of the signing keys: this process's keyring follows it.
async fn commit_keys(
    app: &Ctx,
    change: crate::store::change::Change<'_>,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> anyhow::Result<()> {
    let actor = cli_actor();
    let request_id = crate::request_id::current();
    let entry = crate::store::audit::AuditEntry {
        actor: &actor,
        action,
        target,
        request_id: &request_id,
        details,
    };
    app.keyring.commit(&app.store, change, entry).await?;
    Ok(())
}

/// Unix seconds, or a UTC date YYYY-MM-DD.
fn parse_since(s: &str) -> anyhow::Result<i64> {
    if let Ok(n) = s.parse::<i64>() {
        return Ok(n);
    }
    let parts: Vec<i64> = s
        .split('-')
        .map(|p| p.parse::<i64>())
        .collect::<Result<_, _>>()?;
    let [y, m, d] = parts[..] else {
        anyhow::bail!("--since takes unix seconds or YYYY-MM-DD");
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Ok((era * 146_097 + doe - 719_468) * 86_400)
}

pub(super) async fn admin_cmd(app: &Ctx, cmd: AdminCmd) -> anyhow::Result<()> {
    use crate::admin::Role;
    let role = |r: &str| {
        Role::parse(r)
            .ok_or_else(|| anyhow::anyhow!("role must be security_admin, operator or auditor"))
    };
    match cmd {
        AdminCmd::Grant { account, role: r } => {
            let r = role(&r)?;
            app.store
                .account(&account)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no account {account}"))?;
            let mut change = app.store.change().await?;
            change.grant_role(&account, r.name()).await?;
            commit(
                change,
                "admin.grant_role",
                &account,
                serde_json::json!({ "role": r.name() }),
            )
            .await?;
            println!("{account} is {}", r.name());
            Ok(())
        }
        AdminCmd::BootstrapToken { roles, ttl, label } => {
            if !(1..=86_400).contains(&ttl) {
                anyhow::bail!("--ttl must be between 1 and 86400 seconds");
            }
            let roles: Vec<Role> = roles
                .iter()
                .map(|r| role(r))
                .collect::<anyhow::Result<_>>()?;
            let (token, expires, change) =
                crate::admin::auth::issue_bootstrap_token_staged(app, &roles, &label, ttl).await?;
            let names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
            commit(
                change,
                "admin.bootstrap_token",
                &label,
                serde_json::json!({ "roles": names, "expires_at": expires }),
            )
            .await?;
            println!("{token}");
            Ok(())
        }
    }
}

pub(super) async fn audit_cmd(app: &Ctx, cmd: AuditCmd) -> anyhow::Result<()> {
    match cmd {
        AuditCmd::Verify => match app.store.audit_chain(AUDIT_CHUNK).await? {
            ChainCheck {
                entries,
                broken: None,
            } => {
                println!("audit log intact: {entries} entries");
                Ok(())
            }
            ChainCheck {
                broken: Some((seq, why)),
                ..
            } => anyhow::bail!("audit log broken at entry {seq}: {why}"),
        },
        AuditCmd::Export { since } => export(app, parse_since(&since)?).await,
    }
}

/// Writes the log from `since` as JSON lines a chunk at a time: the command holds one chunk,
/// however long the log.
async fn export(app: &Ctx, since: i64) -> anyhow::Result<()> {
    use std::io::Write;
    let mut after = 0;
    loop {
        let rows = app.store.audit_after(since, after, AUDIT_CHUNK).await?;
        let mut out = std::io::stdout().lock();
        for row in &rows {
            serde_json::to_writer(&mut out, row)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
        match rows.last() {
            Some(last) if rows.len() as i64 == AUDIT_CHUNK => after = last.seq,
            _ => return Ok(()),
        }
    }
}

/// Reseals the authenticator-app secrets under `new` a batch at a time, each batch committed with
/// its audit entry (the accounts it covers), so sign-ins go on meanwhile; returns how many.
async fn rewrap_totp(app: &Ctx, new: &crate::crypto::kek::Kek) -> anyhow::Result<usize> {
    let mut rewrap = crate::crypto::keyring::TotpRewrap::default();
    while !rewrap.done() {
        let mut change = app.store.change().await?;
        if let Some(b) = rewrap.next(&app.keyring, &mut change, new).await? {
            commit(
                change,
                "totp.rewrap",
                "all",
                serde_json::json!({ "secrets": b.secrets, "after": b.after, "through": b.through }),
            )
            .await?;
        }
    }
    Ok(rewrap.total())
}

pub(super) async fn keys_cmd(app: &Ctx, cmd: KeysCmd) -> anyhow::Result<()> {
    use crate::crypto::keyring::Revoked;
    use crate::crypto::maintenance::keep_retired;
    match cmd {
        KeysCmd::List { json } => {
            let keys = app.store.all_signing_keys().await?;
            if json {
                let rows: Vec<_> = keys
                    .iter()
                    .map(|k| {
                        serde_json::json!({
                            "kid": k.kid, "alg": k.alg, "state": k.state, "created_at": k.created_at,
                            "activated_at": k.activated_at, "retired_at": k.retired_at, "revoked_at": k.revoked_at,
                        })
                    })
                    .collect();
                println!("{}", serde_json::Value::Array(rows));
            } else {
                for k in keys {
                    println!("{}\t{}\t{}", k.kid, k.alg, k.state);
                }
            }
            Ok(())
        }
        KeysCmd::Rotate { alg, now } => {
            let algs = match alg.as_deref() {
                None => SigningAlg::ALL.to_vec(),
                Some(a) => vec![
                    SigningAlg::parse(a)
                        .ok_or_else(|| anyhow::anyhow!("--alg must be {}", SigningAlg::NAMES))?,
                ],
            };
            for alg in algs {
                let (kid, change) = app
                    .keyring
                    .rotate_staged(&app.store, alg, now, keep_retired(&app.config))
                    .await
                    .map_err(|e| match e {
                        crate::crypto::keyring::KeyError::Store(crate::store::StoreError::Conflict) => {
                            anyhow::anyhow!("a next {} key is already published; use --now to activate a new key", alg.name())
                        }
                        e => e.into(),
                    })?;
                let state = if now { "active" } else { "next" };
                commit_keys(
                    app,
                    change,
                    "key.rotate",
                    &kid,
                    serde_json::json!({ "alg": alg.name(), "state": state }),
                )
                .await?;
                println!("{kid}\t{}\t{state}", alg.name());
            }
            Ok(())
        }
        KeysCmd::Import { alg, pem_file, now } => {
            let alg = SigningAlg::parse(&alg)
                .ok_or_else(|| anyhow::anyhow!("--alg must be {}", SigningAlg::NAMES))?;
            let pem = std::fs::read(&pem_file)?;
            let (kid, change) = app
                .keyring
                .import_pem_staged(&app.store, alg, &pem, now, keep_retired(&app.config))
                .await
                .map_err(|e| match e {
                    crate::crypto::keyring::KeyError::Store(crate::store::StoreError::Conflict) => {
                        anyhow::anyhow!(
                            "a next {} key is already published; import with --now",
                            alg.name()
                        )
                    }
                    e => e.into(),
                })?;
            let state = if now { "active" } else { "next" };
            commit_keys(
                app,
                change,
                "key.import",
                &kid,
                serde_json::json!({ "alg": alg.name(), "state": state }),
            )
            .await?;
            println!("{kid}\t{}\t{state}", alg.name());
            Ok(())
        }
        KeysCmd::Rewrap { new_kek_file } => {
            let new = crate::crypto::kek::Kek::load_or_create(&new_kek_file)?;
            let mut change = app.store.change().await?;
            let n = app.keyring.rewrap_in(&mut change, &new).await?;
            commit(
                change,
                "key.rewrap",
                "all",
                serde_json::json!({ "keys": n }),
            )
            .await?;
            println!("rewrapped {n} keys under {}", new_kek_file.display());
            let secrets = rewrap_totp(app, &new).await?;
            if secrets > 0 {
                println!("resealed {secrets} authenticator-app secrets");
            }
            Ok(())
        }
        KeysCmd::Certificate { alg, kid } => {
            let alg = SigningAlg::parse(&alg)
                .filter(|a| a.gost_size().is_some())
                .ok_or_else(|| {
                    anyhow::anyhow!("--alg must be GOST3410_2012_256 or GOST3410_2012_512")
                })?;
            let certs = app.keyring.gost_certificates();
            let cert = match &kid {
                Some(kid) => certs.iter().find(|c| c.kid == *kid),
                None => certs.iter().rfind(|c| c.alg == alg && c.state == "active"),
            }
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "no published GOST key {}",
                    kid.as_deref().unwrap_or(alg.name())
                )
            })?;
            print!("{}", cert.pem());
            Ok(())
        }
        KeysCmd::Revoke { kid, reason } => match app.keyring.revoke_staged(&app.store, &kid).await?
        {
            (Revoked::Unknown, _) => anyhow::bail!("no key {kid} (or already revoked)"),
            (Revoked::Done { replacement }, change) => {
                commit_keys(
                    app,
                    change,
                    "key.revoke",
                    &kid,
                    serde_json::json!({ "reason": reason, "replacement": replacement }),
                )
                .await?;
                tracing::warn!(kid, reason, "signing key revoked");
                println!("revoked {kid}");
                if let Some(r) = replacement {
                    println!("{r} now signs in its place");
                }
                Ok(())
            }
        },
    }
}
