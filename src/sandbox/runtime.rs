//! Running WebAssembly tools: components of the `ironclaw:tool` world
//! (`wit/tool.wit`) under wasmtime, each call in a fresh instance.
//!
//! - **Compile once, instantiate per call**: a tool's component is compiled
//!   when it is loaded; every call gets a new `Store`, so nothing survives
//!   from one call to the next.
//! - **Limits from the manifest**: fuel (`limits.fuel`, deterministic CPU),
//!   linear memory (`limits.memory_mib`, through a `ResourceLimiter`),
//!   wall-clock time (`limits.timeout_secs`, by epoch interruption, which
//!   also stops a tool when the user interrupts the turn) and output size
//!   (`limits.output_kib`).
//! - **Host functions** (`ironclaw:tool/host`): `log` (to the log file and
//!   the Logs pane), `http` (the network boundary of [`super::http`]: the
//!   allowlist, the safety layer's leak check of what the tool sends,
//!   credential injection, public addresses only, no redirects, the
//!   response leak-scanned), `read-note`/`write-note` (workspace paths the
//!   manifest grants). Nothing else: no files, no clock, no environment.
//!
//! Calls run on a blocking thread (wasmtime's synchronous API); host
//! functions that need the engine (HTTP, workspace, secrets) block on the
//! engine's runtime from there.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures::StreamExt;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use wasmtime::component::{Component, ComponentType, Lift, Linker, Lower};
use wasmtime::{Config, Engine, ResourceLimiter, Store, UpdateDeadline};

use super::http::{PublicOnly, check_request};
use super::manifest::{Manifest, ManifestError};
use crate::tools::{
    Egress, Risk, Tool, ToolContext, ToolError, ToolOutput, Workspace, error_chain,
};

/// How often the epoch advances (the granularity of timeouts and
/// interrupts).
const TICK: Duration = Duration::from_millis(10);
/// The host interface's name in `wit/tool.wit`.
const HOST: &str = "ironclaw:tool/host@0.1.0";
/// Longest wait for one HTTP request, within the call's own deadline.
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The wasmtime engine tools share, with its epoch ticker.
#[derive(Clone)]
pub struct Runtime {
    engine: Engine,
    linker: Arc<Linker<Host>>,
    /// `[public addresses only, any address]`.
    http: Arc<[reqwest::Client; 2]>,
}

impl Runtime {
    /// Builds the engine (Cranelift, fuel and epoch interruption on) and
    /// starts the thread that advances the epoch; it ends with the engine.
    pub fn new() -> Result<Runtime, String> {
        let mut config = Config::new();
        config.consume_fuel(true).epoch_interruption(true);
        let engine = Engine::new(&config).map_err(|e| format!("cannot start wasmtime: {e}"))?;
        let weak = engine.weak();
        std::thread::Builder::new()
            .name("wasm-epoch".into())
            .spawn(move || {
                while let Some(engine) = weak.upgrade() {
                    engine.increment_epoch();
                    drop(engine);
                    std::thread::sleep(TICK);
                }
            })
            .map_err(|e| format!("cannot start the epoch thread: {e}"))?;
        let mut linker = Linker::new(&engine);
        link_host(&mut linker).map_err(|e| format!("cannot link the host functions: {e}"))?;
        let http = Arc::new([http_client(false, None)?, http_client(true, None)?]);
        Ok(Runtime {
            engine,
            linker: Arc::new(linker),
            http,
        })
    }

    /// Resolves `name` to `addr` (tests: a test name for a loopback
    /// server), with the production client settings otherwise.
    #[doc(hidden)]
    pub fn with_resolve(mut self, name: &str, addr: std::net::SocketAddr) -> Runtime {
        self.http = Arc::new([
            http_client(false, Some((name, addr))).expect("an HTTP client"),
            http_client(true, Some((name, addr))).expect("an HTTP client"),
        ]);
        self
    }

