//! RSA key generation: the prime search behind `genPrivateKey "rsa"` and the
//! certificate functions' fresh keys.
//!
//! Why not `rsa::RsaPrivateKey::new`: its prime search (num-bigint-dig's:
//! fresh candidates divided only by the primes to 53, then 21 Miller–Rabin
//! rounds and a Lucas test) made a 2048-bit key about 2.8× slower than Go's
//! `rsa.GenerateKey` (issue 18). Measured side by side (docs/benchmarks.md,
//! "keys"), this search takes 0.5–0.75 of Go's time and adds no dependency;
//! aws-lc-rs was no faster and would add a C build of about 100 s of CPU to
//! every clean build on a 2-core CI; `num-bigint`'s `modpow` was slower than
//! the exponentiation below. The `rsa` crate still assembles the key from the
//! two primes (`from_primes`: d = e⁻¹ mod (p−1)(q−1), as Go computes it) and
//! writes the PKCS#1 DER.
//!
//! The search, per prime of `b` bits (b = bits/2, as Go's keys: n then has
//! exactly `bits` bits):
//! 1. a random odd start of `b` bits with its top two bits set;
//! 2. a sieve over the next [`SIEVE_LEN`] odd numbers, striking the multiples
//!    of every odd prime below [`SIEVE_BOUND`] and the numbers ≡ 1 mod 65537
//!    (so gcd(e, p−1) = 1 with e = 65537), from one remainder per small prime;
//! 3. Miller–Rabin on each survivor in order, with random bases and the round
//!    counts Go 1.24+ uses for random candidates (FIPS 186-5 Appendix B.3 and
//!    Table B.1, as BoringSSL derives them): 5 rounds for 1024-bit primes, 4
//!    for 2048-bit ones, for the same error bound as Go's keys. Almost every
//!    composite fails the first round, so a survivor costs one exponentiation.
//!
//! A start whose window holds no prime (or that would outgrow `b` bits) is
//! dropped for a fresh random one. Stepping from a random start (as OpenSSL
//! and BoringSSL do) picks primes that follow long gaps a little more often
//! than Go's independent candidates do; it is what makes the sieve possible,
//! the sieve is what makes the search fast, and the primes stay far beyond any
//! search. p and q must differ by more than 2^(b−100) (FIPS 186-5 A.1.3).
//!
//! The exponentiation is Montgomery multiplication (CIOS) over u64 limbs with
//! u128 products, for fixed limb counts (16 for 1024-bit primes, 32 for
//! 2048-bit ones, 64 up to 4096), and a fixed 5-bit window. It is not constant
//! time: it only ever runs on candidates, and a candidate that passes is then
//! used by `ring`, whose signing is. Miller–Rabin never leaves Montgomery form:
//! a uniformly random Montgomery residue is the Montgomery form of a uniformly
//! random base, so a base costs no conversion, and ±1 are compared in that form.

use num_bigint_dig::BigUint;
use rand::RngCore;
use std::sync::OnceLock;

/// Odd numbers examined per random start: at 2048-bit primes (one in about
/// 710 odd numbers) a window misses with probability e^(−8192/710) ≈ 10⁻⁵.
const SIEVE_LEN: usize = 8192;
/// The sieve strikes multiples of the odd primes below a bound B: a fraction
/// 2e^−γ / ln B of odd numbers survives it (Mertens), 9.5% for B = 2^17 and
/// 8.1% for 2^20, so a 1024-bit prime costs about 34 Miller–Rabin
/// exponentiations instead of about 355, a 2048-bit one about 58 (2^14
/// left 41 and 82). A larger bound strikes more but costs a remainder per
/// prime per start: at these bounds, about one exponentiation's worth.
const SIEVE_BOUND: u32 = 1 << 20;
/// The bound for primes of up to 1024 bits, whose exponentiations are eight
/// times cheaper.
const SIEVE_BOUND_SMALL: u32 = 1 << 17;
/// The public exponent, as Go and Sprig use it.
pub const E: u32 = 65537;

