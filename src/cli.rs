//! Command line: serve | migrate | clients … | accounts …. Every command reads the same configuration
//! and works on the same database as `serve`, whether or not the server runs.

use crate::app::{AppState, build_app};
use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::keyring::SigningAlg;
use crate::identity::registration::{self, RegistrationForm};
use crate::oidc::clients::{self, AuthMethod, NewClient};
use clap::{Args, Parser, Subcommand};
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "vhod",
    version,
    about = "vhod — unified identity provider for public services"
)]
pub struct Cli {
    /// Configuration file layered over config/default.toml (env VHOD_CONFIG).
    #[arg(long, global = true, env = "VHOD_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server.
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Relying parties (OAuth clients).
    #[command(subcommand)]
    Clients(ClientsCmd),
    /// Citizen accounts.
    #[command(subcommand)]
    Accounts(AccountsCmd),
    /// Signing keys: list, rotate, revoke. A running server picks changes up within seconds.
    #[command(subcommand)]
    Keys(KeysCmd),
    /// The hash-chained audit log.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Administrators: roles, and bootstrap tokens for the admin API.
    #[command(subcommand)]
    Admin(AdminCmd),
}

#[derive(Subcommand, Debug)]
pub enum AdminCmd {
    /// Give an account an administrator role (security_admin, operator, auditor).
    Grant {
        #[arg(long)]
        account: String,
        #[arg(long)]
        role: String,
    },
    /// A short-lived token for the admin API (before administrators sign in with a second factor).
    BootstrapToken {
        /// Repeat for several roles.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Lifetime in seconds (at most a day).
        #[arg(long, default_value = "3600")]
        ttl: i64,
        #[arg(long, default_value = "bootstrap")]
        label: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Walk the chain; exit 1 naming the first entry that was changed, inserted or removed.
    Verify,
    /// Entries since a time (unix seconds or YYYY-MM-DD, UTC) as JSON lines.
    Export {
        #[arg(long, default_value = "0")]
        since: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeysCmd {
    /// Every key with its state (next, active, retired, expired, revoked); never private parts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// A new key: published now as `next`, signing after keys.prepublish_secs; with --now at once.
    Rotate {
        /// RS256 or ES256 (default: both).
        #[arg(long)]
        alg: Option<String>,
        #[arg(long)]
        now: bool,
    },
    /// Import an existing private key (PEM) as the next key, or the active one with --now.
    Import {
        #[arg(long)]
        alg: String,
        #[arg(long = "pem-file")]
        pem_file: PathBuf,
        #[arg(long)]
        now: bool,
    },
    /// Re-encrypt every stored key under a new KEK (created if the file is missing), in one
    /// transaction. Rollout without downtime: add the new file to keys.extra_kek_files on every
    /// node, rewrap, then make it keys.kek_file (old one in extra_kek_files until all nodes moved).
    Rewrap {
        #[arg(long = "new-kek-file")]
        new_kek_file: PathBuf,
    },
    /// Remove a key from the JWKS at once; every token it signed is refused from then on.
    Revoke {
        kid: String,
        #[arg(long, required = true)]
        reason: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ClientsCmd {
    /// Register a client; prints its id and (once) its secret.
    Add(Box<AddClient>),
    /// List clients.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a client with its grants and consents.
    Remove { client_id: String },
    /// Change a client: redirect URIs (replaced; exact match), scopes, algorithm, PAR/DPoP, minimums.
    Update {
        client_id: String,
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        /// Replaces the client_credentials scopes; repeat for several.
        #[arg(long = "scope")]
        scopes: Vec<String>,
        #[arg(long = "id-token-alg")]
        id_token_alg: Option<String>,
        #[arg(long = "require-par")]
        require_par: Option<bool>,
        #[arg(long = "require-dpop")]
        require_dpop: Option<bool>,
        /// simplified, standard or confirmed.
        #[arg(long = "min-level")]
        min_level: Option<String>,
        /// urn:vhod:acr:low, urn:vhod:acr:substantial or urn:vhod:acr:high.
        #[arg(long = "min-acr")]
        min_acr: Option<String>,
    },
    /// A new secret, shown once; the old one keeps working for --overlap seconds.
    RotateSecret {
        client_id: String,
        #[arg(long, default_value = "86400")]
        overlap: i64,
    },
    /// Disable: no more authentication, and its tokens stop working.
    Disable { client_id: String },
}

#[derive(Args, Debug)]
pub struct AddClient {
    #[arg(long)]
    pub name: String,
    /// Exact redirect URI; repeat for several (required for authorization_code).
    #[arg(long = "redirect-uri")]
    pub redirect_uris: Vec<String>,
    /// Grant type; repeat for several: authorization_code, refresh_token, client_credentials
    /// (default: authorization_code and refresh_token).
    #[arg(long = "grant-type")]
    pub grant_types: Vec<String>,
    /// Scope the client may request with client_credentials; repeat for several.
    #[arg(long = "scope")]
    pub scopes: Vec<String>,
    /// client_secret_basic (default), client_secret_post, private_key_jwt, or none (public).
    #[arg(long = "auth-method")]
    pub auth_method: Option<String>,
    /// The client's JWK Set URL (private_key_jwt, signed request objects).
    #[arg(long = "jwks-uri")]
    pub jwks_uri: Option<String>,
    /// A file with the client's JWK Set (instead of --jwks-uri).
    #[arg(long = "jwks-file")]
    pub jwks_file: Option<PathBuf>,
    /// Where RP-initiated logout may return the browser; repeat for several.
    #[arg(long = "post-logout-redirect-uri")]
    pub post_logout_redirect_uris: Vec<String>,
    /// Back-channel logout endpoint of the client.
    #[arg(long = "backchannel-logout-uri")]
    pub backchannel_logout_uri: Option<String>,
    /// Authorization requests must be pushed first (PAR, RFC 9126).
    #[arg(long = "require-par")]
    pub require_par: bool,
    /// Pairwise subject identifiers instead of the public one.
    #[arg(long)]
    pub pairwise: bool,
    /// With --pairwise: URL of the JSON list of redirect URIs that defines the sector.
    #[arg(long = "sector-identifier-uri")]
    pub sector_identifier_uri: Option<String>,
    /// Access and refresh tokens must be DPoP-bound (RFC 9449).
    #[arg(long = "require-dpop")]
    pub require_dpop: bool,
    /// FAPI 2.0 client: PAR, PKCE S256, private_key_jwt (needs --jwks-uri/--jwks-file), DPoP, ES256.
    #[arg(long)]
    pub fapi2: bool,
    /// Confidential clients only: allow authorization requests without PKCE.
    #[arg(long = "pkce-optional")]
    pub pkce_optional: bool,
    /// Public client (no secret; PKCE only), e.g. a mobile or single-page app.
    #[arg(long)]
    pub public: bool,
    /// Token signing algorithm (ID tokens and access tokens): RS256 (default) or ES256.
    #[arg(long = "id-token-alg", default_value = "RS256")]
    pub id_token_alg: String,
    /// Print {"client_id": …, "client_secret": …}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum AccountsCmd {
    /// Register a person in person, as a service-centre operator does; password read from stdin.
    Create(CreateAccount),
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("contact").required(true).args(["phone", "email"])))]
pub struct CreateAccount {
    #[arg(long)]
    pub surname: String,
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    /// Read the password from standard input (never from the command line).
    #[arg(long = "password-stdin", required = true)]
    pub password_stdin: bool,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            AppState::open(config, Clock::default()).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Admin(cmd) => {
            let app = AppState::open(config, Clock::default()).await?;
            admin_cmd(&app, cmd).await
        }
        Command::Audit(cmd) => {
            let app = AppState::open(config, Clock::default()).await?;
            audit_cmd(&app, cmd).await
        }
        Command::Keys(cmd) => {
            let app = AppState::open(config, Clock::default()).await?;
            keys_cmd(&app, cmd).await
        }
        Command::Clients(cmd) => {
            let app = AppState::open(config, Clock::default()).await?;
            clients_cmd(&app, cmd).await
        }
        Command::Accounts(AccountsCmd::Create(c)) => {
            let app = AppState::open(config, Clock::default()).await?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let contact = c.phone.or(c.email).unwrap_or_default();
            let account = registration::register_in_person(
                &app,
                RegistrationForm {
                    surname: &c.surname,
                    given_name: &c.name,
                    contact: &contact,
                },
                password,
            )
            .await?;
            // No personal data in the audit log: the account id says who.
            record(
                &app,
                "account.register_in_person",
                &account.id,
                serde_json::json!({}),
            )
            .await?;
            println!("{}", account.id);
            Ok(())
        }
    }
}

/// Who acts from the command line: the operating-system user.
fn cli_actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

async fn record(
    app: &AppState,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> anyhow::Result<()> {
    app.store
        .append_audit(crate::store::audit::AuditEntry {
            actor: &cli_actor(),
            action,
            target,
            request_id: &crate::crypto::random_token()[..16],
            details,
        })
        .await?;
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

async fn admin_cmd(app: &AppState, cmd: AdminCmd) -> anyhow::Result<()> {
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
            app.store.grant_role(&account, r.name()).await?;
            record(
                app,
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
            let (token, expires) =
                crate::admin::auth::issue_bootstrap_token(app, &roles, &label, ttl).await?;
            let names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
            record(
                app,
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

async fn audit_cmd(app: &AppState, cmd: AuditCmd) -> anyhow::Result<()> {
    match cmd {
        AuditCmd::Verify => match app.store.verify_audit().await? {
            None => {
                let n = app.store.audit_since(0).await?.len();
                println!("audit log intact: {n} entries");
                Ok(())
            }
            Some((seq, why)) => anyhow::bail!("audit log broken at entry {seq}: {why}"),
        },
        AuditCmd::Export { since } => {
            for row in app.store.audit_since(parse_since(&since)?).await? {
                println!("{}", serde_json::to_string(&row)?);
            }
            Ok(())
        }
    }
}

async fn keys_cmd(app: &AppState, cmd: KeysCmd) -> anyhow::Result<()> {
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
                        .ok_or_else(|| anyhow::anyhow!("--alg must be RS256 or ES256"))?,
                ],
            };
            for alg in algs {
                let kid = app
                    .keyring
                    .rotate(&app.store, alg, now, keep_retired(&app.config))
                    .await
                    .map_err(|e| match e {
                        crate::crypto::keyring::KeyError::Store(crate::store::StoreError::Conflict) => {
                            anyhow::anyhow!("a next {} key is already published; use --now to activate a new key", alg.name())
                        }
                        e => e.into(),
                    })?;
                let state = if now { "active" } else { "next" };
                record(
                    app,
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
                .ok_or_else(|| anyhow::anyhow!("--alg must be RS256 or ES256"))?;
            let pem = std::fs::read(&pem_file)?;
            let kid = app
                .keyring
                .import_pem(&app.store, alg, &pem, now, keep_retired(&app.config))
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
            record(
                app,
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
            let n = app.keyring.rewrap(&app.store, &new).await?;
            record(app, "key.rewrap", "all", serde_json::json!({ "keys": n })).await?;
            println!("rewrapped {n} keys under {}", new_kek_file.display());
            Ok(())
        }
        KeysCmd::Revoke { kid, reason } => match app.keyring.revoke(&app.store, &kid).await? {
            Revoked::Unknown => anyhow::bail!("no key {kid} (or already revoked)"),
            Revoked::Done { replacement } => {
                tracing::warn!(kid, reason, "signing key revoked");
                record(
                    app,
                    "key.revoke",
                    &kid,
                    serde_json::json!({ "reason": reason, "replacement": replacement }),
                )
                .await?;
                println!("revoked {kid}");
                if let Some(r) = replacement {
                    println!("{r} now signs in its place");
                }
                Ok(())
            }
        },
    }
}

async fn clients_cmd(app: &AppState, cmd: ClientsCmd) -> anyhow::Result<()> {
    match cmd {
        ClientsCmd::Add(a) => {
            let alg = SigningAlg::parse(&a.id_token_alg)
                .ok_or_else(|| anyhow::anyhow!("--id-token-alg must be RS256 or ES256"))?;
            let (client, secret) = clients::register(
                &app.store,
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
                },
            )
            .await?;
            record(
                app,
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
        } => {
            let change = clients::SettingsChange {
                scopes: (!scopes.is_empty()).then_some(scopes),
                id_token_alg,
                require_par,
                require_dpop,
                min_level,
                min_acr,
            };
            let nothing = redirect_uris.is_empty()
                && change.scopes.is_none()
                && change.id_token_alg.is_none()
                && change.require_par.is_none()
                && change.require_dpop.is_none()
                && change.min_level.is_none()
                && change.min_acr.is_none();
            if nothing {
                anyhow::bail!(
                    "nothing to change: give --redirect-uri, --scope, --id-token-alg, --require-par, --require-dpop, --min-level or --min-acr"
                );
            }
            if !redirect_uris.is_empty() {
                clients::set_redirect_uris(app, &client_id, &redirect_uris).await?;
            }
            clients::change_settings(app, &client_id, &change).await?;
            let details = serde_json::json!({
                "redirect_uris": redirect_uris, "scopes": change.scopes, "id_token_alg": change.id_token_alg,
                "require_par": change.require_par, "require_dpop": change.require_dpop,
                "min_level": change.min_level, "min_acr": change.min_acr,
            });
            record(app, "client.update", &client_id, details).await?;
            println!("updated {client_id}");
            Ok(())
        }
        ClientsCmd::RotateSecret { client_id, overlap } => {
            let secret = clients::rotate_secret(app, &client_id, overlap).await?;
            record(
                app,
                "client.rotate_secret",
                &client_id,
                serde_json::json!({ "overlap": overlap }),
            )
            .await?;
            println!("{secret}");
            Ok(())
        }
        ClientsCmd::Disable { client_id } => {
            clients::disable(app, &client_id).await?;
            record(app, "client.disable", &client_id, serde_json::json!({})).await?;
            println!("disabled {client_id}");
            Ok(())
        }
        ClientsCmd::Remove { client_id } => {
            if app.store.remove_client(&client_id).await? {
                record(app, "client.remove", &client_id, serde_json::json!({})).await?;
                println!("removed {client_id}");
                Ok(())
            } else {
                anyhow::bail!("no client {client_id}")
            }
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let bind = config.server.bind.clone();
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {bind} (server.bind): {e}"))?;
    let (router, app) = build_app(config, Clock::default()).await?;
    spawn_key_maintenance(app.clone());
    crate::jobs::spawn_worker(app.clone());
    tracing::info!(bind = %bind, issuer = %app.issuer(), "vhod listening");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

/// Keys may change from the CLI or another node, and their lifecycle moves on with time: every
/// node runs the maintenance tick.
pub fn spawn_key_maintenance(app: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
        loop {
            tick.tick().await;
            if let Err(e) =
                crate::crypto::maintenance::tick(&app.store, &app.keyring, &app.config).await
            {
                tracing::warn!(error = %e, "key maintenance failed");
            }
        }
    });
}
