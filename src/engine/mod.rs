//! The agent engine: threads, turns, tool calls, approvals.
//!
//! The engine is an actor. Frontends connect with [`EngineHandle::connect`],
//! send [`Op`]s and read [`EventMsg`]s; they never touch its state. The actor
//! task handles ops one at a time (so "is this thread busy" needs no lock) and
//! spawns one task per running turn, so threads run in parallel and the actor
//! stays responsive to interrupts and approvals while tools run.
//!
//! The engine is the only owner of the database; it never writes to a
//! terminal.

mod approval;
mod bus;
mod context;
mod egress;
mod guard;
pub mod logs;
mod prompt;
mod turn;
mod vault;
mod workspace;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

use crate::config::{Config, Paths};
use crate::db::Db;
use crate::llm::{FallbackProvider, LlmProvider, ProviderKind, build_provider};
use crate::protocol::{
    ClientId, Event, EventMsg, Op, PROTOCOL_VERSION, SecretValue, ThreadId, ToolInfo,
};
use crate::tools::ToolRegistry;

pub use context::estimate_tokens;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error("tool registry: {0}")]
    Tools(String),
    #[error("memory: {0}")]
    Memory(#[from] crate::memory::MemoryError),
}

/// Where the engine's model provider comes from.
pub enum ProviderSource {
    /// Built by the caller (tests, benchmarks).
    Ready(Arc<dyn LlmProvider>),
    /// Built by the engine from the configuration, with API keys taken from
    /// the config, the environment, or the secret store (in that order).
    FromConfig,
    /// No model: turns fail with a clear error; everything else works.
    None,
}

/// Everything the engine needs, assembled by the caller (CLI, daemon, tests).
pub struct EngineOptions {
    pub config: Config,
    pub paths: Paths,
    pub provider: ProviderSource,
    pub tools: ToolRegistry,
    /// Where file tools and the shell start.
    pub workdir: PathBuf,
    /// The memory's embedding model.
    pub embedder: crate::memory::EmbedderSource,
}

/// State shared by the actor and the turn tasks.
pub(crate) struct Shared {
    pub config: Config,
    pub paths: Paths,
    pub db: Db,
    pub bus: bus::Bus,
    /// Replaced by [`Op::ConfigureProvider`]; turns take a clone at start.
    provider: RwLock<ProviderSlot>,
    pub tools: ToolRegistry,
    pub approvals: approval::Approvals,
    pub safety: Arc<guard::Safety>,
    pub vault: vault::Vault,
    pub memory: Arc<crate::memory::Memory>,
    pub workdir: PathBuf,
    /// Deferred tools revealed per thread through `tool_search`.
    pub revealed: Mutex<HashMap<ThreadId, HashSet<String>>>,
    /// Whether the log forwarder runs (started by the first subscriber).
    logs_forwarding: AtomicBool,
    /// Clients that asked for log records.
    log_subscribers: Arc<Mutex<HashSet<ClientId>>>,
    /// Clients connected now (each [`Client`] counts itself out on drop).
    clients: Arc<std::sync::atomic::AtomicU64>,
    started: std::time::Instant,
}

/// The current provider, or why there is none.
struct ProviderSlot {
    provider: Option<Arc<dyn LlmProvider>>,
    /// Told to the user when a turn needs a provider.
    problem: Option<String>,
}

impl Shared {
    /// The provider for a new model call, or why there is none.
    pub fn provider(&self) -> Result<Arc<dyn LlmProvider>, String> {
        let slot = self.provider.read().unwrap_or_else(|e| e.into_inner());
        match (&slot.provider, &slot.problem) {
            (Some(p), _) => Ok(p.clone()),
            (None, Some(problem)) => Err(problem.clone()),
            (None, None) => Err("no model is configured, so IronClaw cannot answer".into()),
        }
    }

    fn set_provider(&self, provider: Arc<dyn LlmProvider>) {
        let mut slot = self.provider.write().unwrap_or_else(|e| e.into_inner());
        *slot = ProviderSlot {
            provider: Some(provider),
            problem: None,
        };
    }
}

