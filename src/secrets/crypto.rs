//! Sealing and opening of secret values.
//!
//! # Scheme (version 1)
//!
//! For every write of a secret:
//!
//! 1. draw a fresh random 32-byte `salt` from the operating system;
//! 2. derive a per-secret key `k = HKDF-SHA256(ikm = master, salt, info = "ironclaw secret v1")`;
//! 3. draw a fresh random 96-bit `nonce` from the operating system;
//! 4. `ciphertext = AES-256-GCM(k, nonce, plaintext = value, aad = name)`.
//!
//! The row stores `ciphertext` (which ends with the 16-byte GCM tag), `nonce`,
//! `salt` and the master key's public [`MasterKey::key_id`].
//!
//! ## Why a nonce is never reused under one key
//!
//! AES-GCM breaks down completely if one (key, nonce) pair ever encrypts two
//! different messages. Two independent layers rule that out:
//!
//! * every write derives a **new key**: the 256-bit HKDF salt is fresh OS
//!   randomness, so two writes share a per-secret key only if two random
//!   256-bit salts collide (probability ≈ 2⁻²⁵⁶ per pair — never);
//! * even under one key, the 96-bit nonce is fresh OS randomness too; and each
//!   derived key encrypts exactly one message, far below the 2³² messages per
//!   key that NIST SP 800-38D allows for random nonces.
//!
//! Nothing is counter-based, so nothing can go wrong when a counter is reset
//! (database restored from a backup, two processes writing at once, …).
//!
//! ## Why the name is the AAD
//!
//! The secret's name is authenticated (not encrypted) with the value: a
//! ciphertext copied into another row (say, the value of `github-token` pasted
//! under `openai-api-key`) fails to open with [`SecretsError::Tampered`]
//! instead of silently handing one credential to another tool.
//!
//! ## Key id
//!
//! `key_id` is the first 8 bytes (16 hex digits) of
//! `HKDF-SHA256(ikm = master, salt = none, info = "ironclaw key-id")`. It is a
//! one-way fingerprint: it tells which master key a row was sealed with (so a
//! wrong key is reported as such, not as tampering) and reveals nothing about
//! the key itself.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use super::SecretsError;

/// Length of a master key in bytes (AES-256).
pub const MASTER_KEY_LEN: usize = 32;
/// Length of an AES-GCM nonce in bytes (96 bits).
pub const NONCE_LEN: usize = 12;
/// Length of the per-secret HKDF salt in bytes.
pub const SALT_LEN: usize = 32;
/// Length of the AES-GCM authentication tag appended to every ciphertext.
pub const TAG_LEN: usize = 16;

const SECRET_INFO: &[u8] = b"ironclaw secret v1";
const KEY_ID_INFO: &[u8] = b"ironclaw key-id";

/// The 256-bit master key every secret is sealed under.
///
/// The bytes are wiped from memory when the key is dropped. `Debug` prints
/// only the public [`key_id`](MasterKey::key_id); there is deliberately no
/// `Display`, and [`encode`](MasterKey::encode) is the only way to get the key
/// out as text (to store it in a keyring or show it to the user once).
#[derive(Clone)]
pub struct MasterKey(Zeroizing<[u8; MASTER_KEY_LEN]>);

