//! Where the master key comes from.
//!
//! # Backends, in the order [`MasterKeySource::detect`] tries them
//!
//! 1. **Environment** — `IRONCLAW_MASTER_KEY` (64 hex digits or base64 of 32
//!    bytes). Used as is, never written: the user (or their secrets manager,
//!    systemd credential, CI vault…) owns it. An empty value counts as unset.
//! 2. **Secret Service over D-Bus** (GNOME Keyring, KWallet, KeePassXC…) —
//!    when a D-Bus session bus is configured (`DBUS_SESSION_BUS_ADDRESS`, or
//!    `$XDG_RUNTIME_DIR/bus`) and answers as a Secret Service. Item attributes
//!    `service = "ironclaw"`, `username = "master-key"`, in the default
//!    collection, through the `keyring` crate (v4, its Secret Service store).
//!    Survives reboots. Once chosen, later failures (e.g. a locked collection
//!    with no one to unlock it) are reported, never papered over by falling
//!    back to another backend — which would silently start a second key.
//! 3. **Linux kernel keyutils** — the user keyring plus, when the kernel has
//!    one, the persistent keyring; description `keyring:master-key@ironclaw`.
//!    Always there on Linux, including headless boxes and containers, but
//!    **the key does not survive a reboot** (and expires after
//!    `/proc/sys/kernel/keys/persistent_keyring_expiry` seconds — 3 days by
//!    default — without use once the user keyring is gone, e.g. after logout on
//!    kernels before 5.3). See [`Backend::persistence_warning`] and the
//!    `keyutils` module for details. Back the key up, or set
//!    `IRONCLAW_MASTER_KEY`.
//!
//! When none works: [`SecretsError::NoBackend`] with instructions. There is
//! **no plaintext-file fallback**, by design: a key file next to the database
//! would make the encryption decorative.
//!
//! # Names
//!
//! Keyring service `"ironclaw"` ([`SERVICE`]), account `"master-key"`
//! ([`ACCOUNT`]). During a rotation the incoming key is kept under account
//! `"master-key.pending"` ([`PENDING_ACCOUNT`]) until it has become current.

use std::fmt;

use zeroize::Zeroizing;

use super::{MasterKey, SecretsError};

/// Keyring service name for IronClaw's master key.
pub const SERVICE: &str = "ironclaw";
/// Keyring account (user) name for the current master key.
pub const ACCOUNT: &str = "master-key";
/// Keyring account for a key being rotated in (see `SecretStore::rotate_and_store`).
pub const PENDING_ACCOUNT: &str = "master-key.pending";
/// Environment variable that, when set, provides the master key.
pub const ENV_VAR: &str = "IRONCLAW_MASTER_KEY";

/// Where the master key is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    /// `IRONCLAW_MASTER_KEY`.
    Env,
    /// A Secret Service provider over the D-Bus session bus.
    SecretService,
    /// The Linux kernel key retention service (user + persistent keyrings).
    Keyutils,
}

impl Backend {
    /// Whether a key kept here is still there after a reboot.
    pub fn survives_reboot(self) -> bool {
        !matches!(self, Backend::Keyutils)
    }

    /// A warning to show the user when the backend can lose the key.
    pub fn persistence_warning(self) -> Option<&'static str> {
        match self {
            Backend::Keyutils => Some(
                "the secrets master key is kept in the Linux kernel keyring, which is emptied at \
                 every reboot (and, without use for the persistent-keyring expiry time — 3 days by \
                 default — possibly after logout). Without the key, stored secrets cannot be \
                 decrypted. Back it up now: `keyctl pipe $(keyctl search @u user \
                 keyring:master-key@ironclaw)` prints it; after a reboot, start IronClaw with \
                 IRONCLAW_MASTER_KEY set to it. Better: run a Secret Service (e.g. \
                 gnome-keyring-daemon) or set IRONCLAW_MASTER_KEY from a secrets manager.",
            ),
            Backend::Env | Backend::SecretService => None,
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Env => "environment (IRONCLAW_MASTER_KEY)",
            Backend::SecretService => "Secret Service (D-Bus)",
            Backend::Keyutils => "kernel keyutils (user keyring)",
        })
    }
}

