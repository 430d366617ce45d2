//! Template functions: hashes, random strings, passwords, keys and certificates
//! (`sha256sum`, `randAlphaNum`, `htpasswd`, `genPrivateKey`, `encryptAES`, …).
//! Certificates are in [`certs`], keys in [`keys`], [`rsagen`] and [`dsa`], over a small [`der`].
//!
//! Random outputs cannot match Helm byte for byte; they have Sprig's shapes
//! (alphabets, lengths, PEM labels, `$2a$10$` hashes).

#[path = "certs.rs"]
mod certs;
#[path = "der.rs"]
mod der;
#[path = "dsa.rs"]
mod dsa;
#[path = "keys.rs"]
mod keys;
#[path = "rsagen.rs"]
mod rsagen;

use super::conv::{arg_bytes, arity, expect_str};
use super::FuncTable;
use crate::value::Value;
use base64::Engine;
use certs::go_int;
use keys::PrivateKey;
use rand::Rng;
use sha2::Digest;

/// Longest random string or byte count served; Go would try to allocate any
/// size, which is a way to exhaust memory rather than something charts need.
const MAX_RANDOM_LEN: i64 = 1 << 20;

pub fn register(table: &mut FuncTable) {
    table.add("sha1sum", |a| {
        hash("sha1sum", a, |s| hex::encode(sha1::Sha1::digest(s)))
    });
    table.add("sha256sum", |a| {
        hash("sha256sum", a, |s| hex::encode(sha2::Sha256::digest(s)))
    });
    table.add("sha512sum", |a| {
        hash("sha512sum", a, |s| hex::encode(sha2::Sha512::digest(s)))
    });
    table.add("adler32sum", |a| {
        hash("adler32sum", a, |s| adler32(s).to_string())
    });
    table.add("randAlphaNum", |a| {
        random_string("randAlphaNum", a, ALPHANUM)
    });
    table.add("randAlpha", |a| {
        random_string("randAlpha", a, &ALPHANUM[10..])
    });
    table.add("randNumeric", |a| {
        random_string("randNumeric", a, &ALPHANUM[..10])
    });
    table.add("randAscii", |a| random_string("randAscii", a, ASCII));
    table.add("randBytes", rand_bytes);
    table.add("uuidv4", uuidv4);
    table.add("bcrypt", bcrypt_fn);
    table.add("htpasswd", htpasswd);
    table.add("derivePassword", derive_password);
    table.add("genPrivateKey", gen_private_key);
    table.add("encryptAES", encrypt_aes);
    table.add("decryptAES", decrypt_aes);
    certs::register(table);
}

fn hash(name: &str, args: &[Value], f: fn(&[u8]) -> String) -> Result<Value, String> {
    arity(name, args, 1)?;
    Ok(Value::str(f(arg_bytes(&args[0])?)))
}

/// Go's `hash/adler32` checksum.
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += byte as u32;
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

const ALPHANUM: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// goutils' ASCII alphabet: the printable characters from space to `~`.
const ASCII: &[u8] = b" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

/// A count argument: negative counts give nothing (goutils' error is dropped by
/// Sprig), huge ones are refused.
fn count(name: &str, v: &Value) -> Result<usize, String> {
    let n = go_int(name, v)?;
    if n > MAX_RANDOM_LEN {
        return Err(format!(
            "error calling {name}: count {n} is over the limit of {MAX_RANDOM_LEN}"
        ));
    }
    Ok(n.max(0) as usize)
}

fn random_string(name: &str, args: &[Value], alphabet: &[u8]) -> Result<Value, String> {
    arity(name, args, 1)?;
    let n = count(name, &args[0])?;
    let mut rng = rand::rngs::OsRng;
    let s: String = (0..n)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect();
    Ok(Value::str(s))
}

/// `randBytes N`: N random bytes, base64-encoded.
fn rand_bytes(args: &[Value]) -> Result<Value, String> {
    arity("randBytes", args, 1)?;
    let mut buf = vec![0u8; count("randBytes", &args[0])?];
    rand::rngs::OsRng.fill(&mut buf[..]);
    Ok(Value::str(
        base64::engine::general_purpose::STANDARD.encode(buf),
    ))
}