/// A new RSA key of `bits` bits as PKCS#1 `RSAPrivateKey` DER, its primes of
/// (bits+1)/2 and bits/2 bits and e = 65537, as Go's `rsa.GenerateKey` makes.
pub fn generate_der(bits: usize, rng: &mut dyn RngCore) -> Result<Vec<u8>, String> {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    let key = generate(bits, rng)?;
    let der = key.to_pkcs1_der().map_err(|e| e.to_string())?;
    Ok(der.as_bytes().to_vec())
}

/// A new RSA key of `bits` bits (512 to 8192).
pub fn generate(bits: usize, rng: &mut dyn RngCore) -> Result<rsa::RsaPrivateKey, String> {
    if !(512..=8192).contains(&bits) {
        return Err(format!("rsa: unsupported key size {bits}"));
    }
    loop {
        let p = random_prime(bits.div_ceil(2), rng);
        let q = random_prime(bits / 2, rng);
        // |p − q| > 2^(bits/2 − 100); failing has a probability near 2⁻⁹⁷.
        let diff = if p > q { &p - &q } else { &q - &p };
        if diff.bits() <= bits / 2 - 100 {
            continue;
        }
        let key = rsa::RsaPrivateKey::from_primes(vec![p, q], BigUint::from(E))
            .map_err(|e| e.to_string())?;
        if rsa::traits::PublicKeyParts::n(&key).bits() != bits {
            return Err("rsa: internal error: modulus size incorrect".into());
        }
        return Ok(key);
    }
}

/// A random probable prime of exactly `bits` bits (64 to 4096) with its top
/// two bits set and p − 1 prime to 65537.
pub fn random_prime(bits: usize, rng: &mut dyn RngCore) -> BigUint {
    match bits {
        0..=1024 => search::<16>(bits, rng),
        1025..=2048 => search::<32>(bits, rng),
        _ => search::<64>(bits, rng),
    }
}

/// Miller–Rabin rounds for a random candidate of `bits` bits: the counts Go
/// 1.24+ (crypto/internal/fips140/rsa) and BoringSSL use, which keep the
/// chance that a random composite passes below 2⁻¹²⁸ or the key size's
/// security strength (FIPS 186-5 Table B.1).
pub fn rounds(bits: usize) -> u32 {
    match bits {
        3747.. => 3,
        1345.. => 4,
        476.. => 5,
        400.. => 6,
        347.. => 7,
        308.. => 8,
        55.. => 27,
        _ => 34,
    }
}

/// The odd primes below [`SIEVE_BOUND`], grouped into products below 2^32
/// (pairs below 2^16, single primes above) so that one remainder serves a
/// group; each group carries ⌊(2^64 − 1) / product⌋ to replace division by
/// a multiplication.
struct SmallPrimes {
    primes: Vec<u32>,
    groups: Vec<Group>,
}

struct Group {
    product: u64,
    reciprocal: u64,
    /// The group's primes: `primes[first..first + count]`.
    first: u32,
    count: u32,
}

fn small_primes() -> &'static SmallPrimes {
    static TABLE: OnceLock<SmallPrimes> = OnceLock::new();
    TABLE.get_or_init(|| {
        let bound = SIEVE_BOUND as usize;
        // Odd numbers only: index i stands for 2i + 1.
        let mut composite = vec![false; bound / 2];
        let mut primes = Vec::new();
        for i in 1..bound / 2 {
            if !composite[i] {
                let p = 2 * i + 1;
                primes.push(p as u32);
                for j in (p * p / 2..bound / 2).step_by(p) {
                    composite[j] = true;
                }
            }
        }
        let mut groups = Vec::new();
        let mut i = 0;
        while i < primes.len() {
            let pair = primes.get(i + 1).map(|&q| primes[i] as u64 * q as u64);
            let (product, count) = match pair {
                Some(product) if product < 1 << 32 => (product, 2),
                _ => (primes[i] as u64, 1),
            };
            groups.push(Group {
                product,
                reciprocal: u64::MAX / product,
                first: i as u32,
                count,
            });
            i += count as usize;
        }
        SmallPrimes { primes, groups }
    })
}

