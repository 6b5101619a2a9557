//! Helpers shared by integration tests and benches.
#![allow(dead_code)]

pub mod llm_server;

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