impl MasterKey {
    /// A new random key from the operating system's CSPRNG.
    ///
    /// # Panics
    /// If the operating system cannot provide randomness (no `getrandom`
    /// syscall and no `/dev/urandom`): continuing without would be unsafe.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; MASTER_KEY_LEN]);
        fill_random(&mut bytes[..]);
        Self(bytes)
    }

    /// Wraps existing key bytes.
    pub fn from_bytes(bytes: [u8; MASTER_KEY_LEN]) -> Self {
        // `bytes` is a by-value copy; the caller's copy is theirs to wipe.
        Self(Zeroizing::new(bytes))
    }

    /// Parses a key written as 64 hexadecimal digits or as base64 of 32 bytes
    /// (padded or not). Surrounding whitespace is ignored.
    ///
    /// Error messages never echo the input: it may be a real key typed wrong.
    pub fn parse(text: &str) -> Result<Self, SecretsError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(SecretsError::InvalidKey(
                "the master key is empty; expected 64 hexadecimal digits or base64 of 32 bytes"
                    .into(),
            ));
        }
        if text.len() == 2 * MASTER_KEY_LEN && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut bytes = Zeroizing::new([0u8; MASTER_KEY_LEN]);
            for (i, pair) in text.as_bytes().chunks_exact(2).enumerate() {
                bytes[i] = (hex_val(pair[0]) << 4) | hex_val(pair[1]);
            }
            return Ok(Self(bytes));
        }
        let decoded = STANDARD
            .decode(text)
            .or_else(|_| STANDARD_NO_PAD.decode(text))
            .map(Zeroizing::new)
            .map_err(|_| {
                SecretsError::InvalidKey(
                    "the master key is neither 64 hexadecimal digits nor valid base64".into(),
                )
            })?;
        if decoded.len() != MASTER_KEY_LEN {
            return Err(SecretsError::InvalidKey(format!(
                "the master key decodes to {} bytes; it must be exactly {MASTER_KEY_LEN} \
                 (64 hexadecimal digits or 44 base64 characters)",
                decoded.len()
            )));
        }
        let mut bytes = Zeroizing::new([0u8; MASTER_KEY_LEN]);
        bytes.copy_from_slice(&decoded);
        Ok(Self(bytes))
    }

    /// The key as standard base64 (44 characters), wiped when dropped.
    pub fn encode(&self) -> Zeroizing<String> {
        // Exact capacity up front: no reallocation leaves a stray copy behind.
        let mut out = Zeroizing::new(String::with_capacity(44));
        STANDARD.encode_string(&self.0[..], &mut out);
        out
    }

    /// Public fingerprint of the key: 16 hex digits of
    /// `HKDF-SHA256(master, info = "ironclaw key-id")`. Safe to log and show.
    pub fn key_id(&self) -> String {
        let hk = Hkdf::<Sha256>::new(None, &self.0[..]);
        let mut id = [0u8; 8];
        hk.expand(KEY_ID_INFO, &mut id)
            .expect("8 bytes is a valid HKDF-SHA256 output length");
        id.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn derive_secret_key(&self, salt: &[u8]) -> Zeroizing<[u8; 32]> {
        let hk = Hkdf::<Sha256>::new(Some(salt), &self.0[..]);
        let mut key = Zeroizing::new([0u8; 32]);
        hk.expand(SECRET_INFO, &mut key[..])
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        key
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey")
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

impl PartialEq for MasterKey {
    /// Constant-time comparison of the key bytes.
    fn eq(&self, other: &Self) -> bool {
        let diff = self
            .0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y));
        std::hint::black_box(diff) == 0
    }
}

impl Eq for MasterKey {}

/// A sealed secret value, as stored in the database. Contains nothing secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    /// AES-256-GCM ciphertext followed by its 16-byte tag.
    pub ciphertext: Vec<u8>,
    /// 96-bit random nonce (12 bytes).
    pub nonce: Vec<u8>,
    /// Random HKDF salt for the per-secret key (32 bytes).
    pub salt: Vec<u8>,
    /// [`MasterKey::key_id`] of the master key the value was sealed under.
    pub key_id: String,
}

/// Encrypts `value` for the secret called `name` (see the module docs).
pub fn seal(master: &MasterKey, name: &str, value: &[u8]) -> Result<Sealed, SecretsError> {
    let mut salt = vec![0u8; SALT_LEN];
    fill_random(&mut salt);
    let mut nonce = vec![0u8; NONCE_LEN];
    fill_random(&mut nonce);

    let key = master.derive_secret_key(&salt);
    let cipher = Aes256Gcm::new_from_slice(&key[..]).expect("32-byte key");

    // Encrypt in place in a buffer that already has room for the tag, so the
    // plaintext is never copied into a buffer that gets reallocated (which
    // would leave an unwiped copy in freed memory). If encryption fails, the
    // buffer still holds plaintext: wipe it.
    let mut buf = Vec::with_capacity(value.len() + TAG_LEN);
    buf.extend_from_slice(value);
    if cipher
        .encrypt_in_place(Nonce::from_slice(&nonce), name.as_bytes(), &mut buf)
        .is_err()
    {
        buf.zeroize();
        return Err(SecretsError::Storage(format!(
            "could not encrypt secret {name:?}: value too large for AES-GCM"
        )));
    }
    Ok(Sealed {
        ciphertext: buf,
        nonce,
        salt,
        key_id: master.key_id(),
    })
}