    /// Loads the tool whose manifest is at `manifest_path`: validates the
    /// manifest, compiles the component beside it and checks that it is a
    /// `tool` world (exports `run`, imports nothing but the host).
    pub fn load(&self, manifest_path: &Path, allow_private: bool) -> Result<WasmTool, String> {
        let manifest = Manifest::load(manifest_path).map_err(|e| match e {
            ManifestError::Invalid(_) => format!("{}: {e}", manifest_path.display()),
            e => e.to_string(),
        })?;
        let dir = manifest_path.parent().unwrap_or(Path::new("."));
        let path = dir.join(&manifest.component);
        let component = Component::from_file(&self.engine, &path)
            .map_err(|e| format!("{}: not a WebAssembly component: {e:#}", path.display()))?;
        self.linker.instantiate_pre(&component).map_err(|e| {
            format!(
                "{}: does not fit the ironclaw:tool world: {e:#}",
                path.display()
            )
        })?;
        if component.get_export_index(None, "run").is_none() {
            return Err(format!(
                "{}: exports no `run` function; build it for the `tool` world of wit/tool.wit",
                path.display()
            ));
        }
        Ok(WasmTool {
            risk: manifest.assess().risk,
            manifest: Arc::new(manifest),
            component,
            runtime: self.clone(),
            allow_private,
        })
    }
}

/// The manifests of the tools installed in `dir`, sorted: each tool is a
/// folder `dir/<name>/` holding `<name>.toml` and its component (what
/// `ironclaw extensions install` makes). Hidden folders (an install in
/// progress) are skipped.
pub fn manifests(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", dir.display())),
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let manifest = e.path().join(format!("{name}.toml"));
            (!name.starts_with('.') && manifest.is_file()).then_some(manifest)
        })
        .collect();
    found.sort();
    Ok(found)
}

/// Loads every tool installed in `dir` ([`manifests`]). Returns the tools
/// and, separately, one message per tool that could not be loaded (the
/// others still load). A missing folder is no tools.
pub fn load_dir(
    runtime: &Runtime,
    dir: &Path,
    allow_private: bool,
) -> (Vec<WasmTool>, Vec<String>) {
    let paths = match manifests(dir) {
        Ok(p) => p,
        Err(e) => return (Vec::new(), vec![e]),
    };
    let mut tools = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match runtime.load(&path, allow_private) {
            Ok(tool) => tools.push(tool),
            Err(e) => errors.push(e),
        }
    }
    (tools, errors)
}

/// The installed tools, for the engine's registry. Tools that cannot load
/// are logged (`ironclaw extensions list` shows why) and skipped; with
/// nothing installed no runtime is started.
pub fn installed(dir: &Path, allow_private: bool) -> Vec<WasmTool> {
    match manifests(dir) {
        Ok(m) if m.is_empty() => return Vec::new(),
        Ok(_) => {}
        Err(e) => {
            tracing::warn!("{e}");
            return Vec::new();
        }
    }
    let runtime = match Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("WebAssembly tools are unavailable: {e}");
            return Vec::new();
        }
    };
    let (tools, errors) = load_dir(&runtime, dir, allow_private);
    for e in errors {
        tracing::warn!("WebAssembly tool not loaded: {e}");
    }
    tools
}

/// A loaded WebAssembly tool.
pub struct WasmTool {
    manifest: Arc<Manifest>,
    component: Component,
    runtime: Runtime,
    allow_private: bool,
    /// What the manifest's grants amount to.
    risk: Risk,
}

impl WasmTool {
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }
}

#[async_trait]
impl Tool for WasmTool {
    fn name(&self) -> &str {
        &self.manifest.name
    }

    fn description(&self) -> &str {
        &self.manifest.description
    }

    fn parameters(&self) -> Value {
        self.manifest.parameters.clone()
    }

    fn risk(&self, _args: &Value) -> Risk {
        self.risk
    }

    fn timeout(&self) -> Duration {
        // The sandbox stops the call itself at the limit; this leaves it a
        // moment to say so before the engine gives up.
        Duration::from_secs(self.manifest.limits.timeout_secs) + Duration::from_secs(2)
    }

