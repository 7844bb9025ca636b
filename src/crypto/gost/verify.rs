//! Verification (GOST R 34.10-2012 §6.2) and public-key validation. Public values only, so
//! variable time is fine here.

use crypto_bigint::{NonZero, Uint};

use super::GostError;
use super::curves::Curve;
use super::field::{Fe, fe_checked, fe_reduced, uint_from_be, uint_from_le, uint_to_le};
use super::point::{Point, is_on_curve, mul2_vartime};
use super::sign::digest_to_e;

/// A validated public key: on the curve, not the identity, of order `q`.
#[derive(Clone)]
pub(super) struct PublicKey<const L: usize> {
    pub curve: Curve<L>,
    x: Fe<L>,
    y: Fe<L>,
}

impl<const L: usize> PublicKey<L> {
    /// From affine coordinates: refused if a coordinate is not below `p`, the point is not on
    /// the curve, or `q·Q ≠ O` (which also refuses the identity, having no affine form).
    pub fn from_coordinates(curve: Curve<L>, x: &Uint<L>, y: &Uint<L>) -> Result<Self, GostError> {
        let (Some(fx), Some(fy)) = (fe_checked(x, &curve.fp), fe_checked(y, &curve.fp)) else {
            return Err(GostError::InvalidPublicKey("coordinate not below p"));
        };
        Self::from_fe(curve, fx, fy)
    }

    pub fn from_fe(curve: Curve<L>, x: Fe<L>, y: Fe<L>) -> Result<Self, GostError> {
        if !is_on_curve(&curve, &x, &y) {
            return Err(GostError::InvalidPublicKey("point not on the curve"));
        }
        // On a curve of prime order every affine point has order q; with cofactor 4, check
        // q·Q = O, computed as (q-1)·Q + Q (the digit walk needs a scalar below 2^bits).
        if curve.cofactor != 1 {
            let p = Point::from_affine(&curve, x, y);
            let q_minus_1 = curve.order().wrapping_sub(&Uint::ONE);
            let t = mul2_vartime(&p, &q_minus_1, &p, &Uint::ZERO, &curve).add(&p, &curve);
            if !t.is_identity() {
                return Err(GostError::InvalidPublicKey("point not of order q"));
            }
        }
        Ok(PublicKey { curve, x, y })
    }

    /// From `x‖y`, each little-endian (the content of the SPKI's OCTET STRING).
    pub fn from_le_xy(curve: Curve<L>, bytes: &[u8]) -> Result<Self, GostError> {
        let n = Uint::<L>::BYTES;
        if bytes.len() != 2 * n {
            return Err(GostError::InvalidPublicKey("wrong length"));
        }
        let (Some(x), Some(y)) = (uint_from_le::<L>(&bytes[..n]), uint_from_le(&bytes[n..])) else {
            return Err(GostError::InvalidPublicKey("wrong length"));
        };
        Self::from_coordinates(curve, &x, &y)
    }

    /// `x‖y`, each little-endian.
    pub fn to_le_xy(&self) -> Vec<u8> {
        let mut out = uint_to_le(&self.x.retrieve());
        out.extend_from_slice(&uint_to_le(&self.y.retrieve()));
        out
    }

    /// The affine coordinates as integers.
    pub fn coordinates(&self) -> (Uint<L>, Uint<L>) {
        (self.x.retrieve(), self.y.retrieve())
    }

    /// §6.2: checks a signature `s‖r` (big-endian) over a digest (little-endian integer).
    pub fn verify_digest(&self, digest: &[u8], signature: &[u8]) -> Result<(), GostError> {
        let c = &self.curve;
        let (r, s) = decode_signature(c, signature)?;
        let e = digest_to_e(c, digest)?;
        let fe = |x: &Uint<L>| fe_reduced(x, &c.fq);
        let v = fe(&e)
            .invert_vartime()
            .into_option()
            .ok_or(GostError::BadSignature)?;
        let z1 = fe(&s).mul(&v).retrieve();
        let z2 = fe(&r).neg().mul(&v).retrieve();
        let pk = Point::from_affine(c, self.x, self.y);
        let sum = mul2_vartime(&Point::generator(c), &z1, &pk, &z2, c);
        let (xc, _) = sum.to_affine_vartime().ok_or(GostError::BadSignature)?;
        let q = NonZero::new(*c.order())
            .into_option()
            .ok_or(GostError::BadSignature)?;
        if xc.retrieve().rem_vartime(&q) == r {
            Ok(())
        } else {
            Err(GostError::BadSignature)
        }
    }
}

/// Splits `s‖r` and checks `0 < r < q`, `0 < s < q` (§6.2 step 1).
pub(super) fn decode_signature<const L: usize>(
    c: &Curve<L>,
    signature: &[u8],
) -> Result<(Uint<L>, Uint<L>), GostError> {
    let n = Uint::<L>::BYTES;
    if signature.len() != 2 * n {
        return Err(GostError::SignatureLength {
            expected: 2 * n,
            got: signature.len(),
        });
    }
    let (Some(s), Some(r)) = (
        uint_from_be::<L>(&signature[..n]),
        uint_from_be(&signature[n..]),
    ) else {
        return Err(GostError::BadSignature);
    };
    let q = c.order();
    let ok = |x: &Uint<L>| x.is_nonzero().to_bool() && x < q;
    if ok(&r) && ok(&s) {
        Ok((r, s))
    } else {
        Err(GostError::BadSignature)
    }
}