/// Decrypts the secret called `name`.
///
/// * [`SecretsError::WrongMasterKey`] when `sealed.key_id` is not the id of
///   `master` (the database was written with another master key);
/// * [`SecretsError::Tampered`] when the ciphertext, nonce, salt or name do not
///   authenticate (modified row, or a row moved to another name).
pub fn open(
    master: &MasterKey,
    name: &str,
    sealed: &Sealed,
) -> Result<Zeroizing<Vec<u8>>, SecretsError> {
    let actual = master.key_id();
    if sealed.key_id != actual {
        return Err(SecretsError::WrongMasterKey {
            expected_key_id: sealed.key_id.clone(),
            actual_key_id: actual,
        });
    }
    if sealed.nonce.len() != NONCE_LEN
        || sealed.salt.len() != SALT_LEN
        || sealed.ciphertext.len() < TAG_LEN
    {
        return Err(SecretsError::Tampered {
            name: name.to_owned(),
        });
    }
    let key = master.derive_secret_key(&sealed.salt);
    let cipher = Aes256Gcm::new_from_slice(&key[..]).expect("32-byte key");
    // Decrypting in place only shrinks the buffer (the tag is cut off), so the
    // plaintext lives in this one Zeroizing allocation and nowhere else.
    let mut buf = Zeroizing::new(sealed.ciphertext.clone());
    cipher
        .decrypt_in_place(Nonce::from_slice(&sealed.nonce), name.as_bytes(), &mut *buf)
        .map_err(|_| SecretsError::Tampered {
            name: name.to_owned(),
        })?;
    Ok(buf)
}