/// A random (version 4, RFC 4122 variant) UUID in its hyphenated form.
fn uuidv4(args: &[Value]) -> Result<Value, String> {
    arity("uuidv4", args, 0)?;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    Ok(Value::str(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )))
}

/// Go's `bcrypt.GenerateFromPassword` at the default cost 10, `$2a$` form;
/// failures come back as text, as Sprig returns them.
fn bcrypt_hash(password: &str) -> String {
    if password.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .to_string();
    }
    match bcrypt::hash_with_result(password, 10) {
        Ok(parts) => parts.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

fn bcrypt_fn(args: &[Value]) -> Result<Value, String> {
    arity("bcrypt", args, 1)?;
    Ok(Value::str(bcrypt_hash(expect_str("bcrypt", &args[0])?)))
}

/// `htpasswd USER PASSWORD`: `user:$2a$10$…`, as Apache's bcrypt entries.
fn htpasswd(args: &[Value]) -> Result<Value, String> {
    arity("htpasswd", args, 2)?;
    let user = expect_str("htpasswd", &args[0])?;
    let password = expect_str("htpasswd", &args[1])?;
    if user.contains(':') {
        return Ok(Value::str(format!("invalid username: {user}")));
    }
    Ok(Value::str(format!("{user}:{}", bcrypt_hash(password))))
}

/// The Master Password algorithm's templates, per password type.
fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_chars(c: u8) -> &'static [u8] {
    match c {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// `derivePassword COUNTER TYPE PASSWORD USER SITE`: the deterministic Master
/// Password (scrypt + HMAC-SHA256) site password, as Sprig computes it.
fn derive_password(args: &[Value]) -> Result<Value, String> {
    let name = "derivePassword";
    arity(name, args, 5)?;
    // An integer constant converts to the uint32 parameter; a typed value
    // (an int64 from `add`, a float64 from values) does not.
    let counter = match &args[0] {
        Value::Int(i) => u32::try_from(*i).ok(),
        _ => None,
    }
    .ok_or_else(|| super::conv::wrong_type("uint32", &args[0]))?;
    let kind = expect_str(name, &args[1])?;
    let password = expect_str(name, &args[2])?;
    let user = expect_str(name, &args[3])?;
    let site = expect_str(name, &args[4])?;
    let Some(templates) = password_templates(kind) else {
        return Ok(Value::str(format!("cannot find password template {kind}")));
    };
    const SEED: &[u8] = b"com.lyndir.masterpassword";
    let mut salt = SEED.to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let params = scrypt::Params::new(15, 8, 2, 64).map_err(|e| e.to_string())?;
    if let Err(e) = scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key) {
        return Ok(Value::str(format!("failed to derive password: {e}")));
    }
    let mut message = SEED.to_vec();
    message.extend_from_slice(&(site.len() as u32).to_be_bytes());
    message.extend_from_slice(site.as_bytes());
    message.extend_from_slice(&counter.to_be_bytes());
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).map_err(|e| e.to_string())?;
    mac.update(&message);
    let seed = mac.finalize().into_bytes();
    let template = templates[seed[0] as usize % templates.len()].as_bytes();
    let out: String = template
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let chars = template_chars(*c);
            chars[seed[i + 1] as usize % chars.len()] as char
        })
        .collect();
    Ok(Value::str(out))
}

/// `genPrivateKey TYPE`: a PEM key; unknown types and failures come back as
/// text, as Sprig returns them. Sprig's RSA keys are 4096 bits.
fn gen_private_key(args: &[Value]) -> Result<Value, String> {
    arity("genPrivateKey", args, 1)?;
    let kind = expect_str("genPrivateKey", &args[0])?;
    // An EC or Ed25519 key takes about a millisecond: 50 000 steps, below
    // the work budget's unit but not free in a loop.
    if matches!(kind, "ecdsa" | "ed25519") {
        crate::value::meter::charge(50_000);
    }
    let key = match kind {
        "" | "rsa" => PrivateKey::generate_rsa(4096),
        "ecdsa" => PrivateKey::generate_ec(),
        "ed25519" => PrivateKey::generate_ed25519(),
        // Sprig's DSA keys are L=2048, N=256; slow to make, as in Go.
        "dsa" => {
            return Ok(Value::str(keys::pem_encode(
                "DSA PRIVATE KEY",
                &dsa::generate(2048, 256),
            )))
        }
        other => return Ok(Value::str(format!("Unknown type {other}"))),
    };
    Ok(Value::str(match key {
        Ok(k) => k.to_pem(),
        Err(e) => format!("failed to generate private key: {e}"),
    }))
}