enum Submission {
    Connected(ClientId),
    Op(ClientId, Op),
    TurnDone(ThreadId),
}

/// A cheap, cloneable way to reach a running engine.
#[derive(Clone)]
pub struct EngineHandle {
    shared: Arc<Shared>,
    tx: mpsc::Sender<Submission>,
    next_client: Arc<std::sync::atomic::AtomicU64>,
    done: CancellationToken,
}

/// One connected frontend.
pub struct Client {
    pub id: ClientId,
    tx: mpsc::Sender<Submission>,
    rx: broadcast::Receiver<EventMsg>,
    count: Arc<std::sync::atomic::AtomicU64>,
    log_subscribers: Arc<Mutex<HashSet<ClientId>>>,
}

impl Drop for Client {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::Relaxed);
        self.log_subscribers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.id);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("the engine has stopped")]
    Closed,
    /// The client fell this many events behind; it should re-snapshot.
    #[error("missed {0} events; request a snapshot to resynchronise")]
    Lagged(u64),
}

/// Sends ops on behalf of a [`Client`] from another task (the daemon reads
/// a socket in one task and writes events in another).
#[derive(Clone)]
pub struct OpSender {
    id: ClientId,
    tx: mpsc::Sender<Submission>,
}

impl OpSender {
    pub async fn send(&self, op: Op) -> Result<(), ClientError> {
        self.tx
            .send(Submission::Op(self.id, op))
            .await
            .map_err(|_| ClientError::Closed)
    }
}

impl Client {
    pub fn sender(&self) -> OpSender {
        OpSender {
            id: self.id,
            tx: self.tx.clone(),
        }
    }

    pub async fn send(&self, op: Op) -> Result<(), ClientError> {
        self.tx
            .send(Submission::Op(self.id, op))
            .await
            .map_err(|_| ClientError::Closed)
    }

    /// The next event for this client (broadcasts and replies to it).
    pub async fn recv(&mut self) -> Result<EventMsg, ClientError> {
        loop {
            match self.rx.recv().await {
                Ok(msg) if msg.to.is_none() || msg.to == Some(self.id) => return Ok(msg),
                Ok(_) => continue,
                Err(broadcast::error::RecvError::Lagged(n)) => return Err(ClientError::Lagged(n)),
                Err(broadcast::error::RecvError::Closed) => return Err(ClientError::Closed),
            }
        }
    }
}

impl EngineHandle {
    /// Opens the database and starts the engine task.
    pub async fn start(opts: EngineOptions) -> Result<EngineHandle, EngineError> {
        opts.paths
            .ensure_home()
            .map_err(|e| crate::db::DbError::Open {
                path: opts.paths.home.display().to_string(),
                message: e.to_string(),
            })?;
        let db = Db::open(&opts.paths.database()).await?;
        let safety = Arc::new(guard::Safety::new(opts.config.safety.clone()));
        let vault = vault::Vault::new(db.clone());
        if let Err(e) = vault.refresh_known(&safety).await {
            tracing::warn!(error = %e, "stored secrets are not readable; leak scanning uses patterns only");
        }
        let memory = crate::memory::Memory::open(
            db.clone(),
            &opts.paths,
            opts.config.memory.clone(),
            opts.embedder,
        )
        .await?;
        let (provider, provider_problem) = match opts.provider {
            ProviderSource::Ready(p) => (Some(p), None),
            ProviderSource::None => (None, None),
            ProviderSource::FromConfig => match provider_from_config(&opts.config, &vault).await {
                Ok(p) => (Some(p), None),
                Err(problem) => (None, Some(problem)),
            },
        };
        let shared = Arc::new(Shared {
            config: opts.config,
            paths: opts.paths,
            db,
            bus: bus::Bus::new(),
            provider: RwLock::new(ProviderSlot {
                provider,
                problem: provider_problem,
            }),
            tools: opts.tools,
            approvals: approval::Approvals::default(),
            safety,
            vault,
            memory,
            workdir: opts.workdir,
            revealed: Mutex::new(HashMap::new()),
            logs_forwarding: AtomicBool::new(false),
            log_subscribers: Arc::new(Mutex::new(HashSet::new())),
            clients: Arc::new(std::sync::atomic::AtomicU64::new(0)),
            started: std::time::Instant::now(),
        });
        workspace::start_status_broadcasts(&shared);
        let (tx, rx) = mpsc::channel(256);
        let done = CancellationToken::new();
        let actor = Actor {
            shared: shared.clone(),
            tx: tx.clone(),
            running: HashMap::new(),
        };
        let done2 = done.clone();
        tokio::spawn(async move {
            actor.run(rx).await;
            done2.cancel();
        });
        Ok(EngineHandle {
            shared,
            tx,
            next_client: Arc::new(std::sync::atomic::AtomicU64::new(1)),
            done,
        })
    }

