//! Points in homogeneous projective coordinates `(X : Y : Z)`, `x = X/Z`, `y = Y/Z`, with the
//! complete addition and doubling formulas for short Weierstrass curves with any `a`
//! (Renes–Costello–Batina, "Complete addition formulas for prime order elliptic curves",
//! 2016, algorithms 1 and 3). The identity is `(0 : 1 : 0)`.
//!
//! The formulas have no exceptional cases for points of odd order, which is all this module
//! ever adds: multiples of the base point, and public keys that passed the subgroup check
//! (on the two cofactor-4 curves the only exceptions involve points of order 2).
//!
//! Signing and key derivation multiply the base point with the comb of `comb.rs`;
//! [`mul2_vartime`] (verification) works on public values; `mul_ct` (a fixed 4-bit window with
//! constant-time table selection) is the tests' variable-base reference.

use crypto_bigint::{Choice, CtAssign, Limb, Uint};

use super::curves::Curve;
use super::field::{Fe, fe_is_zero};

#[derive(Clone, Copy, Debug)]
pub(super) struct Point<const L: usize> {
    x: Fe<L>,
    y: Fe<L>,
    z: Fe<L>,
}

impl<const L: usize> Point<L> {
    pub fn identity(c: &Curve<L>) -> Self {
        Point {
            x: Fe::zero(&c.fp),
            y: Fe::one(&c.fp),
            z: Fe::zero(&c.fp),
        }
    }

    pub fn from_affine(c: &Curve<L>, x: Fe<L>, y: Fe<L>) -> Self {
        Point {
            x,
            y,
            z: Fe::one(&c.fp),
        }
    }

    pub fn generator(c: &Curve<L>) -> Self {
        Self::from_affine(c, c.gx, c.gy)
    }

    /// `self = other` if `choice`, in constant time.
    pub fn ct_assign(&mut self, other: &Self, choice: Choice) {
        self.x.ct_assign(&other.x, choice);
        self.y.ct_assign(&other.y, choice);
        self.z.ct_assign(&other.z, choice);
    }

    /// `(0 : λ : 0)` with `λ ≠ 0`. The all-zero triple, which the formulas only produce from
    /// an exceptional input, is not the identity.
    pub fn is_identity(&self) -> bool {
        fe_is_zero(&self.x) && fe_is_zero(&self.z) && !fe_is_zero(&self.y)
    }