    fn core(&self) -> bool {
        false
    }

    fn source(&self) -> &str {
        "wasm"
    }

    fn summarize(&self, args: &Value) -> String {
        format!("{} {}", self.manifest.name, args)
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
        let limits = self.manifest.limits;
        let deadline = Instant::now() + Duration::from_secs(limits.timeout_secs);
        let host = Host {
            manifest: self.manifest.clone(),
            limits: Limiter {
                memory_bytes: usize::try_from(limits.memory_mib * 1024 * 1024)
                    .unwrap_or(usize::MAX),
                memory_used: 0,
                table_used: 0,
                refused: false,
            },
            logged: 0,
            deadline,
            cancel: ctx.cancel.clone(),
            stop: None,
            handle: tokio::runtime::Handle::current(),
            egress: ctx.egress.clone(),
            workspace: ctx.workspace.clone(),
            http: self.runtime.http[usize::from(self.allow_private)].clone(),
            requests: 0,
        };
        let runtime = self.runtime.clone();
        let component = self.component.clone();
        let input = args.to_string();
        let name = self.manifest.name.clone();
        let outcome = tokio::task::spawn_blocking(move || run(&runtime, &component, host, input))
            .await
            .map_err(|e| ToolError::Failed(format!("{name} crashed: {e}")))?;
        let limit = usize::try_from(limits.output_kib * 1024).unwrap_or(usize::MAX);
        match outcome {
            Ok(Ok(text)) => Ok(ToolOutput::text(crate::tools::cap_output(text, limit))),
            Ok(Err(message)) => Err(ToolError::Failed(format!(
                "{}: {}",
                self.manifest.name,
                crate::tools::cap_output(message, limit)
            ))),
            Err(Stopped::Cancelled) => Err(ToolError::Cancelled),
            Err(Stopped::Timeout) => {
                Err(ToolError::Timeout(Duration::from_secs(limits.timeout_secs)))
            }
            Err(Stopped::Failed(why)) => {
                Err(ToolError::Failed(format!("{}: {why}", self.manifest.name)))
            }
        }
    }
}

/// Why a call ended without a result from the tool.
#[derive(Debug)]
enum Stopped {
    Cancelled,
    Timeout,
    Failed(String),
}

/// One call, on a blocking thread: a fresh store and instance, `run`.
fn run(
    runtime: &Runtime,
    component: &Component,
    host: Host,
    input: String,
) -> Result<Result<String, String>, Stopped> {
    let fuel = host.manifest.limits.fuel;
    let memory_mib = host.manifest.limits.memory_mib;
    let mut store = Store::new(&runtime.engine, host);
    store.limiter(|h| &mut h.limits);
    store
        .set_fuel(fuel)
        .map_err(|e| Stopped::Failed(e.to_string()))?;
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|mut cx| {
        let host = cx.data_mut();
        if host.cancel.is_cancelled() {
            host.stop = Some(Stopped::Cancelled);
            return Ok(UpdateDeadline::Interrupt);
        }
        if Instant::now() >= host.deadline {
            host.stop = Some(Stopped::Timeout);
            return Ok(UpdateDeadline::Interrupt);
        }
        Ok(UpdateDeadline::Continue(1))
    });
    let result = (|| {
        let instance = runtime.linker.instantiate(&mut store, component)?;
        let run =
            instance.get_typed_func::<(String,), (Result<String, String>,)>(&mut store, "run")?;
        let (result,) = run.call(&mut store, (input,))?;
        Ok::<_, wasmtime::Error>(result)
    })();
    match result {
        Ok(result) => Ok(result),
        Err(e) => {
            if let Some(stop) = store.data_mut().stop.take() {
                return Err(stop);
            }
            let why = match e.downcast_ref::<wasmtime::Trap>() {
                Some(wasmtime::Trap::OutOfFuel) => {
                    format!("ran out of fuel ({fuel} units, limits.fuel in its manifest)")
                }
                // A tool's allocator traps when its memory cannot grow.
                Some(_) if store.data().limits.refused => {
                    format!(
                        "ran out of memory ({memory_mib} MiB, limits.memory_mib in its manifest)"
                    )
                }
                Some(trap) => format!("crashed: {trap}"),
                None => format!("failed: {e:#}"),
            };
            Err(Stopped::Failed(why))
        }
    }
}

