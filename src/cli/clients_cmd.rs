//! `vhod clients …`: register, list, change, disable and remove relying parties.

use super::*;

use super::security::commit;

pub(super) async fn clients_cmd(app: &Ctx, cmd: ClientsCmd) -> anyhow::Result<()> {
    match cmd {
        ClientsCmd::Add(a) if a.esia => add_esia(app, &a).await,
        ClientsCmd::Add(a) => {
            let alg = SigningAlg::parse(a.id_token_alg.as_deref().unwrap_or("RS256"))
                .ok_or_else(|| anyhow::anyhow!("--id-token-alg must be {}", SigningAlg::NAMES))?;
            let (client, secret, change) = clients::register_staged(
                &app.store,
                &app.outbound,
                NewClient {
                    name: a.name.clone(),
                    redirect_uris: a.redirect_uris.clone(),
                    is_public: a.public,
                    id_token_alg: alg,
                    grant_types: a.grant_types.clone(),
                    scopes: a.scopes.iter().flat_map(|s| s.split(' ')).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                    auth_method: match &a.auth_method {
                        Some(m) => Some(AuthMethod::parse(m).ok_or_else(|| {
                            anyhow::anyhow!("--auth-method must be client_secret_basic, client_secret_post, private_key_jwt or none")
                        })?),
                        None => None,
                    },
                    jwks: match &a.jwks_file {
                        Some(f) => Some(std::fs::read_to_string(f)?),
                        None => None,
                    },
                    jwks_uri: a.jwks_uri.clone(),
                    pkce_optional: a.pkce_optional,
                    post_logout_redirect_uris: a.post_logout_redirect_uris.clone(),
                    backchannel_logout_uri: a.backchannel_logout_uri.clone(),
                    id: None,
                    require_par: a.require_par,
                    pairwise: a.pairwise,
                    sector_identifier_uri: a.sector_identifier_uri.clone(),
                    require_dpop: a.require_dpop,
                    fapi2: a.fapi2,
                    request_object_alg: a.request_object_alg.clone(),
                    request_uris: a.request_uris.clone(),
                    require_org: a.require_org,
                    ciba_mode: a.ciba_mode.clone(),
                    ciba_notification_endpoint: a.ciba_notification_endpoint.clone(),
                },
            )
            .await?;
            commit(
                change,
                "client.add",
                &client.id,
                serde_json::json!({ "name": client.name, "grant_types": client.grant_types }),
            )
            .await?;
            if a.json {
                println!(
                    "{}",
                    serde_json::json!({ "client_id": client.id, "client_secret": secret })
                );
            } else {
                println!("client_id:     {}", client.id);
                match secret {
                    Some(s) => println!("client_secret: {s}\n(shown once; store it now)"),
                    None => println!("public client: no secret, PKCE required"),
                }
            }
            Ok(())
        }
        ClientsCmd::List { json } => {
            let list = clients::list(&app.store).await?;
            if json {
                let rows: Vec<_> = list
                    .iter()
                    .map(|c| {
                        serde_json::json!({
                            "client_id": c.id, "name": c.name, "redirect_uris": c.redirect_uris,
                            "public": c.is_public, "id_token_alg": c.id_token_alg.name(),
                            "grant_types": c.grant_types, "scopes": c.allowed_scopes,
                            "auth_method": c.auth_method.name(), "require_pkce": c.require_pkce,
                            "require_par": c.require_par, "require_dpop": c.require_dpop,
                            "min_level": c.min_level, "min_acr": c.min_acr,
                            "require_org": c.require_org,
                            "backchannel_token_delivery_mode": c.ciba_mode.map(|m| m.name()),
                        })
                    })
                    .collect();
                println!("{}", serde_json::Value::Array(rows));
            } else {
                for c in list {
                    let kind = if c.is_public {
                        "public"
                    } else {
                        "confidential"
                    };
                    println!(
                        "{}\t{}\t{}\t{}",
                        c.id,
                        kind,
                        c.name,
                        c.redirect_uris.join(" ")
                    );
                }
            }
            Ok(())
        }
        ClientsCmd::Update {
            client_id,
            redirect_uris,
            scopes,
            id_token_alg,
            require_par,
            require_dpop,
            min_level,
            min_acr,
            request_object_alg,
            request_uris,
            require_org,
            esia,
            legacy,
            require_pkce,
        } => {
            let flags = clients::esia::EsiaFlags {
                legacy,
                require_pkce,
            };
            if !esia && (legacy.is_some() || require_pkce.is_some()) {
                anyhow::bail!("--legacy and --require-pkce change ESIA clients: add --esia");
            }
            if esia && clients::esia::find(&app.store, &client_id).await?.is_none() {
                anyhow::bail!("no ESIA client {client_id}");
            }
            let change = clients::SettingsChange {
                scopes: (!scopes.is_empty()).then_some(scopes),
                id_token_alg,
                require_par,
                require_dpop,
                min_level,
                min_acr,
                request_object_alg,
                request_uris: (!request_uris.is_empty()).then_some(request_uris),
                require_org,
            };
            let nothing = redirect_uris.is_empty()
                && change.scopes.is_none()
                && change.id_token_alg.is_none()
                && change.require_par.is_none()
                && change.require_dpop.is_none()
                && change.min_level.is_none()
                && change.min_acr.is_none()
                && change.request_object_alg.is_none()
                && change.request_uris.is_none()
                && change.require_org.is_none();
            let no_flags = flags.legacy.is_none() && flags.require_pkce.is_none();
            if nothing && no_flags {
                anyhow::bail!(
                    "nothing to change: give --redirect-uri, --scope, --id-token-alg, --require-par, --require-dpop, --min-level, --min-acr, --request-object-alg, --request-uri, --require-org (with --esia: --legacy, --require-pkce)"
                );
            }
            if !no_flags {
                let (c, change) =
                    clients::esia::set_flags_staged(&app.store, &client_id, flags).await?;
                commit(
                    change,
                    "client.update",
                    &client_id,
                    serde_json::json!({ "esia": true, "legacy": c.legacy, "require_pkce": c.client.require_pkce }),
                )
                .await?;
                if nothing {
                    println!(
                        "updated {client_id}: legacy {}, require_pkce {}",
                        c.legacy, c.client.require_pkce
                    );
                    return Ok(());
                }
            }
            // The redirect URIs and the settings: one change, one entry.
            let cache = clients::ClientCache::default();
            let mut staged = app.store.change().await?;
            if !redirect_uris.is_empty() {
                clients::set_redirect_uris_in(&cache, &mut staged, &client_id, &redirect_uris)
                    .await?;
            }
            clients::change_settings_in(&cache, &mut staged, &client_id, &change).await?;
            let details = serde_json::json!({
                "redirect_uris": redirect_uris, "scopes": change.scopes, "id_token_alg": change.id_token_alg,
                "require_par": change.require_par, "require_dpop": change.require_dpop,
                "min_level": change.min_level, "min_acr": change.min_acr,
                "request_object_alg": change.request_object_alg, "request_uris": change.request_uris,
                "require_org": change.require_org,
            });
            commit(staged, "client.update", &client_id, details).await?;
            println!("updated {client_id}");
            Ok(())
        }
        ClientsCmd::RotateSecret { client_id, overlap } => {
            let cache = clients::ClientCache::default();
            let (secret, change) =
                clients::rotate_secret_staged(app, &cache, &client_id, overlap).await?;
            commit(
                change,
                "client.rotate_secret",
                &client_id,
                serde_json::json!({ "overlap": overlap }),
            )
            .await?;
            println!("{secret}");
            Ok(())
        }
        ClientsCmd::ReplaceCertificate {
            client_id,
            certificate,
            overlap,
        } => {
            let overlap = overlap.unwrap_or(app.config.esia.certificate_overlap);
            let pem = std::fs::read(&certificate)?;
            let (hash, change) =
                clients::esia::replace_certificate_staged(&app.store, &client_id, &pem, overlap)
                    .await?;
            commit(
                change,
                "client.replace_certificate",
                &client_id,
                serde_json::json!({ "certificate_hash": hash, "overlap": overlap }),
            )
            .await?;
            println!("{hash}");
            Ok(())
        }
        ClientsCmd::Disable { client_id } => {
            let cache = clients::ClientCache::default();
            let change = clients::disable_staged(app, &cache, &client_id).await?;
            commit(change, "client.disable", &client_id, serde_json::json!({})).await?;
            println!("disabled {client_id}");
            Ok(())
        }
        ClientsCmd::Remove { client_id } => {
            let mut change = app.store.change().await?;
            if change.remove_client(&client_id).await? {
                commit(change, "client.remove", &client_id, serde_json::json!({})).await?;
                println!("removed {client_id}");
                Ok(())
            } else {
                anyhow::bail!("no client {client_id}")
            }
        }
    }
}