/// `x` mod `d` for 1 < `d` < 2^32, by 32-bit halves of the limbs, with
/// `reciprocal` = ⌊(2^64 − 1) / d⌋: the quotient estimate ⌊y·reciprocal / 2^64⌋
/// of each y < 2^64 is at most one short, so one correction finishes it.
fn rem_small(x: &[u64], d: u64, reciprocal: u64) -> u64 {
    let step = |r: u64, half: u64| {
        let y = (r << 32) | half;
        let q = ((y as u128 * reciprocal as u128) >> 64) as u64;
        let r = y - q * d;
        if r >= d {
            r - d
        } else {
            r
        }
    };
    let mut r = 0u64;
    for &limb in x.iter().rev() {
        r = step(r, limb >> 32);
        r = step(r, limb & 0xffff_ffff);
    }
    r
}

/// Where the sieve first strikes for prime `p` given `x ≡ r (mod p)`, and
/// `x + 2k ≡ target (mod p)`: k = (target − r)·2⁻¹ mod p.
fn first_hit(r: u64, target: u64, p: u64) -> usize {
    let diff = (target + p - r % p) % p;
    ((diff * p.div_ceil(2)) % p) as usize
}

fn search<const N: usize>(bits: usize, rng: &mut dyn RngCore) -> BigUint {
    debug_assert!((64..=64 * N).contains(&bits));
    let table = small_primes();
    let mut sieve = vec![false; SIEVE_LEN];
    loop {
        // A random start of exactly `bits` bits, top two set, odd.
        let mut start = [0u64; N];
        let limbs = bits.div_ceil(64);
        for limb in start.iter_mut().take(limbs) {
            *limb = rng.next_u64();
        }
        let top = (bits - 1) % 64;
        let hi = &mut start[limbs - 1];
        *hi &= if top == 63 {
            u64::MAX
        } else {
            (1u64 << (top + 1)) - 1
        };
        *hi |= 1u64 << top;
        if top == 0 {
            start[limbs - 2] |= 1 << 63;
        } else {
            start[limbs - 1] |= 1u64 << (top - 1);
        }
        start[0] |= 1;

        sieve.iter_mut().for_each(|s| *s = false);
        let bound = if bits <= 1024 {
            SIEVE_BOUND_SMALL
        } else {
            SIEVE_BOUND
        };
        for g in &table.groups {
            if g.product >= bound as u64 && g.count == 1 {
                break;
            }
            let r = rem_small(&start, g.product, g.reciprocal);
            let first = g.first as usize;
            for &p in &table.primes[first..first + g.count as usize] {
                let p = p as u64;
                let mut k = first_hit(r % p, 0, p);
                while k < SIEVE_LEN {
                    sieve[k] = true;
                    k += p as usize;
                }
            }
        }
        let e = E as u64;
        let mut k = first_hit(rem_small(&start, e, u64::MAX / e), 1, e);
        while k < SIEVE_LEN {
            sieve[k] = true;
            k += E as usize;
        }

        for (k, _) in sieve.iter().enumerate().filter(|(_, struck)| !**struck) {
            let mut cand = start;
            if add_small(&mut cand, 2 * k as u64) || bit_len(&cand) != bits {
                break; // outgrew `bits`: a fresh start
            }
            if miller_rabin::<N>(&cand, rounds(bits), rng) {
                return to_biguint(&cand);
            }
        }
    }
}

/// Adds `v` in place; true on a carry out of the top limb.
fn add_small(x: &mut [u64], v: u64) -> bool {
    let mut carry = v;
    for limb in x.iter_mut() {
        let (s, o) = limb.overflowing_add(carry);
        *limb = s;
        carry = o as u64;
        if carry == 0 {
            return false;
        }
    }
    carry != 0
}

