//! `ironclaw doctor`: checks each part a turn needs and says how to fix what
//! is broken. It asks the engine (through the protocol) about the database,
//! the secret store and the provider, exactly as any frontend would.
//! Exit code 0 only when every check passes.

use super::{CliError, connect, exit};
use crate::config::Loaded;
use crate::daemon::Connection;
use crate::engine::ProviderSource;
use crate::protocol::{Event, Op};

struct Report {
    failures: u32,
}

impl Report {
    fn ok(&self, what: &str, detail: impl AsRef<str>) {
        println!("✓ {what}: {}", detail.as_ref());
    }
    fn fail(&mut self, what: &str, problem: impl AsRef<str>, fix: impl AsRef<str>) {
        self.failures += 1;
        println!("✗ {what}: {}\n    fix: {}", problem.as_ref(), fix.as_ref());
    }
    fn info(&self, what: &str, detail: impl AsRef<str>) {
        println!("· {what}: {}", detail.as_ref());
    }
}

/// Sends `op` and waits for the first event `pick` accepts (or an error).
async fn ask<T>(
    client: &mut Connection,
    op: Op,
    mut pick: impl FnMut(Event) -> Option<T>,
) -> Result<T, String> {
    client.send(op).await.map_err(|e| e.to_string())?;
    loop {
        let event = client.recv().await.map_err(|e| e.to_string())?.event;
        if let Event::Error { message, hint, .. } = &event {
            return Err(match hint {
                Some(h) => format!("{message} ({h})"),
                None => message.clone(),
            });
        }
        if let Some(t) = pick(event) {
            return Ok(t);
        }
    }
}

pub async fn run(loaded: &Loaded) -> Result<u8, CliError> {
    let mut r = Report { failures: 0 };
    let file = loaded.paths.config_file();
    if loaded.file_exists {
        r.ok("config", format!("{} is valid", file.display()));
    } else {
        r.info(
            "config",
            format!(
                "no {} (defaults and environment in use); `ironclaw config init` writes one",
                file.display()
            ),
        );
    }
    match loaded.paths.ensure_home() {
        Ok(()) => r.ok("home", loaded.paths.home.display().to_string()),
        Err(e) => r.fail(
            "home",
            e.to_string(),
            "set IRONCLAW_HOME to a writable directory",
        ),
    }
    let logs = loaded.paths.logs();
    match std::fs::create_dir_all(&logs) {
        Ok(()) => r.ok("logs", logs.display().to_string()),
        Err(e) => r.fail(
            "logs",
            format!("{}: {e}", logs.display()),
            "make the directory writable",
        ),
    }
    let mut client = match connect(loaded, ProviderSource::FromConfig, "cli").await {
        Ok(client) => client,
        Err(e) => {
            r.fail(
                "database",
                e.message,
                e.hint.unwrap_or_else(|| "check IRONCLAW_HOME".into()),
            );
            return Ok(finish(&r));
        }
    };
    if client.is_daemon() {
        r.ok(
            "daemon",
            format!(
                "running; checks below ask it ({})",
                loaded.paths.daemon_socket().display()
            ),
        );
    }
    match ask(&mut client, Op::ListThreads, |e| match e {
        Event::Threads { threads } => Some(threads.len()),
        _ => None,
    })
    .await
    {
        Ok(n) => r.ok(
            "database",
            format!("{} ({n} threads)", loaded.paths.database().display()),
        ),
        Err(e) => r.fail("database", e, "see the log in IRONCLAW_HOME/logs"),
    }
    memory(&mut r, &mut client).await;
    match ask(&mut client, Op::SecretList, |e| match e {
        Event::Secrets { secrets, backend } => Some((secrets.len(), backend)),
        _ => None,
    })
    .await
    {
        Ok((n, backend)) if backend.starts_with("unavailable") => r.fail(
            "secrets",
            format!("{n} stored; master key store {backend}"),
            "set IRONCLAW_MASTER_KEY (32 bytes, hex or base64), or run a Secret Service / install keyutils",
        ),
        Ok((n, backend)) => r.ok("secrets", format!("{n} stored; master key in {backend}")),
        Err(e) => r.fail("secrets", e, "see docs/security.md"),
    }
    let llm = &loaded.config.llm;
    let target = if llm.base_url.is_empty() {
        "default endpoint".to_string()
    } else {
        llm.base_url.clone()
    };
    match ask(&mut client, Op::CheckProvider, |e| match e {
        Event::ProviderStatus {
            ok,
            latency_ms,
            message,
            hint,
        } => Some((ok, latency_ms, message, hint)),
        _ => None,
    })
    .await
    {
        Ok((true, ms, message, _)) => r.ok(
            "provider",
            format!("{message} in {ms} ms ({} · {target})", llm.provider),
        ),
        Ok((false, _, message, hint)) => r.fail(
            "provider",
            message,
            hint.unwrap_or_else(|| "see docs/configuration.md".into()),
        ),
        Err(e) => r.fail("provider", e, "see docs/configuration.md"),
    }
    client.close().await;
    Ok(finish(&r))
}

fn finish(r: &Report) -> u8 {
    if r.failures == 0 {
        println!("\nall checks passed");
        exit::OK
    } else {
        println!("\n{} check(s) failed", r.failures);
        exit::FAILURE
    }
}

/// The memory workspace and the local model (waits for a just-started
/// engine to finish opening them).
async fn memory(r: &mut Report, client: &mut Connection) {
    let status = super::memory_cmd::opened_status(client).await;
    match status {
        Ok(s) => {
            r.ok(
                "memory",
                format!(
                    "{} documents, {} chunks ({} with vectors); full-text index {}",
                    s.documents, s.chunks, s.embedded_chunks, s.fulltext
                ),
            );
            let hint = s.model_hint.clone().unwrap_or_default();
            match s.model_state.as_str() {
                "ready" | "loading vectors" => {
                    r.ok("embedding model", format!("{} {}", s.model, s.model_state))
                }
                "missing" | "disabled" => r.info(
                    "embedding model",
                    format!("{}: memory search is keyword-only; {hint}", s.model_state),
                ),
                other => r.fail("embedding model", other, hint),
            }
        }
        Err(e) => r.fail("memory", e.message, "see the log in IRONCLAW_HOME/logs"),
    }
}
