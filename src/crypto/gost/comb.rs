//! Fixed-base scalar multiplication `k·G` for signing and key derivation, with a precomputed
//! comb: for each 4-bit digit position `i` of the scalar, the 15 points `j·16^i·G`
//! (`j = 1..15`), affine, in Montgomery form. `k·G` is then one complete addition per digit
//! position, of the entry found by scanning all 15 with constant-time selection (digit 0
//! selects the identity): no doublings, and the same sequence of operations for every `k`.
//! A table is built once per curve per process (public data) and shared by every key.

use std::sync::OnceLock;

use crypto_bigint::{Choice, CtAssign, Uint};

use super::curves::{Curve, ParamSet};
use super::field::Fe;
use super::point::{Point, WINDOW, digit};
use super::{GostError, N256, N512};

const PER_ROW: usize = (1 << WINDOW) - 1;

pub(super) struct CombTable<const L: usize> {
    /// Row `i` holds `j·16^i·G` for `j = 1..=15`, as (x, y) in Montgomery form.
    entries: Vec<(Uint<L>, Uint<L>)>,
}

impl<const L: usize> CombTable<L> {
    pub fn new(c: &Curve<L>) -> Result<Self, GostError> {
        let rows = (Uint::<L>::BITS / WINDOW) as usize;
        let mut entries = Vec::with_capacity(rows * PER_ROW);
        let mut base = Point::generator(c);
        for _ in 0..rows {
            let mut acc = base;
            for j in 1..=PER_ROW {
                if j > 1 {
                    acc = acc.add(&base, c);
                }
                // A multiple j·16^i·G of a point of prime order q > 16 is never the identity.
                let (x, y) = acc
                    .to_affine_vartime()
                    .ok_or(GostError::Internal("comb table entry at infinity"))?;
                entries.push((x.to_montgomery(), y.to_montgomery()));
            }
            for _ in 0..WINDOW {
                base = base.double(c);
            }
        }
        Ok(CombTable { entries })
    }

    /// `k·G` in constant time (for a secret `k` of `L` limbs).
    pub fn mul(&self, k: &Uint<L>, c: &Curve<L>) -> Point<L> {
        let mut acc = Point::identity(c);
        for (i, row) in self.entries.chunks_exact(PER_ROW).enumerate() {
            let d = digit(k, i as u32);
            let (mut x, mut y) = (Uint::<L>::ZERO, Uint::<L>::ZERO);
            for (j, (ex, ey)) in row.iter().enumerate() {
                let hit = Choice::from_u32_eq(d, j as u32 + 1);
                x.ct_assign(ex, hit);
                y.ct_assign(ey, hit);
            }
            let mut pick = Point::from_affine(
                c,
                Fe::from_montgomery(x, &c.fp),
                Fe::from_montgomery(y, &c.fp),
            );
            pick.ct_assign(&Point::identity(c), Choice::from_u32_eq(d, 0));
            acc = acc.add(&pick, c);
        }
        acc
    }
}

const SLOTS: usize = 9;
static TABLES_256: [OnceLock<Result<CombTable<N256>, GostError>>; SLOTS] =
    [const { OnceLock::new() }; SLOTS];
static TABLES_512: [OnceLock<Result<CombTable<N512>, GostError>>; SLOTS] =
    [const { OnceLock::new() }; SLOTS];

/// The shared table of a 256-bit parameter set (`c` must be its curve).
pub(super) fn table_256(
    ps: ParamSet,
    c: &Curve<N256>,
) -> Result<&'static CombTable<N256>, GostError> {
    let slot = TABLES_256
        .get(ps.curve_slot())
        .ok_or(GostError::Internal("comb slot"))?;
    slot.get_or_init(|| CombTable::new(c))
        .as_ref()
        .map_err(Clone::clone)
}

/// The shared table of a 512-bit parameter set (`c` must be its curve).
pub(super) fn table_512(
    ps: ParamSet,
    c: &Curve<N512>,
) -> Result<&'static CombTable<N512>, GostError> {
    let slot = TABLES_512
        .get(ps.curve_slot())
        .ok_or(GostError::Internal("comb slot"))?;
    slot.get_or_init(|| CombTable::new(c))
        .as_ref()
        .map_err(Clone::clone)
}
