//! Template functions that make certificates: `genCA`, `genSelfSignedCert`,
//! `genSignedCert` (each also `…WithKey`) and `buildCustomCert`.
//!
//! The certificates carry what Sprig's `getBaseCertTemplate` sets and what Go's
//! `x509.CreateCertificate` adds: a random 128-bit serial, the common name,
//! IP and DNS SANs, validity from now for the given days, key usages
//! (digital signature and key encipherment, plus cert signing for a CA),
//! server and client auth, basic constraints, and key identifiers.

use super::der;
use super::keys::{pem_decode, pem_encode, PrivateKey};
use crate::engine::funcs::conv::{arity, expect_str};
use crate::engine::funcs::FuncTable;
use crate::value::{Map, Object, Value};
use chrono::{DateTime, Datelike, Duration, Utc};
use sha2::{Digest, Sha256};
use std::any::Any;
use std::net::IpAddr;

pub fn register(table: &mut FuncTable) {
    table.add("genCA", gen_ca);
    table.add("genCAWithKey", gen_ca_with_key);
    table.add("genSelfSignedCert", gen_self_signed);
    table.add("genSelfSignedCertWithKey", gen_self_signed_with_key);
    table.add("genSignedCert", gen_signed);
    table.add("genSignedCertWithKey", gen_signed_with_key);
    table.add("buildCustomCert", build_custom_cert);
}

/// Sprig's `certificate` struct: PEM text of a certificate and its key.
pub struct Certificate {
    pub cert: String,
    pub key: String,
}

impl Object for Certificate {
    fn type_name(&self) -> &str {
        "sprig.certificate"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::str(self.cert.as_str())),
            "Key" => Some(Value::str(self.key.as_str())),
            _ => None,
        }
    }

    fn format(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }

    fn to_plain(&self) -> Option<Value> {
        let m = Map::new();
        m.insert("Cert", Value::str(self.cert.as_str()));
        m.insert("Key", Value::str(self.key.as_str()));
        Some(Value::map(m))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// What a new certificate says about its subject.
struct Template {
    cn: String,
    ips: Vec<IpAddr>,
    dns: Vec<String>,
    days: i64,
    is_ca: bool,
}

/// The issuer side: its subject name, key identifier and signing key.
struct Issuer<'a> {
    name: Vec<u8>,
    key_id: Option<Vec<u8>>,
    key: &'a PrivateKey,
}

fn gen_ca(args: &[Value]) -> Result<Value, String> {
    let name = "genCA";
    arity(name, args, 2)?;
    let key = new_rsa_key(name)?;
    ca(name, &args[0], &args[1], key)
}

fn gen_ca_with_key(args: &[Value]) -> Result<Value, String> {
    let name = "genCAWithKey";
    arity(name, args, 3)?;
    let key = pem_key(name, &args[2])?;
    ca(name, &args[0], &args[1], key)
}

fn ca(name: &str, cn: &Value, days: &Value, key: PrivateKey) -> Result<Value, String> {
    let t = Template {
        cn: expect_str(name, cn)?.to_string(),
        ips: Vec::new(),
        dns: Vec::new(),
        days: go_int(name, days)?,
        is_ca: true,
    };
    issue(name, &t, &key, None)
}

fn gen_self_signed(args: &[Value]) -> Result<Value, String> {
    let name = "genSelfSignedCert";
    arity(name, args, 4)?;
    let t = template(name, args)?;
    issue(name, &t, &new_rsa_key(name)?, None)
}

fn gen_self_signed_with_key(args: &[Value]) -> Result<Value, String> {
    let name = "genSelfSignedCertWithKey";
    arity(name, args, 5)?;
    let t = template(name, args)?;
    issue(name, &t, &pem_key(name, &args[4])?, None)
}

fn gen_signed(args: &[Value]) -> Result<Value, String> {
    let name = "genSignedCert";
    arity(name, args, 5)?;
    let t = template(name, args)?;
    let ca = certificate_arg(name, &args[4])?;
    signed(name, &t, ca, new_rsa_key(name)?)
}

fn gen_signed_with_key(args: &[Value]) -> Result<Value, String> {
    let name = "genSignedCertWithKey";
    arity(name, args, 6)?;
    let t = template(name, args)?;
    let ca = certificate_arg(name, &args[4])?;
    signed(name, &t, ca, pem_key(name, &args[5])?)
}