/// The chosen master-key backend. Cheap to keep around; every call talks to
/// the backend afresh.
pub struct MasterKeySource {
    kind: Kind,
    account: String,
    pending_account: String,
}

enum Kind {
    Env(MasterKey),
    SecretService {
        service: String,
    },
    #[cfg(target_os = "linux")]
    Keyutils {
        service: String,
    },
    /// In-memory backend with failure switches (tests of the rotation protocol).
    #[cfg(test)]
    Memory(std::sync::Arc<MemoryBackend>),
}

/// In-memory key backend for tests.
#[cfg(test)]
#[derive(Default)]
pub(crate) struct MemoryBackend {
    pub(crate) entries: std::sync::Mutex<std::collections::HashMap<String, Zeroizing<String>>>,
    /// Storing under this account fails.
    pub(crate) fail_store: std::sync::Mutex<Option<String>>,
}

impl fmt::Debug for MasterKeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKeySource")
            .field("backend", &self.backend())
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

/// The availability checks [`MasterKeySource::detect`] runs, injectable for
/// tests. `Err` carries a human-readable reason.
pub(crate) trait Probes {
    fn secret_service(&self) -> Result<(), String>;
    fn keyutils(&self) -> Result<String, String>;
}

struct SystemProbes;

impl Probes for SystemProbes {
    fn secret_service(&self) -> Result<(), String> {
        secret_service::probe()
    }

    fn keyutils(&self) -> Result<String, String> {
        #[cfg(target_os = "linux")]
        {
            super::keyutils::probe()
                .map(|p| p.to_string())
                .map_err(|e| format!("the kernel key retention service is not usable: {e}"))
        }
        #[cfg(not(target_os = "linux"))]
        {
            Err("kernel keyutils exist on Linux only".to_owned())
        }
    }
}

impl MasterKeySource {
    /// Picks the backend: `IRONCLAW_MASTER_KEY` if set (its value is passed in,
    /// for testability: `std::env::var(ENV_VAR).ok()`), else the Secret Service
    /// when a D-Bus session bus answers as one, else kernel keyutils, else
    /// [`SecretsError::NoBackend`] saying what to do. Never a plaintext file.
    ///
    /// A set but malformed `IRONCLAW_MASTER_KEY` is an error
    /// ([`SecretsError::InvalidKey`]), not a reason to use another backend.
    ///
    /// Kernel keyutils need no session keyring set-up: the key lives in the
    /// user keyring and every operation anchors itself in the thread keyring,
    /// so it works whether the process has its own session keyring, only the
    /// user-default one, or none usable (see the `keyutils` module for why
    /// IronClaw does not join a session keyring of its own).
    pub fn detect(env_master_key: Option<String>) -> Result<Self, SecretsError> {
        Self::detect_with(env_master_key, &SystemProbes)
    }

    pub(crate) fn detect_with(
        env_master_key: Option<String>,
        probes: &dyn Probes,
    ) -> Result<Self, SecretsError> {
        let env_master_key = env_master_key.map(Zeroizing::new);
        if let Some(text) = env_master_key.as_deref() {
            if !text.trim().is_empty() {
                let key = MasterKey::parse(text).map_err(|e| {
                    SecretsError::InvalidKey(format!(
                        "{ENV_VAR} is set but is not a valid master key ({e}); fix it, or unset \
                         it to use the OS keyring"
                    ))
                })?;
                tracing::info!(key_id = %key.key_id(), "secrets master key from {ENV_VAR}");
                return Ok(Self::with_kind(Kind::Env(key), ACCOUNT));
            }
            tracing::warn!("{ENV_VAR} is set but empty; ignoring it");
        }

        let ss_reason = match probes.secret_service() {
            Ok(()) => {
                tracing::info!("secrets master key backend: Secret Service (D-Bus)");
                return Ok(Self::with_kind(
                    Kind::SecretService {
                        service: SERVICE.to_owned(),
                    },
                    ACCOUNT,
                ));
            }
            Err(reason) => reason,
        };
        tracing::debug!(reason = %ss_reason, "Secret Service not available");

        let ku_reason = match probes.keyutils() {
            Ok(info) => {
                #[cfg(target_os = "linux")]
                {
                    tracing::warn!(
                        keyrings = %info,
                        "secrets master key backend: kernel keyutils; the key will NOT survive \
                         a reboot"
                    );
                    return Ok(Self::with_kind(
                        Kind::Keyutils {
                            service: SERVICE.to_owned(),
                        },
                        ACCOUNT,
                    ));
                }
                #[cfg(not(target_os = "linux"))]
                {
                    format!("unexpected keyutils probe result on this platform: {info}")
                }
            }
            Err(reason) => reason,
        };

        Err(SecretsError::NoBackend(format!(
            "{ENV_VAR} is not set; no Secret Service ({ss_reason}); no kernel keyring \
             ({ku_reason}). Do one of: (1) set {ENV_VAR} to a key of 64 hex digits or base64 of \
             32 bytes (e.g. from `head -c32 /dev/urandom | base64`), kept in your password \
             manager; (2) start a Secret Service in your D-Bus session (e.g. \
             gnome-keyring-daemon --start --components=secrets, or KeePassXC with Secret \
             Service integration); (3) on Linux, allow the add_key/keyctl syscalls (container \
             seccomp profile) and install keyutils to inspect them. IronClaw never keeps the \
             master key in a plaintext file."
        )))
    }

