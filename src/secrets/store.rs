//! The secrets store, over an abstract row storage that the engine implements
//! on its database ([`SecretRows`]).
//!
//! # Rotation without losing a secret
//!
//! Rotating the master key touches two places that cannot share a
//! transaction: the database (every row re-sealed) and the key backend (the
//! new key stored). [`SecretStore::rotate_and_store`] orders the steps so that
//! at every instant — including a crash between any two steps — every secret
//! can be opened with a key that the backend holds:
//!
//! | step | database sealed with | backend `master-key` | backend `master-key.pending` |
//! |------|----------------------|----------------------|------------------------------|
//! | 0. start | old | old | — |
//! | 1. store new key as *pending* | old | old | new |
//! | 2. decrypt all with old, seal all with new, `replace_all` (one transaction) | **new** | old | new |
//! | 3. store new key as current | new | **new** | new |
//! | 4. clear pending | new | new | — |
//!
//! * A failure in step 1 or 2 changes nothing (`replace_all` is atomic; all
//!   values are decrypted *before* anything is written, so one unreadable row
//!   aborts the rotation untouched).
//! * A failure in step 3: the original rows (kept byte for byte from step 2)
//!   are written back with `replace_all`, so database and backend agree on the
//!   old key again. If even that write fails, the pending key is left in
//!   place (see next point).
//! * A crash after step 2: [`SecretStore::open_with_source`] sees rows sealed
//!   with a key id that is not the current key's, finds it in the pending slot
//!   and finishes the rotation (steps 3–4).
//! * A failure in step 4 only leaves a stale pending key, which the next
//!   rotation overwrites and `open_with_source` clears.
//!
//! [`SecretStore::rotate`] is step 2 alone, for callers that keep the key
//! themselves (the `IRONCLAW_MASTER_KEY` backend: there the caller must show
//! the new key to the user **before** calling it, since the user must set it).
//!
//! Run a rotation while no other IronClaw process writes secrets: a process
//! still holding the old key could add a row sealed with it after the switch
//! (it would then report [`SecretsError::WrongMasterKey`] for that row only).

use std::collections::BTreeSet;
use std::time::{SystemTime, UNIX_EPOCH};

use zeroize::{Zeroize, Zeroizing};

use super::SecretsError;
use super::crypto::{self, MasterKey, Sealed};
use super::master::{Backend, MasterKeySource};

/// Longest accepted secret name.
pub const MAX_NAME_LEN: usize = 64;
/// Largest accepted secret value, in bytes (credentials, not files).
pub const MAX_VALUE_LEN: usize = 64 * 1024;

/// A secret's metadata — never its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretMeta {
    pub name: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// Id of the master key the value is sealed with.
    pub key_id: String,
}

/// One stored row: the sealed value and its metadata. Contains nothing secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedRow {
    pub name: String,
    pub sealed: Sealed,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

/// Row storage for sealed secrets, implemented by the engine on its database.
/// Errors are plain messages (they must not contain values; rows hold none).
#[async_trait::async_trait]
pub trait SecretRows: Send + Sync {
    /// Inserts or replaces the row with `row.name`.
    async fn put(&self, row: &SealedRow) -> Result<(), String>;
    async fn get(&self, name: &str) -> Result<Option<SealedRow>, String>;
    /// All rows' metadata, sorted by name.
    async fn list(&self) -> Result<Vec<SecretMeta>, String>;
    /// `true` when a row was deleted.
    async fn delete(&self, name: &str) -> Result<bool, String>;
    async fn all(&self) -> Result<Vec<SealedRow>, String>;
    /// Replaces the whole table with `rows`, atomically (one transaction):
    /// afterwards exactly `rows` exist, or on error nothing changed.
    async fn replace_all(&self, rows: &[SealedRow]) -> Result<(), String>;
}

/// Checks a secret name: 1 to 64 characters from `A-Z a-z 0-9 _ . -`.
pub fn validate_name(name: &str) -> Result<(), SecretsError> {
    if name.is_empty() {
        return Err(SecretsError::InvalidName(
            "the name is empty; use 1 to 64 characters from A-Z, a-z, 0-9, '_', '.', '-'".into(),
        ));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(SecretsError::InvalidName(format!(
            "the name is {} characters long; at most {MAX_NAME_LEN} are allowed",
            name.chars().count()
        )));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        return Err(SecretsError::InvalidName(format!(
            "{name:?} contains {bad:?}; use only A-Z, a-z, 0-9, '_', '.', '-' (e.g. \
             openai-api-key)"
        )));
    }
    Ok(())
}

/// Encrypted secrets over a [`SecretRows`] storage.
pub struct SecretStore<R: SecretRows> {
    rows: R,
    master: MasterKey,
}

