//! DSA keys for `genPrivateKey "dsa"`: FIPS 186-3 domain parameters made the
//! way Go's `crypto/dsa` makes them (a prime q, then p = X − (X mod q) + 1 from
//! random X until p is prime, then g = h^((p−1)/q) mod p), and the key written
//! as Sprig writes it: `DSA PRIVATE KEY`, a sequence of version 0, P, Q, G, Y, X.

use super::der;
use num_bigint_dig::prime::probably_prime;
use num_bigint_dig::BigUint;
use rand::Rng;

/// Miller–Rabin rounds, as many as Go uses.
const MR_ROUNDS: usize = 64;

fn random_bytes(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    rand::rngs::OsRng.fill(&mut b[..]);
    b
}

/// A key with an `l`-bit p and an `n`-bit q (Sprig uses 2048 and 256), as DER.
pub fn generate(l: usize, n: usize) -> Vec<u8> {
    let one = BigUint::from(1u32);
    let (p, q) = 'primes: loop {
        let mut qb = random_bytes(n / 8);
        qb[0] |= 0x80;
        let last = qb.len() - 1;
        qb[last] |= 1;
        let q = BigUint::from_bytes_be(&qb);
        if !probably_prime(&q, MR_ROUNDS) {
            continue;
        }
        for _ in 0..4 * l {
            let mut pb = random_bytes(l / 8);
            pb[0] |= 0x80;
            let last = pb.len() - 1;
            pb[last] |= 1;
            let x = BigUint::from_bytes_be(&pb);
            let rem = &x % &q;
            // rem is at least 1 here: x is odd and q is an odd prime above 2.
            if rem < one {
                continue;
            }
            let p = x - (rem - &one);
            if p.bits() < l || !probably_prime(&p, MR_ROUNDS) {
                continue;
            }
            break 'primes (p, q);
        }
    };
    let e = (&p - &one) / &q;
    let mut h = BigUint::from(2u32);
    let g = loop {
        let g = h.modpow(&e, &p);
        if g != one {
            break g;
        }
        h += &one;
    };
    let x = loop {
        let x = BigUint::from_bytes_be(&random_bytes(n / 8));
        if x > BigUint::from(0u32) && x < q {
            break x;
        }
    };
    let y = g.modpow(&x, &p);
    let int = |v: &BigUint| der::uint(&v.to_bytes_be());
    der::seq(&[
        &der::uint(&[0]),
        &int(&p),
        &int(&q),
        &int(&g),
        &int(&y),
        &int(&x),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small parameters keep the test fast; the arithmetic is the same.
    #[test]
    fn keys_satisfy_the_dsa_relations() {
        let key = generate(512, 160);
        let body = der::parse_one(&key, der::SEQUENCE).unwrap();
        let mut r = der::Reader::new(body);
        let mut ints = Vec::new();
        while let Some(e) = r.next() {
            ints.push(BigUint::from_bytes_be(e.content));
        }
        let [v, p, q, g, y, x] = &ints[..] else {
            panic!("six integers");
        };
        assert_eq!(*v, BigUint::from(0u32));
        assert_eq!(p.bits(), 512);
        assert_eq!(q.bits(), 160);
        assert_eq!((p - 1u32) % q, BigUint::from(0u32));
        assert_eq!(g.modpow(q, p), BigUint::from(1u32));
        assert_eq!(g.modpow(x, p), *y);
    }
}