    fn with_kind(kind: Kind, account: &str) -> Self {
        MasterKeySource {
            kind,
            account: account.to_owned(),
            pending_account: format!("{account}.pending"),
        }
    }

    /// A keyutils source with its own account name (tests only: they must not
    /// touch a real IronClaw master key).
    #[cfg(all(test, target_os = "linux"))]
    pub(crate) fn keyutils_for_tests(account: &str) -> Self {
        Self::with_kind(
            Kind::Keyutils {
                service: SERVICE.to_owned(),
            },
            account,
        )
    }

    /// A Secret Service source with its own account name (tests only).
    #[cfg(test)]
    pub(crate) fn secret_service_for_tests(account: &str) -> Self {
        Self::with_kind(
            Kind::SecretService {
                service: SERVICE.to_owned(),
            },
            account,
        )
    }

    /// A source over an in-memory backend (tests only).
    #[cfg(test)]
    pub(crate) fn memory_for_tests(backend: std::sync::Arc<MemoryBackend>) -> Self {
        Self::with_kind(Kind::Memory(backend), ACCOUNT)
    }

    /// Which backend this source uses.
    pub fn backend(&self) -> Backend {
        match self.kind {
            Kind::Env(_) => Backend::Env,
            Kind::SecretService { .. } => Backend::SecretService,
            #[cfg(target_os = "linux")]
            Kind::Keyutils { .. } => Backend::Keyutils,
            #[cfg(test)]
            Kind::Memory(_) => Backend::SecretService,
        }
    }

    /// Loads the key; `Ok(None)` when the backend has none yet.
    pub fn load(&self) -> Result<Option<MasterKey>, SecretsError> {
        match &self.kind {
            Kind::Env(key) => Ok(Some(key.clone())),
            _ => self.load_account(&self.account),
        }
    }

    /// Stores `key` as the current master key, replacing any previous one, and
    /// reads it back to check the backend really kept it.
    ///
    /// Not allowed for [`Backend::Env`]: IronClaw cannot change the user's
    /// environment.
    pub fn store(&self, key: &MasterKey) -> Result<(), SecretsError> {
        if let Kind::Env(_) = self.kind {
            return Err(SecretsError::Backend(format!(
                "the master key comes from {ENV_VAR}, which IronClaw cannot change. Set {ENV_VAR} \
                 yourself (shell profile, systemd credential, secrets manager…) to the new key, \
                 or unset it to let IronClaw keep the key in the OS keyring"
            )));
        }
        self.store_account(&self.account, key)
    }

    /// Loads the key, or generates one and stores it when the backend has none.
    ///
    /// Prefer `SecretStore::open_with_source`, which also refuses to create a
    /// key when the database already holds secrets sealed with another one.
    pub fn load_or_create(&self) -> Result<MasterKey, SecretsError> {
        if let Some(key) = self.load()? {
            return Ok(key);
        }
        let key = MasterKey::generate();
        self.store(&key)?;
        tracing::info!(
            key_id = %key.key_id(),
            backend = %self.backend(),
            "created a new secrets master key"
        );
        if let Some(warning) = self.backend().persistence_warning() {
            tracing::warn!("{warning}");
        }
        Ok(key)
    }