impl<R: SecretRows> std::fmt::Debug for SecretStore<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretStore")
            .field("master", &self.master)
            .finish_non_exhaustive()
    }
}

/// What a database-side rotation replaced, to undo it.
struct Undo {
    old_master: MasterKey,
    old_rows: Vec<SealedRow>,
}

fn storage(e: String) -> SecretsError {
    SecretsError::Storage(e)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Turns decrypted bytes into a string without copying them.
fn into_string(
    name: &str,
    mut bytes: Zeroizing<Vec<u8>>,
) -> Result<Zeroizing<String>, SecretsError> {
    let bytes = std::mem::take(&mut *bytes);
    String::from_utf8(bytes).map(Zeroizing::new).map_err(|e| {
        e.into_bytes().zeroize();
        SecretsError::InvalidValue(format!("the stored value of {name:?} is not UTF-8 text"))
    })
}

impl<R: SecretRows> SecretStore<R> {
    /// A store using `master`. Prefer [`open_with_source`](Self::open_with_source),
    /// which also checks the key against the database.
    pub fn new(rows: R, master: MasterKey) -> Self {
        SecretStore { rows, master }
    }

    /// Opens the store with the master key from `source`:
    ///
    /// * the key is loaded; when the backend has none and the database holds
    ///   no secret, a new key is created and stored;
    /// * when only some rows are sealed with another key, the store opens (with
    ///   a warning): those rows report [`SecretsError::WrongMasterKey`] when
    ///   read, and can be removed;
    /// * when the database holds secrets sealed with a key id that the current
    ///   key does not have, a pending key from an interrupted rotation with
    ///   that id is adopted (the rotation is finished); otherwise
    ///   [`SecretsError::WrongMasterKey`];
    /// * when the backend has no key but the database holds secrets (kernel
    ///   keyring after a reboot…): [`SecretsError::MasterKeyMissing`] — a new
    ///   key is **not** created over them.
    pub async fn open_with_source(rows: R, source: &MasterKeySource) -> Result<Self, SecretsError> {
        let in_use: BTreeSet<String> = rows
            .list()
            .await
            .map_err(storage)?
            .into_iter()
            .map(|m| m.key_id)
            .collect();
        let current = source.load()?;

        if let Some(key) = &current {
            let id = key.key_id();
            let foreign: Vec<&String> = in_use.iter().filter(|k| **k != id).collect();
            if foreign.is_empty() {
                if source.load_pending()?.is_some() {
                    // Rotation interrupted before the database switched: the
                    // old key is still the right one; the pending key is stale.
                    tracing::info!("discarding the pending master key of an unfinished rotation");
                    source.clear_pending()?;
                }
                return Ok(Self::new(rows, key.clone()));
            }
            if in_use.contains(&id) {
                // Mixed database (another process kept writing with an old
                // key during a rotation, or rows restored by hand): open it, so
                // the readable secrets work and the others can be removed;
                // reading one of those reports WrongMasterKey.
                tracing::warn!(
                    current = %id,
                    others = ?foreign,
                    "some secrets are sealed with another master key and cannot be read"
                );
                return Ok(Self::new(rows, key.clone()));
            }
        }

        if current.is_none() && in_use.is_empty() {
            let key = source.load_or_create()?;
            return Ok(Self::new(rows, key));
        }

        // The database needs a key the backend does not hold as current.
        if let Some(pending) = source.load_pending()?
            && in_use.iter().all(|id| *id == pending.key_id())
        {
            tracing::warn!(
                key_id = %pending.key_id(),
                "finishing an interrupted master key rotation"
            );
            source.store(&pending)?;
            if let Err(e) = source.clear_pending() {
                tracing::warn!(error = %e, "could not clear the pending master key");
            }
            return Ok(Self::new(rows, pending));
        }

        match current {
            Some(key) => {
                let actual = key.key_id();
                let expected = in_use
                    .into_iter()
                    .find(|id| *id != actual)
                    .expect("some id differs");
                Err(SecretsError::WrongMasterKey {
                    expected_key_id: expected,
                    actual_key_id: actual,
                })
            }
            None => Err(SecretsError::MasterKeyMissing {
                expected_key_id: in_use.into_iter().collect::<Vec<_>>().join(", "),
                backend: source.backend().to_string(),
            }),
        }
    }

    /// Stores (or replaces) the secret `name`. Empty values are refused: an
    /// empty secret would make exact-match leak scanning match everything.
    pub async fn set(&self, name: &str, value: Zeroizing<String>) -> Result<(), SecretsError> {
        validate_name(name)?;
        if value.is_empty() {
            return Err(SecretsError::InvalidValue(format!(
                "the value for {name:?} is empty"
            )));
        }
        if value.len() > MAX_VALUE_LEN {
            return Err(SecretsError::InvalidValue(format!(
                "the value for {name:?} is {} bytes; at most {MAX_VALUE_LEN} are allowed",
                value.len()
            )));
        }
        let sealed = crypto::seal(&self.master, name, value.as_bytes())?;
        drop(value);
        let now = now();
        let created_at = self
            .rows
            .get(name)
            .await
            .map_err(storage)?
            .map_or(now, |old| old.created_at);
        self.rows
            .put(&SealedRow {
                name: name.to_owned(),
                sealed,
                created_at,
                updated_at: now,
            })
            .await
            .map_err(storage)?;
        tracing::info!(secret = name, "secret stored");
        Ok(())
    }

    /// The value of `name`, or `None` when there is no such secret.
    pub async fn get(&self, name: &str) -> Result<Option<Zeroizing<String>>, SecretsError> {
        validate_name(name)?;
        let Some(row) = self.rows.get(name).await.map_err(storage)? else {
            return Ok(None);
        };
        let bytes = crypto::open(&self.master, &row.name, &row.sealed)?;
        tracing::debug!(secret = name, "secret read");
        into_string(name, bytes).map(Some)
    }

    /// Names and metadata of all secrets, sorted by name. No values.
    pub async fn list(&self) -> Result<Vec<SecretMeta>, SecretsError> {
        let mut list = self.rows.list().await.map_err(storage)?;
        list.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(list)
    }

    /// Deletes `name`; `false` when there was no such secret.
    pub async fn remove(&self, name: &str) -> Result<bool, SecretsError> {
        validate_name(name)?;
        let removed = self.rows.delete(name).await.map_err(storage)?;
        if removed {
            tracing::info!(secret = name, "secret removed");
        }
        Ok(removed)
    }

    /// All values (for the safety layer's exact-match leak scanning).
    pub async fn all_values(&self) -> Result<Vec<Zeroizing<String>>, SecretsError> {
        let rows = self.rows.all().await.map_err(storage)?;
        let mut values = Vec::with_capacity(rows.len());
        for row in &rows {
            let bytes = crypto::open(&self.master, &row.name, &row.sealed)?;
            values.push(into_string(&row.name, bytes)?);
        }
        Ok(values)
    }

    /// Id of the master key in use.
    pub fn key_id(&self) -> String {
        self.master.key_id()
    }

    /// Re-encrypts every secret under `new`, atomically; returns how many.
    ///
    /// All values are decrypted with the current key first (any failure aborts
    /// with nothing written), then sealed under `new` and written with one
    /// [`SecretRows::replace_all`]. Timestamps are kept (values did not
    /// change). Afterwards this store uses `new`.
    ///
    /// This is the database half of a rotation only: the caller must make
    /// `new` durable itself — see [`rotate_and_store`](Self::rotate_and_store),
    /// which does it in the crash-safe order described in the module docs.
    pub async fn rotate(&mut self, new: MasterKey) -> Result<usize, SecretsError> {
        let (count, _undo) = self.rotate_rows(new).await?;
        Ok(count)
    }

    async fn rotate_rows(&mut self, new: MasterKey) -> Result<(usize, Undo), SecretsError> {
        let old_rows = self.rows.all().await.map_err(storage)?;
        let mut new_rows = Vec::with_capacity(old_rows.len());
        for row in &old_rows {
            let value = crypto::open(&self.master, &row.name, &row.sealed)?;
            let sealed = crypto::seal(&new, &row.name, &value)?;
            new_rows.push(SealedRow {
                name: row.name.clone(),
                sealed,
                created_at: row.created_at,
                updated_at: row.updated_at,
            });
        }
        self.rows.replace_all(&new_rows).await.map_err(storage)?;
        let old_master = std::mem::replace(&mut self.master, new);
        tracing::info!(
            count = new_rows.len(),
            from = %old_master.key_id(),
            to = %self.master.key_id(),
            "secrets re-encrypted under a new master key"
        );
        Ok((
            new_rows.len(),
            Undo {
                old_master,
                old_rows,
            },
        ))
    }

    /// Rotates to `new` and makes it the backend's current key, in the
    /// crash-safe order of the module docs; returns how many secrets were
    /// re-encrypted. On error, the store keeps using whichever key the
    /// database is sealed with, and no secret is lost.
    ///
    /// Refused for [`Backend::Env`]: there the user owns the key; show them
    /// `new.encode()`, call [`rotate`](Self::rotate), and have them update
    /// `IRONCLAW_MASTER_KEY`.
    pub async fn rotate_and_store(
        &mut self,
        source: &MasterKeySource,
        new: MasterKey,
    ) -> Result<usize, SecretsError> {
        if source.backend() == Backend::Env {
            return Err(SecretsError::Backend(
                "the master key comes from IRONCLAW_MASTER_KEY, which IronClaw cannot change, so \
                 it cannot make a new key current by itself. Unset IRONCLAW_MASTER_KEY to let \
                 IronClaw keep the key in the OS keyring, or use a rotation that prints the new \
                 key for you to put in IRONCLAW_MASTER_KEY"
                    .into(),
            ));
        }
        // Step 1: the new key is durable before any row depends on it.
        source.store_pending(&new)?;

        // Step 2: database, atomically.
        let (count, undo) = match self.rotate_rows(new.clone()).await {
            Ok(done) => done,
            Err(e) => {
                if let Err(clear) = source.clear_pending() {
                    tracing::warn!(error = %clear, "could not clear the pending master key");
                }
                return Err(e);
            }
        };

        // Step 3: the new key becomes current.
        if let Err(store_err) = source.store(&new) {
            return match self.rows.replace_all(&undo.old_rows).await {
                Ok(()) => {
                    self.master = undo.old_master;
                    if let Err(clear) = source.clear_pending() {
                        tracing::warn!(error = %clear, "could not clear the pending master key");
                    }
                    Err(SecretsError::Backend(format!(
                        "could not store the new master key ({store_err}); the rotation was \
                         undone and the secrets are still sealed with the old key {}",
                        self.master.key_id()
                    )))
                }
                Err(undo_err) => Err(SecretsError::Backend(format!(
                    "could not store the new master key ({store_err}) nor restore the old rows \
                     ({undo_err}). No secret is lost: the secrets are sealed with the new key {}, \
                     which is kept in {} as the pending key and will be adopted the next time \
                     the store is opened",
                    new.key_id(),
                    source.backend()
                ))),
            };
        }

        // Step 4: tidy up.
        if let Err(e) = source.clear_pending() {
            tracing::warn!(error = %e, "could not clear the pending master key");
        }
        Ok(count)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// In-memory [`SecretRows`], with switches to make writes fail.
    #[derive(Default)]
    pub(crate) struct MemRows {
        rows: Mutex<BTreeMap<String, SealedRow>>,
        pub(crate) fail_replace_all: AtomicBool,
        /// `Some(n)`: the next `n` calls of `replace_all` succeed, later ones fail.
        pub(crate) replace_all_budget: Mutex<Option<usize>>,
    }

    impl MemRows {
        fn snapshot(&self) -> BTreeMap<String, SealedRow> {
            self.rows.lock().unwrap().clone()
        }
    }

    #[async_trait::async_trait]
    impl SecretRows for MemRows {
        async fn put(&self, row: &SealedRow) -> Result<(), String> {
            self.rows
                .lock()
                .unwrap()
                .insert(row.name.clone(), row.clone());
            Ok(())
        }
        async fn get(&self, name: &str) -> Result<Option<SealedRow>, String> {
            Ok(self.rows.lock().unwrap().get(name).cloned())
        }
        async fn list(&self) -> Result<Vec<SecretMeta>, String> {
            Ok(self
                .rows
                .lock()
                .unwrap()
                .values()
                .map(|r| SecretMeta {
                    name: r.name.clone(),
                    created_at: r.created_at,
                    updated_at: r.updated_at,
                    key_id: r.sealed.key_id.clone(),
                })
                .collect())
        }
        async fn delete(&self, name: &str) -> Result<bool, String> {
            Ok(self.rows.lock().unwrap().remove(name).is_some())
        }
        async fn all(&self) -> Result<Vec<SealedRow>, String> {
            Ok(self.rows.lock().unwrap().values().cloned().collect())
        }
        async fn replace_all(&self, rows: &[SealedRow]) -> Result<(), String> {
            if self.fail_replace_all.load(Ordering::SeqCst) {
                return Err("simulated transaction failure".into());
            }
            if let Some(budget) = self.replace_all_budget.lock().unwrap().as_mut() {
                if *budget == 0 {
                    return Err("simulated transaction failure".into());
                }
                *budget -= 1;
            }
            let mut map = self.rows.lock().unwrap();
            map.clear();
            for r in rows {
                map.insert(r.name.clone(), r.clone());
            }
            Ok(())
        }
    }

    #[async_trait::async_trait]
    impl<T: SecretRows> SecretRows for std::sync::Arc<T> {
        async fn put(&self, row: &SealedRow) -> Result<(), String> {
            (**self).put(row).await
        }
        async fn get(&self, name: &str) -> Result<Option<SealedRow>, String> {
            (**self).get(name).await
        }
        async fn list(&self) -> Result<Vec<SecretMeta>, String> {
            (**self).list().await
        }
        async fn delete(&self, name: &str) -> Result<bool, String> {
            (**self).delete(name).await
        }
        async fn all(&self) -> Result<Vec<SealedRow>, String> {
            (**self).all().await
        }
        async fn replace_all(&self, rows: &[SealedRow]) -> Result<(), String> {
            (**self).replace_all(rows).await
        }
    }

    fn z(s: &str) -> Zeroizing<String> {
        Zeroizing::new(s.to_owned())
    }

    fn store() -> SecretStore<MemRows> {
        SecretStore::new(MemRows::default(), MasterKey::generate())
    }

    #[tokio::test]
    async fn set_get_list_remove() {
        let s = store();
        assert!(s.get("openai").await.unwrap().is_none());
        s.set("openai", z("sk-AAA")).await.unwrap();
        s.set("anthropic.key", z("sk-ant-BBB")).await.unwrap();
        s.set("github_token-2", z("ghp_CCC ünïcödé")).await.unwrap();
        assert_eq!(
            s.get("openai")
                .await
                .unwrap()
                .as_deref()
                .map(|v| v.as_str()),
            Some("sk-AAA")
        );
        assert_eq!(
            s.get("github_token-2").await.unwrap().unwrap().as_str(),
            "ghp_CCC ünïcödé"
        );

        let names: Vec<_> = s
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.name)
            .collect();
        assert_eq!(names, ["anthropic.key", "github_token-2", "openai"]);

        // Replace keeps created_at, bumps nothing else visible.
        let before = s.rows.get("openai").await.unwrap().unwrap();
        s.set("openai", z("sk-NEW")).await.unwrap();
        let after = s.rows.get("openai").await.unwrap().unwrap();
        assert_eq!(after.created_at, before.created_at);
        assert!(after.updated_at >= before.updated_at);
        assert_ne!(after.sealed, before.sealed);
        assert_eq!(s.get("openai").await.unwrap().unwrap().as_str(), "sk-NEW");

        let mut all: Vec<String> = s
            .all_values()
            .await
            .unwrap()
            .iter()
            .map(|v| v.to_string())
            .collect();
        all.sort();
        assert_eq!(all, ["ghp_CCC ünïcödé", "sk-NEW", "sk-ant-BBB"]);

        assert!(s.remove("openai").await.unwrap());
        assert!(!s.remove("openai").await.unwrap());
        assert!(s.get("openai").await.unwrap().is_none());
        assert_eq!(s.list().await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn names_are_validated() {
        let s = store();
        for ok in ["a", "A-Z_0.9", &"x".repeat(64)] {
            validate_name(ok).unwrap();
        }
        for bad in [
            "",
            "with space",
            "slash/name",
            "ünï",
            "a:b",
            "new\nline",
            &"x".repeat(65),
        ] {
            let err = validate_name(bad).unwrap_err();
            assert!(matches!(err, SecretsError::InvalidName(_)), "{bad:?}");
            let msg = err.to_string();
            assert!(msg.contains("64") || msg.contains("A-Z"), "{msg}");
            assert!(s.set(bad, z("v")).await.is_err());
            assert!(s.get(bad).await.is_err());
            assert!(s.remove(bad).await.is_err());
        }
        assert!(s.list().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn empty_and_oversized_values_are_refused_without_echo() {
        let s = store();
        assert!(matches!(
            s.set("n", z("")).await,
            Err(SecretsError::InvalidValue(_))
        ));
        let big = "Q".repeat(MAX_VALUE_LEN + 1);
        let err = s.set("n", z(&big)).await.unwrap_err();
        assert!(matches!(err, SecretsError::InvalidValue(_)));
        assert!(!err.to_string().contains("QQQQ"));
        assert!(s.list().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn values_never_appear_in_list_or_rows() {
        let s = store();
        let value = "sk-very-secret-value-1234567890";
        s.set("openai", z(value)).await.unwrap();
        let listed = format!("{:?}", s.list().await.unwrap());
        assert!(listed.contains("openai"));
        assert!(!listed.contains(value), "{listed}");
        let row = s.rows.get("openai").await.unwrap().unwrap();
        assert!(!format!("{row:?}").contains(value));
        assert!(
            !row.sealed
                .ciphertext
                .windows(10)
                .any(|w| w == &value.as_bytes()[..10])
        );
        assert!(!format!("{s:?}").contains(value));
    }

    #[tokio::test]
    async fn rotation_reencrypts_everything_and_old_key_no_longer_opens() {
        let old = MasterKey::generate();
        let mut s = SecretStore::new(MemRows::default(), old.clone());
        for i in 0..5 {
            s.set(&format!("k{i}"), z(&format!("value-{i}")))
                .await
                .unwrap();
        }
        let before = s.rows.snapshot();
        let new = MasterKey::generate();
        assert_eq!(s.rotate(new.clone()).await.unwrap(), 5);
        assert_eq!(s.key_id(), new.key_id());

        let after = s.rows.snapshot();
        for (name, row) in &after {
            assert_eq!(row.sealed.key_id, new.key_id());
            assert_ne!(row.sealed.ciphertext, before[name].sealed.ciphertext);
            assert_eq!(row.created_at, before[name].created_at);
            assert!(matches!(
                crypto::open(&old, name, &row.sealed),
                Err(SecretsError::WrongMasterKey { .. })
            ));
        }
        for i in 0..5 {
            assert_eq!(
                s.get(&format!("k{i}")).await.unwrap().unwrap().as_str(),
                format!("value-{i}")
            );
        }
        let meta = s.list().await.unwrap();
        assert!(meta.iter().all(|m| m.key_id == new.key_id()));

        // A store still holding the old key is refused clearly.
        let stale = SecretStore::new(std::mem::take(&mut s.rows), old);
        assert!(matches!(
            stale.get("k0").await,
            Err(SecretsError::WrongMasterKey { .. })
        ));
    }

    #[tokio::test]
    async fn failed_rotation_changes_nothing() {
        let old = MasterKey::generate();
        let mut s = SecretStore::new(MemRows::default(), old.clone());
        s.set("a", z("1")).await.unwrap();
        s.set("b", z("2")).await.unwrap();
        let before = s.rows.snapshot();

        // Transaction fails.
        s.rows.fail_replace_all.store(true, Ordering::SeqCst);
        assert!(matches!(
            s.rotate(MasterKey::generate()).await,
            Err(SecretsError::Storage(_))
        ));
        assert_eq!(s.rows.snapshot(), before);
        assert_eq!(s.key_id(), old.key_id());
        s.rows.fail_replace_all.store(false, Ordering::SeqCst);

        // One unreadable row aborts before anything is written.
        let mut bad = s.rows.get("b").await.unwrap().unwrap();
        bad.sealed.ciphertext[0] ^= 1;
        s.rows.put(&bad).await.unwrap();
        let before = s.rows.snapshot();
        assert!(matches!(
            s.rotate(MasterKey::generate()).await,
            Err(SecretsError::Tampered { name }) if name == "b"
        ));
        assert_eq!(s.rows.snapshot(), before);
        assert_eq!(s.get("a").await.unwrap().unwrap().as_str(), "1");
    }

    #[tokio::test]
    async fn store_sealed_with_another_key_reports_wrong_master_key() {
        let rows = MemRows::default();
        let writer = SecretStore::new(rows, MasterKey::generate());
        writer.set("openai", z("sk-1")).await.unwrap();
        let writer_id = writer.key_id();
        let reader = SecretStore::new(writer.rows, MasterKey::generate());
        let err = reader.get("openai").await.unwrap_err();
        match &err {
            SecretsError::WrongMasterKey {
                expected_key_id,
                actual_key_id,
            } => {
                assert_eq!(expected_key_id, &writer_id);
                assert_eq!(actual_key_id, &reader.key_id());
            }
            other => panic!("expected WrongMasterKey, got {other:?}"),
        }
        assert!(err.to_string().contains("IRONCLAW_MASTER_KEY"));
        assert!(matches!(
            reader.all_values().await,
            Err(SecretsError::WrongMasterKey { .. })
        ));
    }

    #[tokio::test]
    async fn moved_row_is_tampered() {
        let s = store();
        s.set("github", z("ghp_x")).await.unwrap();
        let mut row = s.rows.get("github").await.unwrap().unwrap();
        row.name = "openai".into();
        s.rows.put(&row).await.unwrap();
        assert!(matches!(
            s.get("openai").await,
            Err(SecretsError::Tampered { name }) if name == "openai"
        ));
    }

    // ---- open_with_source / rotate_and_store (in-memory key backend) ----

    use super::super::master::MemoryBackend;
    use std::sync::Arc;

    fn mem_source() -> (Arc<MemoryBackend>, MasterKeySource) {
        let backend = Arc::new(MemoryBackend::default());
        let source = MasterKeySource::memory_for_tests(backend.clone());
        (backend, source)
    }

    #[tokio::test]
    async fn open_creates_a_key_for_an_empty_database_and_reuses_it() {
        let (_b, source) = mem_source();
        let rows = Arc::new(MemRows::default());
        let s = SecretStore::open_with_source(rows.clone(), &source)
            .await
            .unwrap();
        s.set("a", z("1")).await.unwrap();
        let id = s.key_id();
        drop(s);
        let s = SecretStore::open_with_source(rows, &source).await.unwrap();
        assert_eq!(s.key_id(), id);
        assert_eq!(s.get("a").await.unwrap().unwrap().as_str(), "1");
    }

    #[tokio::test]
    async fn open_refuses_to_create_a_key_over_existing_secrets() {
        // E.g. kernel keyring after a reboot: the key is gone, the rows are not.
        let (backend, source) = mem_source();
        let rows = Arc::new(MemRows::default());
        let s = SecretStore::open_with_source(rows.clone(), &source)
            .await
            .unwrap();
        s.set("a", z("1")).await.unwrap();
        let id = s.key_id();
        backend.entries.lock().unwrap().clear();
        let err = SecretStore::open_with_source(rows.clone(), &source)
            .await
            .unwrap_err();
        match &err {
            SecretsError::MasterKeyMissing {
                expected_key_id, ..
            } => assert_eq!(expected_key_id, &id),
            other => panic!("expected MasterKeyMissing, got {other:?}"),
        }
        assert!(err.to_string().contains("IRONCLAW_MASTER_KEY"));
        assert!(source.load().unwrap().is_none(), "no key was created");
    }

    #[tokio::test]
    async fn open_with_another_key_reports_wrong_master_key() {
        let (backend, source) = mem_source();
        let rows = Arc::new(MemRows::default());
        let s = SecretStore::open_with_source(rows.clone(), &source)
            .await
            .unwrap();
        s.set("a", z("1")).await.unwrap();
        let id = s.key_id();
        backend.entries.lock().unwrap().clear();
        source.store(&MasterKey::generate()).unwrap();
        match SecretStore::open_with_source(rows, &source).await {
            Err(SecretsError::WrongMasterKey {
                expected_key_id, ..
            }) => assert_eq!(expected_key_id, id),
            other => panic!("expected WrongMasterKey, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn rotate_and_store_switches_database_and_backend() {
        let (backend, source) = mem_source();
        let rows = Arc::new(MemRows::default());
        let mut s = SecretStore::open_with_source(rows.clone(), &source)
            .await
            .unwrap();
        s.set("a", z("1")).await.unwrap();
        s.set("b", z("2")).await.unwrap();
        let new = MasterKey::generate();
        assert_eq!(s.rotate_and_store(&source, new.clone()).await.unwrap(), 2);
        assert_eq!(source.load().unwrap(), Some(new.clone()));
        assert_eq!(source.load_pending().unwrap(), None);
        assert!(
            !backend
                .entries
                .lock()
                .unwrap()
                .contains_key("master-key.pending")
        );
        let reopened = SecretStore::open_with_source(rows, &source).await.unwrap();
        assert_eq!(reopened.key_id(), new.key_id());
        assert_eq!(reopened.get("b").await.unwrap().unwrap().as_str(), "2");
    }

    #[tokio::test]
    async fn crash_after_database_switch_is_finished_on_open() {
        let (_b, source) = mem_source();
        let rows = Arc::new(MemRows::default());
        let mut s = SecretStore::open_with_source(rows.clone(), &source)
            .await
            .unwrap();
        s.set("a", z("1")).await.unwrap();
        let old_id = s.key_id();
        // Steps 1 and 2 of rotate_and_store, then "crash".
        let new = MasterKey::generate();
        source.store_pending(&new).unwrap();
        s.rotate(new.clone()).await.unwrap();
        drop(s);
        assert_eq!(source.load().unwrap().unwrap().key_id(), old_id);

        let s = SecretStore::open_with_source(rows, &source).await.unwrap();
        assert_eq!(s.key_id(), new.key_id());
        assert_eq!(s.get("a").await.unwrap().unwrap().as_str(), "1");
        assert_eq!(source.load().unwrap(), Some(new));
        assert_eq!(source.load_pending().unwrap(), None);
    }

    #[tokio::test]
    async fn crash_before_database_switch_keeps_old_key() {
        let (_b, source) = mem_source();
        let rows = Arc::new(MemRows::default());
        let s = SecretStore::open_with_source(rows.clone(), &source)
            .await
            .unwrap();
        s.set("a", z("1")).await.unwrap();
        let old_id = s.key_id();
        source.store_pending(&MasterKey::generate()).unwrap(); // step 1, then "crash"
        drop(s);
        let s = SecretStore::open_with_source(rows, &source).await.unwrap();
        assert_eq!(s.key_id(), old_id);
        assert_eq!(s.get("a").await.unwrap().unwrap().as_str(), "1");
        assert_eq!(
            source.load_pending().unwrap(),
            None,
            "stale pending key cleared"
        );
    }

    #[tokio::test]
    async fn failed_key_store_undoes_the_rotation() {
        let (backend, source) = mem_source();
        let rows = Arc::new(MemRows::default());
        let mut s = SecretStore::open_with_source(rows.clone(), &source)
            .await
            .unwrap();
        s.set("a", z("1")).await.unwrap();
        let old = source.load().unwrap().unwrap();
        let before = rows.snapshot();
        *backend.fail_store.lock().unwrap() = Some("master-key".into());

        let err = s
            .rotate_and_store(&source, MasterKey::generate())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("undone"), "{err}");
        assert_eq!(rows.snapshot(), before, "rows restored byte for byte");
        assert_eq!(s.key_id(), old.key_id());
        assert_eq!(source.load().unwrap(), Some(old));
        assert_eq!(source.load_pending().unwrap(), None);
        assert_eq!(s.get("a").await.unwrap().unwrap().as_str(), "1");
    }

    #[tokio::test]
    async fn failed_key_store_and_failed_undo_lose_nothing() {
        let (backend, source) = mem_source();
        let rows = Arc::new(MemRows::default());
        let mut s = SecretStore::open_with_source(rows.clone(), &source)
            .await
            .unwrap();
        s.set("a", z("1")).await.unwrap();
        *backend.fail_store.lock().unwrap() = Some("master-key".into());
        *rows.replace_all_budget.lock().unwrap() = Some(1); // rotation ok, undo fails
        let new = MasterKey::generate();

        let err = s.rotate_and_store(&source, new.clone()).await.unwrap_err();
        assert!(err.to_string().contains("No secret is lost"), "{err}");
        assert_eq!(s.key_id(), new.key_id(), "store follows the database");
        assert_eq!(s.get("a").await.unwrap().unwrap().as_str(), "1");
        assert_eq!(source.load_pending().unwrap(), Some(new.clone()));

        // Next start, backend healthy again: the pending key is adopted.
        *backend.fail_store.lock().unwrap() = None;
        *rows.replace_all_budget.lock().unwrap() = None;
        drop(s);
        let s = SecretStore::open_with_source(rows, &source).await.unwrap();
        assert_eq!(s.key_id(), new.key_id());
        assert_eq!(source.load().unwrap(), Some(new));
        assert_eq!(s.get("a").await.unwrap().unwrap().as_str(), "1");
    }

    #[tokio::test]
    async fn failed_pending_store_changes_nothing() {
        let (backend, source) = mem_source();
        let rows = Arc::new(MemRows::default());
        let mut s = SecretStore::open_with_source(rows.clone(), &source)
            .await
            .unwrap();
        s.set("a", z("1")).await.unwrap();
        let before = rows.snapshot();
        *backend.fail_store.lock().unwrap() = Some("master-key.pending".into());
        assert!(
            s.rotate_and_store(&source, MasterKey::generate())
                .await
                .is_err()
        );
        assert_eq!(rows.snapshot(), before);
    }

    #[tokio::test]
    async fn rotate_and_store_refuses_env_backend() {
        let source =
            MasterKeySource::detect(Some(MasterKey::generate().encode().to_string())).unwrap();
        let mut s = SecretStore::new(MemRows::default(), source.load().unwrap().unwrap());
        s.set("a", z("1")).await.unwrap();
        let before = s.rows.snapshot();
        let err = s
            .rotate_and_store(&source, MasterKey::generate())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("IRONCLAW_MASTER_KEY"));
        assert_eq!(s.rows.snapshot(), before);
    }

    #[tokio::test]
    async fn mixed_database_opens_and_foreign_rows_report_wrong_key() {
        let (_b, source) = mem_source();
        let rows = Arc::new(MemRows::default());
        let s = SecretStore::open_with_source(rows.clone(), &source)
            .await
            .unwrap();
        s.set("mine", z("1")).await.unwrap();
        let stranger = SecretStore::new(rows.clone(), MasterKey::generate());
        stranger.set("theirs", z("2")).await.unwrap();
        drop(s);

        let s = SecretStore::open_with_source(rows, &source).await.unwrap();
        assert_eq!(s.get("mine").await.unwrap().unwrap().as_str(), "1");
        assert!(matches!(
            s.get("theirs").await,
            Err(SecretsError::WrongMasterKey { .. })
        ));
        assert!(s.remove("theirs").await.unwrap());
        assert_eq!(s.all_values().await.unwrap().len(), 1);
    }
}