/// Sprig's AES key: the password's bytes in a zeroed 32-byte buffer (AES-256).
fn aes_cipher(password: &str) -> aes::Aes256 {
    use aes::cipher::KeyInit;
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    aes::Aes256::new(&key.into())
}

/// `encryptAES PASSWORD TEXT`: AES-256-CBC with PKCS#7 padding and a random
/// IV, base64 of IV followed by ciphertext.
fn encrypt_aes(args: &[Value]) -> Result<Value, String> {
    use aes::cipher::BlockEncrypt;
    arity("encryptAES", args, 2)?;
    let password = expect_str("encryptAES", &args[0])?;
    let plaintext = expect_str("encryptAES", &args[1])?;
    if plaintext.is_empty() {
        return Ok(Value::str(""));
    }
    let cipher = aes_cipher(password);
    let mut content = plaintext.as_bytes().to_vec();
    let pad = 16 - content.len() % 16;
    content.extend(std::iter::repeat_n(pad as u8, pad));
    let mut out = vec![0u8; 16];
    rand::rngs::OsRng.fill(&mut out[..]);
    let mut prev: [u8; 16] = out[..16].try_into().unwrap_or([0; 16]);
    for chunk in content.chunks(16) {
        let mut block = [0u8; 16];
        for i in 0..16 {
            block[i] = chunk[i] ^ prev[i];
        }
        let mut b = block.into();
        cipher.encrypt_block(&mut b);
        prev = b.into();
        out.extend_from_slice(&prev);
    }
    Ok(Value::str(
        base64::engine::general_purpose::STANDARD.encode(out),
    ))
}

/// `decryptAES PASSWORD BASE64`: the inverse of `encryptAES`. Where Go panics
/// on malformed input (and the template engine reports the panic), these are
/// errors with the same text.
fn decrypt_aes(args: &[Value]) -> Result<Value, String> {
    use aes::cipher::BlockDecrypt;
    arity("decryptAES", args, 2)?;
    let password = expect_str("decryptAES", &args[0])?;
    let text = expect_str("decryptAES", &args[1])?;
    if text.is_empty() {
        return Ok(Value::str(""));
    }
    let fail = |m: String| format!("error calling decryptAES: {m}");
    let data = go_base64_decode(text).map_err(fail)?;
    if data.len() < 16 {
        return Err(fail(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            data.len()
        )));
    }
    if data.len() % 16 != 0 {
        return Err(fail("crypto/cipher: input not full blocks".into()));
    }
    let cipher = aes_cipher(password);
    let mut plain = Vec::with_capacity(data.len() - 16);
    for pair in data.windows(32).step_by(16) {
        let mut b = <[u8; 16]>::try_from(&pair[16..]).unwrap_or([0; 16]).into();
        cipher.decrypt_block(&mut b);
        let block: [u8; 16] = b.into();
        plain.extend(block.iter().zip(&pair[..16]).map(|(x, y)| x ^ y));
    }
    // Sprig strips as many bytes as the last one says, without checking them.
    let Some(&pad) = plain.last() else {
        return Err(fail("runtime error: index out of range [-1]".into()));
    };
    let keep = plain.len() as i64 - pad as i64;
    if keep < 0 {
        return Err(fail(format!(
            "runtime error: slice bounds out of range [:{keep}]"
        )));
    }
    plain.truncate(keep as usize);
    Ok(Value::go_string(plain))
}

