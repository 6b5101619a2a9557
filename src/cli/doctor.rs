//! `ironclaw doctor`: checks each part a turn needs and says how to fix what
//! is broken. Exit code 0 only when every check passes.

use std::time::Instant;

use futures::StreamExt;

use super::{CliError, exit, provider_from, start_engine};
use crate::config::Loaded;
use crate::llm::{ChatMessage, ChatRequest};
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

    // The database, through the engine that owns it.
    match start_engine(loaded, None).await {
        Ok(engine) => {
            let mut client = engine.connect().await;
            let _ = client.send(Op::ListThreads).await;
            let mut count = None;
            while let Ok(msg) = client.recv().await {
                if let Event::Threads { threads } = msg.event {
                    count = Some(threads.len());
                    break;
                }
            }
            let _ = client.send(Op::Shutdown).await;
            engine.stopped().await;
            match count {
                Some(n) => r.ok(
                    "database",
                    format!("{} ({n} threads)", loaded.paths.database().display()),
                ),
                None => r.fail(
                    "database",
                    "the engine did not answer",
                    "see the log in IRONCLAW_HOME/logs",
                ),
            }
        }
        Err(e) => r.fail(
            "database",
            e.message,
            e.hint.unwrap_or_else(|| "check IRONCLAW_HOME".into()),
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

    let agents = loaded.paths.agents_file();
    if agents.exists() {
        r.ok(
            "identity",
            format!("{} is included in the system prompt", agents.display()),
        );
    } else {
        r.info(
            "identity",
            format!(
                "no {} (optional: instructions included in every conversation)",
                agents.display()
            ),
        );
    }

    match provider_from(loaded) {
        Err(e) => r.fail("provider", e.message, e.hint.unwrap_or_default()),
        Ok(provider) => {
            let llm = &loaded.config.llm;
            let target = if llm.base_url.is_empty() {
                "default endpoint".to_string()
            } else {
                llm.base_url.clone()
            };
            r.ok(
                "provider",
                format!("{} · {} · {target}", provider.name(), provider.model()),
            );
            let started = Instant::now();
            let request = ChatRequest {
                model: String::new(),
                system: "Reply with the single word: ok".into(),
                messages: vec![ChatMessage::User {
                    content: "ping".into(),
                }],
                tools: Vec::new(),
                max_tokens: Some(8),
                temperature: None,
            };
            let result = async {
                let mut stream = provider.stream(request).await?;
                while let Some(item) = stream.next().await {
                    item?;
                }
                Ok::<_, crate::llm::LlmError>(())
            }
            .await;
            match result {
                Ok(()) => r.ok(
                    "provider reachable",
                    format!("answered in {} ms", started.elapsed().as_millis()),
                ),
                Err(e) => r.fail("provider reachable", e.to_string(), e.hint()),
            }
        }
    }

    if r.failures == 0 {
        println!("\nall checks passed");
        Ok(exit::OK)
    } else {
        println!("\n{} check(s) failed", r.failures);
        Ok(exit::FAILURE)
    }
}
