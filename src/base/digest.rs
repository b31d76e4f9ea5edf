//! Image digests. A canonical digest (`sha256:` and 64 lower-case hex digits) travels
//! as its 32 bytes from the source to the engine; any other digest text is kept as
//! given. Text is made only where a person or a file reads a digest.

use crate::base::hash::splitmix;
use std::fmt;

/// Length of a canonical digest as text: `sha256:` and 64 hex digits.
pub const SHA256_TEXT_LEN: usize = 71;

/// A borrowed digest, as events carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestRef<'a> {
    Sha256([u8; 32]),
    Text(&'a [u8]),
}

/// An owned digest, as the image store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Digest {
    Sha256([u8; 32]),
    Text(Box<[u8]>),
}

/// Hex digit values; 0xFF marks a byte that is not a lower-case hex digit.
const UNHEX: [u8; 256] = {
    let mut t = [0xFF; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Decodes 64 lower-case hex digits into 32 bytes.
fn decode_hex(hex: &[u8]) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    let mut bad = 0u8;
    for (o, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let (h, l) = (UNHEX[pair[0] as usize], UNHEX[pair[1] as usize]);
        bad |= h | l;
        *o = h << 4 | (l & 15);
    }
    // Valid digits are below 16; 0xFF sets the high bits.
    (bad < 16).then_some(out)
}

impl<'a> DigestRef<'a> {
    /// A digest from its text: 32 bytes when canonical, else the text itself.
    pub fn parse(text: &'a [u8]) -> Self {
        if text.len() == SHA256_TEXT_LEN
            && text.starts_with(b"sha256:")
            && let Some(b) = decode_hex(&text[7..])
        {
            return DigestRef::Sha256(b);
        }
        DigestRef::Text(text)
    }

    pub fn to_owned(self) -> Digest {
        match self {
            DigestRef::Sha256(b) => Digest::Sha256(b),
            DigestRef::Text(t) => Digest::Text(t.into()),
        }
    }

    /// Appends the digest as text.
    pub fn write_text(&self, out: &mut Vec<u8>) {
        match self {
            DigestRef::Sha256(b) => {
                out.extend_from_slice(b"sha256:");
                for x in b {
                    out.push(HEX[(x >> 4) as usize]);
                    out.push(HEX[(x & 15) as usize]);
                }
            }
            DigestRef::Text(t) => out.extend_from_slice(t),
        }
    }

    pub fn to_text(&self) -> String {
        let mut v = Vec::with_capacity(SHA256_TEXT_LEN);
        self.write_text(&mut v);
        String::from_utf8_lossy(&v).into_owned()
    }

    /// A well-mixed 64-bit hash of the digest: the key of the engine's image index. A
    /// trace reader computes it on its own thread and the engine prefetches by it.
    #[inline]
    pub fn hash64(&self) -> u64 {
        match self {
            DigestRef::Sha256(b) => {
                let w = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or([0; 8]));
                splitmix(
                    w(0) ^ w(8).rotate_left(21) ^ w(16).rotate_left(42) ^ w(24).rotate_left(63),
                )
            }
            DigestRef::Text(t) => {
                let mut h = rustc_hash::FxHasher::default();
                std::hash::Hasher::write(&mut h, t);
                splitmix(std::hash::Hasher::finish(&h) ^ 0x5555_5555_5555_5555)
            }
        }
    }
}

impl Digest {
    pub fn as_ref(&self) -> DigestRef<'_> {
        match self {
            Digest::Sha256(b) => DigestRef::Sha256(*b),
            Digest::Text(t) => DigestRef::Text(t),
        }
    }

    /// An owned digest from its text.
    pub fn parse(text: &[u8]) -> Self {
        DigestRef::parse(text).to_owned()
    }
}

impl fmt::Display for DigestRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_ref().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_digests_are_bytes_and_round_trip() {
        let text = b"sha256:0819964b136026683b0a4c68e3bb7dccdd15178851e48e77b99a105b63c1d61d";
        let d = DigestRef::parse(text);
        let DigestRef::Sha256(b) = d else {
            panic!("canonical digest kept as text")
        };
        assert_eq!(b[0], 0x08);
        assert_eq!(b[31], 0x1d);
        let mut out = Vec::new();
        d.write_text(&mut out);
        assert_eq!(out, text);
    }

    #[test]
    fn other_digests_stay_text() {
        for t in [
            &b"sha256:0819964B136026683b0a4c68e3bb7dccdd15178851e48e77b99a105b63c1d61d"[..],
            b"sha256:0819964b136026683b0a4c68e3bb7dccdd15178851e48e77b99a105b63c1d61",
            b"sha512:0819964b136026683b0a4c68e3bb7dccdd15178851e48e77b99a105b63c1d61d",
            b"sha256:0819964b136026683b0a4c68e3bb7dccdd15178851e48e77b99a105b63c1d6g!",
            b"d1",
        ] {
            assert_eq!(DigestRef::parse(t), DigestRef::Text(t));
            assert_eq!(DigestRef::parse(t).to_text().as_bytes(), t);
        }
    }
}
