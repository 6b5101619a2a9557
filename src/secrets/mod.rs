//! IronClaw's secrets store: LLM API keys and tool credentials, encrypted at
//! rest in IronClaw's local database.
//!
//! # What this module owns
//!
//! * **The crypto** ([`crypto`]): every value is sealed with AES-256-GCM under
//!   a fresh per-secret key derived with HKDF-SHA256 from the master key, with
//!   a fresh random nonce, and the secret's name as associated data.
//! * **The master key** ([`master`]): 256 random bits kept outside the
//!   database — in the environment variable `IRONCLAW_MASTER_KEY` when set,
//!   else in the OS keyring (Secret Service over D-Bus, else the Linux kernel
//!   keyring). There is **never** a plaintext-file fallback.
//! * **The store** ([`store`]): set / get / list / remove / rotate over an
//!   abstract row storage ([`SecretRows`]) that the engine implements on its
//!   libSQL database. Rows hold only ciphertext, nonce, salt, key id and
//!   timestamps.
//! * **Reading a value from the user** ([`input`]): no-echo terminal prompt,
//!   or stdin when piped.
//!
//! # What it must never do
//!
//! **Only `secrets` ever sees a secret's value in plaintext** (besides the one
//! moment a value is injected where it is needed, e.g. into an HTTP header).
//! In particular this module never writes a value — nor the master key — to
//! logs, events, error messages or the model's context: `tracing` calls carry
//! secret *names* and key ids only, error messages never echo input that might
//! be a key, and no type holding a value implements `Display`, or `Debug` with
//! the bytes. Plaintext values and keys live in [`zeroize::Zeroizing`] buffers
//! that are wiped on drop, and code paths avoid reallocating buffers that hold
//! plaintext (which would leave unwiped copies behind).
//!
//! # Recommended use by the engine
//!
//! ```ignore
//! let source = MasterKeySource::detect(std::env::var("IRONCLAW_MASTER_KEY").ok())?;
//! if let Some(warning) = source.backend().persistence_warning() { /* tell the user */ }
//! // Loads the key (or creates one for an empty database), finishes an
//! // interrupted rotation, and refuses to create a new key over secrets that
//! // were sealed with a key the backend no longer has.
//! let mut store = SecretStore::open_with_source(rows, &source).await?;
//! // Rotation: new key kept as "pending" in the backend first, database
//! // re-encrypted in one transaction, then the new key becomes current.
//! store.rotate_and_store(&source, MasterKey::generate()).await?;
//! ```
//!
//! Backend calls (`detect`, `load`, `store`, …) are synchronous: kernel
//! syscalls or a few D-Bus round trips. Call them at startup or from CLI
//! commands, not from latency-sensitive async paths.

pub mod crypto;
pub mod input;
#[cfg(target_os = "linux")]
mod keyutils;
pub mod master;
pub mod store;

pub use crypto::{MasterKey, Sealed, open, seal};
pub use input::read_secret_value;
pub use master::{Backend, MasterKeySource};
pub use store::{SealedRow, SecretMeta, SecretRows, SecretStore, validate_name};

/// Everything that can go wrong in the secrets module. No variant ever
/// contains a secret value or key material.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// The row was sealed under another master key than the one in use.
    #[error(
        "the secrets database was encrypted with a different master key: the stored secrets \
         need master key {expected_key_id}, but the master key in use is {actual_key_id}. \
         Nothing was changed. To recover, make the original master key available again: set \
         IRONCLAW_MASTER_KEY to it (64 hex digits or base64) or put it back into the OS keyring \
         (service \"ironclaw\", account \"master-key\"). If that key is lost, the secrets sealed \
         with it cannot be recovered: remove them and set them again."
    )]
    WrongMasterKey {
        expected_key_id: String,
        actual_key_id: String,
    },
    /// The database holds secrets but the backend has no master key at all
    /// (typically: the kernel keyring after a reboot). IronClaw will not create
    /// a new key over them.
    #[error(
        "the secrets database holds secrets sealed with master key {expected_key_id}, but \
         {backend} has no master key (the kernel keyring forgets everything at reboot; a Secret \
         Service keyring may have been reset or be another one). IronClaw will not create a new \
         master key over existing secrets. To recover, set IRONCLAW_MASTER_KEY to the original \
         master key (64 hex digits or base64); if it is lost, remove those secrets and set them \
         again."
    )]
    MasterKeyMissing {
        expected_key_id: String,
        backend: String,
    },
    /// The ciphertext, nonce, salt or name did not authenticate.
    #[error(
        "secret {name:?} failed its integrity check: the stored row was modified or moved from \
         another name; its value cannot be trusted. Set it again."
    )]
    Tampered { name: String },
    /// No place to keep the master key; the message says what to do.
    #[error("no place to keep the secrets master key: {0}")]
    NoBackend(String),
    /// The master-key backend failed.
    #[error("master key backend: {0}")]
    Backend(String),
    #[error("invalid secret name: {0}")]
    InvalidName(String),
    /// A secret value was refused (empty, too large, not UTF-8). The message
    /// never contains the value.
    #[error("invalid secret value: {0}")]
    InvalidValue(String),
    #[error("invalid master key: {0}")]
    InvalidKey(String),
    /// The row storage (database) failed.
    #[error("secrets storage: {0}")]
    Storage(String),
}