/// Fills `buf` from the operating system's CSPRNG.
fn fill_random(buf: &mut [u8]) {
    getrandom::getrandom(buf).expect(
        "the operating system's random number generator failed; refusing to continue without it",
    );
}

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => unreachable!("checked by is_ascii_hexdigit"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn key(byte: u8) -> MasterKey {
        MasterKey::from_bytes([byte; 32])
    }

    #[test]
    fn round_trip() {
        let k = MasterKey::generate();
        let sealed = seal(&k, "openai", b"sk-test-123").unwrap();
        assert_eq!(sealed.nonce.len(), NONCE_LEN);
        assert_eq!(sealed.salt.len(), SALT_LEN);
        assert_eq!(sealed.ciphertext.len(), b"sk-test-123".len() + TAG_LEN);
        assert_eq!(sealed.key_id, k.key_id());
        assert!(!sealed.ciphertext.windows(11).any(|w| w == b"sk-test-123"));
        let opened = open(&k, "openai", &sealed).unwrap();
        assert_eq!(&opened[..], b"sk-test-123");
    }

    #[test]
    fn round_trip_empty_and_large_values() {
        let k = key(1);
        for value in [Vec::new(), vec![0xAB; 100_000]] {
            let sealed = seal(&k, "n", &value).unwrap();
            assert_eq!(&open(&k, "n", &sealed).unwrap()[..], &value[..]);
        }
    }

    #[test]
    fn tampered_parts_are_refused() {
        let k = key(2);
        let sealed = seal(&k, "token", b"value").unwrap();
        let mut variants = Vec::new();
        for i in 0..sealed.ciphertext.len() {
            let mut s = sealed.clone();
            s.ciphertext[i] ^= 0x01;
            variants.push(("ciphertext", s));
        }
        let mut s = sealed.clone();
        s.nonce[0] ^= 0x80;
        variants.push(("nonce", s));
        let mut s = sealed.clone();
        s.salt[31] ^= 0x01;
        variants.push(("salt", s));
        let mut s = sealed.clone();
        s.nonce.pop();
        variants.push(("short nonce", s));
        let mut s = sealed.clone();
        s.salt.push(0);
        variants.push(("long salt", s));
        let mut s = sealed.clone();
        s.ciphertext.truncate(TAG_LEN - 1);
        variants.push(("truncated", s));
        for (what, s) in variants {
            match open(&k, "token", &s) {
                Err(SecretsError::Tampered { name }) => assert_eq!(name, "token"),
                other => panic!("{what}: expected Tampered, got {other:?}"),
            }
        }
    }

    #[test]
    fn ciphertext_under_another_name_is_refused() {
        let k = key(3);
        let sealed = seal(&k, "github-token", b"ghp_xxx").unwrap();
        assert!(matches!(
            open(&k, "openai-api-key", &sealed),
            Err(SecretsError::Tampered { name }) if name == "openai-api-key"
        ));
    }

    #[test]
    fn wrong_master_key_is_reported_clearly() {
        let old = key(4);
        let new = key(5);
        let sealed = seal(&old, "x", b"v").unwrap();
        let err = open(&new, "x", &sealed).unwrap_err();
        match &err {
            SecretsError::WrongMasterKey {
                expected_key_id,
                actual_key_id,
            } => {
                assert_eq!(expected_key_id, &old.key_id());
                assert_eq!(actual_key_id, &new.key_id());
            }
            other => panic!("expected WrongMasterKey, got {other:?}"),
        }
        let msg = err.to_string();
        assert!(msg.contains(&old.key_id()), "{msg}");
        assert!(msg.contains(&new.key_id()), "{msg}");
        assert!(msg.contains("different master key"), "{msg}");
        assert!(msg.contains("IRONCLAW_MASTER_KEY"), "{msg}");
    }

    #[test]
    fn same_key_id_but_different_key_is_tampered_not_garbage() {
        // Forging the key_id column does not make a wrong key decrypt.
        let sealed = seal(&key(6), "x", b"v").unwrap();
        let other = key(7);
        let forged = Sealed {
            key_id: other.key_id(),
            ..sealed
        };
        assert!(matches!(
            open(&other, "x", &forged),
            Err(SecretsError::Tampered { .. })
        ));
    }

    #[test]
    fn thousand_seals_have_distinct_nonces_salts_and_ciphertexts() {
        let k = key(8);
        let mut nonces = HashSet::new();
        let mut salts = HashSet::new();
        let mut cts = HashSet::new();
        for _ in 0..1000 {
            let s = seal(&k, "same", b"same value").unwrap();
            assert!(nonces.insert(s.nonce));
            assert!(salts.insert(s.salt));
            assert!(cts.insert(s.ciphertext));
        }
    }

    #[test]
    fn parse_hex_base64_and_bad_input() {
        let bytes: [u8; 32] = core::array::from_fn(|i| i as u8 * 7);
        let k = MasterKey::from_bytes(bytes);
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(MasterKey::parse(&hex).unwrap(), k);
        assert_eq!(MasterKey::parse(&hex.to_uppercase()).unwrap(), k);
        assert_eq!(MasterKey::parse(&format!("  {hex}\n")).unwrap(), k);
        let b64 = k.encode();
        assert_eq!(b64.len(), 44);
        assert_eq!(MasterKey::parse(&b64).unwrap(), k);
        assert_eq!(MasterKey::parse(&format!("\t{}\n", &*b64)).unwrap(), k);
        assert_eq!(MasterKey::parse(b64.trim_end_matches('=')).unwrap(), k);
        assert_eq!(MasterKey::parse(&b64).unwrap().key_id(), k.key_id());

        for bad in [
            "",
            "   ",
            "not a key",
            &hex[..62],
            &format!("{hex}00"),
            &hex.replacen('0', "g", 1),
            "AAAA",                      // valid base64, 3 bytes
            &STANDARD.encode([0u8; 31]), // 31 bytes
            &STANDARD.encode([0u8; 33]), // 33 bytes
        ] {
            match MasterKey::parse(bad) {
                Err(SecretsError::InvalidKey(msg)) => {
                    if bad.trim().len() > 4 {
                        assert!(!msg.contains(bad.trim()), "message echoes input: {msg}");
                    }
                }
                other => panic!("{bad:?}: expected InvalidKey, got {other:?}"),
            }
        }
    }

    #[test]
    fn debug_does_not_reveal_key_bytes() {
        let bytes: [u8; 32] = core::array::from_fn(|i| 0xA0 + i as u8);
        let k = MasterKey::from_bytes(bytes);
        let dbg = format!("{k:?} {k:#?}");
        assert!(dbg.contains(&k.key_id()), "{dbg}");
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert!(!dbg.to_lowercase().contains(&hex[..8]), "{dbg}");
        assert!(!dbg.contains(&*k.encode()), "{dbg}");
        assert!(!dbg.contains(&k.encode()[..8]), "{dbg}");
        assert_eq!(
            format!("{k:?}"),
            format!("MasterKey {{ key_id: {:?}, .. }}", k.key_id())
        );
    }

    #[test]
    fn key_id_is_stable_short_and_distinct() {
        let a = key(9);
        assert_eq!(a.key_id(), a.key_id());
        assert_eq!(a.key_id().len(), 16);
        assert!(a.key_id().bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a.key_id(), key(10).key_id());
        // The id is not a prefix of the key itself.
        let hex: String = [9u8; 32].iter().map(|b| format!("{b:02x}")).collect();
        assert!(!hex.starts_with(&a.key_id()));
    }

    #[test]
    fn generated_keys_differ() {
        assert_ne!(MasterKey::generate(), MasterKey::generate());
    }
}