/// What a call's host functions see.
struct Host {
    manifest: Arc<Manifest>,
    limits: Limiter,
    deadline: Instant,
    cancel: CancellationToken,
    stop: Option<Stopped>,
    handle: tokio::runtime::Handle,
    egress: Option<Arc<dyn Egress>>,
    workspace: Option<Arc<dyn Workspace>>,
    http: reqwest::Client,
    requests: u64,
    /// Bytes logged in this call.
    logged: usize,
}

/// What one call may write to the log.
const MAX_LOG_BYTES: usize = 256 * 1024;

/// `limits.memory_mib` for the instance's linear memory, remembering a
/// refusal so a trap that follows is reported as running out of memory.
/// The limits count every memory and table of the call together: a
/// component may hold several core instances, each with its own.
struct Limiter {
    memory_bytes: usize,
    memory_used: usize,
    table_used: usize,
    refused: bool,
}

/// At most this many table elements (function references) in all.
const MAX_TABLE_ELEMENTS: usize = 100_000;
/// At most this many core instances, memories and tables per call.
const MAX_INSTANCES: usize = 32;
const MAX_MEMORIES: usize = 8;
const MAX_TABLES: usize = 16;

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let total = (self.memory_used - current.min(self.memory_used)).saturating_add(desired);
        let ok = total <= self.memory_bytes;
        if ok {
            self.memory_used = total;
        }
        self.refused |= !ok;
        Ok(ok)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let total = (self.table_used - current.min(self.table_used)).saturating_add(desired);
        let ok = total <= MAX_TABLE_ELEMENTS;
        if ok {
            self.table_used = total;
        }
        Ok(ok)
    }

    fn instances(&self) -> usize {
        MAX_INSTANCES
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }
}

/// The guest's log level. Values are made by lifting them from the guest,
/// which the compiler does not see.
#[allow(dead_code)]
#[derive(ComponentType, Lift, Lower, Clone, Copy, Debug)]
#[component(enum)]
#[repr(u8)]
enum Level {
    #[component(name = "debug")]
    Debug,
    #[component(name = "info")]
    Info,
    #[component(name = "warn")]
    Warn,
    #[component(name = "error")]
    Error,
}

#[derive(ComponentType, Lift, Lower, Clone, Debug)]
#[component(record)]
struct Request {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

#[derive(ComponentType, Lift, Lower, Clone, Debug)]
#[component(record)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn link_host(linker: &mut Linker<Host>) -> wasmtime::Result<()> {
    let mut host = linker.instance(HOST)?;
    host.func_wrap("log", |mut cx, (level, message): (Level, String)| {
        let host = cx.data_mut();
        host.logged = host.logged.saturating_add(message.len().max(1));
        if host.logged > MAX_LOG_BYTES {
            if host.logged - message.len().max(1) <= MAX_LOG_BYTES {
                tracing::warn!(tool = %host.manifest.name, "log budget of the call used up; further lines dropped");
            }
            return Ok(());
        }
        let tool = host.manifest.name.as_str();
        // One line, control characters escaped: a tool cannot forge lines.
        let message: String = message.chars().take(4096).flat_map(char::escape_debug).collect();
        match level {
            Level::Debug => tracing::debug!(tool, "{message}"),
            Level::Info => tracing::info!(tool, "{message}"),
            Level::Warn => tracing::warn!(tool, "{message}"),
            Level::Error => tracing::error!(tool, "{message}"),
        }
        Ok(())
    })?;
    host.func_wrap("http", |mut cx, (req,): (Request,)| {
        Ok((http(cx.data_mut(), req),))
    })?;
    host.func_wrap("read-note", |cx, (path,): (String,)| {
        Ok((read_note(cx.data(), &path),))
    })?;
    host.func_wrap("write-note", |cx, (path, content): (String, String)| {
        Ok((write_note(cx.data(), &path, &content),))
    })?;
    Ok(())
}

