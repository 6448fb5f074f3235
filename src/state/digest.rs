//! SHA-256 digests in hex: what fingerprints a live resource, a saved plan,
//! a topology file and a damaged lock; and in base64, as Lambda gives a
//! code package's (`CodeSha256`).

use base64::Engine;
use sha2::{Digest, Sha256};

/// The SHA-256 of `bytes`, in base64, as Lambda's `CodeSha256`.
pub fn sha256_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes))
}

/// The SHA-256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn digests_are_hex() {
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(super::sha256_hex(b""), empty);
        let empty = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        assert_eq!(super::sha256_base64(b""), empty);
    }
}