/// Signs a new certificate with the CA given as a `certificate` object.
fn signed(name: &str, t: &Template, ca: &Certificate, key: PrivateKey) -> Result<Value, String> {
    let fail = |m: String| format!("error calling {name}: {m}");
    let (_, ca_der) =
        pem_decode(&ca.cert).ok_or_else(|| fail("unable to decode certificate".into()))?;
    let (subject, key_id) = parse_certificate(&ca_der).ok_or_else(|| {
        fail(
            "error parsing certificate: decodedSignerCert.Bytes: x509: malformed certificate"
                .into(),
        )
    })?;
    let ca_key = PrivateKey::from_pem(&ca.key)
        .map_err(|e| fail(format!("error parsing private key: {e}")))?;
    let issuer = Issuer {
        name: subject,
        key_id,
        key: &ca_key,
    };
    issue(name, t, &key, Some(issuer))
}

/// `buildCustomCert B64CERT B64KEY`: a certificate object from base64-encoded
/// PEM, checked to parse.
fn build_custom_cert(args: &[Value]) -> Result<Value, String> {
    let name = "buildCustomCert";
    arity(name, args, 2)?;
    let fail = |m: &str| format!("error calling {name}: {m}");
    let cert = super::go_base64_decode(expect_str(name, &args[0])?)
        .map_err(|_| fail("unable to decode base64 certificate"))?;
    let key = super::go_base64_decode(expect_str(name, &args[1])?)
        .map_err(|_| fail("unable to decode base64 private key"))?;
    let cert = String::from_utf8_lossy(&cert).into_owned();
    let key = String::from_utf8_lossy(&key).into_owned();
    let (_, der) = pem_decode(&cert).ok_or_else(|| fail("unable to decode certificate"))?;
    parse_certificate(&der).ok_or_else(|| {
        fail("error parsing certificate: decodedCert.Bytes: x509: malformed certificate")
    })?;
    PrivateKey::from_pem(&key).map_err(|e| fail(&format!("error parsing private key: {e}")))?;
    Ok(Value::object(Certificate { cert, key }))
}

