//! WebAssembly tools end to end: real components (built from WAT by
//! `support::wasm`) in the real runtime, with the manifest's limits and
//! grants, a real safety layer and an HTTP server on loopback.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use axum::Router;
use axum::routing::get;
use ironclaw::safety::{SafetyConfig, SafetyLayer};
use ironclaw::sandbox::runtime::{Runtime, WasmTool, load_dir};
use ironclaw::tools::{Egress, Risk, Tool, ToolContext, ToolError, Workspace, WorkspaceSearch};
use serde_json::json;
use support::wasm::{component, echo, fetch, hog, note, spin};
use zeroize::Zeroizing;

const KNOWN_SECRET: &str = "sk-proj-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBaZx9Yw8Vu7Ts";

struct Fixture {
    dir: tempfile::TempDir,
    runtime: Runtime,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
            runtime: Runtime::new().unwrap(),
        }
    }

    /// Installs `name` with the manifest `extra` lines and the guest.
    fn tool(&self, name: &str, extra: &str, wat: &str, allow_private: bool) -> WasmTool {
        std::fs::write(
            self.dir.path().join(format!("{name}.toml")),
            format!(
                "[tool]\nname = \"{name}\"\nversion = \"0.1.0\"\ndescription = \"A test tool.\"\n{extra}"
            ),
        )
        .unwrap();
        std::fs::write(self.dir.path().join(format!("{name}.wasm")), component(wat)).unwrap();
        self.runtime
            .load(&self.dir.path().join(format!("{name}.toml")), allow_private)
            .unwrap()
    }
}

/// The engine's side for tests: a real safety layer knowing one secret, a
/// secret store of one value, and a workspace in memory.
struct TestEngine {
    safety: SafetyLayer,
    notes: Mutex<HashMap<String, String>>,
}

impl TestEngine {
    fn new() -> Arc<TestEngine> {
        let safety = SafetyLayer::new(SafetyConfig::default()).unwrap();
        safety.set_known_secrets(vec![KNOWN_SECRET.to_string()]);
        let notes = HashMap::from([("notes/weather/today.md".to_string(), "sunny".to_string())]);
        Arc::new(TestEngine {
            safety,
            notes: Mutex::new(notes),
        })
    }
}

