//! WebAssembly tools benchmark: prints figures, asserts nothing.
//!
//! `cargo bench --bench wasm` (release profile) measures, with real
//! components built from `tests/support/wasm.rs`:
//! - **load**: validating the manifest and compiling the component;
//! - **call overhead**: one `echo` call through the `Tool` trait (a fresh
//!   store and instance, fuel and epoch set up, the blocking-thread hop);
//! - **compute**: a tight loop of 100 M iterations under fuel metering, and
//!   how fast fuel runs out (units per second);
//! - **runtime RSS** with one tool loaded.
//!
//! `cargo test --all-targets` runs it without `--bench`: a small version.

#[path = "../tests/support/wasm.rs"]
mod wasm;

use std::time::{Duration, Instant};

use ironclaw::sandbox::runtime::Runtime;
use ironclaw::tools::{Tool, ToolContext};
use serde_json::json;

fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() - 1) as f64 * p) as usize]
}

fn ctx() -> ToolContext {
    ToolContext {
        workdir: std::env::temp_dir(),
        ironclaw_home: std::env::temp_dir().join("ironclaw-bench-home"),
        cancel: Default::default(),
        output_cap: 64 * 1024,
        shell_timeout: Duration::from_secs(10),
        http_max_bytes: 1024 * 1024,
        http_allow_private: false,
        workspace: None,
        egress: None,
    }
}

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A loop of `n` iterations (`i32.add`, compare, branch), then `ok("")`.
fn counter(n: u32) -> String {
    wasm::guest(
        "",
        &format!(
            r#"(func (export "run") (param i32 i32) (result i32)
    (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const {n}))))
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store (i32.const 4) (i32.const 0))
    (i32.store (i32.const 8) (i32.const 0))
    (i32.const 0))"#
        ),
    )
}

fn main() {
    let full = full_run();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let install = |name: &str, extra: &str, wat: &str| {
        std::fs::write(
            dir.path().join(format!("{name}.toml")),
            format!(
                "[tool]\nname = \"{name}\"\nversion = \"0.1.0\"\ndescription = \"bench\"\n{extra}"
            ),
        )
        .unwrap();
        std::fs::write(
            dir.path().join(format!("{name}.wasm")),
            wasm::component(wat),
        )
        .unwrap();
        dir.path().join(format!("{name}.toml"))
    };
    let rss_before = rss_mb();
    let started = Instant::now();
    let runtime = Runtime::new().unwrap();
    println!(
        "runtime start (engine, epoch thread, HTTP clients): {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    let echo = install("echo", "", &wasm::echo());
    let loads = if full { 50 } else { 3 };
    let mut times = Vec::new();
    let mut tool = None;
    for _ in 0..loads {
        let t = Instant::now();
        tool = Some(runtime.load(&echo, false).unwrap());
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let tool = tool.unwrap();
    println!(
        "load (manifest + compile, {} B component): p50 {:.2} ms, p95 {:.2} ms over {loads}",
        std::fs::metadata(dir.path().join("echo.wasm"))
            .unwrap()
            .len(),
        percentile(times.clone(), 0.5),
        percentile(times, 0.95)
    );
    println!(
        "RSS with the runtime and one tool: {:.1} MB (+{:.1} MB)",
        rss_mb(),
        rss_mb() - rss_before
    );

    let calls = if full { 2000 } else { 20 };
    let ctx = ctx();
    let mut times = Vec::new();
    rt.block_on(async {
        for _ in 0..calls {
            let t = Instant::now();
            let out = tool.call(json!({"place": "Lisbon"}), &ctx).await.unwrap();
            times.push(t.elapsed().as_secs_f64() * 1e6);
            assert_eq!(out.content, r#"{"place":"Lisbon"}"#);
        }
    });
    println!(
        "call overhead (echo: fresh instance, fuel, epoch, thread hop): p50 {:.0} µs, p95 {:.0} µs over {calls}",
        percentile(times.clone(), 0.5),
        percentile(times, 0.95)
    );

    let n: u32 = if full { 100_000_000 } else { 1_000_000 };
    let path = install(
        "count",
        "[limits]\nfuel = 100000000000\ntimeout_secs = 600\n",
        &counter(n),
    );
    let count = runtime.load(&path, false).unwrap();
    let t = Instant::now();
    rt.block_on(count.call(json!({}), &ctx)).unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "compute under fuel metering: {n} loop iterations in {:.1} ms ({:.0} M iterations/s)",
        secs * 1e3,
        f64::from(n) / secs / 1e6
    );
    let path = install(
        "spin",
        "[limits]\nfuel = 1000000000\ntimeout_secs = 600\n",
        &wasm::spin(),
    );
    let spin = runtime.load(&path, false).unwrap();
    let t = Instant::now();
    let err = rt.block_on(spin.call(json!({}), &ctx)).unwrap_err();
    println!(
        "fuel limit: 1,000,000,000 units used up in {:.0} ms ({err})",
        t.elapsed().as_secs_f64() * 1e3
    );
}