/// The HTTP client of sandboxed tools: public addresses only (unless
/// `tools.http_allow_private`), no system proxy, no redirects.
fn http_client(
    allow_private: bool,
    resolve: Option<(&str, std::net::SocketAddr)>,
) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("ironclaw-wasm/", env!("CARGO_PKG_VERSION")))
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none());
    if !allow_private {
        builder = builder.dns_resolver(PublicOnly::new(
            "tools may only reach public addresses (tools.http_allow_private lifts this)",
        ));
    }
    if let Some((name, addr)) = resolve {
        builder = builder.resolve(name, addr);
    }
    builder
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// Waits for `fut` on the engine's runtime, but never past the call's
/// deadline or an interrupt: host calls are bounded like the tool's own
/// code.
fn wait<T>(host: &Host, fut: impl std::future::Future<Output = T>) -> Result<T, String> {
    let remaining = host.deadline.saturating_duration_since(Instant::now());
    let cancel = host.cancel.clone();
    host.handle.block_on(async move {
        tokio::select! {
            r = fut => Ok(r),
            _ = cancel.cancelled() => Err("interrupted by the user".to_string()),
            _ = tokio::time::sleep(remaining) => Err("the call's time limit (limits.timeout_secs) ran out".to_string()),
        }
    })
}

/// At most this many headers, of at most this many bytes each, per request.
const MAX_HEADERS: usize = 64;
const MAX_HEADER_BYTES: usize = 8 * 1024;

