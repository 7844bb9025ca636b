//! Signing (GOST R 34.10-2012 §6.1) with a hedged nonce, and private-key handling.
//!
//! Every step that touches the private key `d` or the nonce `k` is constant time: `k·G` by the
//! fixed-base comb ([`CombTable::mul`]), the inversion of `Z` by `crypto-bigint`'s
//! constant-time `invert`, the reductions modulo `q` by `rem`/`rem_wide`, and
//! `s = r·d + k·e mod q` in Montgomery form.
//!
//! The nonce: `k = (T mod q)` where `T` is `2·|q|` bits of HMAC-SHA-512 keyed with `d` over a
//! label, a counter, 64 fresh bytes from the OS and the digest — RFC 6979 §3.6 in spirit: with
//! a working RNG, `k` is uniformly random; with a broken or repeating RNG, `k` is still a secret
//! function of `(d, digest)` that differs between messages, so the key does not leak. Reducing
//! twice as many bits as `q` has makes the bias negligible (< 2⁻²⁵⁴) without a rejection loop.
//! SHA-512 rather than Streebog keys the HMAC with `d` because the `streebog` crate computes its
//! LPS step with lookups in 16 KiB of tables indexed by state bytes (key-dependent memory
//! access, a cache-timing channel); SHA-2 has no secret-indexed tables. Streebog only ever
//! hashes the (public) message.

use crypto_bigint::Uint;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha512;
use zeroize::{Zeroize, Zeroizing};

use super::GostError;
use super::comb::CombTable;
use super::curves::Curve;
use super::field::{Fe, fe_reduced, in_range_ct, uint_from_le, uint_to_be, uint_to_le};

const NONCE_LABEL: &[u8] = b"vhod GOST R 34.10-2012 nonce v1";

/// A private key `d` (0 < d < q) and its curve. The scalar is wiped on drop.
pub(super) struct SecretKey<const L: usize> {
    pub curve: Curve<L>,
    table: &'static CombTable<L>,
    d: Uint<L>,
}

impl<const L: usize> Drop for SecretKey<L> {
    fn drop(&mut self) {
        self.d.zeroize();
    }
}

impl<const L: usize> SecretKey<L> {
    /// From the integer `d`; refused unless `0 < d < q` (checked in constant time).
    pub fn from_uint(
        curve: Curve<L>,
        table: &'static CombTable<L>,
        d: Uint<L>,
    ) -> Result<Self, GostError> {
        let key = SecretKey { curve, table, d };
        if in_range_ct(&key.d, &curve.q) {
            Ok(key)
        } else {
            Err(GostError::InvalidPrivateKey)
        }
    }

    /// From `d` as little-endian bytes (the PKCS#8 form OpenSSL writes).
    pub fn from_le_bytes(
        curve: Curve<L>,
        table: &'static CombTable<L>,
        bytes: &[u8],
    ) -> Result<Self, GostError> {
        let d = uint_from_le::<L>(bytes).ok_or(GostError::InvalidPrivateKey)?;
        Self::from_uint(curve, table, d)
    }

    /// A fresh key: `2·|q|` random bits reduced modulo `q`, again if the result is 0.
    pub fn generate(curve: Curve<L>, table: &'static CombTable<L>) -> Result<Self, GostError> {
        loop {
            let mut wide = Zeroizing::new(vec![0u8; 2 * Uint::<L>::BYTES]);
            rand::rngs::OsRng
                .try_fill_bytes(&mut wide)
                .map_err(|_| GostError::Rng)?;
            let d = reduce_wide(&curve, &wide);
            if let Ok(key) = Self::from_uint(curve, table, d) {
                return Ok(key);
            }
        }
    }

