//! A minimal DER writer and reader: just enough ASN.1 to build X.509
//! certificates and private keys the way Go's `crypto/x509` lays them out, and
//! to read back the few fields Sprig's certificate functions need.

/// Tag bytes used here.
pub const INTEGER: u8 = 0x02;
pub const BIT_STRING: u8 = 0x03;
pub const OCTET_STRING: u8 = 0x04;
pub const NULL: u8 = 0x05;
pub const OID: u8 = 0x06;
pub const UTF8_STRING: u8 = 0x0c;
pub const PRINTABLE_STRING: u8 = 0x13;
pub const UTC_TIME: u8 = 0x17;
pub const GENERALIZED_TIME: u8 = 0x18;
pub const SEQUENCE: u8 = 0x30;
pub const SET: u8 = 0x31;
pub const BOOLEAN: u8 = 0x01;

/// One tag-length-value.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE of already-encoded parts.
pub fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(SEQUENCE, &parts.concat())
}

/// A non-negative INTEGER from big-endian magnitude bytes.
pub fn uint(bytes: &[u8]) -> Vec<u8> {
    let trimmed: &[u8] = {
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        &bytes[skip.min(bytes.len().saturating_sub(1))..]
    };
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(trimmed);
    if content.len() > 1 && content[0] == 0 && content[1] & 0x80 == 0 {
        content.remove(0);
    }
    tlv(INTEGER, &content)
}

/// An OBJECT IDENTIFIER from its arcs.
pub fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut content = Vec::new();
    if arcs.len() >= 2 {
        push_base128(&mut content, arcs[0] * 40 + arcs[1]);
    }
    for &arc in arcs.iter().skip(2) {
        push_base128(&mut content, arc);
    }
    tlv(OID, &content)
}

fn push_base128(out: &mut Vec<u8>, mut v: u64) {
    let mut tmp = vec![(v & 0x7f) as u8];
    v >>= 7;
    while v > 0 {
        tmp.push(0x80 | (v & 0x7f) as u8);
        v >>= 7;
    }
    tmp.reverse();
    out.extend_from_slice(&tmp);
}

/// A BIT STRING with `unused` padding bits in its last byte.
pub fn bit_string(bytes: &[u8], unused: u8) -> Vec<u8> {
    let mut content = vec![unused];
    content.extend_from_slice(bytes);
    tlv(BIT_STRING, &content)
}

pub fn octet_string(bytes: &[u8]) -> Vec<u8> {
    tlv(OCTET_STRING, bytes)
}

pub fn boolean(b: bool) -> Vec<u8> {
    tlv(BOOLEAN, &[if b { 0xff } else { 0 }])
}

pub fn null() -> Vec<u8> {
    tlv(NULL, &[])
}

/// A context-specific constructed tag `[n]` around encoded content.
pub fn explicit(n: u8, content: &[u8]) -> Vec<u8> {
    tlv(0xa0 | n, content)
}

/// One parsed element: its tag, its content, and its whole encoding.
#[derive(Debug, Clone, Copy)]
pub struct Element<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub raw: &'a [u8],
}

/// Reads consecutive elements from a buffer; `None` on anything malformed.
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data }
    }

    pub fn next(&mut self) -> Option<Element<'a>> {
        let d = self.data;
        let tag = *d.first()?;
        let first = *d.get(1)? as usize;
        let (len, header) = if first < 0x80 {
            (first, 2)
        } else {
            let n = first & 0x7f;
            if n == 0 || n > 4 {
                return None;
            }
            let bytes = d.get(2..2 + n)?;
            let len = bytes.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize);
            (len, 2 + n)
        };
        let end = header.checked_add(len)?;
        let content = d.get(header..end)?;
        let raw = &d[..end];
        self.data = &d[end..];
        Some(Element { tag, content, raw })
    }

    /// The next element, which must carry `tag`.
    pub fn expect(&mut self, tag: u8) -> Option<Element<'a>> {
        self.next().filter(|e| e.tag == tag)
    }
}

/// The content of a single top-level element with `tag`.
pub fn parse_one(data: &[u8], tag: u8) -> Option<&[u8]> {
    Reader::new(data).expect(tag).map(|e| e.content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_go() {
        assert_eq!(oid(&[1, 2, 840, 113549, 1, 1, 11])[..4], [6, 9, 0x2a, 0x86]);
        assert_eq!(uint(&[0x80]), vec![2, 2, 0, 0x80]);
        assert_eq!(uint(&[0, 0, 5]), vec![2, 1, 5]);
        assert_eq!(uint(&[]), vec![2, 1, 0]);
        let long = tlv(OCTET_STRING, &[0u8; 300]);
        assert_eq!(&long[..4], &[4, 0x82, 1, 44]);
        let mut r = Reader::new(&long);
        assert_eq!(r.next().map(|e| e.content.len()), Some(300));
        assert!(r.next().is_none());
        assert!(Reader::new(&[0x30, 0x85, 1]).next().is_none());
    }
}