/// CN, IP list, DNS list and days: the first four arguments of the
/// self-signed and signed variants.
fn template(name: &str, args: &[Value]) -> Result<Template, String> {
    let cn = expect_str(name, &args[0])?.to_string();
    let ips = string_list(name, &args[1], "error parsing ip")?
        .into_iter()
        .map(|s| {
            s.parse::<IpAddr>()
                .map_err(|_| format!("error calling {name}: error parsing ip: {s}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let dns = string_list(name, &args[2], "error processing alternate dns name")?;
    Ok(Template {
        cn,
        ips,
        dns,
        days: go_int(name, &args[3])?,
        is_ca: false,
    })
}

/// A `[]interface{}` parameter of strings; nil is an empty list.
fn string_list(name: &str, v: &Value, what: &str) -> Result<Vec<String>, String> {
    match v {
        Value::Nil => Ok(Vec::new()),
        Value::List(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.to_string()),
                other => Err(format!(
                    "error calling {name}: {what}: {other} is not a string"
                )),
            })
            .collect(),
        other => Err(format!(
            "wrong type for value; expected []interface {{}}; got {}",
            other.type_name()
        )),
    }
}

/// A Go `int` parameter: an integer, or a number constant with no fraction.
pub fn go_int(name: &str, v: &Value) -> Result<i64, String> {
    let _ = name;
    match v {
        Value::Int(i) => Ok(*i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Ok(*f as i64),
        other => Err(format!(
            "wrong type for value; expected int; got {}",
            other.type_name()
        )),
    }
}

fn certificate_arg<'a>(name: &str, v: &'a Value) -> Result<&'a Certificate, String> {
    let _ = name;
    match v {
        Value::Object(o) => o.as_any().downcast_ref::<Certificate>(),
        _ => None,
    }
    .ok_or_else(|| {
        format!(
            "wrong type for value; expected sprig.certificate; got {}",
            v.type_name()
        )
    })
}

fn new_rsa_key(name: &str) -> Result<PrivateKey, String> {
    PrivateKey::generate_rsa(2048)
        .map_err(|e| format!("error calling {name}: error generating rsa key: {e}"))
}

fn pem_key(name: &str, v: &Value) -> Result<PrivateKey, String> {
    PrivateKey::from_pem(expect_str(name, v)?)
        .map_err(|e| format!("error calling {name}: parsing private key: {e}"))
}

/// Builds, signs and PEM-encodes the certificate; self-signed without an issuer.
fn issue(
    name: &str,
    t: &Template,
    key: &PrivateKey,
    issuer: Option<Issuer>,
) -> Result<Value, String> {
    let fail = |m: String| format!("error calling {name}: {m}");
    let subject = name_der(&t.cn);
    let (spki, key_bits) = key
        .public_key_info()
        .map_err(|e| fail(format!("error retrieving public key from signee key: {e}")))?;
    let self_issuer;
    let issuer = match issuer {
        Some(i) => i,
        None => {
            self_issuer = Issuer {
                name: subject.clone(),
                key_id: None,
                key,
            };
            self_issuer
        }
    };
    let now = Utc::now();
    let not_after = Duration::try_days(t.days)
        .and_then(|d| now.checked_add_signed(d))
        .ok_or_else(|| fail("error creating certificate: validity out of range".into()))?;
    let mut serial = [0u8; 16];
    rand::Rng::fill(&mut rand::rngs::OsRng, &mut serial[..]);

    // Go gives CAs a key identifier: SHA-256 of the key bits cut to 160 bits.
    let subject_key_id = t.is_ca.then(|| Sha256::digest(&key_bits)[..20].to_vec());
    let authority_key_id = issuer.key_id.clone().filter(|_| issuer.name != subject);
    let extensions = extensions(t, subject_key_id.as_deref(), authority_key_id.as_deref());

    let sig_alg = issuer.key.signature_algorithm();
    let tbs = der::seq(&[
        &der::explicit(0, &der::uint(&[2])),
        &der::uint(&serial),
        &sig_alg,
        &issuer.name,
        &der::seq(&[&time_der(now), &time_der(not_after)]),
        &subject,
        &spki,
        &der::explicit(3, &extensions),
    ]);
    let signature = issuer
        .key
        .sign(&tbs)
        .map_err(|e| fail(format!("error creating certificate: {e}")))?;
    let cert = der::seq(&[&tbs, &sig_alg, &der::bit_string(&signature, 0)]);
    Ok(Value::object(Certificate {
        cert: pem_encode("CERTIFICATE", &cert),
        key: key.to_pem(),
    }))
}

/// The extensions in the order Go writes them.
fn extensions(t: &Template, ski: Option<&[u8]>, aki: Option<&[u8]>) -> Vec<u8> {
    let ext = |arcs: &[u64], critical: bool, value: &[u8]| {
        let mut parts = vec![der::oid(arcs)];
        if critical {
            parts.push(der::boolean(true));
        }
        parts.push(der::octet_string(value));
        let refs: Vec<&[u8]> = parts.iter().map(|p| p.as_slice()).collect();
        der::seq(&refs)
    };
    let mut list = Vec::new();
    // Key usage bits: digitalSignature (0), keyEncipherment (2), keyCertSign (5).
    let usage = if t.is_ca {
        der::bit_string(&[0xa4], 2)
    } else {
        der::bit_string(&[0xa0], 5)
    };
    list.push(ext(&[2, 5, 29, 15], true, &usage));
    let server_auth = der::oid(&[1, 3, 6, 1, 5, 5, 7, 3, 1]);
    let client_auth = der::oid(&[1, 3, 6, 1, 5, 5, 7, 3, 2]);
    list.push(ext(
        &[2, 5, 29, 37],
        false,
        &der::seq(&[&server_auth, &client_auth]),
    ));
    let basic = if t.is_ca {
        der::seq(&[&der::boolean(true)])
    } else {
        der::seq(&[])
    };
    list.push(ext(&[2, 5, 29, 19], true, &basic));
    if let Some(id) = ski {
        list.push(ext(&[2, 5, 29, 14], false, &der::octet_string(id)));
    }
    if let Some(id) = aki {
        list.push(ext(
            &[2, 5, 29, 35],
            false,
            &der::seq(&[&der::tlv(0x80, id)]),
        ));
    }
    if !t.dns.is_empty() || !t.ips.is_empty() {
        let mut names = Vec::new();
        for d in &t.dns {
            names.extend(der::tlv(0x82, d.as_bytes()));
        }
        for ip in &t.ips {
            let bytes = match ip {
                IpAddr::V4(v4) => v4.octets().to_vec(),
                IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) => v4.octets().to_vec(),
                    None => v6.octets().to_vec(),
                },
            };
            names.extend(der::tlv(0x87, &bytes));
        }
        // Go marks SANs critical when the subject is empty.
        list.push(ext(
            &[2, 5, 29, 17],
            t.cn.is_empty(),
            &der::tlv(der::SEQUENCE, &names),
        ));
    }
    der::tlv(der::SEQUENCE, &list.concat())
}