#[async_trait]
impl Egress for TestEngine {
    async fn check_outbound(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<(), String> {
        self.safety
            .check_outbound(url, headers, body)
            .map_err(|f| f.message)
    }
    async fn scan_leaks(&self, tool: &str, text: &str) -> String {
        self.safety.scan_leaks(text, Some(tool)).0
    }
    async fn secret(&self, name: &str) -> Result<Option<Zeroizing<String>>, String> {
        Ok((name == "k").then(|| Zeroizing::new(KNOWN_SECRET.to_string())))
    }
}

#[async_trait]
impl Workspace for TestEngine {
    async fn search(&self, _query: &str, _limit: usize) -> Result<WorkspaceSearch, String> {
        Err("not used".into())
    }
    async fn read(&self, path: &str) -> Result<(String, u64), String> {
        let notes = self.notes.lock().unwrap();
        notes
            .get(path)
            .map(|t| (t.clone(), 1))
            .ok_or_else(|| format!("no document at {path}"))
    }
    async fn write(
        &self,
        path: &str,
        content: &str,
        _append: bool,
    ) -> Result<(String, u64), String> {
        let mut notes = self.notes.lock().unwrap();
        notes.insert(path.to_string(), content.to_string());
        Ok((path.to_string(), 2))
    }
    async fn tree(&self, _prefix: &str) -> Result<Vec<(String, u64)>, String> {
        Ok(Vec::new())
    }
}

fn ctx(engine: &Arc<TestEngine>) -> ToolContext {
    ToolContext {
        workdir: std::env::temp_dir(),
        ironclaw_home: std::env::temp_dir().join("ironclaw-test-home"),
        cancel: Default::default(),
        output_cap: 64 * 1024,
        shell_timeout: Duration::from_secs(10),
        http_max_bytes: 1024 * 1024,
        http_allow_private: false,
        workspace: Some(engine.clone()),
        egress: Some(engine.clone()),
    }
}

async fn call(tool: &WasmTool, engine: &Arc<TestEngine>) -> Result<String, ToolError> {
    tool.call(json!({"place": "Lisbon"}), &ctx(engine))
        .await
        .map(|o| o.content)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_a_component_with_its_arguments() {
    let f = Fixture::new();
    let tool = f.tool("echo", "", &echo(), false);
    assert_eq!(
        (tool.name(), tool.source(), tool.core()),
        ("echo", "wasm", false)
    );
    assert_eq!(tool.risk(&json!({})), Risk::Low);
    let out = call(&tool, &TestEngine::new()).await.unwrap();
    assert_eq!(out, r#"{"place":"Lisbon"}"#);
    // A fresh instance every call: the same answer again.
    let out = call(&tool, &TestEngine::new()).await.unwrap();
    assert_eq!(out, r#"{"place":"Lisbon"}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuel_memory_and_time_are_limited() {
    let f = Fixture::new();
    let engine = TestEngine::new();
    let spin_fuel = f.tool("spin", "[limits]\nfuel = 5000000\n", &spin(), false);
    let err = call(&spin_fuel, &engine).await.unwrap_err();
    assert!(
        matches!(&err, ToolError::Failed(m) if m.contains("ran out of fuel (5000000 units")),
        "{err:?}"
    );
    let hog = f.tool("hog", "[limits]\nmemory_mib = 2\n", &hog(), false);
    let err = call(&hog, &engine).await.unwrap_err();
    assert!(
        matches!(&err, ToolError::Failed(m) if m.contains("ran out of memory (2 MiB")),
        "{err:?}"
    );
    let slow = f.tool(
        "slow",
        "[limits]\nfuel = 100000000000\ntimeout_secs = 1\n",
        &spin(),
        false,
    );
    let started = Instant::now();
    let err = call(&slow, &engine).await.unwrap_err();
    assert_eq!(err, ToolError::Timeout(Duration::from_secs(1)));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // Interrupting the turn stops a running tool.
    let t = ctx(&engine);
    let cancel = t.cancel.clone();
    let tool = f.tool("slow2", "[limits]\nfuel = 100000000000\n", &spin(), false);
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        cancel.cancel();
    });
    let err = tool.call(json!({}), &t).await.unwrap_err();
    assert_eq!(err, ToolError::Cancelled);
}

/// Starts the test server on loopback; returns its port.
async fn server() -> u16 {
    let app = Router::new()
        .route("/v1/ok", get(|| async { "hello from the server" }))
        .route(
            "/v1/leak",
            get(|| async { format!("the key is {KNOWN_SECRET}") }),
        )
        .route(
            "/v1/echo-auth",
            get(|headers: axum::http::HeaderMap| async move {
                headers
                    .get("authorization")
                    .map_or("none".to_string(), |v| v.to_str().unwrap().to_string())
            }),
        )
        .route(
            "/v1/redirect",
            get(|| async { axum::response::Redirect::to("/v1/ok") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr.port()
}

// The CLI's runtime: one thread (host calls block on it from the
// call's own thread).
#[tokio::test]
async fn http_goes_through_the_manifest_and_the_safety_layer() {
    let engine = TestEngine::new();
    let port = server().await;
    // `api.test.example` resolves to the loopback test server; everything
    // else is the production runtime: its client (no proxy, no redirects),
    // the manifest, the safety layer and the host.
    let f = Fixture {
        dir: tempfile::tempdir().unwrap(),
        runtime: Runtime::new()
            .unwrap()
            .with_resolve("api.test.example", ([127, 0, 0, 1], port).into()),
    };
    let allow = format!(
        "[[http.allow]]\nhost = \"api.test.example\"\nscheme = \"http\"\nport = {port}\npath = \"/v1/\"\n"
    );
    let base = format!("http://api.test.example:{port}");
    let run = |name: &str, url: String| {
        let tool = f.tool(name, &allow, &fetch("GET", &url), false);
        let engine = engine.clone();
        async move { call(&tool, &engine).await }
    };
    assert_eq!(
        run("ok", format!("{base}/v1/ok")).await.unwrap(),
        "hello from the server"
    );
    assert_eq!(
        f.tool("ok", &allow, &fetch("GET", &format!("{base}/v1/ok")), false)
            .risk(&json!({})),
        Risk::Medium
    );
    // A secret in the response is redacted before the tool sees it.
    let out = run("leak", format!("{base}/v1/leak")).await.unwrap();
    assert!(
        out.starts_with("the key is ") && !out.contains(KNOWN_SECRET),
        "{out}"
    );
    // Redirects are returned, not followed.
    assert_eq!(
        run("redirect", format!("{base}/v1/redirect"))
            .await
            .unwrap(),
        ""
    );
    // Outside the allowlist, or carrying a known secret: the tool gets an
    // error and reports it.
    let err = run("outside", format!("{base}/admin")).await.unwrap_err();
    assert!(
        matches!(&err, ToolError::Failed(m) if m.contains("outside the manifest's allowlist")),
        "{err:?}"
    );
    let err = run("exfil", format!("{base}/v1/ok?k={KNOWN_SECRET}"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ToolError::Failed(m) if m.contains("request URL contains") && !m.contains(KNOWN_SECRET)),
        "{err:?}"
    );
    // No grant, no network.
    let err = f
        .tool(
            "offline",
            "",
            &fetch("GET", &format!("{base}/v1/ok")),
            false,
        )
        .call(json!({}), &ctx(&engine))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ToolError::Failed(m) if m.contains("grants no network access")),
        "{err:?}"
    );
    // One request per call here.
    let twice = fetch("GET", &format!("{base}/v1/ok")).replacen(
        "(call $http",
        "(call $http (i32.const 64) (i32.const 3) (i32.const 128) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1024))\n    (call $http",
        1,
    );
    let limited = format!("[http]\nmax_requests = 1\n{allow}");
    let err = f
        .tool("twice", &limited, &twice, false)
        .call(json!({}), &ctx(&engine))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ToolError::Failed(m) if m.contains("more than 1 requests")),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_network_is_public_only_by_default() {
    let f = Fixture::new();
    let engine = TestEngine::new();
    let port = server().await;
    let allow =
        format!("[[http.allow]]\nhost = \"*.nip.example\"\nscheme = \"http\"\nport = {port}\n");
    // The real client: names are resolved and non-public answers refused
    // (`127.0.0.1.nip.example` does not resolve here at all, which is
    // refused too); an IP literal never matches a rule.
    let tool = f.tool(
        "public",
        &allow,
        &fetch("GET", &format!("http://127.0.0.1:{port}/v1/ok")),
        false,
    );
    let err = call(&tool, &engine).await.unwrap_err();
    assert!(
        matches!(&err, ToolError::Failed(m) if m.contains("IP addresses are not allowed")),
        "{err:?}"
    );
}

// The CLI's runtime: one thread (host calls block on it from the
// call's own thread).
#[tokio::test]
async fn notes_only_where_the_manifest_grants() {
    let f = Fixture::new();
    let engine = TestEngine::new();
    let grant = "[workspace]\nread = [\"notes/weather/\"]\nwrite = [\"notes/weather/\"]\n";
    let read = f.tool(
        "reader",
        grant,
        &note(false, "notes/weather/today.md"),
        false,
    );
    assert_eq!(call(&read, &engine).await.unwrap(), "sunny");
    let denied = f.tool("snoop", grant, &note(false, "USER.md"), false);
    let err = call(&denied, &engine).await.unwrap_err();
    assert!(
        matches!(&err, ToolError::Failed(m) if m.contains("does not grant reading USER.md")),
        "{err:?}"
    );
    let write = f.tool("writer", grant, &note(true, "notes/weather/new.md"), false);
    assert_eq!(call(&write, &engine).await.unwrap(), "written");
    assert_eq!(
        engine
            .notes
            .lock()
            .unwrap()
            .get("notes/weather/new.md")
            .map(String::as_str),
        Some("new text")
    );
    let err = call(
        &f.tool("scribble", grant, &note(true, "SOUL.md"), false),
        &engine,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, ToolError::Failed(m) if m.contains("does not grant writing SOUL.md")),
        "{err:?}"
    );
}

#[test]
fn loading_reports_what_is_wrong() {
    let f = Fixture::new();
    let dir = f.dir.path();
    // Installed layout: `<dir>/<name>/<name>.toml` beside the component.
    let put = |name: &str, manifest: &str, wasm: Option<Vec<u8>>| {
        let folder = dir.join(name);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join(format!("{}.toml", name.trim_start_matches('.'))),
            manifest,
        )
        .unwrap();
        if let Some(bytes) = wasm {
            std::fs::write(
                folder.join(format!("{}.wasm", name.trim_start_matches('.'))),
                bytes,
            )
            .unwrap();
        }
    };
    let ok =
        |n: &str| format!("[tool]\nname = \"{n}\"\nversion = \"0.1.0\"\ndescription = \"x\"\n");
    put("a", &ok("a"), None);
    put("b", "[tool]\nname = \"b\"\n", None);
    put("c", &ok("c"), Some(b"not wasm".to_vec()));
    // A core module is not a component.
    put("d", &ok("d"), Some(wat::parse_str("(module)").unwrap()));
    // A component of another world (no `run`).
    put("e", &ok("e"), Some(wat::parse_str("(component)").unwrap()));
    put("f", &ok("f"), Some(component(&echo())));
    // An install in progress is not loaded.
    put(".g", &ok("g"), Some(component(&echo())));
    let (tools, errors) = load_dir(&f.runtime, dir, false);
    let names: Vec<&str> = tools.iter().map(|t| t.name()).collect();
    assert_eq!(names, vec!["f"], "{errors:?}");
    assert_eq!(errors.len(), 5, "{errors:?}");
    assert!(errors[0].contains("a.wasm"), "{errors:?}");
    assert!(errors[1].contains("version"), "{errors:?}");
    assert!(
        errors[2].contains("not a WebAssembly component"),
        "{errors:?}"
    );
    assert!(
        errors[3].contains("not a WebAssembly component"),
        "{errors:?}"
    );
    assert!(errors[4].contains("run"), "{errors:?}");
    let (tools, errors) = load_dir(&f.runtime, &dir.join("missing"), false);
    assert!(tools.is_empty() && errors.is_empty());
}
