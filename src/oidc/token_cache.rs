//! This node's memory of what it just answered about an access token (the validated token; the
//! userinfo claims), so that a resource server introspecting the same token, or calling userinfo
//! with it, many times a second does not pay for a signature check and the store's lookups every
//! time.
//!
//! An entry answers for at most [`WINDOW`], and only while this node has committed no change
//! since it was made (`Store::change_generation`, read before the store was asked): a
//! revocation is seen at once on the node that made it and within [`WINDOW`] on every other
//! node. The token's expiry, its client and a DPoP proof are still checked at every use.

use crate::store::grants::GrantRow;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long an answer is trusted on a node that did not make the change (a revocation).
pub const WINDOW: Duration = Duration::from_millis(500);

/// Tokens remembered at once per cache; past this, stale entries go, and if none was, all.
const MAX_ENTRIES: usize = 4096;

/// A token this node validated: its claims, its expiry and its grant (tokens of a person).
#[derive(Clone)]
pub struct Validated {
    pub claims: Arc<Map<String, Value>>,
    pub exp: i64,
    /// Shared, so that an answer from the cache is not a copy of the grant's strings.
    pub grant: Option<Arc<GrantRow>>,
}

/// The validated tokens.
pub type AccessTokenCache = TokenCache<Validated>;
/// The userinfo claims answered for a token.
pub type UserinfoCache = TokenCache<Arc<Map<String, Value>>>;

struct Entry<V> {
    /// The whole token (the map's key is its end: [`tail`]).
    token: Box<str>,
    value: V,
    at: Instant,
    generation: u64,
}

/// Answers for whole tokens, each good for [`WINDOW`] and its generation.
pub struct TokenCache<V>(Arc<Mutex<HashMap<Box<str>, Entry<V>>>>);

/// The bytes of a token the map is keyed by: its last 64 (a signature's, or the random end of an
/// opaque token), so that a lookup hashes those rather than the whole token (≈ 2 % of a
/// `/userinfo` answer). Only tokens the store confirmed are put, so no one picks the keys; an
/// entry answers only for the whole token it was made for.
fn tail(token: &str) -> &str {
    token.get(token.len().saturating_sub(64)..).unwrap_or(token)
}

impl<V> Clone for TokenCache<V> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<V> Default for TokenCache<V> {
    fn default() -> Self {
        Self(Arc::default())
    }
}

impl<V> std::fmt::Debug for TokenCache<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCache(..)")
    }
}

impl<V: Clone> TokenCache<V> {
    /// The answer for `token` made within the window and with no change since on this node
    /// (`generation` is the store's change generation now).
    pub fn get(&self, token: &str, generation: u64) -> Option<V> {
        let map = self.0.lock().expect("token cache lock");
        map.get(tail(token))
            .filter(|e| &*e.token == token)
            .filter(|e| e.generation == generation && e.at.elapsed() < WINDOW)
            .map(|e| e.value.clone())
    }

    /// Remembers an answer the store gave after `generation` was read.
    pub fn put(&self, token: &str, generation: u64, value: V) {
        let mut map = self.0.lock().expect("token cache lock");
        if map.len() >= MAX_ENTRIES && !map.contains_key(tail(token)) {
            map.retain(|_, e| e.at.elapsed() < WINDOW);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(
            tail(token).into(),
            Entry {
                token: token.into(),
                value,
                at: Instant::now(),
                generation,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_answers_only_for_its_generation() {
        let cache = TokenCache::<i64>::default();
        cache.put("t", 7, 100);
        assert_eq!(cache.get("t", 7), Some(100));
        assert_eq!(cache.get("t", 8), None, "a change since: ask the store");
        assert_eq!(cache.get("other", 7), None);
    }

    #[test]
    fn an_entry_answers_only_for_the_whole_token_it_was_made_for() {
        let cache = TokenCache::<i64>::default();
        let end = "s".repeat(64);
        cache.put(&format!("header.claims-one.{end}"), 7, 100);
        assert_eq!(cache.get(&format!("header.claims-one.{end}"), 7), Some(100));
        assert_eq!(cache.get(&format!("header.claims-two.{end}"), 7), None);
        assert_eq!(cache.get(&end, 7), None);
    }

    #[test]
    fn an_entry_answers_only_within_the_window() {
        let cache = TokenCache::<i64>::default();
        cache.put("t", 0, 100);
        std::thread::sleep(WINDOW + Duration::from_millis(20));
        assert_eq!(cache.get("t", 0), None);
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = TokenCache::<usize>::default();
        for i in 0..(MAX_ENTRIES + 10) {
            cache.put(&format!("t{i}"), 0, i);
        }
        let len = cache.0.lock().unwrap().len();
        assert!(len <= MAX_ENTRIES, "{len}");
        let last = MAX_ENTRIES + 9;
        assert_eq!(cache.get(&format!("t{last}"), 0), Some(last));
    }
}