    /// The key being rotated in, if a rotation was interrupted. Always `None`
    /// for [`Backend::Env`].
    pub(crate) fn load_pending(&self) -> Result<Option<MasterKey>, SecretsError> {
        match self.kind {
            Kind::Env(_) => Ok(None),
            _ => self.load_account(&self.pending_account),
        }
    }

    pub(crate) fn store_pending(&self, key: &MasterKey) -> Result<(), SecretsError> {
        if let Kind::Env(_) = self.kind {
            return Err(SecretsError::Backend(format!(
                "the master key comes from {ENV_VAR}; IronClaw cannot keep a pending key there"
            )));
        }
        self.store_account(&self.pending_account, key)
    }

    /// Removes the pending key; `Ok(false)` when there was none.
    pub(crate) fn clear_pending(&self) -> Result<bool, SecretsError> {
        match self.kind {
            Kind::Env(_) => Ok(false),
            _ => self.delete_account(&self.pending_account),
        }
    }

    /// Removes the current key from the backend (tests' clean-up).
    #[cfg(test)]
    pub(crate) fn delete_for_tests(&self) -> Result<bool, SecretsError> {
        self.delete_account(&self.account)
    }

    fn load_account(&self, account: &str) -> Result<Option<MasterKey>, SecretsError> {
        let text: Option<Zeroizing<String>> = match &self.kind {
            Kind::Env(_) => unreachable!("no accounts in the environment backend"),
            Kind::SecretService { service } => secret_service::get(service, account)?,
            #[cfg(target_os = "linux")]
            Kind::Keyutils { service } => {
                let slot = keyutils_slot(service, account)?;
                match slot.read().map_err(SecretsError::Backend)? {
                    None => None,
                    Some(mut bytes) => {
                        let bytes = std::mem::take(&mut *bytes);
                        Some(Zeroizing::new(String::from_utf8(bytes).map_err(|e| {
                            let mut bytes = e.into_bytes();
                            zeroize::Zeroize::zeroize(&mut bytes);
                            SecretsError::InvalidKey(format!(
                                "the kernel keyring entry {:?} is not text; it was not written \
                                 by IronClaw",
                                slot.description()
                            ))
                        })?))
                    }
                }
            }
            #[cfg(test)]
            Kind::Memory(m) => m.entries.lock().unwrap().get(account).cloned(),
        };
        let Some(text) = text else {
            return Ok(None);
        };
        MasterKey::parse(&text).map(Some).map_err(|e| {
            SecretsError::InvalidKey(format!(
                "the master key stored in {} (service {SERVICE:?}, account {account:?}) is \
                 unusable: {e}",
                self.backend()
            ))
        })
    }

    fn store_account(&self, account: &str, key: &MasterKey) -> Result<(), SecretsError> {
        let encoded = key.encode();
        match &self.kind {
            Kind::Env(_) => unreachable!("no accounts in the environment backend"),
            Kind::SecretService { service } => secret_service::set(service, account, &encoded)?,
            #[cfg(target_os = "linux")]
            Kind::Keyutils { service } => keyutils_slot(service, account)?
                .write(encoded.as_bytes())
                .map_err(SecretsError::Backend)?,
            #[cfg(test)]
            Kind::Memory(m) => {
                if m.fail_store.lock().unwrap().as_deref() == Some(account) {
                    return Err(SecretsError::Backend("simulated store failure".into()));
                }
                m.entries
                    .lock()
                    .unwrap()
                    .insert(account.to_owned(), encoded.clone());
            }
        }
        // Read back: a backend that accepts a write but does not keep it (a
        // locked or transient collection) must be caught now, not after the
        // secrets have been sealed with a key nobody has.
        match self.load_account(account)? {
            Some(read_back) if read_back == *key => Ok(()),
            Some(_) => Err(SecretsError::Backend(format!(
                "{} returned another key than the one just stored (account {account:?})",
                self.backend()
            ))),
            None => Err(SecretsError::Backend(format!(
                "{} did not keep the key just stored (account {account:?})",
                self.backend()
            ))),
        }
    }

