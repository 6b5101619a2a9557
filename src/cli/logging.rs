//! Where logs go. Never to the terminal the user types in: to daily-rotated
//! files under `IRONCLAW_HOME/logs/`, or to stderr only when `-v` asks
//! outside the full-screen UI. Every record is also captured for the engine's
//! Logs events ([`crate::engine::logs`]).

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::prelude::*;

use crate::engine::logs::CaptureLayer;

use crate::config::Loaded;

/// Keeps the background log writer alive; drop it last to flush.
pub struct LogGuard(#[allow(dead_code)] Option<WorkerGuard>);

/// `verbose` raises the level to debug; `to_stderr` (one-shot `-v`) writes
/// there instead of the file.
pub fn init(loaded: &Loaded, verbose: bool, to_stderr: bool) -> LogGuard {
    let level = if verbose {
        "debug".to_string()
    } else {
        loaded.config.logging.level.clone()
    };
    let filter = EnvFilter::try_from_env("IRONCLAW_LOG")
        .or_else(|_| EnvFilter::try_new(&level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry()
        .with(filter)
        .with(CaptureLayer);
    if to_stderr {
        let _ = registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::stderr)
                    .with_target(false),
            )
            .try_init();
        return LogGuard(None);
    }
    let dir = loaded.paths.logs();
    if loaded.paths.ensure_home().is_err() || std::fs::create_dir_all(&dir).is_err() {
        // No file logging beats logging onto the user's screen.
        let _ = registry.try_init();
        return LogGuard(None);
    }
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("ironclaw")
        .filename_suffix("log")
        .max_log_files(loaded.config.logging.max_files.max(1))
        .build(&dir);
    let Ok(appender) = appender else {
        let _ = registry.try_init();
        return LogGuard(None);
    };
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let _ = registry
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .with_ansi(false),
        )
        .try_init();
    LogGuard(Some(guard))
}
