//! Helpers shared by integration tests and benches.
#![allow(dead_code)]

pub mod llm_server;
pub mod wasm;

use std::path::Path;
use std::process::{Command, Stdio};

/// The real `ironclaw` binary with a clean environment: only `PATH`,
/// `HOME` (the work directory) and `IRONCLAW_HOME`; stdin closed.
pub fn ironclaw(bin: &str, home: &Path, work: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(bin);
    c.args(args)
        .current_dir(work)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", work)
        .env("IRONCLAW_HOME", home)
        .stdin(Stdio::null());
    c
}

/// Where the real embedding model was provisioned for tests: the IronClaw
/// home in `IRONCLAW_TEST_MODELS`, else `~/.ironclaw` (where
/// `ironclaw models install`, run by `scripts/test.sh`, puts it).
/// Returns `(model folder, ONNX Runtime library)`; panics with the fix when
/// they are missing: ranking tests need the real model, never a stand-in.
pub fn real_model() -> (std::path::PathBuf, std::path::PathBuf) {
    let home = std::env::var_os("IRONCLAW_TEST_MODELS")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".ironclaw")))
        .expect("HOME is set");
    let model = home.join("models").join("all-minilm-l6-v2");
    let lib = ironclaw::memory::embed::find_ort_library(&home.join("lib"));
    match lib {
        Some(lib) if model.join("model.onnx").is_file() => (model, lib),
        _ => panic!(
            "the embedding model is not installed in {}: run `ironclaw models install` \
             (scripts/test.sh does) or point IRONCLAW_TEST_MODELS at an IronClaw home that has it",
            home.display()
        ),
    }
}
