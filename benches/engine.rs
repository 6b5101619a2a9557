//! Engine and one-shot benchmark: prints figures, asserts nothing.
//!
//! `cargo bench --bench engine` (release profile). Against a zero-latency
//! scripted LLM server on 127.0.0.1 it measures:
//! - engine overhead per turn, excluding the LLM: a full turn through the
//!   protocol minus a bare provider call for the same reply;
//! - first streamed byte → stdout: when the server sent the first frame vs.
//!   when the `ironclaw -m` child's first stdout byte arrived;
//! - `ironclaw -m` total wall time for a one-turn answer;
//! - peak RSS of the one-shot process;
//! - the size of the first request the model receives.

#[path = "../tests/support/llm_server.rs"]
mod llm_server;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use ironclaw::config::{Config, Paths};
use ironclaw::engine::{EngineHandle, EngineOptions, ProviderSource, new_id};
use ironclaw::llm::{
    ChatMessage, ChatRequest, HttpOptions, ProviderConfig, ProviderKind, build_provider,
};
use ironclaw::protocol::{ApprovalMode, Event, Op};
use ironclaw::tools::ToolRegistry;
use llm_server::{Reply, ScriptedLlm};

/// `cargo bench` passes `--bench`; `cargo test --all-targets` runs this
/// binary without it, as a quick smoke run of the same code.
fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn main() {
    let (turns, oneshots) = if full_run() { (300, 30) } else { (5, 3) };
    let server = ScriptedLlm::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (turn, raw) = rt.block_on(engine_overhead(&server, turns));
    println!(
        "engine overhead per turn:   {:>8.3} ms  (turn {:.3} ms − bare provider call {:.3} ms, mean of {turns})",
        turn - raw,
        turn,
        raw
    );
    drop(rt);
    oneshot(&server, oneshots);
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn engine_overhead(server: &ScriptedLlm, turns: usize) -> (f64, f64) {
    let home = tempfile::tempdir().expect("tempdir");
    let provider = build_provider(&ProviderConfig {
        kind: ProviderKind::OpenAi,
        base_url: server.openai_base_url(),
        api_key: None,
        model: "bench".into(),
        extra_headers: Vec::new(),
        http: HttpOptions::default(),
    })
    .expect("provider");

    // Bare provider calls: the LLM part of a turn, as the engine sees it.
    let mut raw = Vec::new();
    for _ in 0..turns {
        server.push(Reply::text("pong, a short answer"));
        let started = Instant::now();
        let mut stream = provider
            .stream(ChatRequest {
                messages: vec![ChatMessage::User {
                    content: "ping".into(),
                }],
                ..Default::default()
            })
            .await
            .expect("stream");
        while let Some(item) = stream.next().await {
            item.expect("item");
        }
        raw.push(ms(started.elapsed()));
    }

    let mut config = Config::default();
    config.llm.model = "bench".into();
    let engine = EngineHandle::start(EngineOptions {
        config,
        paths: Paths::new(home.path().to_path_buf()),
        provider: ProviderSource::Ready(provider),
        tools: ToolRegistry::with_builtins(&[]).expect("tools"),
        workdir: home.path().to_path_buf(),
        embedder: ironclaw::memory::EmbedderSource::None,
    })
    .await
    .expect("engine");
    let mut client = engine.connect().await;
    client.recv().await.expect("hello");
    let mut turn_ms = Vec::new();
    for _ in 0..turns {
        server.push(Reply::text("pong, a short answer"));
        let started = Instant::now();
        client
            .send(Op::UserMessage {
                thread_id: new_id(),
                text: "ping".into(),
                approvals: ApprovalMode::Unattended,
            })
            .await
            .expect("send");
        loop {
            if let Event::TurnFinished { .. } = client.recv().await.expect("event").event {
                break;
            }
        }
        turn_ms.push(ms(started.elapsed()));
    }
    let _ = client.send(Op::Shutdown).await;
    engine.stopped().await;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    (mean(&turn_ms), mean(&raw))
}

fn oneshot(server: &ScriptedLlm, runs: usize) {
    let home = tempfile::tempdir().expect("tempdir");
    let bin = env!("CARGO_BIN_EXE_ironclaw");
    let mut walls = Vec::new();
    let mut first_byte = Vec::new();
    for _ in 0..runs {
        server.push(Reply::text("pong, a short answer"));
        let started = Instant::now();
        let mut child = Command::new(bin)
            .args(["-m", "ping"])
            .env("IRONCLAW_HOME", home.path())
            .env("IRONCLAW_LLM_BASE_URL", server.openai_base_url())
            .env("IRONCLAW_LLM_MODEL", "bench")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn ironclaw");
        let mut out = child.stdout.take().expect("stdout");
        let mut byte = [0u8; 1];
        out.read_exact(&mut byte).expect("first byte");
        let got_first = Instant::now();
        let mut rest = Vec::new();
        out.read_to_end(&mut rest).expect("rest");
        let status = child.wait().expect("wait");
        walls.push(ms(started.elapsed()));
        assert!(status.success(), "ironclaw -m failed");
        if let Some(sent) = server.first_frame_times().last() {
            first_byte.push(ms(got_first.saturating_duration_since(*sent)));
        }
    }
    println!(
        "first streamed byte→stdout: {:>8.3} ms  (median of {runs})",
        median(first_byte)
    );
    println!(
        "`ironclaw -m` total wall:   {:>8.3} ms  (median of {runs}; min {:.3} ms)",
        median(walls.clone()),
        walls.iter().cloned().fold(f64::MAX, f64::min)
    );
    println!(
        "peak RSS of `ironclaw -m`:  {:>8.1} MB",
        peak_child_rss_kb() as f64 / 1024.0
    );

    let first = &server.requests()[server.requests().len() - 1];
    let body = &first.body;
    let system = body["messages"][0]["content"]
        .as_str()
        .unwrap_or_default()
        .len();
    let tools = serde_json::to_string(&body["tools"])
        .map(|s| s.len())
        .unwrap_or(0);
    println!(
        "first request:              {:>8} bytes (system prompt {system} chars, tool schemas {tools} bytes, {} tools)",
        first.body_bytes,
        body["tools"].as_array().map_or(0, |t| t.len())
    );
}

/// Largest resident set of any waited-for child, in KiB (Linux: ru_maxrss).
fn peak_child_rss_kb() -> i64 {
    // SAFETY: getrusage fills the zeroed struct we pass.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) == 0 {
            usage.ru_maxrss
        } else {
            -1
        }
    }
}
