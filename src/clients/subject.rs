//! Subject identifiers (OIDC Core §8): public (the account id, the same for every portal) or
//! pairwise (HMAC of the client's sector and the account, so portals of different sectors cannot
//! correlate a person).

use crate::clients::Client;
use crate::ctx::Ctx;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub fn for_sector(app: &Ctx, sector: Option<&str>, account_id: &str) -> String {
    match sector {
        None => account_id.to_string(),
        Some(sector) => {
            let mut mac = Hmac::<Sha256>::new_from_slice(app.pairwise_salt.as_bytes())
                .expect("HMAC takes any key");
            mac.update(sector.as_bytes());
            mac.update(b"\0");
            mac.update(account_id.as_bytes());
            crate::crypto::b64url(&mac.finalize().into_bytes())
        }
    }
}

pub fn for_client(app: &Ctx, client: &Client, account_id: &str) -> String {
    for_sector(app, client.pairwise_sector.as_deref(), account_id)
}
