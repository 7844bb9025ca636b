//! One key per purpose, derived with HKDF-SHA256 (RFC 5869) from a dedicated master secret that
//! every node shares (stored once in the database): a value made for one purpose (a proof-of-work
//! challenge tag, a DPoP nonce) is never valid for another, and none of them is the pairwise-subject
//! salt, which keeps its own value so existing pairwise subjects do not change.

use hkdf::Hkdf;
use sha2::Sha256;

/// The settings row holding the master secret.
pub const MASTER_SETTING: &str = "purpose_keys_master";

/// HKDF `info` labels: distinct, versioned, never reused for another purpose.
const POW_LABEL: &[u8] = b"vhod/proof-of-work/v1";
const DPOP_NONCE_LABEL: &[u8] = b"vhod/dpop-nonce/v1";

#[derive(Clone)]
pub struct PurposeKeys {
    pow: [u8; 32],
    dpop_nonce: [u8; 32],
}

impl std::fmt::Debug for PurposeKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PurposeKeys(..)")
    }
}

impl PurposeKeys {
    pub fn derive(master: &[u8]) -> PurposeKeys {
        let hk = Hkdf::<Sha256>::new(Some(b"vhod purpose keys"), master);
        let expand = |label: &[u8]| {
            let mut out = [0u8; 32];
            hk.expand(label, &mut out)
                .expect("32 bytes is a valid HKDF-SHA256 length");
            out
        };
        PurposeKeys {
            pow: expand(POW_LABEL),
            dpop_nonce: expand(DPOP_NONCE_LABEL),
        }
    }

    /// HMAC key of proof-of-work challenges.
    pub fn pow(&self) -> &[u8] {
        &self.pow
    }

    /// HMAC key of stateless DPoP server nonces.
    pub fn dpop_nonce(&self) -> &[u8] {
        &self.dpop_nonce
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_purpose_has_its_own_key_and_none_is_the_master() {
        let master = b"a master secret of the installation";
        let keys = PurposeKeys::derive(master);
        assert_ne!(keys.pow(), keys.dpop_nonce());
        assert_ne!(keys.pow(), &master[..]);
        assert_ne!(keys.dpop_nonce(), &master[..]);
        // Deterministic: every node derives the same keys from the shared master.
        assert_eq!(PurposeKeys::derive(master).pow(), keys.pow());
        assert_ne!(PurposeKeys::derive(b"another master").pow(), keys.pow());
    }
}