fn bit_len(x: &[u64]) -> usize {
    x.iter()
        .rposition(|&l| l != 0)
        .map_or(0, |i| i * 64 + 64 - x[i].leading_zeros() as usize)
}

fn to_biguint(x: &[u64]) -> BigUint {
    let mut bytes = Vec::with_capacity(x.len() * 8);
    for limb in x.iter().rev() {
        bytes.extend_from_slice(&limb.to_be_bytes());
    }
    BigUint::from_bytes_be(&bytes)
}

/// Miller–Rabin with `rounds` random bases on `w`: false for composites
/// (all but a fraction 4^−rounds of them, far fewer for random ones), true
/// for primes.
fn miller_rabin<const N: usize>(w: &[u64; N], rounds: u32, rng: &mut dyn RngCore) -> bool {
    if bit_len(w) <= 2 {
        return w[0] == 3; // no base in [2, w−2] to draw
    }
    let Some(m) = Mont::<N>::new(w) else {
        return false;
    };
    // w − 1 = 2^s · d with d odd.
    let mut d = *w;
    d[0] &= !1;
    let s = trailing_zeros(&d);
    if s == 0 || s >= 64 * N {
        return false; // w is 1 (or even, which `new` refused)
    }
    shr(&mut d, s);
    let bits = bit_len(w);
    let minus_one = sub(w, &m.one).0;
    let mut done = 0;
    while done < rounds {
        // A uniformly random residue below w in Montgomery form, excluding
        // the forms of 0, 1 and −1: the form of a uniform base in [2, w−2].
        let mut base = [0u64; N];
        let limbs = bits.div_ceil(64);
        for limb in base.iter_mut().take(limbs) {
            *limb = rng.next_u64();
        }
        let top = bits % 64;
        if top != 0 {
            base[limbs - 1] &= (1u64 << top) - 1;
        }
        if !less(&base, w) || base == [0u64; N] || base == m.one || base == minus_one {
            continue;
        }
        done += 1;
        let mut z = m.pow(&base, &d);
        if z == m.one || z == minus_one {
            continue;
        }
        let mut passed = false;
        for _ in 1..s {
            z = m.sqr(&z);
            if z == minus_one {
                passed = true;
                break;
            }
            if z == m.one {
                return false; // a nontrivial square root of 1
            }
        }
        if !passed {
            return false;
        }
    }
    true
}

fn trailing_zeros(x: &[u64]) -> usize {
    x.iter()
        .position(|&l| l != 0)
        .map_or(64 * x.len(), |i| i * 64 + x[i].trailing_zeros() as usize)
}

/// Shifts right by `s` < 64·len bits in place.
fn shr(x: &mut [u64], s: usize) {
    let (words, bits) = (s / 64, s % 64);
    let n = x.len();
    for i in 0..n {
        let lo = x.get(i + words).copied().unwrap_or(0);
        let hi = x.get(i + words + 1).copied().unwrap_or(0);
        x[i] = if bits == 0 {
            lo
        } else {
            (lo >> bits) | (hi << (64 - bits))
        };
    }
}