/// A name with only a common name; Go leaves an empty CN out entirely and
/// writes printable strings as PrintableString, others as UTF8String.
fn name_der(cn: &str) -> Vec<u8> {
    if cn.is_empty() {
        return der::seq(&[]);
    }
    let printable = cn
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" '()+,-./:=?*&".contains(&b));
    let tag = if printable {
        der::PRINTABLE_STRING
    } else {
        der::UTF8_STRING
    };
    let atv = der::seq(&[&der::oid(&[2, 5, 4, 3]), &der::tlv(tag, cn.as_bytes())]);
    der::seq(&[&der::tlv(der::SET, &atv)])
}

/// UTCTime through 2049, GeneralizedTime after, as RFC 5280 and Go do.
fn time_der(t: DateTime<Utc>) -> Vec<u8> {
    if (1950..2050).contains(&t.year()) {
        der::tlv(
            der::UTC_TIME,
            t.format("%y%m%d%H%M%SZ").to_string().as_bytes(),
        )
    } else {
        der::tlv(
            der::GENERALIZED_TIME,
            t.format("%Y%m%d%H%M%SZ").to_string().as_bytes(),
        )
    }
}

/// The subject name (raw DER) and subject key identifier of a certificate.
fn parse_certificate(cert: &[u8]) -> Option<(Vec<u8>, Option<Vec<u8>>)> {
    let body = der::parse_one(cert, der::SEQUENCE)?;
    let tbs = der::Reader::new(body).expect(der::SEQUENCE)?;
    let mut r = der::Reader::new(tbs.content);
    let mut first = r.next()?;
    if first.tag == 0xa0 {
        first = r.next()?; // the serial follows the version
    }
    if first.tag != der::INTEGER {
        return None;
    }
    r.expect(der::SEQUENCE)?; // signature algorithm
    r.expect(der::SEQUENCE)?; // issuer
    r.expect(der::SEQUENCE)?; // validity
    let subject = r.expect(der::SEQUENCE)?.raw.to_vec();
    r.expect(der::SEQUENCE)?; // public key
    let mut key_id = None;
    while let Some(e) = r.next() {
        if e.tag != 0xa3 {
            continue;
        }
        let list = der::parse_one(e.content, der::SEQUENCE)?;
        let mut exts = der::Reader::new(list);
        while let Some(ext) = exts.expect(der::SEQUENCE) {
            let mut f = der::Reader::new(ext.content);
            let id = f.expect(der::OID)?;
            let mut value = f.next()?;
            if value.tag == der::BOOLEAN {
                value = f.next()?;
            }
            if id.raw == der::oid(&[2, 5, 29, 14]).as_slice() {
                key_id = der::parse_one(value.content, der::OCTET_STRING).map(<[u8]>::to_vec);
            }
        }
    }
    Some((subject, key_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn cert_of(v: &Value) -> &Certificate {
        match v {
            Value::Object(o) => o
                .as_any()
                .downcast_ref::<Certificate>()
                .expect("certificate"),
            _ => panic!("not an object"),
        }
    }

    /// One CA and one signed certificate with EC keys (RSA generation is slow in
    /// debug builds), then the same CA through buildCustomCert.
    #[test]
    fn ca_signs_a_certificate_with_sans() {
        let ca_key = PrivateKey::generate_ec().unwrap().to_pem();
        let ca = gen_ca_with_key(&[
            Value::str("my-ca"),
            Value::Int(365),
            Value::str(ca_key.as_str()),
        ])
        .unwrap();
        let c = cert_of(&ca);
        assert!(c.cert.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert_eq!(c.key, ca_key);
        let (_, der) = pem_decode(&c.cert).unwrap();
        let (subject, ski) = parse_certificate(&der).unwrap();
        assert_eq!(subject, name_der("my-ca"));
        assert_eq!(ski.map(|k| k.len()), Some(20));

        let leaf_key = PrivateKey::generate_ed25519().unwrap().to_pem();
        let args = [
            Value::str("svc"),
            Value::list(vec![Value::str("10.0.0.1")]),
            Value::list(vec![Value::str("svc.ns.svc")]),
            Value::Float(30.0),
            ca.clone(),
            Value::str(leaf_key.as_str()),
        ];
        let leaf = gen_signed_with_key(&args).unwrap();
        let (_, leaf_der) = pem_decode(&cert_of(&leaf).cert).unwrap();
        assert!(leaf_der.windows(10).any(|w| w == b"svc.ns.svc"));
        assert!(leaf_der.windows(4).any(|w| w == [10, 0, 0, 1]));
        assert!(
            leaf_der.windows(5).any(|w| w == b"my-ca"),
            "issuer is the CA"
        );

        let b64 = base64::engine::general_purpose::STANDARD;
        // Go's decoder skips line breaks, so wrapped base64 works too.
        let wrapped: String = b64
            .encode(&c.cert)
            .as_bytes()
            .chunks(76)
            .map(|l| format!("{}\n", String::from_utf8_lossy(l)))
            .collect();
        let custom =
            build_custom_cert(&[Value::str(wrapped), Value::str(b64.encode(&c.key))]).unwrap();
        assert_eq!(cert_of(&custom).cert, c.cert);
    }

    /// The path the corpus charts take: `genCA` then `genSignedCert`, both
    /// with fresh 2048-bit RSA keys. Set CHARTFIX_DUMP_CERTS to a folder to
    /// write the PEM files out for `openssl verify`.
    #[test]
    fn rsa_ca_and_signed_cert() {
        let ca = gen_ca(&[Value::str("nginx-ca"), Value::Int(365)]).unwrap();
        let alt = Value::list(vec![Value::str("a.example"), Value::str("b.example")]);
        let leaf = gen_signed(&[
            Value::str("a.example"),
            Value::Nil,
            alt,
            Value::Int(365),
            ca.clone(),
        ])
        .unwrap();
        let (c, l) = (cert_of(&ca), cert_of(&leaf));
        assert!(c.key.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
        assert!(l.cert.ends_with("-----END CERTIFICATE-----\n"));
        assert_eq!(ca.to_string(), format!("{{{} {}}}", c.cert, c.key));
        if let Ok(dir) = std::env::var("CHARTFIX_DUMP_CERTS") {
            let write = |n: &str, t: &str| std::fs::write(format!("{dir}/{n}"), t).unwrap();
            write("ca.crt", &c.cert);
            write("ca.key", &c.key);
            write("tls.crt", &l.cert);
            write("tls.key", &l.key);
        }
    }

    #[test]
    fn damaged_certificates_and_keys_never_panic() {
        use rand::{Rng, SeedableRng};
        let key = PrivateKey::generate_ec().unwrap();
        let ca =
            gen_ca_with_key(&[Value::str("ca"), Value::Int(1), Value::str(key.to_pem())]).unwrap();
        let (_, der) = pem_decode(&cert_of(&ca).cert).unwrap();
        let (_, key_der) = pem_decode(&key.to_pem()).unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        for _ in 0..500 {
            let mut d = der.clone();
            let mut k = key_der.clone();
            for _ in 0..3 {
                let i = rng.gen_range(0..d.len());
                d[i] = rng.gen();
                let j = rng.gen_range(0..k.len());
                k[j] = rng.gen();
            }
            d.truncate(rng.gen_range(0..=d.len()));
            let _ = parse_certificate(&d);
            let _ = PrivateKey::from_pem(&pem_encode("EC PRIVATE KEY", &k));
            let _ = PrivateKey::from_pem(&pem_encode("PRIVATE KEY", &k));
            let _ = PrivateKey::from_pem(&pem_encode("RSA PRIVATE KEY", &k));
        }
    }

    #[test]
    fn bad_arguments_fail_as_sprig() {
        let e = gen_signed(&[
            Value::str("x"),
            Value::Nil,
            Value::Nil,
            Value::Int(1),
            Value::map(Map::new()),
        ])
        .err()
        .unwrap();
        assert_eq!(
            e,
            "wrong type for value; expected sprig.certificate; got map[string]interface {}"
        );
        let e = template(
            "genSelfSignedCert",
            &[
                Value::str("x"),
                Value::list(vec![Value::str("nope")]),
                Value::Nil,
                Value::Int(1),
            ],
        )
        .err()
        .unwrap();
        assert_eq!(e, "error calling genSelfSignedCert: error parsing ip: nope");
        let e = build_custom_cert(&[Value::str("!!"), Value::str("")])
            .err()
            .unwrap();
        assert_eq!(
            e,
            "error calling buildCustomCert: unable to decode base64 certificate"
        );
    }
}
