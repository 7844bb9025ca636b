//! Command line: serve | migrate | clients … | accounts …. Every command reads the same configuration
//! and works on the same database as `serve`, whether or not the server runs.

use crate::clients::{self, AuthMethod, NewClient};
use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::keyring::SigningAlg;
use crate::ctx::Ctx;
use crate::identity::registration::{self, RegistrationForm};
use crate::server;
use clap::{Args, Parser, Subcommand};
use std::io::Read;
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
    /// Sign a login challenge with a certificate and its key: prints a base64 detached CMS signature
    /// to paste on the «Войти с электронной подписью» page.
    SignChallenge(SignChallenge),
    /// Service-centre operator actions.
    #[command(subcommand)]
    Operator(OperatorCmd),
    /// JSON Web Signatures: `vhod jws verify --key KEY.pem TOKEN` (GOST tokens as ESIA issues them).
    #[command(subcommand)]
    Jws(jws_cmd::JwsCmd),
    #[command(flatten)]
    Ops(ops::OpsCmd),
}

#[derive(Args, Debug)]
pub struct SignChallenge {
    /// The challenge shown on the page; `-` reads it from standard input.
    pub challenge: String,
    /// The signer's certificate (PEM).
    #[arg(long)]
    pub cert: PathBuf,
    /// The private key (PKCS#8 PEM, unencrypted): ECDSA P-256, RSA, or GOST R 34.10-2012 256/512
    /// as OpenSSL's gost engine writes it (the CMS then uses Streebog, as the engine and CryptoPro do).
    #[arg(long)]
    pub key: PathBuf,
    /// Intermediate CA certificates to attach (PEM).
    #[arg(long)]
    pub chain: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum OperatorCmd {
    /// Confirm a standard-level person whose passport the operator has checked in person.
    Confirm {
        #[arg(long)]
        snils: String,
        #[arg(long)]
        series: String,
        #[arg(long)]
        number: String,
        /// Account id of the operator (must hold the `operator` role); recorded in the audit log.
        #[arg(long)]
        operator: String,
    },
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
        /// RS256, ES256, GOST3410_2012_256 or GOST3410_2012_512 (default: all).
        #[arg(long)]
        alg: Option<String>,
        #[arg(long)]
        now: bool,
    },
    /// Import an existing private key (PEM) as the next key, or the active one with --now.
    /// GOST: the unencrypted PKCS#8 PEM OpenSSL's gost engine writes (`openssl genpkey`).
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
    /// Print the self-signed certificate (PEM) of the GOST key that signs for --alg now (or of
    /// --kid): what portals verifying vhod's GOST tokens with a certificate are given, the same
    /// as GET /keys/gost-256.pem serves.
    Certificate {
        /// GOST3410_2012_256 (default) or GOST3410_2012_512.
        #[arg(long, default_value = "GOST3410_2012_256")]
        alg: String,
        #[arg(long)]
        kid: Option<String>,
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
        /// The one algorithm request objects must use (none, RS256, PS256, ES256); "" = its keys'.
        #[arg(long = "request-object-alg")]
        request_object_alg: Option<String>,
        /// Replaces the registered request_uri values; repeat for several.
        #[arg(long = "request-uri")]
        request_uris: Vec<String>,
        /// true: people sign in only on behalf of an organisation; false: as themselves too.
        #[arg(long = "require-org")]
        require_org: Option<bool>,
        /// The client is an ESIA client (`clients add --esia`): allows --legacy and --require-pkce.
        #[arg(long)]
        esia: bool,
        /// With --esia: the client also uses the old protocol (/aas/oauth2/ac, detached CMS).
        #[arg(long)]
        legacy: Option<bool>,
        /// With --esia: every authorization request must carry PKCE (code_challenge S256).
        #[arg(long = "require-pkce")]
        require_pkce: Option<bool>,
    },
    /// A new secret, shown once; the old one keeps working for --overlap seconds.
    RotateSecret {
        client_id: String,
        #[arg(long, default_value = "86400")]
        overlap: i64,
    },
    /// Disable: no more authentication, and its tokens stop working.
    Disable { client_id: String },
    /// ESIA clients: register a new certificate; the current one keeps working for --overlap
    /// seconds (default: esia.certificate_overlap).
    ReplaceCertificate {
        client_id: String,
        #[arg(long, required = true)]
        certificate: PathBuf,
        #[arg(long)]
        overlap: Option<i64>,
    },
}