/// a < b.
fn less<const N: usize>(a: &[u64; N], b: &[u64; N]) -> bool {
    for i in (0..N).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

/// a − b and the borrow out.
fn sub<const N: usize>(a: &[u64; N], b: &[u64; N]) -> ([u64; N], bool) {
    let mut out = [0u64; N];
    let mut borrow = false;
    for i in 0..N {
        let (d1, o1) = a[i].overflowing_sub(b[i]);
        let (d2, o2) = d1.overflowing_sub(borrow as u64);
        out[i] = d2;
        borrow = o1 | o2;
    }
    (out, borrow)
}

/// A 192-bit column accumulator for product scanning: a column sums at most
/// 2N + 1 products below 2^128 and a carry, below 2^136 for N ≤ 64.
#[derive(Clone, Copy, Default)]
struct Acc {
    lo: u128,
    hi: u64,
}

impl Acc {
    #[inline(always)]
    fn mac(&mut self, a: u64, b: u64) {
        let (s, o) = self.lo.overflowing_add(a as u128 * b as u128);
        self.lo = s;
        self.hi += o as u64;
    }

    /// Adds 2·`other`.
    #[inline(always)]
    fn add_double(&mut self, other: Acc) {
        let lo = other.lo << 1;
        let hi = (other.hi << 1) | (other.lo >> 127) as u64;
        let (s, o) = self.lo.overflowing_add(lo);
        self.lo = s;
        self.hi += hi + o as u64;
    }

    /// The low limb out, the rest shifted down by one limb.
    #[inline(always)]
    fn shift(&mut self) -> u64 {
        let out = self.lo as u64;
        self.lo = (self.lo >> 64) | ((self.hi as u128) << 64);
        self.hi = 0;
        out
    }
}

/// Montgomery arithmetic modulo an odd `m` < 2^(64N), with R = 2^(64N).
pub struct Mont<const N: usize> {
    m: [u64; N],
    /// −m⁻¹ mod 2^64.
    m_inv: u64,
    /// R mod m: the Montgomery form of 1.
    one: [u64; N],
}

impl<const N: usize> Mont<N> {
    /// None unless `m` is odd and greater than 1.
    pub fn new(m: &[u64; N]) -> Option<Mont<N>> {
        if m[0] & 1 == 0 || (m[0] == 1 && m[1..].iter().all(|&l| l == 0)) {
            return None;
        }
        // Newton's iteration for m⁻¹ mod 2^64: each step doubles the correct
        // low bits, and m·m ≡ 1 mod 8 starts with three.
        let mut inv = m[0];
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(m[0].wrapping_mul(inv)));
        }
        // R mod m: from 2^(len−1) (below m, as m is odd), doubled up to 2^(64N).
        let len = bit_len(m);
        let mut one = [0u64; N];
        one[(len - 1) / 64] = 1 << ((len - 1) % 64);
        for _ in len - 1..64 * N {
            let carry = one[N - 1] >> 63;
            for i in (1..N).rev() {
                one[i] = (one[i] << 1) | (one[i - 1] >> 63);
            }
            one[0] <<= 1;
            let (diff, borrow) = sub(&one, m);
            if carry == 1 || !borrow {
                one = diff;
            }
        }
        Some(Mont {
            m: *m,
            m_inv: inv.wrapping_neg(),
            one,
        })
    }

    /// a·b·R⁻¹ mod m, for a, b < m: the product and its reduction summed
    /// column by column (product scanning, "FIPS"), which keeps the running
    /// column in registers instead of storing a row at each step.
    pub fn mul(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let m = &self.m;
        let mut u = [0u64; N];
        let mut out = [0u64; N];
        let mut acc = Acc::default();
        for i in 0..N {
            for (x, y) in a[..i].iter().zip(b[1..=i].iter().rev()) {
                acc.mac(*x, *y);
            }
            for (x, y) in u[..i].iter().zip(m[1..=i].iter().rev()) {
                acc.mac(*x, *y);
            }
            acc.mac(a[i], b[0]);
            u[i] = (acc.lo as u64).wrapping_mul(self.m_inv);
            acc.mac(u[i], m[0]);
            acc.shift(); // zero: u was chosen for it
        }
        for i in N..2 * N {
            let lo = i + 1 - N;
            for (x, y) in a[lo..].iter().zip(b[lo..].iter().rev()) {
                acc.mac(*x, *y);
            }
            for (x, y) in u[lo..].iter().zip(m[lo..].iter().rev()) {
                acc.mac(*x, *y);
            }
            out[i - N] = acc.shift();
        }
        self.reduce_once(out, acc.lo != 0)
    }

    /// a·a·R⁻¹ mod m: as `mul`, with each cross product a[j]·a[i−j] computed
    /// once and doubled.
    pub fn sqr(&self, a: &[u64; N]) -> [u64; N] {
        let m = &self.m;
        let mut u = [0u64; N];
        let mut out = [0u64; N];
        let mut acc = Acc::default();
        for i in 0..2 * N {
            let lo = (i + 1).saturating_sub(N);
            // a[j]·a[i − j] for lo ≤ j < i − j.
            let mut cross = Acc::default();
            let half = i.div_ceil(2);
            if half > lo {
                let (left, right) = (&a[lo..half], &a[i + 1 - half..=i - lo]);
                for (x, y) in left.iter().zip(right.iter().rev()) {
                    cross.mac(*x, *y);
                }
            }
            acc.add_double(cross);
            if i % 2 == 0 {
                acc.mac(a[i / 2], a[i / 2]);
            }
            if i < N {
                for (x, y) in u[..i].iter().zip(m[1..=i].iter().rev()) {
                    acc.mac(*x, *y);
                }
            } else {
                for (x, y) in u[lo..].iter().zip(m[lo..].iter().rev()) {
                    acc.mac(*x, *y);
                }
            }
            if i < N {
                u[i] = (acc.lo as u64).wrapping_mul(self.m_inv);
                acc.mac(u[i], m[0]);
                acc.shift();
            } else {
                out[i - N] = acc.shift();
            }
        }
        self.reduce_once(out, acc.lo != 0)
    }

    /// `t` + carry·R, below 2m, reduced below m.
    #[inline(always)]
    fn reduce_once(&self, t: [u64; N], carry: bool) -> [u64; N] {
        let (diff, borrow) = sub(&t, &self.m);
        if carry || !borrow {
            diff
        } else {
            t
        }
    }

    /// base^exp in Montgomery form (base given in Montgomery form), with a
    /// fixed 5-bit window.
    pub fn pow(&self, base: &[u64; N], exp: &[u64; N]) -> [u64; N] {
        const W: usize = 5;
        let mut table = [[0u64; N]; 1 << W];
        table[0] = self.one;
        table[1] = *base;
        for i in 2..1 << W {
            table[i] = self.mul(&table[i - 1], base);
        }
        let bits = bit_len(exp);
        let mut acc = self.one;
        let mut pos = bits.div_ceil(W) * W;
        let mut first = true;
        while pos > 0 {
            pos -= W;
            let mut window = 0usize;
            for b in (pos..pos + W).rev() {
                let bit = if b < 64 * N {
                    (exp[b / 64] >> (b % 64)) & 1
                } else {
                    0
                };
                window = (window << 1) | bit as usize;
            }
            if first {
                acc = table[window];
                first = false;
                continue;
            }
            for _ in 0..W {
                acc = self.sqr(&acc);
            }
            if window != 0 {
                acc = self.mul(&acc, &table[window]);
            }
        }
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint_dig::prime::probably_prime;
    use num_bigint_dig::ModInverse;
    use rand::{Rng, SeedableRng};

    fn limbs<const N: usize>(x: &BigUint) -> [u64; N] {
        let mut out = [0u64; N];
        let bytes = x.to_bytes_le();
        for (i, chunk) in bytes.chunks(8).enumerate() {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            out[i] = u64::from_le_bytes(b);
        }
        out
    }

    fn random_below(rng: &mut impl Rng, m: &BigUint) -> BigUint {
        let bytes: Vec<u8> = (0..m.bits().div_ceil(8)).map(|_| rng.gen()).collect();
        BigUint::from_bytes_be(&bytes) % m
    }

    /// mul and pow against num-bigint-dig on random odd moduli of every
    /// length up to N limbs, and the edge cases 0, 1, m−1 and small m.
    fn check_mont<const N: usize>(rng: &mut rand::rngs::StdRng, cases: usize) {
        let r = BigUint::from(1u8) << (64 * N);
        for case in 0..cases {
            let bits = match case {
                0 => 2,
                1 => 64 * N,
                _ => rng.gen_range(2..=64 * N),
            };
            let mut m = random_below(rng, &(BigUint::from(1u8) << bits)) | BigUint::from(1u8);
            m |= BigUint::from(1u8) << (bits - 1);
            if case == 2 {
                m = (BigUint::from(1u8) << (64 * N)) - BigUint::from(1u8); // all ones
            }
            if m == BigUint::from(1u8) {
                continue;
            }
            let mont = Mont::<N>::new(&limbs(&m)).unwrap();
            let r_inv = r.clone().mod_inverse(&m).unwrap().to_biguint().unwrap();
            assert_eq!(to_biguint(&mont.one), &r % &m);
            let mut values = vec![
                BigUint::from(0u8),
                BigUint::from(1u8),
                &m - BigUint::from(1u8),
            ];
            for _ in 0..4 {
                values.push(random_below(rng, &m));
            }
            for a in &values {
                for b in &values {
                    let got = to_biguint(&mont.mul(&limbs(a), &limbs(b)));
                    assert_eq!(got, a * b * &r_inv % &m, "mul {a} {b} mod {m}");
                    if a == b {
                        assert_eq!(to_biguint(&mont.sqr(&limbs(a))), got, "sqr {a} mod {m}");
                    }
                }
                let exps = [
                    BigUint::from(0u8),
                    BigUint::from(1u8),
                    BigUint::from(31u8),
                    BigUint::from(32u8),
                    &m - BigUint::from(1u8),
                    random_below(rng, &(BigUint::from(1u8) << (64 * N))),
                ];
                for e in &exps {
                    let got = to_biguint(&mont.pow(&limbs(a), &limbs(e)));
                    // a is the Montgomery form of a·R⁻¹: expect (a·R⁻¹)^e·R.
                    let want = (a * &r_inv % &m).modpow(e, &m) * &r % &m;
                    assert_eq!(got, want, "pow {a} {e} mod {m}");
                }
            }
        }
    }

    #[test]
    fn montgomery_matches_num_bigint() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(18);
        check_mont::<1>(&mut rng, 200);
        check_mont::<2>(&mut rng, 100);
        check_mont::<16>(&mut rng, 20);
        check_mont::<32>(&mut rng, 6);
    }

    #[test]
    fn miller_rabin_agrees_with_num_bigint_on_random_and_tricky_numbers() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        // Carmichael numbers, a strong pseudoprime to bases 2..=11, and a
        // prime squared: composites that fool weaker tests.
        let tricky: [u128; 5] = [
            561,
            41041,
            3_215_031_751,
            3_825_123_056_546_413_051,
            4_294_967_291u128 * 4_294_967_291,
        ];
        for n in tricky {
            let w = limbs::<2>(&BigUint::from(n));
            assert!(!miller_rabin::<2>(&w, 27, &mut rng), "{n}");
        }
        for p in [5u64, 7, 65537, 4_294_967_291, 18_446_744_073_709_551_557] {
            assert!(miller_rabin::<2>(&limbs(&BigUint::from(p)), 27, &mut rng));
        }
        for n in [0u64, 1, 2, 4, 9] {
            assert!(!miller_rabin::<2>(&limbs(&BigUint::from(n)), 27, &mut rng));
        }
        for i in 0..4000 {
            let n = if i % 2 == 0 {
                BigUint::from(rng.gen::<u64>() | 1)
            } else {
                BigUint::from(rng.gen::<u64>() | 1) * BigUint::from(rng.gen::<u16>() | 1)
            };
            let want = probably_prime(&n, 20);
            assert_eq!(miller_rabin::<2>(&limbs(&n), 27, &mut rng), want, "{n}");
        }
    }

    #[test]
    fn sieve_start_and_strikes_are_right() {
        let t = small_primes();
        assert_eq!(&t.primes[..5], &[3, 5, 7, 11, 13]);
        assert_eq!(t.primes.len(), 82_025 - 1); // π(2^20), without 2
        assert!(t.groups.iter().all(|g| g.product < 1 << 32));
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        for g in t.groups.iter().step_by(97) {
            let x = BigUint::from_bytes_be(&(0..40).map(|_| rng.gen()).collect::<Vec<u8>>());
            let want = &x % BigUint::from(g.product);
            let got = rem_small(&limbs::<5>(&x), g.product, g.reciprocal);
            assert_eq!(BigUint::from(got), want);
        }
        let max = limbs::<4>(&((BigUint::from(1u8) << 256) - BigUint::from(1u8)));
        for d in [3u64, (1 << 32) - 5, 65537] {
            let r = rem_small(&max, d, u64::MAX / d);
            assert_eq!(BigUint::from(r), to_biguint(&max) % BigUint::from(d));
        }
        let x = limbs::<2>(&BigUint::from(1_000_003u64 * 65537 + 1234));
        for p in [3u64, 5, 7, 65537] {
            let r = rem_small(&x, p, u64::MAX / p);
            assert_eq!(r, (1_000_003u64 * 65537 + 1234) % p);
            for target in [0, 1] {
                let k = first_hit(r, target, p) as u64;
                assert_eq!((1_000_003u64 * 65537 + 1234 + 2 * k) % p, target);
            }
        }
    }

    #[test]
    fn primes_have_their_size_and_pass_an_independent_test() {
        let mut rng = rand::rngs::OsRng;
        for bits in [64, 100, 512, 1024] {
            for _ in 0..4 {
                let p = random_prime(bits, &mut rng);
                assert_eq!(p.bits(), bits);
                assert_eq!((&p >> (bits - 2)), BigUint::from(3u8));
                assert!(probably_prime(&p, 20), "{p}");
                assert_ne!(&p % BigUint::from(E), BigUint::from(1u8));
            }
        }
    }

    fn check_key(bits: usize) {
        use ring::signature::{RsaKeyPair, UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
        use rsa::traits::{PrivateKeyParts, PublicKeyParts};
        let der = generate_der(bits, &mut rand::rngs::OsRng).unwrap();
        use rsa::pkcs1::DecodeRsaPrivateKey;
        let key = rsa::RsaPrivateKey::from_pkcs1_der(&der).unwrap();
        key.validate().unwrap();
        assert_eq!(key.n().bits(), bits);
        assert_eq!(key.e(), &BigUint::from(E));
        let primes = key.primes();
        assert_eq!(primes.len(), 2);
        assert_ne!(primes[0], primes[1]);
        for p in primes {
            assert_eq!(p.bits(), bits / 2);
            assert!(probably_prime(p, 10));
        }
        let pair = RsaKeyPair::from_der(&der).unwrap();
        let rng = ring::rand::SystemRandom::new();
        let mut sig = vec![0u8; pair.public().modulus_len()];
        pair.sign(
            &ring::signature::RSA_PKCS1_SHA256,
            &rng,
            b"chartfix",
            &mut sig,
        )
        .unwrap();
        let public = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pair.public().as_ref());
        public.verify(b"chartfix", &sig).unwrap();
        assert!(public.verify(b"chartfiy", &sig).is_err());
    }

    #[test]
    fn keys_of_2048_bits_are_valid() {
        for _ in 0..12 {
            check_key(2048);
        }
    }

    #[test]
    fn keys_of_4096_bits_are_valid() {
        for _ in 0..3 {
            check_key(4096);
        }
    }

    #[test]
    fn odd_sizes_and_refused_sizes() {
        let key = generate(1025, &mut rand::rngs::OsRng).unwrap();
        assert_eq!(rsa::traits::PublicKeyParts::n(&key).bits(), 1025);
        assert!(generate(256, &mut rand::rngs::OsRng).is_err());
        assert!(generate(8200, &mut rand::rngs::OsRng).is_err());
    }
}