/// `vhod clients add --esia --client-id MNEMONIC --certificate client.pem --name … --redirect-uri …`
async fn add_esia(app: &Ctx, a: &AddClient) -> anyhow::Result<()> {
    let client_id = a
        .client_id
        .clone()
        .ok_or_else(|| anyhow::anyhow!("--esia needs --client-id MNEMONIC"))?;
    let cert_file = a.certificate.as_ref().ok_or_else(|| {
        anyhow::anyhow!("--esia needs --certificate FILE (the client's GOST certificate)")
    })?;
    let certificate = std::fs::read(cert_file)
        .map_err(|e| anyhow::anyhow!("--certificate {}: {e}", cert_file.display()))?;
    let token_alg = match &a.id_token_alg {
        Some(name) => Some(SigningAlg::parse(name).ok_or_else(|| {
            anyhow::anyhow!("--id-token-alg {name} is not an algorithm vhod signs with")
        })?),
        None => None,
    };
    let (c, change) = clients::esia::register_staged(
        &app.store,
        clients::esia::NewEsiaClient {
            client_id,
            name: a.name.clone(),
            certificate,
            redirect_uris: a.redirect_uris.clone(),
            legacy: a.legacy,
            scopes: a
                .scopes
                .iter()
                .flat_map(|s| s.split(' '))
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            token_alg,
            min_level: a.min_level.clone(),
            require_pkce: a.require_pkce,
        },
    )
    .await?;
    let hash = c
        .certificates
        .first()
        .map(|x| x.hash.clone())
        .unwrap_or_default();
    commit(
        change,
        "client.add",
        &c.client.id,
        serde_json::json!({ "name": c.client.name, "esia": true, "legacy": c.legacy,
                            "require_pkce": c.client.require_pkce, "certificate_hash": hash }),
    )
    .await?;
    if a.json {
        println!(
            "{}",
            serde_json::json!({ "client_id": c.client.id, "certificate_hash": hash,
                                "token_alg": c.client.id_token_alg.name(), "legacy": c.legacy,
                                "require_pkce": c.client.require_pkce })
        );
    } else {
        println!("client_id:        {}", c.client.id);
        println!("certificate_hash: {hash}");
        println!("token alg:        {}", c.client.id_token_alg.name());
    }
    Ok(())
}