#[derive(Args, Debug)]
pub struct AddClient {
    #[arg(long)]
    pub name: String,
    /// Exact redirect URI; repeat for several (required for authorization_code).
    #[arg(long = "redirect-uri")]
    pub redirect_uris: Vec<String>,
    /// Grant type; repeat for several: authorization_code, refresh_token, client_credentials,
    /// urn:ietf:params:oauth:grant-type:device_code (or device_code), urn:openid:params:grant-type:ciba
    /// (or ciba) (default: authorization_code and refresh_token).
    #[arg(long = "grant-type")]
    pub grant_types: Vec<String>,
    /// CIBA clients: how the client learns of the decision, poll (default) or ping.
    #[arg(long = "ciba-mode")]
    pub ciba_mode: Option<String>,
    /// CIBA ping mode: the client's backchannel_client_notification_endpoint.
    #[arg(long = "ciba-notification-endpoint")]
    pub ciba_notification_endpoint: Option<String>,
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
    /// Token signing algorithm (ID tokens and access tokens): RS256 (default), ES256,
    /// GOST3410_2012_256 or GOST3410_2012_512 (ESIA clients: GOST3410_2012_256 by default).
    #[arg(long = "id-token-alg")]
    pub id_token_alg: Option<String>,
    /// People sign in only on behalf of an organisation (scope `organization`; no «как частное
    /// лицо»): one without an organisation is refused.
    #[arg(long = "require-org")]
    pub require_org: bool,
    /// The one algorithm request objects must use: none, RS256, PS256 or ES256 (default: any
    /// algorithm of the registered keys; unsigned objects only with none).
    #[arg(long = "request-object-alg")]
    pub request_object_alg: Option<String>,
    /// A request_uri the client will use (only registered ones are fetched); repeat for several.
    #[arg(long = "request-uri")]
    pub request_uris: Vec<String>,
    /// An ESIA client (the ESIA protocol at /aas/oauth2/…): needs --client-id and --certificate.
    #[arg(long)]
    pub esia: bool,
    /// With --esia: the client's mnemonic (ESIA's client_id), e.g. PORTAL_01.
    #[arg(long = "client-id")]
    pub client_id: Option<String>,
    /// With --esia: the client's GOST R 34.10-2012 certificate (PEM or DER file).
    #[arg(long)]
    pub certificate: Option<PathBuf>,
    /// With --esia: the client also uses the old protocol (/aas/oauth2/ac, detached CMS).
    #[arg(long)]
    pub legacy: bool,
    /// With --esia: the account level a person needs (simplified, standard, confirmed).
    #[arg(long = "min-level")]
    pub min_level: Option<String>,
    /// With --esia: every authorization request must carry PKCE (otherwise optional, as in ESIA).
    #[arg(long = "require-pkce")]
    pub require_pkce: bool,
    /// Print {"client_id": …, "client_secret": …} ({"client_id", "certificate_hash"} with --esia).
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

mod clients_cmd;
mod jws_cmd;
mod ops;
mod security;

use clients_cmd::clients_cmd;
use security::{admin_cmd, audit_cmd, commit, keys_cmd};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Jws(cmd) => jws_cmd::jws_cmd(cmd),
        Command::Ops(cmd) => ops::run(config, cmd).await,
        Command::SignChallenge(s) => sign_challenge(&s),
        Command::Serve => server::serve::run(config).await,
        Command::Migrate => {
            server::open(config, Clock::default()).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Admin(cmd) => {
            let app = server::open(config, Clock::default()).await?;
            admin_cmd(&app, cmd).await
        }
        Command::Operator(OperatorCmd::Confirm {
            snils,
            series,
            number,
            operator,
        }) => {
            let app = server::open(config, Clock::default()).await?;
            if !app
                .store
                .roles_of(&operator)
                .await?
                .iter()
                .any(|r| r == "operator")
            {
                anyhow::bail!("account {operator} does not hold the operator role");
            }
            let snils: crate::identity::validation::Snils = snils
                .parse()
                .map_err(|_| anyhow::anyhow!("the SNILS is invalid"))?;
            let account = crate::identity::service_centre::confirm(
                &app,
                &snils,
                &series,
                &number,
                &format!("admin:{operator}"),
            )
            .await?;
            println!("{account} confirmed");
            Ok(())
        }
        Command::Audit(cmd) => {
            let app = server::open(config, Clock::default()).await?;
            audit_cmd(&app, cmd).await
        }
        Command::Keys(cmd) => {
            let app = server::open(config, Clock::default()).await?;
            keys_cmd(&app, cmd).await
        }
        Command::Clients(cmd) => {
            let app = server::open(config, Clock::default()).await?;
            clients_cmd(&app, cmd).await
        }
        Command::Accounts(AccountsCmd::Create(c)) => {
            let app = server::open(config, Clock::default()).await?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let contact = c.phone.or(c.email).unwrap_or_default();
            let (account, change) = registration::register_in_person_staged(
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
            commit(
                change,
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

/// Keys may change from the CLI or another node, and their lifecycle moves on with time: every
/// node runs the maintenance tick.
pub fn spawn_key_maintenance(app: Ctx) {
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

fn sign_challenge(s: &SignChallenge) -> anyhow::Result<()> {
    use base64::Engine;
    let challenge = if s.challenge == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        text.trim_end_matches(['\r', '\n']).to_string()
    } else {
        s.challenge.clone()
    };
    let read = |p: &PathBuf| std::fs::read(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()));
    let chain = match &s.chain {
        Some(p) => read(p)?,
        None => Vec::new(),
    };
    let der = crate::authn::qes::sign::sign_detached(
        challenge.as_bytes(),
        &read(&s.cert)?,
        &read(&s.key)?,
        &chain,
    )?;
    println!("{}", base64::engine::general_purpose::STANDARD.encode(der));
    Ok(())
}