    /// Complete addition (RCB algorithm 1, 12M + 3·mul-by-a + 2·mul-by-3b).
    pub fn add(&self, other: &Self, c: &Curve<L>) -> Self {
        let (x1, y1, z1) = (&self.x, &self.y, &self.z);
        let (x2, y2, z2) = (&other.x, &other.y, &other.z);
        let mut t0 = x1.mul(x2);
        let mut t1 = y1.mul(y2);
        let mut t2 = z1.mul(z2);
        let mut t3 = x1.add(y1);
        let mut t4 = x2.add(y2);
        t3 = t3.mul(&t4);
        t4 = t0.add(&t1);
        t3 = t3.sub(&t4);
        t4 = x1.add(z1);
        let mut t5 = x2.add(z2);
        t4 = t4.mul(&t5);
        t5 = t0.add(&t2);
        t4 = t4.sub(&t5);
        t5 = y1.add(z1);
        let mut x3 = y2.add(z2);
        t5 = t5.mul(&x3);
        x3 = t1.add(&t2);
        t5 = t5.sub(&x3);
        let mut z3 = c.a.mul(&t4);
        x3 = c.b3.mul(&t2);
        z3 = x3.add(&z3);
        x3 = t1.sub(&z3);
        z3 = t1.add(&z3);
        let mut y3 = x3.mul(&z3);
        t1 = t0.add(&t0);
        t1 = t1.add(&t0);
        t2 = c.a.mul(&t2);
        t4 = c.b3.mul(&t4);
        t1 = t1.add(&t2);
        t2 = t0.sub(&t2);
        t2 = c.a.mul(&t2);
        t4 = t4.add(&t2);
        t0 = t1.mul(&t4);
        y3 = y3.add(&t0);
        t0 = t5.mul(&t4);
        x3 = t3.mul(&x3);
        x3 = x3.sub(&t0);
        t0 = t3.mul(&t1);
        z3 = t5.mul(&z3);
        z3 = z3.add(&t0);
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// Doubling (RCB algorithm 3, 8M + 3S + 3·mul-by-a + 2·mul-by-3b).
    pub fn double(&self, c: &Curve<L>) -> Self {
        let (x, y, z) = (&self.x, &self.y, &self.z);
        let mut t0 = x.square();
        let t1 = y.square();
        let mut t2 = z.square();
        let mut t3 = x.mul(y);
        t3 = t3.add(&t3);
        let mut z3 = x.mul(z);
        z3 = z3.add(&z3);
        let mut x3 = c.a.mul(&z3);
        let mut y3 = c.b3.mul(&t2);
        y3 = x3.add(&y3);
        x3 = t1.sub(&y3);
        y3 = t1.add(&y3);
        y3 = x3.mul(&y3);
        x3 = t3.mul(&x3);
        z3 = c.b3.mul(&z3);
        t2 = c.a.mul(&t2);
        t3 = t0.sub(&t2);
        t3 = c.a.mul(&t3);
        t3 = t3.add(&z3);
        z3 = t0.add(&t0);
        t0 = z3.add(&t0);
        t0 = t0.add(&t2);
        t0 = t0.mul(&t3);
        y3 = y3.add(&t0);
        t2 = y.mul(z);
        t2 = t2.add(&t2);
        t0 = t2.mul(&t3);
        x3 = x3.sub(&t0);
        z3 = t2.mul(&t1);
        z3 = z3.add(&z3);
        z3 = z3.add(&z3);
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// Affine coordinates with a constant-time inversion of `Z`; `None` for the identity.
    pub fn to_affine(self) -> Option<(Fe<L>, Fe<L>)> {
        let zinv = self.z.invert().into_option()?;
        Some((self.x.mul(&zinv), self.y.mul(&zinv)))
    }

    /// Affine coordinates, variable time (public points only); `None` for the identity.
    pub fn to_affine_vartime(self) -> Option<(Fe<L>, Fe<L>)> {
        let zinv = self.z.invert_vartime().into_option()?;
        Some((self.x.mul(&zinv), self.y.mul(&zinv)))
    }
}

/// Whether the affine point `(x, y)` satisfies `y² = x³ + a·x + b`.
pub(super) fn is_on_curve<const L: usize>(c: &Curve<L>, x: &Fe<L>, y: &Fe<L>) -> bool {
    let lhs = y.square();
    let rhs = x.square().add(&c.a).mul(x).add(&c.b);
    lhs == rhs
}

pub(super) const WINDOW: u32 = 4;
const TABLE: usize = 1 << WINDOW;

/// The `i`-th 4-bit digit of `k`, counting from the least significant end. `i` is public.
pub(super) fn digit<const L: usize>(k: &Uint<L>, i: u32) -> u32 {
    let bit = i * WINDOW;
    let word = k.as_words()[(bit / Limb::BITS) as usize];
    ((word >> (bit % Limb::BITS)) & ((1 << WINDOW) - 1)) as u32
}

/// `[P, 2P, ..., 15P]` preceded by the identity.
fn table<const L: usize>(p: &Point<L>, c: &Curve<L>) -> [Point<L>; TABLE] {
    let mut t = [Point::identity(c); TABLE];
    t[1] = *p;
    for i in 2..TABLE {
        t[i] = if i % 2 == 0 {
            t[i / 2].double(c)
        } else {
            t[i - 1].add(p, c)
        };
    }
    t
}

/// `k·P` in constant time for a secret `k` (any value of `L` limbs): the variable-base
/// reference that the tests hold the fixed-base comb (`comb.rs`) to.
#[cfg(test)]
pub(super) fn mul_ct<const L: usize>(p: &Point<L>, k: &Uint<L>, c: &Curve<L>) -> Point<L> {
    let t = table(p, c);
    let mut acc = Point::identity(c);
    for i in (0..Uint::<L>::BITS / WINDOW).rev() {
        for _ in 0..WINDOW {
            acc = acc.double(c);
        }
        let d = digit(k, i);
        let mut pick = Point::identity(c);
        for (j, entry) in t.iter().enumerate() {
            pick.ct_assign(entry, Choice::from_u32_eq(d, j as u32));
        }
        acc = acc.add(&pick, c);
    }
    acc
}

/// `a·P + b·Q` for public `a`, `b`, `P`, `Q` (verification): shared doublings, direct lookups.
pub(super) fn mul2_vartime<const L: usize>(
    p: &Point<L>,
    a: &Uint<L>,
    q: &Point<L>,
    b: &Uint<L>,
    c: &Curve<L>,
) -> Point<L> {
    let (tp, tq) = (table(p, c), table(q, c));
    let mut acc = Point::identity(c);
    for i in (0..Uint::<L>::BITS / WINDOW).rev() {
        for _ in 0..WINDOW {
            acc = acc.double(c);
        }
        let (da, db) = (digit(a, i) as usize, digit(b, i) as usize);
        if da != 0 {
            acc = acc.add(&tp[da], c);
        }
        if db != 0 {
            acc = acc.add(&tq[db], c);
        }
    }
    acc
}