/// Go's `base64.StdEncoding.DecodeString`: line breaks are skipped, and errors
/// name the offset of the first bad input byte.
fn go_base64_decode(text: &str) -> Result<Vec<u8>, String> {
    use base64::DecodeError;
    let clean: String = text.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    base64::engine::general_purpose::STANDARD
        .decode(&clean)
        .map_err(|e| {
            let at = match e {
                DecodeError::InvalidByte(at, _) | DecodeError::InvalidLastSymbol(at, _) => at,
                // A short or badly padded final quantum is reported at its start.
                DecodeError::InvalidLength(_) | DecodeError::InvalidPadding => {
                    if clean.len() % 4 == 0 {
                        clean.len().saturating_sub(4)
                    } else {
                        clean.len() / 4 * 4
                    }
                }
            };
            format!("illegal base64 data at input byte {at}")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: Result<Value, String>) -> String {
        v.expect("function succeeds").to_string()
    }

    #[test]
    fn hashes_match_helm() {
        let x = [Value::str("x")];
        assert_eq!(
            s(hash("sha1sum", &x, |d| hex::encode(sha1::Sha1::digest(d)))),
            "11f6ad8ec52a2984abaafd7c3b516503785c2072"
        );
        assert_eq!(adler32(b"hello"), 103547413);
    }

    #[test]
    fn random_strings_have_sprig_shapes() {
        let out = s(random_string("randAlphaNum", &[Value::Int(40)], ALPHANUM));
        assert_eq!(out.len(), 40);
        assert!(out.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(
            s(random_string("randAlpha", &[Value::Int(-3)], ALPHANUM)),
            ""
        );
        assert!(random_string("randAscii", &[Value::Int(1 << 40)], ASCII).is_err());
        assert_eq!(s(rand_bytes(&[Value::Int(4)])).len(), 8);
        let id = s(uuidv4(&[]));
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
    }

    #[test]
    fn passwords_match_sprig() {
        let h = s(htpasswd(&[Value::str("u"), Value::str("p")]));
        assert!(h.starts_with("u:$2a$10$"), "{h}");
        assert!(bcrypt::verify("p", &h[2..]).unwrap());
        assert_eq!(
            s(htpasswd(&[Value::str("u:x"), Value::str("p")])),
            "invalid username: u:x"
        );
        // Helm 4.2.3 prints ZedaFaxcZaso9* for these arguments.
        let args = ["long", "password", "user", "example.com"].map(Value::str);
        let mut all = vec![Value::Int(1)];
        all.extend(args);
        assert_eq!(s(derive_password(&all)), "ZedaFaxcZaso9*");
        all[1] = Value::str("nope");
        assert_eq!(
            s(derive_password(&all)),
            "cannot find password template nope"
        );
    }

    #[test]
    fn aes_round_trips_and_reads_helm_output() {
        // Helm 4.2.3 encrypted "plaintext" with "secretkey" to this.
        let helm = "9QxCdfMPwSJJ/cwkuIaRrikSJczYErx/MI7sz4FQWmI=";
        let key = Value::str("secretkey");
        assert_eq!(
            s(decrypt_aes(&[key.clone(), Value::str(helm)])),
            "plaintext"
        );
        let enc = s(encrypt_aes(&[key.clone(), Value::str("hello world, 16+")]));
        assert_eq!(
            s(decrypt_aes(&[key.clone(), Value::str(enc)])),
            "hello world, 16+"
        );
        // Go panics on these; Helm reports the panic's text.
        let err = |t: &str| decrypt_aes(&[key.clone(), Value::str(t)]).unwrap_err();
        let short = "runtime error: slice bounds out of range [:16] with capacity 3";
        assert_eq!(err("AAAA"), format!("error calling decryptAES: {short}"));
        assert!(err("AAA").ends_with("illegal base64 data at input byte 0"));
        assert!(err("AA!A").ends_with("illegal base64 data at input byte 2"));
        assert!(err("AAAAAAAAAAAAAAAAAAAAAA==").ends_with("index out of range [-1]"));
        let ragged = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==";
        assert!(err(ragged).ends_with("crypto/cipher: input not full blocks"));
    }

    #[test]
    fn private_keys_have_go_pem_labels() {
        let ec = s(gen_private_key(&[Value::str("ecdsa")]));
        assert!(ec.starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
        let ed = s(gen_private_key(&[Value::str("ed25519")]));
        assert!(ed.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert_eq!(s(gen_private_key(&[Value::str("foo")])), "Unknown type foo");
    }
}