    fn delete_account(&self, account: &str) -> Result<bool, SecretsError> {
        match &self.kind {
            Kind::Env(_) => unreachable!("no accounts in the environment backend"),
            Kind::SecretService { service } => secret_service::delete(service, account),
            #[cfg(target_os = "linux")]
            Kind::Keyutils { service } => keyutils_slot(service, account)?
                .delete()
                .map_err(SecretsError::Backend),
            #[cfg(test)]
            Kind::Memory(m) => Ok(m.entries.lock().unwrap().remove(account).is_some()),
        }
    }
}

#[cfg(target_os = "linux")]
fn keyutils_slot(service: &str, account: &str) -> Result<super::keyutils::Slot, SecretsError> {
    super::keyutils::Slot::new(service, account).map_err(SecretsError::Backend)
}

/// The Secret Service backend, through `keyring` v4 (whose `v1` feature sets
/// up the `zbus-secret-service-keyring-store` as its store on Linux and the BSDs).
mod secret_service {
    use zeroize::Zeroizing;

    use super::SecretsError;

    #[cfg(target_os = "linux")]
    pub(super) fn probe() -> Result<(), String> {
        let address = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
        if address.trim().is_empty() {
            // zbus falls back to $XDG_RUNTIME_DIR/bus, as libdbus does.
            let socket = std::env::var_os("XDG_RUNTIME_DIR")
                .map(|dir| std::path::Path::new(&dir).join("bus"));
            if !socket.is_some_and(|s| s.exists()) {
                return Err(
                    "no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset and \
                     $XDG_RUNTIME_DIR/bus does not exist"
                        .to_owned(),
                );
            }
        }
        // Connects to the bus and opens a Secret Service session (the result
        // is computed once per process by `keyring`).
        keyring::Entry::store_status()
            .as_ref()
            .map(|_| ())
            .map_err(|e| format!("the D-Bus session bus offers no usable Secret Service: {e}"))
    }

    #[cfg(not(target_os = "linux"))]
    pub(super) fn probe() -> Result<(), String> {
        Err("the Secret Service backend is only used on Linux".to_owned())
    }

    fn entry(service: &str, account: &str) -> Result<keyring::Entry, SecretsError> {
        keyring::Entry::new(service, account).map_err(|e| {
            SecretsError::Backend(format!(
                "Secret Service entry {service}/{account} unavailable: {e}"
            ))
        })
    }

