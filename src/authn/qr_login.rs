//! «Войти по QR-коду»: a desktop browser asks, a phone where the person is signed in approves.
//!
//! The desktop gets a short code (shown as a QR code and as text) and a secret in an HttpOnly
//! cookie; the request lives in the shared cache for [`TTL`] under the code, holding only the
//! secret's hash, so any node serves any step and a photographed QR code is no use to another
//! browser: only the browser holding the secret can finish. The phone approves with a number that
//! both screens show (one of three: a wrong pick cancels the request) and a fresh proof of who it
//! is; the approval is written once (`put_if_absent`), and the desktop takes the request once.
//!
//! The new session's amr is the approval's (`hwk`+`user` for a passkey, `pwd`+`otp` for password
//! and app code) plus `mca` (RFC 8176 «multiple-channel authentication»): the person proved it on
//! another device than the one that is signed in.

use super::lockout::{self, Attempt};
use crate::cache::CacheError;
use crate::crypto;
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::audit::AuditEntry;
use crate::types::AccountId;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The desktop browser's cookie: `<code>.<secret>`.
pub const COOKIE: &str = "vhod_qr";
/// How long a code can be approved and redeemed.
pub const TTL: i64 = 120;
/// RFC 8176: "mca", multiple-channel authentication; added to the approval's amr.
pub const AMR_CROSS_DEVICE: &str = "mca";
/// The login-history method of a QR sign-in.
pub const METHOD: &str = "qr";
/// Letters and digits without the look-alikes (0/O, 1/I/L), so the code can be typed.
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 8;

/// What the desktop asked for, as the phone sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QrRequest {
    /// hash of the desktop's secret
    binding: String,
    /// The pending authorization the desktop continues afterwards.
    pub tx: Option<String>,
    /// The portal asking (None: the vhod account itself).
    pub client_name: Option<String>,
    /// The assurance the portal requires (empty: low).
    pub required_acr: String,
    pub user_agent: String,
    pub ip: String,
    pub created_at: i64,
    pub expires_at: i64,
    /// The three numbers the phone offers; `number` is the one the desktop shows.
    pub choices: [u32; 3],
    pub number: u32,
    /// Where the desktop continues after the sign-in (the protocol's continue URL or /account).
    pub continue_to: String,
}

/// What the phone proved.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Approval {
    pub account_id: AccountId,
    pub acr: String,
    pub amr: Vec<String>,
}

/// What the phone's proof was worth (set by the page after checking it).
pub struct Proof<'a> {
    pub acr: &'a str,
    pub amr: &'a [&'a str],
}

/// A fresh request: the code to show, the cookie value for the desktop, and the request.
pub struct Started {
    pub code: String,
    pub cookie: String,
    pub request: QrRequest,
}

/// What the desktop is asking for when it starts.
pub struct Asking<'a> {
    pub tx: Option<&'a str>,
    pub client_name: Option<&'a str>,
    pub required_acr: &'a str,
    pub continue_to: String,
    pub who: Attempt<'a>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApproveError {
    #[error("no such sign-in request (unknown code, expired or finished)")]
    NotRequested,
    #[error("the number chosen is not the one the desktop shows; request cancelled")]
    WrongNumber,
    #[error("the approval is weaker than the request needs")]
    TooWeak,
    #[error("the request was approved already")]
    AlreadyApproved,
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where the desktop stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Approved,
    /// Expired, cancelled, finished, or never this browser's.
    Gone,
}

fn key(code: &str) -> String {
    format!("qr:{code}")
}

fn approval_key(code: &str) -> String {
    format!("qr:{code}:approved")
}

fn new_code() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..CODE_LEN)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// «ABCD-EFGH» as shown and typed.
pub fn display_code(code: &str) -> String {
    format!("{}-{}", &code[..4], &code[4..])
}

