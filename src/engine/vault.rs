//! The engine's side of the secret store: when to reach the OS keyring, and
//! keeping the safety layer's list of known secret values current.
//!
//! The keyring is touched only when it is needed: listing and removing use
//! row metadata alone, and a database with no secrets never asks for the
//! master key. Values never leave this file except into the safety layer
//! (for exact-match leak scanning) and into a provider's API key.

use tokio::sync::Mutex;
use zeroize::Zeroizing;

use crate::db::Db;
use crate::protocol::SecretInfo;
use crate::secrets::{MasterKey, MasterKeySource, SecretRows, SecretStore};

pub(crate) struct Vault {
    db: Db,
    state: Mutex<Option<Open>>,
}

struct Open {
    store: SecretStore<Db>,
    source: MasterKeySource,
}

fn source() -> Result<MasterKeySource, String> {
    let env = std::env::var(crate::secrets::master::ENV_VAR)
        .ok()
        .filter(|v| !v.trim().is_empty());
    MasterKeySource::detect(env).map_err(|e| e.to_string())
}

impl Vault {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            state: Mutex::new(None),
        }
    }

    /// Where the master key lives (or why there is nowhere), for `doctor`.
    pub fn backend_description() -> String {
        match source() {
            Ok(source) => {
                let backend = source.backend();
                match backend.persistence_warning() {
                    Some(_) => format!("{backend} (emptied at reboot: back the key up)"),
                    None => backend.to_string(),
                }
            }
            Err(e) => format!("unavailable: {e}"),
        }
    }

    /// Opens the store (creating a master key only when no secret exists).
    async fn open<'a>(&self, state: &'a mut Option<Open>) -> Result<&'a mut Open, String> {
        if state.is_none() {
            let source = source()?;
            if let Some(warning) = source.backend().persistence_warning() {
                tracing::warn!("{warning}");
            }
            // Backend calls are synchronous (keyutils syscalls, a D-Bus round
            // trip): short, and made once per engine, so they run inline.
            let store = SecretStore::open_with_source(self.db.clone(), &source)
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(backend = %source.backend(), key_id = %store.key_id(), "secret store opened");
            *state = Some(Open { store, source });
        }
        state
            .as_mut()
            .ok_or_else(|| "secret store not loaded".to_string())
    }

    /// Loads every value into the safety layer, if there are any secrets.
    pub async fn refresh_known(&self, safety: &super::guard::Safety) -> Result<(), String> {
        if self.db.secret_count().await.map_err(|e| e.to_string())? == 0 {
            safety.set_known(Vec::new());
            return Ok(());
        }
        let mut state = self.state.lock().await;
        let open = self.open(&mut state).await?;
        let values = open.store.all_values().await.map_err(|e| e.to_string())?;
        safety.set_known(values.iter().map(|v| v.to_string()).collect());
        Ok(())
    }

    /// A value by name, when the store has it (used for provider API keys).
    pub async fn get(&self, name: &str) -> Result<Option<Zeroizing<String>>, String> {
        if self.db.secret_count().await.map_err(|e| e.to_string())? == 0 {
            return Ok(None);
        }
        let mut state = self.state.lock().await;
        let open = self.open(&mut state).await?;
        open.store.get(name).await.map_err(|e| e.to_string())
    }

    pub async fn set(&self, name: &str, value: Zeroizing<String>) -> Result<(), String> {
        crate::secrets::validate_name(name).map_err(|e| e.to_string())?;
        let mut state = self.state.lock().await;
        let open = self.open(&mut state).await?;
        open.store.set(name, value).await.map_err(|e| e.to_string())
    }

    pub async fn list(&self) -> Result<Vec<SecretInfo>, String> {
        Ok(SecretRows::list(&self.db)
            .await?
            .into_iter()
            .map(|m| SecretInfo {
                name: m.name,
                created_at: m.created_at,
                updated_at: m.updated_at,
            })
            .collect())
    }

    pub async fn remove(&self, name: &str) -> Result<bool, String> {
        SecretRows::delete(&self.db, name).await
    }

    /// Re-encrypts everything under a fresh master key and makes it current,
    /// in the crash-safe order of `SecretStore::rotate_and_store`.
    pub async fn rotate(&self) -> Result<usize, String> {
        let mut state = self.state.lock().await;
        let open = self.open(&mut state).await?;
        open.store
            .rotate_and_store(&open.source, MasterKey::generate())
            .await
            .map_err(|e| e.to_string())
    }
}
