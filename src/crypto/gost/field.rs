//! Integers and field elements: byte conversions with the length and range checks that keep
//! `crypto-bigint`'s panicking constructors away from untrusted input.

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{CtLt, NonZero, Uint};

/// An element of GF(p) (or of Z/qZ for scalars) in Montgomery form; constant-time arithmetic.
pub(super) type Fe<const L: usize> = FixedMontyForm<L>;

/// Big-endian bytes to an integer; `None` unless exactly `Uint::<L>::BYTES` long.
pub(super) fn uint_from_be<const L: usize>(bytes: &[u8]) -> Option<Uint<L>> {
    (bytes.len() == Uint::<L>::BYTES).then(|| Uint::from_be_slice(bytes))
}

/// Little-endian bytes to an integer; `None` unless exactly `Uint::<L>::BYTES` long.
pub(super) fn uint_from_le<const L: usize>(bytes: &[u8]) -> Option<Uint<L>> {
    (bytes.len() == Uint::<L>::BYTES).then(|| Uint::from_le_slice(bytes))
}

pub(super) fn uint_to_be<const L: usize>(x: &Uint<L>) -> Vec<u8> {
    x.to_be_bytes().as_ref().to_vec()
}

pub(super) fn uint_to_le<const L: usize>(x: &Uint<L>) -> Vec<u8> {
    x.to_le_bytes().as_ref().to_vec()
}

/// `0 < x < m`, in constant time (for secrets such as the private key).
pub(super) fn in_range_ct<const L: usize>(x: &Uint<L>, m: &NonZero<Uint<L>>) -> bool {
    x.is_nonzero().and(x.ct_lt(m.as_ref())).to_bool()
}

/// `x` as an element modulo `params`' modulus; `None` if `x` is not below it.
pub(super) fn fe_checked<const L: usize>(
    x: &Uint<L>,
    params: &FixedMontyParams<L>,
) -> Option<Fe<L>> {
    x.ct_lt(params.modulus().as_ref())
        .to_bool()
        .then(|| Fe::new(x, params))
}

/// `x mod m` as an element modulo `m` (constant time).
pub(super) fn fe_reduced<const L: usize>(x: &Uint<L>, params: &FixedMontyParams<L>) -> Fe<L> {
    let m = params.modulus().as_nz_ref();
    Fe::new(&x.rem(m), params)
}

/// Whether a field element is zero (the test itself is constant time).
pub(super) fn fe_is_zero<const L: usize>(x: &Fe<L>) -> bool {
    !x.retrieve().is_nonzero().to_bool()
}
