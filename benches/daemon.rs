//! Background-mode benchmark: prints figures, asserts nothing.
//!
//! `cargo bench --bench daemon` (release profile) starts a real daemon
//! (`ironclaw daemon start`, in a temporary home) and measures:
//! - **attach time**: `ironclaw attach` on a pseudo-terminal (120×40), from
//!   spawn until its first full frame (the composer) has been written;
//! - **event fan-out latency** to 1, 10 and 50 socket clients: one client
//!   asks for a broadcast event (`new_thread` → `thread_created`); the time
//!   from sending until every client has received it (and the median per
//!   client);
//! - **daemon RSS**: idle, and with 10 clients attached.
//!
//! `cargo test --all-targets` runs it without `--bench`: a small version.

#[path = "support/pty.rs"]
mod pty;

use std::process::Command;
use std::time::{Duration, Instant};

use ironclaw::config::Paths;
use ironclaw::daemon::SocketClient;
use ironclaw::protocol::{Event, Op};

fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ironclaw"));
        c.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("IRONCLAW_HOME", self.dir.path())
            .env("IRONCLAW_LLM_MODEL", "m")
            .env("IRONCLAW_LLM_BASE_URL", "http://127.0.0.1:9/v1")
            .env("LANG", "C.UTF-8")
            .env("TERM", "xterm-256color");
        c
    }

    fn pid(&self) -> String {
        std::fs::read_to_string(Paths::new(self.dir.path().to_path_buf()).daemon_lock())
            .unwrap_or_default()
            .trim()
            .to_string()
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = self.cmd(&["daemon", "stop"]).output();
    }
}

fn main() {
    let full = full_run();
    println!("daemon benchmark ({})", if full { "full" } else { "smoke" });
    let home = Home {
        dir: tempfile::tempdir().unwrap(),
    };
    let out = home.cmd(&["daemon", "start"]).output().unwrap();
    if !out.status.success() {
        println!(
            "daemon did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    std::thread::sleep(Duration::from_millis(300));
    let pid = home.pid();
    println!("daemon idle RSS: {:.1} MB", pty::rss_mb(&pid, "VmRSS:"));

    attach(&home, if full { 10 } else { 1 });

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let socket = Paths::new(home.dir.path().to_path_buf()).daemon_socket();
    rt.block_on(async {
        for n in [1usize, 10, 50] {
            fanout(&socket, n, if full { 50 } else { 3 }, &pid).await;
        }
    });
}

fn attach(home: &Home, runs: usize) {
    let mut times = Vec::new();
    for _ in 0..runs {
        let (child, master, started) = pty::spawn(home.cmd(&["attach"]), 120, 40);
        let elapsed = pty::wait_for(&master, b"Ask anything", started);
        pty::quit(child, master);
        match elapsed {
            Some(e) => times.push(ms(e)),
            None => {
                println!("attach: the client exited before drawing");
                return;
            }
        }
    }
    println!(
        "attach to first full frame (120x40): median {:.1} ms, min {:.1} ms over {} runs",
        median(times.clone()),
        times.iter().cloned().fold(f64::MAX, f64::min),
        times.len()
    );
}

async fn fanout(socket: &std::path::Path, n: usize, rounds: usize, pid: &str) {
    let mut clients = Vec::with_capacity(n);
    for _ in 0..n {
        let mut c = SocketClient::connect(socket, "bench").await.unwrap();
        let _hello = c.recv().await.unwrap();
        clients.push(c);
    }
    if n == 10 {
        println!(
            "daemon RSS with 10 clients: {:.1} MB",
            pty::rss_mb(pid, "VmRSS:")
        );
    }
    let sender = SocketClient::connect(socket, "bench").await.unwrap();
    let mut all = Vec::with_capacity(rounds);
    let mut each = Vec::with_capacity(rounds * n);
    for _ in 0..rounds {
        let id = ironclaw::engine::new_id();
        let sent = Instant::now();
        sender
            .send(Op::NewThread {
                thread_id: Some(id.clone()),
                title: Some("fan-out".into()),
            })
            .await
            .unwrap();
        let waits = clients.iter_mut().map(|c| {
            let id = id.clone();
            async move {
                loop {
                    match c.recv().await {
                        Ok(msg) => {
                            if let Event::ThreadCreated { thread } = msg.event
                                && thread.id == id
                            {
                                return sent.elapsed();
                            }
                        }
                        Err(_) => return Duration::MAX,
                    }
                }
            }
        });
        let times = futures::future::join_all(waits).await;
        all.push(ms(*times.iter().max().unwrap()));
        each.extend(times.iter().map(|d| ms(*d)));
    }
    println!(
        "fan-out to {n} client(s): all received after median {:.3} ms (max {:.3} ms); per client median {:.3} ms, over {rounds} events",
        median(all.clone()),
        all.iter().cloned().fold(0.0, f64::max),
        median(each)
    );
}