fn http(host: &mut Host, req: Request) -> Result<Response, String> {
    let manifest = host.manifest.clone();
    host.requests += 1;
    if host.requests > manifest.http.max_requests {
        return Err(format!(
            "more than {} requests in one call (http.max_requests)",
            manifest.http.max_requests
        ));
    }
    if req.headers.len() > MAX_HEADERS
        || req
            .headers
            .iter()
            .any(|(n, v)| n.len() + v.len() > MAX_HEADER_BYTES)
    {
        return Err(format!(
            "at most {MAX_HEADERS} headers of at most {} KiB each",
            MAX_HEADER_BYTES / 1024
        ));
    }
    let grant = check_request(&manifest, &req.method, &req.url).map_err(|d| d.0)?;
    let egress = host
        .egress
        .clone()
        .ok_or("the network is not available to tools here")?;
    wait(
        host,
        egress.check_outbound(grant.url.as_str(), &req.headers, &req.body),
    )??;
    let mut headers = req.headers;
    // The values added, to withhold any response that hands one back.
    let mut injected: Vec<zeroize::Zeroizing<String>> = Vec::new();
    let mut lookup_error = None;
    let url = grant
        .inject(&mut headers, |name| match wait(host, egress.secret(name)) {
            Ok(Ok(Some(v))) => {
                injected.push(v.clone());
                Some(v)
            }
            Ok(Ok(None)) => None,
            Ok(Err(e)) | Err(e) => {
                lookup_error = Some(e);
                None
            }
        })
        .map_err(|d| match lookup_error.take() {
            Some(e) => format!("{}: the secret store is unavailable: {e}", d.0),
            None => d.0,
        })?;
    let method =
        reqwest::Method::from_bytes(grant.method.as_str().as_bytes()).map_err(|e| e.to_string())?;
    let mut request = host
        .http
        .request(method, url)
        .timeout(HTTP_TIMEOUT)
        // Plain bytes: a compressed echo of a credential would pass the
        // leak scan unread.
        .header("accept-encoding", "identity")
        .body(req.body);
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    let max = usize::try_from(manifest.http.max_response_kib * 1024).unwrap_or(usize::MAX);
    let tool = manifest.name.clone();
    let fetched = wait(host, async move {
        let resp = request
            .send()
            .await
            .map_err(|e| format!("request failed: {}", error_chain(&e.without_url())))?;
        let status = resp.status().as_u16();
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                format!(
                    "reading the response failed: {}",
                    error_chain(&e.without_url())
                )
            })?;
            if body.len() + chunk.len() > max {
                return Err(format!(
                    "the response is larger than {} KiB (http.max_response_kib)",
                    max / 1024
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok::<_, String>((status, headers, body))
    })??;
    let (status, headers, body) = fetched;
    // A response that hands back a credential the host added (a server
    // echoing the request) is withheld whole, text or binary.
    let echoes = |bytes: &[u8]| {
        injected
            .iter()
            .any(|v| !v.is_empty() && bytes.windows(v.len()).any(|w| w == v.as_bytes()))
    };
    if echoes(&body) || headers.iter().any(|(_, v)| echoes(v.as_bytes())) {
        return Err(
            "the response contains a credential the host added to the request; it was withheld"
                .into(),
        );
    }
    let mut out_headers = Vec::with_capacity(headers.len());
    for (name, value) in headers {
        out_headers.push((name, wait(host, egress.scan_leaks(&tool, &value))?));
    }
    // Text is leak-scanned (secrets redacted). Binary is scanned as text
    // too; if a secret shows, the body is withheld, as it cannot be
    // redacted in place.
    let body = match String::from_utf8(body) {
        Ok(text) => wait(host, egress.scan_leaks(&tool, &text))?.into_bytes(),
        Err(e) => {
            let body = e.into_bytes();
            let lossy = String::from_utf8_lossy(&body).into_owned();
            if wait(host, egress.scan_leaks(&tool, &lossy))? != lossy {
                return Err("the binary response contains a secret; it was withheld".into());
            }
            body
        }
    };
    Ok(Response {
        status,
        headers: out_headers,
        body,
    })
}

fn note_path(path: &str) -> Result<String, String> {
    crate::memory::normalize_path(path).map_err(|e| e.to_string())
}

fn read_note(host: &Host, path: &str) -> Result<String, String> {
    let path = note_path(path)?;
    if !host.manifest.may_read(&path) {
        return Err(format!(
            "the manifest does not grant reading {path} (workspace.read)"
        ));
    }
    let workspace = host
        .workspace
        .clone()
        .ok_or("the workspace is not available here")?;
    wait(host, workspace.read(&path))?.map(|(text, _)| text)
}

fn write_note(host: &Host, path: &str, content: &str) -> Result<(), String> {
    let path = note_path(path)?;
    if !host.manifest.may_write(&path) {
        return Err(format!(
            "the manifest does not grant writing {path} (workspace.write)"
        ));
    }
    let workspace = host
        .workspace
        .clone()
        .ok_or("the workspace is not available here")?;
    wait(host, workspace.write(&path, content, false))?.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_and_tables_are_limited_for_the_whole_call() {
        let mut l = Limiter {
            memory_bytes: 4 << 20,
            memory_used: 0,
            table_used: 0,
            refused: false,
        };
        // Two memories of 2 MiB fit; a third byte beyond does not, in
        // either of them.
        assert!(l.memory_growing(0, 2 << 20, None).unwrap());
        assert!(l.memory_growing(0, 2 << 20, None).unwrap());
        assert!(!l.memory_growing(2 << 20, (2 << 20) + 65536, None).unwrap());
        assert!(!l.memory_growing(0, 65536, None).unwrap());
        assert!(l.refused);
        assert!(l.table_growing(0, MAX_TABLE_ELEMENTS / 2, None).unwrap());
        assert!(
            !l.table_growing(0, MAX_TABLE_ELEMENTS / 2 + 1, None)
                .unwrap()
        );
        assert_eq!(
            (l.instances(), l.memories(), l.tables()),
            (MAX_INSTANCES, MAX_MEMORIES, MAX_TABLES)
        );
    }
}