    /// Connects a frontend. Its first event is [`Event::Hello`].
    pub async fn connect(&self) -> Client {
        let id = self
            .next_client
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let rx = self.shared.bus.subscribe();
        // If the engine already stopped the client sees Closed on recv.
        let _ = self.tx.send(Submission::Connected(id)).await;
        self.shared.clients.fetch_add(1, Ordering::Relaxed);
        Client {
            id,
            tx: self.tx.clone(),
            rx,
            count: self.shared.clients.clone(),
            log_subscribers: self.shared.log_subscribers.clone(),
        }
    }

    /// Resolves when the engine has shut down.
    pub async fn stopped(&self) {
        self.done.cancelled().await
    }
}

struct RunningTurn {
    cancel: CancellationToken,
}

struct Actor {
    shared: Arc<Shared>,
    tx: mpsc::Sender<Submission>,
    running: HashMap<ThreadId, RunningTurn>,
}

impl Actor {
    async fn run(mut self, mut rx: mpsc::Receiver<Submission>) {
        while let Some(sub) = rx.recv().await {
            match sub {
                Submission::Connected(client) => self.hello(client).await,
                Submission::TurnDone(thread) => {
                    self.running.remove(&thread);
                }
                Submission::Op(_, Op::Shutdown) => break,
                Submission::Op(client, op) => self.handle(client, op).await,
            }
        }
        self.shutdown(&mut rx).await;
    }

    async fn hello(&self, client: ClientId) {
        let (provider, model) = match self.shared.provider() {
            Ok(p) => (p.name().to_string(), p.model().to_string()),
            Err(_) => (String::new(), String::new()),
        };
        self.shared
            .bus
            .reply(
                client,
                Event::Hello {
                    protocol_version: PROTOCOL_VERSION,
                    engine_version: env!("CARGO_PKG_VERSION").to_string(),
                    provider,
                    model,
                    context_window: self.shared.config.agent.context_window_tokens,
                },
            )
            .await;
    }

    async fn error_to(
        &self,
        client: ClientId,
        thread_id: Option<&str>,
        kind: &str,
        message: String,
    ) {
        self.shared
            .bus
            .reply(
                client,
                Event::Error {
                    thread_id: thread_id.map(str::to_string),
                    turn_id: None,
                    kind: kind.into(),
                    message,
                    hint: None,
                },
            )
            .await;
    }