/// A typed code, read leniently (case, spaces, dash); None when it cannot be one.
pub fn normalise_code(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// Three different two-digit numbers and the one the desktop shows.
fn numbers() -> ([u32; 3], u32) {
    let mut rng = rand::rngs::OsRng;
    let mut choices = [0u32; 3];
    let mut i = 0;
    while i < 3 {
        let n = rng.gen_range(10..100);
        if !choices[..i].contains(&n) {
            choices[i] = n;
            i += 1;
        }
    }
    (choices, choices[rng.gen_range(0..3)])
}

/// The desktop starts a QR sign-in.
pub async fn start(ctx: &Ctx, asking: Asking<'_>) -> Result<Started, CacheError> {
    let secret = crypto::random_token();
    let now = ctx.clock.now();
    let (choices, number) = numbers();
    let request = QrRequest {
        binding: crypto::hash_secret("qr", &secret),
        tx: asking.tx.map(str::to_owned),
        client_name: asking.client_name.map(str::to_owned),
        required_acr: asking.required_acr.to_string(),
        user_agent: asking.who.user_agent.chars().take(300).collect(),
        ip: asking.who.ip.to_string(),
        created_at: now,
        expires_at: now + TTL,
        choices,
        number,
        continue_to: asking.continue_to,
    };
    let code = loop {
        let code = new_code();
        let value = serde_json::to_string(&request).expect("requests serialise");
        if ctx.cache.put_if_absent(&key(&code), &value, TTL).await? {
            break code;
        }
    };
    Ok(Started {
        cookie: format!("{code}.{secret}"),
        code,
        request,
    })
}

/// The live request under a code (the phone's view).
pub async fn load(ctx: &Ctx, code: &str) -> Result<Option<QrRequest>, CacheError> {
    let Some(code) = normalise_code(code) else {
        return Ok(None);
    };
    let req: Option<QrRequest> = ctx.cache.get_json(&key(&code)).await?;
    Ok(req.filter(|r| r.expires_at > ctx.clock.now()))
}

/// The request this browser's cookie holds, if it is still live and the secret matches.
pub async fn of_browser(
    ctx: &Ctx,
    cookie: Option<&str>,
) -> Result<Option<(String, QrRequest)>, CacheError> {
    let Some((code, secret)) = cookie.and_then(|c| c.split_once('.')) else {
        return Ok(None);
    };
    let Some(req) = load(ctx, code).await? else {
        return Ok(None);
    };
    if !crypto::ct_eq(&req.binding, &crypto::hash_secret("qr", secret)) {
        return Ok(None);
    }
    Ok(Some((code.to_string(), req)))
}

pub async fn status(ctx: &Ctx, cookie: Option<&str>) -> Result<Status, CacheError> {
    let Some((code, _)) = of_browser(ctx, cookie).await? else {
        return Ok(Status::Gone);
    };
    Ok(match ctx.cache.get(&approval_key(&code)).await? {
        Some(_) => Status::Approved,
        None => Status::Pending,
    })
}

/// The phone approves request `code` for the signed-in `account`, having proven `proof`.
pub async fn approve(
    ctx: &Ctx,
    code: &str,
    chosen: u32,
    account: &AccountId,
    proof: Proof<'_>,
) -> Result<QrRequest, ApproveError> {
    let req = load(ctx, code).await?.ok_or(ApproveError::NotRequested)?;
    let code = normalise_code(code).ok_or(ApproveError::NotRequested)?;
    if chosen != req.number {
        // One guess only: a wrong number ends the request, so three tries cannot find it.
        ctx.cache.delete(&key(&code)).await?;
        audit(ctx, account, "login.qr_wrong_number", &req).await?;
        return Err(ApproveError::WrongNumber);
    }
    if super::acr_of(proof.acr) < super::acr_of(&req.required_acr) {
        return Err(ApproveError::TooWeak);
    }
    let mut amr: Vec<String> = proof.amr.iter().map(|a| a.to_string()).collect();
    amr.push(AMR_CROSS_DEVICE.into());
    let approval = Approval {
        account_id: account.clone(),
        acr: proof.acr.to_string(),
        amr,
    };
    let value = serde_json::to_string(&approval).expect("approvals serialise");
    let left = (req.expires_at - ctx.clock.now()).max(1);
    if !ctx
        .cache
        .put_if_absent(&approval_key(&code), &value, left)
        .await?
    {
        return Err(ApproveError::AlreadyApproved);
    }
    audit(ctx, account, "login.qr_approved", &req).await?;
    Ok(req)
}

/// The phone turns the request down: it ends at once.
pub async fn deny(ctx: &Ctx, code: &str, account: &AccountId) -> Result<(), ApproveError> {
    let req = load(ctx, code).await?.ok_or(ApproveError::NotRequested)?;
    let code = normalise_code(code).ok_or(ApproveError::NotRequested)?;
    ctx.cache.delete(&key(&code)).await?;
    audit(ctx, account, "login.qr_denied", &req).await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum FinishError {
    #[error("this browser has no live QR sign-in request")]
    Gone,
    #[error("not approved yet")]
    Pending,
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The desktop takes its approved request (once) and records the login as any other; the caller
/// starts the session with the approval's acr and amr.
pub async fn finish(
    ctx: &Ctx,
    cookie: Option<&str>,
    who: Attempt<'_>,
) -> Result<(QrRequest, Approval), FinishError> {
    let (code, _) = of_browser(ctx, cookie).await?.ok_or(FinishError::Gone)?;
    let approval: Approval = ctx
        .cache
        .get_json(&approval_key(&code))
        .await?
        .ok_or(FinishError::Pending)?;
    // Single use: of two finishing requests only one takes it.
    let req: QrRequest = ctx
        .cache
        .take_json(&key(&code))
        .await?
        .ok_or(FinishError::Gone)?;
    ctx.cache.delete(&approval_key(&code)).await?;
    super::alerts::login_succeeded(ctx, &approval.account_id, who, METHOD).await?;
    Ok((req, approval))
}

/// A refused approval attempt with a wrong password or code counts toward the lock like a login.
pub async fn factor_failed(
    ctx: &Ctx,
    account: &AccountId,
    who: Attempt<'_>,
) -> Result<(), StoreError> {
    lockout::factor_failed(ctx, account, who, METHOD).await
}

async fn audit(
    ctx: &Ctx,
    account: &AccountId,
    action: &str,
    req: &QrRequest,
) -> Result<(), StoreError> {
    ctx.store
        .append_audit(AuditEntry {
            actor: &format!("account:{account}"),
            action,
            target: req.client_name.as_deref().unwrap_or("account"),
            request_id: &crate::request_id::current(),
            details: serde_json::json!({ "desktop_ip": req.ip }),
        })
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_codes_are_read_leniently_and_look_alikes_are_refused() {
        assert_eq!(normalise_code("abcd-efgh").as_deref(), Some("ABCDEFGH"));
        assert_eq!(normalise_code(" AB CD EF GH ").as_deref(), Some("ABCDEFGH"));
        assert_eq!(normalise_code("ABCD-EFG0"), None);
        assert_eq!(normalise_code("ABCDEFG"), None);
        assert_eq!(display_code("ABCDEFGH"), "ABCD-EFGH");
    }

    #[test]
    fn the_three_numbers_differ_and_contain_the_desktop_one() {
        for _ in 0..100 {
            let (c, n) = numbers();
            assert!(c[0] != c[1] && c[1] != c[2] && c[0] != c[2]);
            assert!(c.contains(&n));
            assert!(c.iter().all(|x| (10..100).contains(x)));
        }
    }
}

#[cfg(test)]
mod compat_tests {
    //! A QR sign-in request and the phone's approval, as this release writes them
    //! (`crate::cache::compat`).

    use super::*;
    use crate::cache::compat::reads_across_releases;

    /// A desktop browser signing in to a portal; its cookie's secret is
    /// `vX3kR8mQ2nL5pT9wZ1yB4cF7hJ0dG6sA-eU_oI3rK2M`.
    const REQUEST: &str = r#"{"binding":"RmsOYtOLV1rsOXr1pChsx2IhYMEoTdJCDEXMHjx14Sc","tx":"Yw2Lq8Zr5TnK0vXc3Bm7Hs1Pd9Gf4Ja6Ue_Ro2Ki8Wo","client_name":"Портал госуслуг Москвы","required_acr":"urn:vhod:acr:substantial","user_agent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/136.0.0.0 YaBrowser/25.4.0.0 Safari/537.36","ip":"95.165.12.34","created_at":1780000000,"expires_at":1780000120,"choices":[37,82,15],"number":82,"continue_to":"/authorize/continue?tx=Yw2Lq8Zr5TnK0vXc3Bm7Hs1Pd9Gf4Ja6Ue_Ro2Ki8Wo"}"#;

    /// The phone approved with a passkey.
    const APPROVAL: &str = r#"{"account_id":"0196f3c2-7a41-7d3e-9b2a-5c8e1f4a6d20","acr":"urn:vhod:acr:substantial","amr":["hwk","user","mca"]}"#;

    #[test]
    fn a_qr_request_reads_across_releases() {
        let r: QrRequest = reads_across_releases(REQUEST);
        assert!(crypto::ct_eq(
            &r.binding,
            &crypto::hash_secret("qr", "vX3kR8mQ2nL5pT9wZ1yB4cF7hJ0dG6sA-eU_oI3rK2M")
        ));
        assert_eq!(r.client_name.as_deref(), Some("Портал госуслуг Москвы"));
        assert_eq!(r.choices, [37, 82, 15]);
        assert!(r.choices.contains(&r.number));
        assert_eq!(
            (r.created_at, r.expires_at),
            (1_780_000_000, 1_780_000_000 + TTL)
        );
        assert_eq!(
            r.continue_to,
            "/authorize/continue?tx=Yw2Lq8Zr5TnK0vXc3Bm7Hs1Pd9Gf4Ja6Ue_Ro2Ki8Wo"
        );
    }

    #[test]
    fn a_qr_approval_reads_across_releases() {
        let a: Approval = reads_across_releases(APPROVAL);
        assert_eq!(
            a.account_id.as_str(),
            "0196f3c2-7a41-7d3e-9b2a-5c8e1f4a6d20"
        );
        assert_eq!(a.acr, crate::authn::ACR_SUBSTANTIAL);
        assert_eq!(a.amr.last().map(String::as_str), Some(AMR_CROSS_DEVICE));
    }
}
