//! The IronClaw home and the files in it.

use std::path::{Path, PathBuf};

use super::ConfigError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub home: PathBuf,
}

impl Paths {
    /// `IRONCLAW_HOME`, or `~/.ironclaw`.
    pub fn from_env() -> Result<Self, ConfigError> {
        if let Some(home) = std::env::var_os("IRONCLAW_HOME").filter(|h| !h.is_empty()) {
            return Ok(Self::new(PathBuf::from(home)));
        }
        let base = directories::BaseDirs::new().ok_or_else(|| {
            ConfigError::Other(
                "cannot find your home directory; set IRONCLAW_HOME to a directory IronClaw may use"
                    .into(),
            )
        })?;
        Ok(Self::new(base.home_dir().join(".ironclaw")))
    }

    pub fn new(home: PathBuf) -> Self {
        Self { home }
    }

    pub fn config_file(&self) -> PathBuf {
        self.home.join("config.toml")
    }

    pub fn database(&self) -> PathBuf {
        self.home.join("ironclaw.db")
    }

    pub fn logs(&self) -> PathBuf {
        self.home.join("logs")
    }

    /// The daemon's Unix socket (mode 0600; the home is 0700).
    pub fn daemon_socket(&self) -> PathBuf {
        self.home.join("daemon.sock")
    }

    /// Held by the running daemon; holds its pid.
    pub fn daemon_lock(&self) -> PathBuf {
        self.home.join("daemon.lock")
    }

    /// The full-text search index (rebuilt from the database when lost).
    pub fn memory_index(&self) -> PathBuf {
        self.home.join("memory-index")
    }

    /// Held by the one process that writes the full-text index.
    pub fn memory_index_lock(&self) -> PathBuf {
        self.home.join("memory-index.lock")
    }

    /// Local models (`ironclaw models install`).
    pub fn models_dir(&self) -> PathBuf {
        self.home.join("models")
    }

    /// Shared libraries IronClaw loads at run time (ONNX Runtime).
    pub fn lib_dir(&self) -> PathBuf {
        self.home.join("lib")
    }

    /// Downloads and build files that can be deleted at any time.
    /// Installed WebAssembly tools: `<name>.toml` manifests beside their
    /// components.
    pub fn tools_dir(&self) -> PathBuf {
        self.home.join("tools")
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.home.join("cache")
    }

    /// `AGENTS.md` from before the memory workspace; imported into the
    /// workspace once, on first start.
    pub fn agents_file(&self) -> PathBuf {
        self.home.join("AGENTS.md")
    }

    /// Creates the home (mode 0700: it holds conversations and keys).
    pub fn ensure_home(&self) -> Result<(), ConfigError> {
        create_private_dir(&self.home)
    }
}

pub(crate) fn create_private_dir(dir: &Path) -> Result<(), ConfigError> {
    let existed = dir.exists();
    std::fs::create_dir_all(dir).map_err(|source| ConfigError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    #[cfg(unix)]
    if !existed {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(
            |source| ConfigError::Write {
                path: dir.to_path_buf(),
                source,
            },
        )?;
    }
    Ok(())
}