    async fn handle(&mut self, client: ClientId, op: Op) {
        let result = match op {
            Op::UserMessage {
                thread_id,
                text,
                approvals,
            } => {
                if self.running.contains_key(&thread_id) {
                    self.error_to(
                        client,
                        Some(&thread_id),
                        "thread_busy",
                        "a turn is already running in this thread; wait for it or interrupt it"
                            .into(),
                    )
                    .await;
                    return;
                }
                if text.trim().is_empty() {
                    self.error_to(
                        client,
                        Some(&thread_id),
                        "empty_message",
                        "the message is empty".into(),
                    )
                    .await;
                    return;
                }
                match self.ensure_thread(&thread_id, &text).await {
                    Ok(()) => {
                        let cancel = CancellationToken::new();
                        self.running.insert(
                            thread_id.clone(),
                            RunningTurn {
                                cancel: cancel.clone(),
                            },
                        );
                        let shared = self.shared.clone();
                        let tx = self.tx.clone();
                        tokio::spawn(async move {
                            turn::run(shared, thread_id.clone(), text, approvals, cancel).await;
                            let _ = tx.send(Submission::TurnDone(thread_id)).await;
                        });
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            Op::Approve { call_id, decision } => {
                if !self.shared.approvals.resolve(&call_id, decision) {
                    self.error_to(
                        client,
                        None,
                        "no_such_approval",
                        format!("no approval request `{call_id}` is waiting (already answered or its turn ended)"),
                    )
                    .await;
                }
                Ok(())
            }
            Op::Interrupt { thread_id } => {
                match self.running.get(&thread_id) {
                    Some(turn) => turn.cancel.cancel(),
                    None => {
                        self.error_to(
                            client,
                            Some(&thread_id),
                            "not_running",
                            "no turn is running in this thread".into(),
                        )
                        .await
                    }
                }
                Ok(())
            }
            Op::NewThread { thread_id, title } => {
                let id = thread_id.unwrap_or_else(new_id);
                let mut bus = self.shared.bus.lock().await;
                match self
                    .shared
                    .db
                    .create_thread(&id, title.as_deref().unwrap_or(""))
                    .await
                {
                    Ok(thread) => {
                        bus.emit(Event::ThreadCreated { thread });
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            Op::ListThreads => match self.shared.db.list_threads(500).await {
                Ok(threads) => {
                    self.shared
                        .bus
                        .reply(client, Event::Threads { threads })
                        .await;
                    Ok(())
                }
                Err(e) => Err(e),
            },
            Op::Snapshot { thread_id } => self.snapshot(client, &thread_id).await,
            Op::Compact { thread_id } => {
                if self.running.contains_key(&thread_id) {
                    self.error_to(
                        client,
                        Some(&thread_id),
                        "thread_busy",
                        "cannot compact while a turn runs".into(),
                    )
                    .await;
                } else {
                    let shared = self.shared.clone();
                    tokio::spawn(async move { context::compact_now(&shared, &thread_id).await });
                }
                Ok(())
            }
            Op::SecretSet { name, value } => {
                let value = zeroize::Zeroizing::new(value.0.clone());
                let result = self.shared.vault.set(&name, value).await;
                self.secrets_reply(client, result.map(|()| format!("stored secret `{name}`")))
                    .await;
                Ok(())
            }
            Op::SecretRemove { name } => {
                let result = match self.shared.vault.remove(&name).await {
                    Ok(true) => Ok(format!("removed secret `{name}`")),
                    Ok(false) => Err(format!(
                        "no secret named `{name}`; `ironclaw secrets list` shows them"
                    )),
                    Err(e) => Err(e),
                };
                self.secrets_reply(client, result).await;
                Ok(())
            }
            Op::RotateMasterKey => {
                let result = self
                    .shared
                    .vault
                    .rotate()
                    .await
                    .map(|n| format!("re-encrypted {n} secret(s) under a new master key"));
                self.secrets_reply(client, result).await;
                Ok(())
            }
            Op::SecretList => {
                match self.shared.vault.list().await {
                    Ok(secrets) => {
                        let backend = vault::Vault::backend_description();
                        self.shared
                            .bus
                            .reply(client, Event::Secrets { secrets, backend })
                            .await
                    }
                    Err(e) => self.error_to(client, None, "secrets", e).await,
                }
                Ok(())
            }
            Op::CheckProvider => {
                let shared = self.shared.clone();
                tokio::spawn(async move { check_provider(&shared, client).await });
                Ok(())
            }
            Op::ConfigureProvider {
                provider,
                base_url,
                model,
                api_key,
            } => {
                let shared = self.shared.clone();
                tokio::spawn(async move {
                    let choice = ProviderChoice {
                        provider,
                        base_url,
                        model,
                        api_key,
                    };
                    if let Err(message) = configure_provider(&shared, client, choice).await {
                        let hint = "check the provider, URL and model; `ironclaw doctor` shows the configuration";
                        let event = Event::error("provider_config", message, Some(hint));
                        shared.bus.reply(client, event).await;
                    }
                });
                Ok(())
            }
            Op::Status => {
                let event = Event::Status {
                    pid: std::process::id(),
                    engine_version: env!("CARGO_PKG_VERSION").to_string(),
                    uptime_secs: self.shared.started.elapsed().as_secs(),
                    clients: self.shared.clients.load(Ordering::Relaxed),
                    running_turns: self.running.len() as u64,
                };
                self.shared.bus.reply(client, event).await;
                Ok(())
            }
            Op::ListTools => {
                let tools = self.tool_infos();
                self.shared.bus.reply(client, Event::Tools { tools }).await;
                Ok(())
            }
            Op::SubscribeLogs => {
                self.shared
                    .log_subscribers
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(client);
                let records = logs::hub().backlog();
                self.shared.bus.reply(client, Event::Log { records }).await;
                self.start_log_forwarder();
                Ok(())
            }
            op @ (Op::MemoryTree { .. }
            | Op::MemoryRead { .. }
            | Op::MemoryWrite { .. }
            | Op::MemoryDelete { .. }
            | Op::MemoryMove { .. }
            | Op::MemoryHistory { .. }
            | Op::MemorySearch { .. }
            | Op::MemoryReindex
            | Op::MemoryStatus) => {
                workspace::handle(&self.shared, client, op).await;
                Ok(())
            }
            Op::Shutdown => Ok(()),
        };
        if let Err(e) = result {
            tracing::error!(error = %e, "engine operation failed");
            self.error_to(client, None, "database", e.to_string()).await;
        }
    }

    fn tool_infos(&self) -> Vec<ToolInfo> {
        let mut tools: Vec<ToolInfo> = self
            .shared
            .tools
            .names()
            .into_iter()
            .filter_map(|name| self.shared.tools.get(&name))
            .map(|tool| ToolInfo {
                name: tool.name().to_string(),
                description: tool.description().to_string(),
                risk: tool.risk(&serde_json::Value::Object(Default::default())),
                source: tool.source().to_string(),
                core: tool.core(),
            })
            .collect();
        tools.sort_by(|a, b| a.name.cmp(&b.name));
        tools
    }

    /// Forwards log records to subscribed clients, batched. Started once.
    fn start_log_forwarder(&self) {
        if self.shared.logs_forwarding.swap(true, Ordering::SeqCst) {
            return;
        }
        let shared = self.shared.clone();
        let mut rx = logs::hub().subscribe();
        tokio::spawn(async move {
            while let Some(records) = logs::next_batch(&mut rx).await {
                let subscribers: Vec<ClientId> = shared
                    .log_subscribers
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .iter()
                    .copied()
                    .collect();
                for client in subscribers {
                    shared
                        .bus
                        .reply(
                            client,
                            Event::Log {
                                records: records.clone(),
                            },
                        )
                        .await;
                }
            }
        });
    }

    /// Answers a secret op and refreshes the values the safety layer scans for.
    async fn secrets_reply(&self, client: ClientId, result: Result<String, String>) {
        match result {
            Ok(message) => {
                if let Err(e) = self.shared.vault.refresh_known(&self.shared.safety).await {
                    tracing::warn!(error = %e, "could not reload secrets for leak scanning");
                }
                self.shared
                    .bus
                    .reply(client, Event::SecretsUpdated { message })
                    .await
            }
            Err(e) => self.error_to(client, None, "secrets", e).await,
        }
    }

    async fn ensure_thread(
        &self,
        thread_id: &str,
        first_text: &str,
    ) -> Result<(), crate::db::DbError> {
        if self.shared.db.thread(thread_id).await?.is_some() {
            return Ok(());
        }
        let title: String = first_text.split_whitespace().collect::<Vec<_>>().join(" ");
        let title: String = title.chars().take(60).collect();
        let mut bus = self.shared.bus.lock().await;
        let thread = self.shared.db.create_thread(thread_id, &title).await?;
        bus.emit(Event::ThreadCreated { thread });
        Ok(())
    }

    async fn snapshot(&self, client: ClientId, thread_id: &str) -> Result<(), crate::db::DbError> {
        // Read under the bus lock: the snapshot reflects exactly the events
        // numbered up to the seq it is stamped with.
        let mut bus = self.shared.bus.lock().await;
        let Some(thread) = self.shared.db.thread(thread_id).await? else {
            drop(bus);
            self.error_to(
                client,
                Some(thread_id),
                "no_such_thread",
                crate::db::DbError::NoSuchThread(thread_id.to_string()).to_string(),
            )
            .await;
            return Ok(());
        };
        let messages = self.shared.db.messages(thread_id).await?;
        let in_flight = bus.in_flight(thread_id);
        bus.reply(
            client,
            Event::Snapshot {
                thread,
                messages,
                in_flight,
            },
        );
        Ok(())
    }

    async fn shutdown(&mut self, rx: &mut mpsc::Receiver<Submission>) {
        for turn in self.running.values() {
            turn.cancel.cancel();
        }
        // Interrupted turns record their partial state; give them a moment.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while !self.running.is_empty() {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(Submission::TurnDone(t))) => {
                    self.running.remove(&t);
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        self.shared.memory.shutdown();
        self.shared.bus.emit(Event::ShuttingDown).await;
    }
}

/// Builds the configured provider chain. A missing API key is looked up in
/// the secret store under [`api_key_secret_name`].
async fn provider_from_config(
    config: &Config,
    vault: &vault::Vault,
) -> Result<Arc<dyn LlmProvider>, String> {
    let mut chain = config.provider_chain().map_err(|e| e.to_string())?;
    for cfg in &mut chain {
        if cfg.api_key.is_none() {
            let name = api_key_secret_name(cfg.kind, &cfg.base_url);
            let name = name.as_str();
            match vault.get(name).await {
                Ok(Some(key)) => cfg.api_key = Some(key.to_string()),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "could not read {name} from the secret store"),
            }
        }
    }
    let mut providers = Vec::with_capacity(chain.len());
    for cfg in &chain {
        providers.push(build_provider(cfg).map_err(|e| format!("{e} ({})", e.hint()))?);
    }
    Ok(if providers.len() == 1 {
        providers.remove(0)
    } else {
        Arc::new(FallbackProvider::new(providers))
    })
}

/// `Op::CheckProvider`: one tiny request, timed, reported to the client.
async fn check_provider(shared: &Shared, client: ClientId) {
    use futures::StreamExt;
    let event = match shared.provider() {
        Err(problem) => Event::ProviderStatus {
            ok: false,
            latency_ms: 0,
            message: problem,
            hint: Some(turn::NO_MODEL_HINT.into()),
        },
        Ok(provider) => {
            let started = std::time::Instant::now();
            let request = crate::llm::ChatRequest {
                system: "Reply with the single word: ok".into(),
                messages: vec![crate::llm::ChatMessage::User {
                    content: "ping".into(),
                }],
                max_tokens: Some(8),
                ..Default::default()
            };
            let result = async {
                let mut stream = provider.stream(request).await?;
                while let Some(item) = stream.next().await {
                    item?;
                }
                Ok::<_, crate::llm::LlmError>(())
            }
            .await;
            let latency_ms = started.elapsed().as_millis() as u64;
            match result {
                Ok(()) => Event::ProviderStatus {
                    ok: true,
                    latency_ms,
                    message: format!("{} · {} answered", provider.name(), provider.model()),
                    hint: None,
                },
                Err(e) => Event::ProviderStatus {
                    ok: false,
                    latency_ms,
                    message: e.to_string(),
                    hint: Some(e.hint()),
                },
            }
        }
    };
    shared.bus.reply(client, event).await;
}

/// The secret-store name of a provider's API key: `OPENAI_API_KEY` /
/// `ANTHROPIC_API_KEY` for the vendor's own endpoint, and a name tied to
/// the server otherwise (`LLM_API_KEY_10_0_0_5_8080`), so a key stored for
/// one server is never sent to another.
pub fn api_key_secret_name(kind: ProviderKind, base_url: &str) -> String {
    let host = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let official = match kind {
        ProviderKind::OpenAi => "api.openai.com",
        ProviderKind::Anthropic => "api.anthropic.com",
    };
    if host.is_empty() || host == official {
        return match kind {
            ProviderKind::OpenAi => "OPENAI_API_KEY".into(),
            ProviderKind::Anthropic => "ANTHROPIC_API_KEY".into(),
        };
    }
    let server: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("LLM_API_KEY_{server}")
}

/// What [`Op::ConfigureProvider`] asks for.
struct ProviderChoice {
    provider: String,
    base_url: String,
    model: String,
    api_key: Option<SecretValue>,
}

/// Validates the choice, builds the provider, then persists it: the API key
/// in the secret store (or, when the store is unavailable, in `config.toml`
/// with a warning), the rest in `config.toml`. Nothing is written unless the
/// provider could be built.
async fn configure_provider(
    shared: &Shared,
    client: ClientId,
    choice: ProviderChoice,
) -> Result<(), String> {
    let kind: ProviderKind = choice.provider.parse().map_err(|e| format!("{e}"))?;
    let model = choice.model.trim().to_string();
    if model.is_empty() {
        return Err("choose a model name".into());
    }
    let base_url = choice.base_url.trim().to_string();
    let key_name = api_key_secret_name(kind, &base_url);
    let api_key = choice
        .api_key
        .as_ref()
        .map(|k| k.0.trim().to_string())
        .filter(|k| !k.is_empty());

    let mut config = shared.config.clone();
    config.llm.provider = kind.to_string();
    config.llm.base_url = base_url.clone();
    config.llm.model = model.clone();
    config.llm.fallback.clear();
    config.llm.api_key = api_key.clone().unwrap_or_default();
    let provider = provider_from_config(&config, &shared.vault).await?;

    let paths = &shared.paths;
    let write = |key: &str, value: &str| {
        crate::config::set_key(paths, key, value).map_err(|e| format!("cannot save {key}: {e}"))
    };
    if let Some(key) = api_key {
        match shared
            .vault
            .set(&key_name, zeroize::Zeroizing::new(key.clone()))
            .await
        {
            Ok(()) => {
                write("llm.api_key", "")?;
                if let Err(e) = shared.vault.refresh_known(&shared.safety).await {
                    tracing::warn!(error = %e, "could not reload secrets for leak scanning");
                }
            }
            Err(e) => {
                write("llm.api_key", &key)?;
                shared
                    .bus
                    .reply(
                        client,
                        Event::Warning {
                            thread_id: None,
                            kind: "api_key_in_config".into(),
                            message: format!(
                                "the secret store is unavailable ({e}), so the API key was saved in config.toml (readable only by you, mode 0600); set IRONCLAW_MASTER_KEY or start a keyring, then move it with `ironclaw secrets set {key_name}` and `ironclaw config set llm.api_key \"\"`"
                            ),
                        },
                    )
                    .await;
            }
        }
    }
    write("llm.provider", &kind.to_string())?;
    write("llm.base_url", &base_url)?;
    write("llm.model", &model)?;
    tracing::info!(provider = %kind, model = %model, "provider configured");
    let (name, model) = (provider.name().to_string(), provider.model().to_string());
    shared.set_provider(provider);
    shared
        .bus
        .emit(Event::ProviderChanged {
            provider: name,
            model,
        })
        .await;
    Ok(())
}

/// A new time-ordered id (UUID v7).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_are_named_per_server() {
        use ProviderKind::{Anthropic, OpenAi};
        assert_eq!(api_key_secret_name(OpenAi, ""), "OPENAI_API_KEY");
        assert_eq!(
            api_key_secret_name(OpenAi, "https://api.openai.com/v1"),
            "OPENAI_API_KEY"
        );
        assert_eq!(api_key_secret_name(Anthropic, ""), "ANTHROPIC_API_KEY");
        assert_eq!(
            api_key_secret_name(OpenAi, "http://10.0.0.5:8080/v1"),
            "LLM_API_KEY_10_0_0_5_8080"
        );
        // The OpenAI key is not offered to another vendor's host.
        assert_eq!(
            api_key_secret_name(OpenAi, "https://openrouter.ai/api/v1"),
            "LLM_API_KEY_OPENROUTER_AI"
        );
    }
}
