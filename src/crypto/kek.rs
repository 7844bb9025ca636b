//! Key-encryption key: AES-256-GCM envelope for signing keys at rest.
//! Stored form: "v1." + base64url(nonce ‖ ciphertext‖tag). The KEK comes from config (env) or a file,
//! which is generated on first start for development.

use aes_gcm::aead::{Aead, KeyInit, OsRng};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum KekError {
    #[error("key-encryption key: {0}")]
    Invalid(String),
    #[error("key-encryption key file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("a stored key could not be decrypted with this key-encryption key")]
    Decrypt,
}

#[derive(Clone)]
pub struct Kek {
    cipher: Aes256Gcm,
    /// Earlier (or upcoming) KEKs that may still open stored keys during a rewrap; never used to seal.
    others: Vec<Aes256Gcm>,
}

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kek(..)")
    }
}

impl Kek {
    pub fn from_base64(b64: &str) -> Result<Kek, KekError> {
        let bytes = STANDARD
            .decode(b64.trim())
            .map_err(|_| KekError::Invalid("not base64".into()))?;
        if bytes.len() != 32 {
            return Err(KekError::Invalid("must be 32 bytes".into()));
        }
        Ok(Kek {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes)),
            others: Vec::new(),
        })
    }

    /// Reads the KEK from `path`, creating it (mode 0600) with fresh random bytes if it does not exist.
    pub fn load_or_create(path: &Path) -> Result<Kek, KekError> {
        let file_err = |e: std::io::Error| KekError::File {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        if !path.exists() {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(file_err)?;
            }
            let key = Aes256Gcm::generate_key(OsRng);
            write_private(path, STANDARD.encode(key).as_bytes()).map_err(file_err)?;
        }
        let text = std::fs::read_to_string(path).map_err(file_err)?;
        Self::from_base64(&text)
    }

    /// Also accept keys sealed under `other` (it never seals): the rewrap transition.
    pub fn also_opening(mut self, other: &Kek) -> Kek {
        self.others.push(other.cipher.clone());
        self
    }

    pub fn seal(&self, plaintext: &[u8]) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ct = self
            .cipher
            .encrypt(&nonce, plaintext)
            .expect("AES-GCM encryption of a small buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        format!("v1.{}", URL_SAFE_NO_PAD.encode(out))
    }

    pub fn open(&self, sealed: &str) -> Result<Vec<u8>, KekError> {
        let body = sealed.strip_prefix("v1.").ok_or(KekError::Decrypt)?;
        let raw = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| KekError::Decrypt)?;
        if raw.len() < 12 + 16 {
            return Err(KekError::Decrypt);
        }
        let (nonce, ct) = raw.split_at(12);
        std::iter::once(&self.cipher)
            .chain(&self.others)
            .find_map(|c| c.decrypt(Nonce::from_slice(nonce), ct).ok())
            .ok_or(KekError::Decrypt)
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_data_opens_only_with_the_same_kek() {
        let a = Kek::from_base64(&STANDARD.encode([7u8; 32])).unwrap();
        let b = Kek::from_base64(&STANDARD.encode([8u8; 32])).unwrap();
        let sealed = a.seal(b"private key");
        assert_eq!(a.open(&sealed).unwrap(), b"private key");
        assert!(b.open(&sealed).is_err());
        assert!(a.open("v1.AAAA").is_err());
    }

    #[test]
    fn kek_file_is_created_once_and_reused() {
        let dir = std::env::temp_dir().join(format!("vhod-kek-{}", uuid::Uuid::now_v7()));
        let path = dir.join("kek");
        let first = Kek::load_or_create(&path).unwrap();
        let sealed = first.seal(b"x");
        let again = Kek::load_or_create(&path).unwrap();
        assert_eq!(again.open(&sealed).unwrap(), b"x");
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn short_kek_is_refused() {
        assert!(Kek::from_base64(&STANDARD.encode([1u8; 16])).is_err());
    }
}