    /// `d` as little-endian bytes (wiped when dropped).
    pub fn to_le_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(uint_to_le(&self.d))
    }

    /// The public point `d·G` in affine coordinates, computed in constant time.
    pub fn public_point(&self) -> Result<(Fe<L>, Fe<L>), GostError> {
        let c = &self.curve;
        self.table
            .mul(&self.d, c)
            .to_affine()
            .ok_or(GostError::InvalidPrivateKey)
    }

    /// Signs a digest (32 or 64 bytes, as the curve requires): `s‖r`, big-endian.
    pub fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, GostError> {
        let c = &self.curve;
        let e = digest_to_e(c, digest)?;
        let mut fresh = Zeroizing::new([0u8; 64]);
        // A failing OS RNG leaves `fresh` zero: the nonce is then deterministic, still safe.
        let _ = rand::rngs::OsRng.try_fill_bytes(&mut fresh[..]);
        for counter in 0..=u32::MAX {
            let k = Zeroizing::new(self.nonce(digest, &fresh[..], counter));
            if let Some((r, s)) = sign_with_k(c, self.table, &self.d, &e, &k) {
                return Ok(encode_signature(&r, &s));
            }
        }
        Err(GostError::Internal("no usable nonce"))
    }

    /// HMAC-SHA-512(d; label ‖ counter ‖ block ‖ fresh ‖ digest), `2·BYTES` bytes, mod q.
    pub(super) fn nonce(&self, digest: &[u8], fresh: &[u8], counter: u32) -> Uint<L> {
        let key = self.to_le_bytes();
        let mut wide = Zeroizing::new(Vec::with_capacity(2 * Uint::<L>::BYTES + 64));
        let mut block = 0u32;
        while wide.len() < 2 * Uint::<L>::BYTES {
            // HMAC takes keys of any length; the error branch cannot be reached.
            let Ok(mut mac) = <Hmac<Sha512> as Mac>::new_from_slice(&key) else {
                break;
            };
            mac.update(NONCE_LABEL);
            mac.update(&counter.to_be_bytes());
            mac.update(&block.to_be_bytes());
            mac.update(fresh);
            mac.update(digest);
            wide.extend_from_slice(&mac.finalize().into_bytes());
            block += 1;
        }
        wide.resize(2 * Uint::<L>::BYTES, 0);
        reduce_wide(&self.curve, &wide)
    }
}

/// `2·BYTES` little-endian bytes reduced modulo `q`, in constant time.
fn reduce_wide<const L: usize>(c: &Curve<L>, wide: &[u8]) -> Uint<L> {
    let n = Uint::<L>::BYTES;
    let (Some(mut lo), Some(mut hi)) = (uint_from_le::<L>(&wide[..n]), uint_from_le(&wide[n..]))
    else {
        return Uint::ZERO;
    };
    let r = Uint::rem_wide((lo, hi), &c.q);
    lo.zeroize();
    hi.zeroize();
    r
}

/// `e`: the digest read as a little-endian integer, modulo `q`; 0 becomes 1 (§6.1 step 2).
pub(super) fn digest_to_e<const L: usize>(
    c: &Curve<L>,
    digest: &[u8],
) -> Result<Uint<L>, GostError> {
    let a = uint_from_le::<L>(digest).ok_or(GostError::DigestLength {
        expected: Uint::<L>::BYTES,
        got: digest.len(),
    })?;
    let e = a.rem_vartime(&c.q);
    Ok(if e.is_nonzero().to_bool() {
        e
    } else {
        Uint::ONE
    })
}

/// Steps 4–5 of §6.1 for a given nonce: `C = k·G`, `r = x_C mod q`, `s = r·d + k·e mod q`.
/// `None` when `r = 0` or `s = 0` (or `k` is not in `[1, q-1]`): pick another `k`.
pub(super) fn sign_with_k<const L: usize>(
    c: &Curve<L>,
    table: &CombTable<L>,
    d: &Uint<L>,
    e: &Uint<L>,
    k: &Uint<L>,
) -> Option<(Uint<L>, Uint<L>)> {
    if !in_range_ct(k, &c.q) {
        return None;
    }
    let (xc, _) = table.mul(k, c).to_affine()?;
    let r = xc.retrieve().rem(&c.q);
    if !r.is_nonzero().to_bool() {
        return None;
    }
    let f = |x: &Uint<L>| fe_reduced(x, &c.fq);
    let s = f(&r).mul(&f(d)).add(&f(k).mul(&f(e))).retrieve();
    if !s.is_nonzero().to_bool() {
        return None;
    }
    Some((r, s))
}

/// The signature as OpenSSL writes it: `s‖r`, each big-endian and `BYTES` long.
pub(super) fn encode_signature<const L: usize>(r: &Uint<L>, s: &Uint<L>) -> Vec<u8> {
    let mut out = uint_to_be(s);
    out.extend_from_slice(&uint_to_be(r));
    out
}
