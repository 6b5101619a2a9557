//! Terminal workstation benchmark: prints figures, asserts nothing.
//!
//! `cargo bench --bench tui` (release profile) measures:
//! - **first frame**: the real `ironclaw` binary started on a pseudo-terminal
//!   (120×40), from spawn until the composer's placeholder has been written
//!   to the terminal; and the binary's peak RSS at that point;
//! - **frame render time** with a 10,000-message thread at 200×60: the first
//!   frame after loading the snapshot (every message wrapped once), then
//!   steady frames while the last message streams;
//! - **keystroke-to-screen latency** while 2,000 tokens/s stream in: the real
//!   app loop (`tui::drive`) with the real engine and a provider that streams
//!   two tokens every millisecond; a key is sent every 50 ms and timed until
//!   a drawn frame shows it;
//! - **peak RSS** of this process after holding and drawing the 10,000-message
//!   thread.
//!
//! Frames are drawn into ratatui's `TestBackend` (the cost of writing the
//! diff to a real terminal is not included). `cargo test --all-targets` runs
//! this binary without `--bench`: then it does a small version of each.

#[path = "support/pty.rs"]
mod pty;

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use futures::StreamExt;
use ironclaw::config::{Config, Paths};
use ironclaw::engine::{EngineHandle, EngineOptions, ProviderSource};
use ironclaw::llm::{
    ChatRequest, EventStream, FinishReason, LlmError, LlmProvider, StreamEvent, Usage,
};
use ironclaw::protocol::{Event, EventMsg, MessageView, ThreadInfo, ToolCallView};
use ironclaw::tools::ToolRegistry;
use ironclaw::tui::keymap::Keymap;
use ironclaw::tui::theme::{ColorDepth, Theme};
use ironclaw::tui::{App, AppOptions};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn main() {
    let full = full_run();
    println!("tui benchmark ({})", if full { "full" } else { "smoke" });
    first_frame(if full { 10 } else { 1 });
    frame_render(if full { 10_000 } else { 500 }, if full { 300 } else { 10 });
    println!(
        "peak RSS of this process after the thread: {:.1} MB",
        peak_rss_mb("self")
    );
    paste(if full { 1_000_000 } else { 50_000 });
    keystroke_latency(if full { 100 } else { 5 });
}

