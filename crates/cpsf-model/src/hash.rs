//! Content hashes of components, in the algorithms CycloneDX and SPDX name.

use base64::Engine;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum HashAlgorithm {
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
    Sha3_256,
    Sha3_512,
    Blake2b256,
    Blake2b512,
    Blake3,
}

impl HashAlgorithm {
    /// CycloneDX `alg` value.
    pub fn as_cyclonedx(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
            Self::Sha3_256 => "SHA3-256",
            Self::Sha3_512 => "SHA3-512",
            Self::Blake2b256 => "BLAKE2b-256",
            Self::Blake2b512 => "BLAKE2b-512",
            Self::Blake3 => "BLAKE3",
        }
    }

    /// SPDX 2.3 `algorithm` value.
    pub fn as_spdx(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha384 => "SHA384",
            Self::Sha512 => "SHA512",
            Self::Sha3_256 => "SHA3-256",
            Self::Sha3_512 => "SHA3-512",
            Self::Blake2b256 => "BLAKE2b-256",
            Self::Blake2b512 => "BLAKE2b-512",
            Self::Blake3 => "BLAKE3",
        }
    }

    /// Parse from any of the usual spellings (`sha256`, `SHA-256`, `SHA256`, `sha3-256`, `blake2b-256` ...).
    pub fn parse(name: &str) -> Option<Self> {
        let n: String = name.chars().filter(|c| *c != '-' && *c != '_').collect::<String>().to_ascii_lowercase();
        Some(match n.as_str() {
            "md5" => Self::Md5,
            "sha1" => Self::Sha1,
            "sha256" => Self::Sha256,
            "sha384" => Self::Sha384,
            "sha512" => Self::Sha512,
            "sha3256" => Self::Sha3_256,
            "sha3512" => Self::Sha3_512,
            "blake2b256" => Self::Blake2b256,
            "blake2b512" => Self::Blake2b512,
            "blake3" => Self::Blake3,
            _ => return None,
        })
    }

    /// Length of the digest in hex characters.
    pub fn hex_len(self) -> usize {
        match self {
            Self::Md5 => 32,
            Self::Sha1 => 40,
            Self::Sha256 | Self::Sha3_256 | Self::Blake2b256 | Self::Blake3 => 64,
            Self::Sha384 => 96,
            Self::Sha512 | Self::Sha3_512 | Self::Blake2b512 => 128,
        }
    }
}

/// A digest, always stored as lowercase hex.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hash {
    pub algorithm: HashAlgorithm,
    pub value: String,
}

impl Hash {
    /// A hex digest; `None` when the value is not hex of the algorithm's length.
    pub fn hex(algorithm: HashAlgorithm, value: &str) -> Option<Self> {
        let value = value.trim().to_ascii_lowercase();
        (value.len() == algorithm.hex_len() && value.bytes().all(|b| b.is_ascii_hexdigit()))
            .then_some(Self { algorithm, value })
    }

    /// `alg:hex` or `alg-hex` as in Cargo, Poetry, uv and pip (`sha256:abcd...`).
    pub fn prefixed(text: &str) -> Option<Self> {
        let (alg, value) = text.split_once([':', '='])?;
        Self::hex(HashAlgorithm::parse(alg)?, value)
    }

    /// A Subresource Integrity string as in npm and pnpm (`sha512-<base64>`); several may be space-separated, the first valid one wins.
    pub fn from_sri(text: &str) -> Option<Self> {
        text.split_whitespace().find_map(|one| {
            let (alg, b64) = one.split_once('-')?;
            let algorithm = HashAlgorithm::parse(alg)?;
            let bytes = base64::engine::general_purpose::STANDARD.decode(b64.split('?').next()?).ok()?;
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            Self::hex(algorithm, &hex)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sri_decodes_to_hex() {
        let h = Hash::from_sri("sha1-2jmTgIz5c7UMxbBoggy3Kd5o8HY=").unwrap();
        assert_eq!(h.algorithm, HashAlgorithm::Sha1);
        assert_eq!(h.value, "da3993808cf973b50cc5b068820cb729de68f076");
        assert!(Hash::from_sri("sha512-notbase64!!").is_none());
    }

    #[test]
    fn prefixed_checks_length() {
        assert!(Hash::prefixed("sha256:abcd").is_none());
        let v = "a".repeat(64);
        assert_eq!(Hash::prefixed(&format!("sha256:{v}")).unwrap().value, v);
    }
}