    pub(super) fn get(
        service: &str,
        account: &str,
    ) -> Result<Option<Zeroizing<String>>, SecretsError> {
        match entry(service, account)?.get_password() {
            Ok(text) => Ok(Some(Zeroizing::new(text))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(SecretsError::Backend(format!(
                "reading {service}/{account} from the Secret Service failed (is the keyring \
                 locked?): {e}"
            ))),
        }
    }

    pub(super) fn set(service: &str, account: &str, value: &str) -> Result<(), SecretsError> {
        entry(service, account)?.set_password(value).map_err(|e| {
            SecretsError::Backend(format!(
                "writing {service}/{account} to the Secret Service failed (is the keyring \
                 locked?): {e}"
            ))
        })
    }

    pub(super) fn delete(service: &str, account: &str) -> Result<bool, SecretsError> {
        match entry(service, account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(SecretsError::Backend(format!(
                "deleting {service}/{account} from the Secret Service failed: {e}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    struct FakeProbes {
        ss: Result<(), String>,
        ku: Result<String, String>,
        ss_calls: Cell<u32>,
        ku_calls: Cell<u32>,
    }

    impl FakeProbes {
        fn new(ss: Result<(), &str>, ku: Result<&str, &str>) -> Self {
            FakeProbes {
                ss: ss.map_err(str::to_owned),
                ku: ku.map(str::to_owned).map_err(str::to_owned),
                ss_calls: Cell::new(0),
                ku_calls: Cell::new(0),
            }
        }
    }

    impl Probes for FakeProbes {
        fn secret_service(&self) -> Result<(), String> {
            self.ss_calls.set(self.ss_calls.get() + 1);
            self.ss.clone()
        }
        fn keyutils(&self) -> Result<String, String> {
            self.ku_calls.set(self.ku_calls.get() + 1);
            self.ku.clone()
        }
    }

    const HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn env_key_is_parsed_and_wins() {
        let probes = FakeProbes::new(Ok(()), Ok("ok"));
        let src = MasterKeySource::detect_with(Some(format!(" {HEX}\n")), &probes).unwrap();
        assert_eq!(src.backend(), Backend::Env);
        assert_eq!(probes.ss_calls.get() + probes.ku_calls.get(), 0);
        let key = src.load().unwrap().unwrap();
        assert_eq!(key, MasterKey::parse(HEX).unwrap());
        // base64 works too.
        let b64 = key.encode().to_string();
        let src = MasterKeySource::detect_with(Some(b64), &probes).unwrap();
        assert_eq!(src.load().unwrap().unwrap(), key);
        assert_eq!(src.load_or_create().unwrap(), key);
        assert!(src.load_pending().unwrap().is_none());
    }

    #[test]
    fn env_backend_refuses_to_store() {
        let probes = FakeProbes::new(Ok(()), Ok("ok"));
        let src = MasterKeySource::detect_with(Some(HEX.into()), &probes).unwrap();
        let err = src.store(&MasterKey::generate()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, SecretsError::Backend(_)));
        assert!(
            msg.contains("IRONCLAW_MASTER_KEY") && msg.contains("yourself"),
            "{msg}"
        );
        assert!(src.store_pending(&MasterKey::generate()).is_err());
    }

    #[test]
    fn malformed_env_key_is_an_error_not_a_fallback() {
        let probes = FakeProbes::new(Ok(()), Ok("ok"));
        let secretish = "sk-live-0123456789abcdef";
        let err = MasterKeySource::detect_with(Some(secretish.into()), &probes).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, SecretsError::InvalidKey(_)), "{err:?}");
        assert!(msg.contains("IRONCLAW_MASTER_KEY"), "{msg}");
        assert!(!msg.contains(secretish), "{msg}");
        assert_eq!(probes.ss_calls.get() + probes.ku_calls.get(), 0);
    }

    #[test]
    fn empty_env_key_counts_as_unset() {
        let probes = FakeProbes::new(Ok(()), Ok("ok"));
        let src = MasterKeySource::detect_with(Some("  ".into()), &probes).unwrap();
        assert_eq!(src.backend(), Backend::SecretService);
    }

    #[test]
    fn secret_service_before_keyutils() {
        let probes = FakeProbes::new(Ok(()), Ok("ok"));
        let src = MasterKeySource::detect_with(None, &probes).unwrap();
        assert_eq!(src.backend(), Backend::SecretService);
        assert_eq!(probes.ku_calls.get(), 0, "keyutils not even probed");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn keyutils_when_no_secret_service() {
        let probes = FakeProbes::new(Err("no bus"), Ok("user keyring 1"));
        let src = MasterKeySource::detect_with(None, &probes).unwrap();
        assert_eq!(src.backend(), Backend::Keyutils);
        assert_eq!((probes.ss_calls.get(), probes.ku_calls.get()), (1, 1));
    }

    #[test]
    fn no_backend_says_what_to_do() {
        let probes = FakeProbes::new(Err("no bus here"), Err("keyctl: ENOSYS"));
        let err = MasterKeySource::detect_with(None, &probes).unwrap_err();
        let SecretsError::NoBackend(msg) = &err else {
            panic!("expected NoBackend, got {err:?}");
        };
        for needle in [
            "no bus here",
            "keyctl: ENOSYS",
            "IRONCLAW_MASTER_KEY",
            "Secret Service",
            "gnome-keyring-daemon",
            "keyutils",
            "plaintext file",
        ] {
            assert!(msg.contains(needle), "missing {needle:?} in: {msg}");
        }
    }

    #[test]
    fn backend_display_and_warnings() {
        assert_eq!(
            Backend::Env.to_string(),
            "environment (IRONCLAW_MASTER_KEY)"
        );
        assert_eq!(Backend::SecretService.to_string(), "Secret Service (D-Bus)");
        assert_eq!(
            Backend::Keyutils.to_string(),
            "kernel keyutils (user keyring)"
        );
        assert!(!Backend::Keyutils.survives_reboot());
        assert!(Backend::SecretService.survives_reboot());
        let w = Backend::Keyutils.persistence_warning().unwrap();
        assert!(
            w.contains("reboot") && w.contains("IRONCLAW_MASTER_KEY"),
            "{w}"
        );
        assert!(Backend::Env.persistence_warning().is_none());
    }

    #[test]
    fn debug_of_source_has_no_key() {
        let probes = FakeProbes::new(Ok(()), Ok("ok"));
        let src = MasterKeySource::detect_with(Some(HEX.into()), &probes).unwrap();
        let dbg = format!("{src:?}");
        assert!(!dbg.contains(HEX) && !dbg.contains("0a0b0c"), "{dbg}");
    }

    /// Real D-Bus Secret Service round trip. Needs a session bus with an
    /// unlocked Secret Service, so it is ignored by default; run it with e.g.
    /// `dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock
    /// --components=secrets >/dev/null; cargo test -- --ignored secret_service_real'`.
    #[test]
    #[ignore = "needs a D-Bus session bus with an unlocked Secret Service"]
    fn secret_service_real_round_trip() {
        secret_service::probe().expect("Secret Service reachable");
        let account = format!(
            "test-{}-{}",
            std::process::id(),
            MasterKey::generate().key_id()
        );
        let src = MasterKeySource::secret_service_for_tests(&account);
        assert_eq!(src.load().unwrap(), None);
        let key = MasterKey::generate();
        src.store(&key).unwrap();
        assert_eq!(src.load().unwrap(), Some(key.clone()));
        let other = MasterKey::generate();
        src.store(&other).unwrap();
        assert_eq!(src.load_or_create().unwrap(), other);
        src.store_pending(&key).unwrap();
        assert_eq!(src.load_pending().unwrap(), Some(key));
        assert!(src.clear_pending().unwrap());
        assert!(src.delete_for_tests().unwrap());
        assert_eq!(src.load().unwrap(), None);
        assert!(!src.delete_for_tests().unwrap());
    }
}

#[cfg(all(test, target_os = "linux"))]
mod keyutils_tests {
    //! Real kernel keyring tests (no mocks): they store random keys under
    //! test-unique account names and delete them again.

    use super::super::keyutils;
    use super::*;

    struct Cleanup(MasterKeySource);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            let _ = self.0.delete_for_tests();
            let _ = self.0.clear_pending();
        }
    }

    fn unique_account(tag: &str) -> String {
        format!(
            "test-{tag}-{}-{}",
            std::process::id(),
            MasterKey::generate().key_id()
        )
    }

    /// `detect` in the real environment: with keyutils working, some backend
    /// is always found (Secret Service when a session bus offers one).
    #[test]
    fn detect_real_environment() {
        let src = MasterKeySource::detect(None).expect("a backend is available here");
        eprintln!("detected backend: {}", src.backend());
        assert_ne!(src.backend(), Backend::Env);
    }

    #[test]
    fn keyutils_probe_works_here() {
        let probe = keyutils::probe().expect("kernel keyutils usable in this environment");
        eprintln!("keyutils probe: {probe}");
    }

    #[test]
    fn keyutils_store_load_delete_real() {
        let src = MasterKeySource::keyutils_for_tests(&unique_account("rt"));
        let guard = Cleanup(src);
        let src = &guard.0;
        assert_eq!(src.backend(), Backend::Keyutils);
        assert_eq!(src.load().unwrap(), None);

        let key = MasterKey::generate();
        src.store(&key).unwrap();
        assert_eq!(src.load().unwrap(), Some(key.clone()));

        // Replacing keeps exactly one entry with the new value.
        let other = MasterKey::generate();
        src.store(&other).unwrap();
        assert_eq!(src.load().unwrap(), Some(other.clone()));
        assert_eq!(src.load_or_create().unwrap(), other);

        // Pending slot is separate.
        assert_eq!(src.load_pending().unwrap(), None);
        src.store_pending(&key).unwrap();
        assert_eq!(src.load_pending().unwrap(), Some(key));
        assert_eq!(src.load().unwrap(), Some(other));
        assert!(src.clear_pending().unwrap());
        assert_eq!(src.load_pending().unwrap(), None);

        assert!(src.delete_for_tests().unwrap());
        assert_eq!(src.load().unwrap(), None);
        assert!(!src.delete_for_tests().unwrap());
    }

    #[test]
    fn keyutils_load_or_create_creates_once() {
        let guard = Cleanup(MasterKeySource::keyutils_for_tests(&unique_account(
            "create",
        )));
        let src = &guard.0;
        let first = src.load_or_create().unwrap();
        let second = src.load_or_create().unwrap();
        assert_eq!(first, second);
    }

    /// The key must be visible to a *different* process (IronClaw runs as
    /// separate `ironclaw …` invocations), including one that joined a fresh
    /// anonymous session keyring that does not link the user keyring — the
    /// situation of a service or a `su` shell without pam_keyinit.
    #[test]
    fn keyutils_key_visible_from_another_process_in_a_fresh_session() {
        let account = unique_account("xproc");
        let guard = Cleanup(MasterKeySource::keyutils_for_tests(&account));
        let key = MasterKey::generate();
        guard.0.store(&key).unwrap();

        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new(exe)
            .args([
                "--exact",
                "secrets::master::keyutils_tests::child_reads_key_in_fresh_session",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("IRONCLAW_TEST_KEYUTILS_ACCOUNT", &account)
            .env("IRONCLAW_TEST_KEYUTILS_KEY_ID", key.key_id())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "child failed:\n{stdout}\n{stderr}"
        );
        assert!(stderr.contains("child: joined session"), "{stderr}");
    }

    /// Child half of the test above (ignored when run directly).
    #[test]
    #[ignore = "run by keyutils_key_visible_from_another_process_in_a_fresh_session"]
    fn child_reads_key_in_fresh_session() {
        let account = std::env::var("IRONCLAW_TEST_KEYUTILS_ACCOUNT").expect("run by parent");
        let key_id = std::env::var("IRONCLAW_TEST_KEYUTILS_KEY_ID").expect("run by parent");
        let before = keyutils::session_keyring();
        let joined = keyutils::join_anonymous_session_keyring()
            .expect("KEYCTL_JOIN_SESSION_KEYRING works here");
        let after = keyutils::session_keyring();
        eprintln!("child: joined session keyring {joined} (before: {before:?}, after: {after:?})");
        assert_eq!(after, keyutils::SessionKeyring::Own(joined));

        let src = MasterKeySource::keyutils_for_tests(&account);
        let key = src
            .load()
            .unwrap()
            .expect("key visible from the new session");
        assert_eq!(key.key_id(), key_id);
        // Writing from inside the fresh session must also outlive this process:
        // the parent checks nothing more here, but the slot must stay readable.
        src.store(&key).unwrap();
        assert_eq!(src.load().unwrap().unwrap().key_id(), key_id);
    }

    /// Checks the claim in the keyutils docs: a key stored from a process that
    /// joined its own session keyring is still there after that process exits.
    #[test]
    fn keyutils_key_written_by_exited_child_survives() {
        let account = unique_account("survive");
        let guard = Cleanup(MasterKeySource::keyutils_for_tests(&account));
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new(exe)
            .args([
                "--exact",
                "secrets::master::keyutils_tests::child_writes_key_in_fresh_session",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("IRONCLAW_TEST_KEYUTILS_ACCOUNT", &account)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "child failed:\n{stdout}\n{stderr}"
        );
        let key_id = stderr
            .lines()
            .find_map(|l| l.strip_prefix("child: stored key id "))
            .expect("child reports its key id")
            .trim()
            .to_owned();
        let key = guard.0.load().unwrap().expect("key survived the child");
        assert_eq!(key.key_id(), key_id);
    }

    #[test]
    #[ignore = "run by keyutils_key_written_by_exited_child_survives"]
    fn child_writes_key_in_fresh_session() {
        let account = std::env::var("IRONCLAW_TEST_KEYUTILS_ACCOUNT").expect("run by parent");
        keyutils::join_anonymous_session_keyring().expect("join session keyring");
        let src = MasterKeySource::keyutils_for_tests(&account);
        let key = src.load_or_create().unwrap();
        eprintln!("child: stored key id {}", key.key_id());
    }
}