/// Bracketed paste of a large text into the message box, and the frame
/// after it (the box shows its last lines).
fn paste(bytes: usize) {
    let mut app = new_app();
    let line = "fn main() { println!(\"pasted line of code\"); } // 50 bytes\n";
    let text = line.repeat(bytes / line.len());
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    terminal.draw(|f| app.render(f)).unwrap();
    let t = Instant::now();
    app.on_terminal(TermEvent::Paste(text.clone()));
    let pasted = t.elapsed();
    let t = Instant::now();
    terminal.draw(|f| app.render(f)).unwrap();
    let frame = t.elapsed();
    let t = Instant::now();
    app.on_terminal(TermEvent::Key(KeyEvent::new(
        KeyCode::Char('x'),
        KeyModifiers::NONE,
    )));
    terminal.draw(|f| app.render(f)).unwrap();
    let key = t.elapsed();
    println!(
        "paste of {:.1} MB ({} lines) into the message box: {:.1} ms, next frame {:.2} ms, a key after it {:.2} ms",
        text.len() as f64 / 1e6,
        text.lines().count(),
        ms(pasted),
        ms(frame),
        ms(key)
    );
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// VmHWM of `pid` ("self" for this process), in MB.
fn peak_rss_mb(pid: &str) -> f64 {
    pty::rss_mb(pid, "VmHWM:")
}

// ----- first frame -----------------------------------------------------------

fn first_frame(runs: usize) {
    let home = tempfile::tempdir().unwrap();
    let mut times = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..runs + 1 {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ironclaw"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("IRONCLAW_HOME", home.path())
            .env("IRONCLAW_LLM_MODEL", "m")
            .env("IRONCLAW_LLM_BASE_URL", "http://127.0.0.1:9/v1")
            // The engine in the workstation's process (no daemon left behind).
            .env("IRONCLAW_DAEMON_AUTOSTART", "false")
            .env("LANG", "C.UTF-8")
            .env("TERM", "xterm-256color");
        let (child, master, started) = pty::spawn(cmd, 120, 40);
        let elapsed = pty::wait_for(&master, b"Ask anything", started);
        let child_rss = pty::rss_mb(&child.id().to_string(), "VmHWM:");
        pty::quit(child, master);
        match elapsed {
            Some(e) => {
                times.push(ms(e));
                rss.push(child_rss);
            }
            None => {
                println!("first frame: the binary exited before drawing");
                return;
            }
        }
    }
    // The first run creates the database; later runs are the usual start.
    let created = times.remove(0);
    rss.remove(0);
    println!(
        "first frame (spawn to composer drawn, 120x40, engine in-process): median {:.1} ms, min {:.1} ms over {} runs (first run, creating the home and database: {:.1} ms)",
        median(times.clone()),
        times.iter().cloned().fold(f64::MAX, f64::min),
        times.len(),
        created
    );
    println!("binary peak RSS at first frame: {:.1} MB", median(rss));
}

// ----- frame render ----------------------------------------------------------

const ANSWER: &str = "Here is what I found in the **configuration**:\n\n- the cache lives in `~/.cache/app`\n- the log level is `info`; raise it with `-v`\n- the sync runs every *15 minutes*\n\n```toml\n[sync]\ninterval = \"15m\"\n```\n\nSee [the docs](https://example.com/docs) for the rest.";

fn big_thread(n: usize) -> Event {
    let mut messages = Vec::with_capacity(n);
    for i in 0..n {
        let id = i as i64;
        let m = match i % 4 {
            0 => MessageView {
                id,
                turn_id: Some(format!("t{i}")),
                role: "user".into(),
                content: format!(
                    "Question {i}: what does the configuration say about syncing and caching?"
                ),
                tool_calls: Vec::new(),
                tool_call_id: None,
                tool_name: None,
                tool_status: None,
                duration_ms: None,
                created_at: 0,
            },
            1 => MessageView {
                id,
                turn_id: Some(format!("t{i}")),
                role: "assistant".into(),
                content: String::new(),
                tool_calls: vec![ToolCallView {
                    id: format!("c{i}"),
                    name: "read_file".into(),
                    arguments: r#"{"path":"config.toml"}"#.into(),
                }],
                tool_call_id: None,
                tool_name: None,
                tool_status: None,
                duration_ms: None,
                created_at: 0,
            },
            2 => MessageView {
                id,
                turn_id: Some(format!("t{i}")),
                role: "tool".into(),
                content: "[sync]\ninterval = \"15m\"\n[cache]\ndir = \"~/.cache/app\"\n".into(),
                tool_calls: Vec::new(),
                tool_call_id: Some(format!("c{}", i - 1)),
                tool_name: Some("read_file".into()),
                tool_status: None,
                duration_ms: None,
                created_at: 0,
            },
            _ => MessageView {
                id,
                turn_id: Some(format!("t{i}")),
                role: "assistant".into(),
                content: ANSWER.into(),
                tool_calls: Vec::new(),
                tool_call_id: None,
                tool_name: None,
                tool_status: None,
                duration_ms: None,
                created_at: 0,
            },
        };
        messages.push(m);
    }
    Event::Snapshot {
        thread: ThreadInfo {
            id: String::new(),
            title: "a long thread".into(),
            created_at: 0,
            updated_at: 0,
            message_count: n as u64,
        },
        messages,
        in_flight: None,
    }
}

fn new_app() -> App {
    let theme = Theme::load(
        "dark",
        std::path::Path::new("/nonexistent"),
        ColorDepth::TrueColor,
        false,
    )
    .expect("built-in theme");
    App::new(AppOptions {
        theme,
        keymap: Keymap::default(),
        home: "/tmp".into(),
        onboard: false,
        daemon: false,
    })
}

fn frame_render(messages: usize, frames: usize) {
    let mut app = new_app();
    let thread = app.session().thread.clone();
    let mut seq = 0;
    let mut feed = |app: &mut App, event: Event| {
        seq += 1;
        app.on_engine(EventMsg {
            seq,
            to: None,
            event,
        });
    };
    feed(
        &mut app,
        Event::Hello {
            protocol_version: ironclaw::protocol::PROTOCOL_VERSION,
            engine_version: "bench".into(),
            provider: "openai".into(),
            model: "m".into(),
            context_window: 128_000,
        },
    );
    // The app shows snapshots of its current thread.
    let Event::Snapshot {
        messages: msgs,
        in_flight,
        thread: mut info,
    } = big_thread(messages)
    else {
        unreachable!()
    };
    info.id = thread.clone();
    // Ask for it the way a thread switch does, then deliver it.
    app.on_terminal(TermEvent::Key(KeyEvent::new(
        KeyCode::Char('t'),
        KeyModifiers::CONTROL,
    )));
    feed(
        &mut app,
        Event::Threads {
            threads: vec![info.clone()],
        },
    );
    app.on_terminal(TermEvent::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    let _ = app.take_effects();
    feed(
        &mut app,
        Event::Snapshot {
            thread: info,
            messages: msgs,
            in_flight,
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let t = Instant::now();
    terminal.draw(|f| app.render(f)).unwrap();
    let cold = t.elapsed();
    feed(
        &mut app,
        Event::TurnStarted {
            thread_id: thread.clone(),
            turn_id: "live".into(),
            user_text: "and now?".into(),
        },
    );
    let mut times = Vec::with_capacity(frames);
    for i in 0..frames {
        feed(
            &mut app,
            Event::TextDelta {
                thread_id: thread.clone(),
                turn_id: "live".into(),
                delta: if i % 20 == 19 {
                    "\n\n- another point ".into()
                } else {
                    "word ".into()
                },
            },
        );
        let t = Instant::now();
        terminal.draw(|f| app.render(f)).unwrap();
        times.push(ms(t.elapsed()));
    }
    println!(
        "frame render, {messages}-message thread at 200x60: first frame {:.1} ms (only the cells on screen are wrapped); streaming frames median {:.3} ms, p99 {:.3} ms",
        ms(cold),
        median(times.clone()),
        percentile(times, 0.99)
    );
}

// ----- keystroke latency -----------------------------------------------------

/// Streams two words every millisecond (2,000 tokens/s) for `secs` seconds.
struct Streamer {
    secs: u64,
}

#[async_trait]
impl LlmProvider for Streamer {
    fn name(&self) -> &str {
        "bench"
    }
    fn model(&self) -> &str {
        "stream-2000"
    }
    async fn stream(&self, _request: ChatRequest) -> Result<EventStream, LlmError> {
        let ticks = self.secs * 1000;
        let mut interval = tokio::time::interval(Duration::from_millis(1));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let stream =
            futures::stream::unfold((0u64, interval), move |(i, mut interval)| async move {
                if i > ticks {
                    return None;
                }
                if i == ticks {
                    return Some((
                        Ok(StreamEvent::Finish(FinishReason::Stop)),
                        (i + 1, interval),
                    ));
                }
                interval.tick().await;
                let text = if i % 200 == 199 {
                    "lorem ipsum\n\n".to_string()
                } else {
                    "lorem ipsum ".to_string()
                };
                Some((Ok(StreamEvent::TextDelta(text)), (i + 1, interval)))
            })
            .chain(futures::stream::iter([Ok(StreamEvent::Usage(
                Usage::default(),
            ))]));
        Ok(Box::pin(stream))
    }
}

fn keystroke_latency(keys: usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let home = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.llm.model = "stream-2000".into();
        let secs = (keys as u64 * 50) / 1000 + 3;
        let engine = EngineHandle::start(EngineOptions {
            config,
            paths: Paths::new(home.path().to_path_buf()),
            provider: ProviderSource::Ready(Arc::new(Streamer { secs })),
            tools: ToolRegistry::with_builtins(&[]).unwrap(),
            workdir: home.path().to_path_buf(),
            embedder: ironclaw::memory::EmbedderSource::None,
        })
        .await
        .unwrap();
        let mut client = ironclaw::daemon::Connection::in_process(engine).await;
        let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
        let (tx, rx) = futures::channel::mpsc::unbounded::<std::io::Result<TermEvent>>();
        let sent: Arc<Mutex<Vec<Instant>>> = Arc::new(Mutex::new(Vec::new()));
        let latencies: Arc<Mutex<Vec<f64>>> = Arc::new(Mutex::new(Vec::new()));
        let key = |c: char| Ok(TermEvent::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
        let typist = {
            let sent = sent.clone();
            async move {
                for c in "go".chars() {
                    let _ = tx.unbounded_send(key(c));
                }
                let _ = tx.unbounded_send(Ok(TermEvent::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))));
                tokio::time::sleep(Duration::from_millis(500)).await;
                for _ in 0..keys {
                    sent.lock().unwrap().push(Instant::now());
                    let _ = tx.unbounded_send(key('Q'));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                drop(tx);
            }
        };
        let mut shown = 0usize;
        let counting = {
            let sent = sent.clone();
            let latencies = latencies.clone();
            move |t: &Terminal<TestBackend>| {
                let now = Instant::now();
                let qs = t.backend().buffer().content.iter().filter(|c| c.symbol() == "Q").count();
                let sent = sent.lock().unwrap();
                while shown < qs.min(sent.len()) {
                    latencies.lock().unwrap().push(ms(now - sent[shown]));
                    shown += 1;
                }
            }
        };
        let app = new_app();
        let drive = ironclaw::tui::drive(&mut terminal, app, &mut client, rx, std::future::pending(), counting);
        let (result, ()) = tokio::join!(drive, typist);
        result.unwrap();
        let lat = latencies.lock().unwrap().clone();
        if lat.is_empty() {
            println!("keystroke latency: no key was seen on screen");
            return;
        }
        println!(
            "keystroke to screen while 2,000 tokens/s stream (200x60): median {:.2} ms, p95 {:.2} ms, max {:.2} ms over {} keys",
            median(lat.clone()),
            percentile(lat.clone(), 0.95),
            lat.iter().cloned().fold(0.0, f64::max),
            lat.len()
        );
        let _ = client.send(ironclaw::protocol::Op::Shutdown).await;
    });
}
