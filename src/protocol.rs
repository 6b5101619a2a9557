//! The one protocol between frontends and the engine.
//!
//! Frontends (the one-shot CLI, the TUI, attach clients, gateways) send
//! [`Op`]s and receive [`EventMsg`]s; they never call engine internals. In
//! process the transport is a channel; to a daemon it is the same values as
//! JSON frames over a Unix socket, so attaching is only a transport swap.
//!
//! Ordering: every broadcast event carries a sequence number `seq` that
//! grows by one per event. A client that joins late subscribes first, then
//! sends [`Op::Snapshot`]; the [`Event::Snapshot`] it receives states the
//! `seq` it reflects, so the client drops live events with `seq <=` that
//! number and applies the rest: no gaps, no duplicates.
//!
//! Compatibility: [`PROTOCOL_VERSION`] changes whenever a change here would
//! make an older peer misread a frame. Adding an optional field is not such
//! a change.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::safety::Finding;
use crate::tools::Risk;

/// Bumped on incompatible changes to [`Op`] or [`Event`].
pub const PROTOCOL_VERSION: u32 = 2;

pub type ThreadId = String;
pub type TurnId = String;
pub type CallId = String;
/// Identifies one connected frontend; replies meant for one client carry it.
pub type ClientId = u64;

/// A request from a frontend to the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// Start a turn in `thread_id` (created when it does not exist yet).
    UserMessage {
        thread_id: ThreadId,
        text: String,
        /// Approval handling for this turn.
        #[serde(default)]
        approvals: ApprovalMode,
    },
    /// Answer an [`Event::ApprovalRequested`].
    Approve {
        call_id: CallId,
        decision: ApprovalDecision,
    },
    /// Cancel the running turn of a thread (streaming call or tools).
    Interrupt {
        thread_id: ThreadId,
    },
    /// Create a thread. Clients choose the id (a UUID) so no reply needs
    /// correlating; `None` lets the engine pick one.
    NewThread {
        #[serde(default)]
        thread_id: Option<ThreadId>,
        #[serde(default)]
        title: Option<String>,
    },
    /// Ask for [`Event::Threads`].
    ListThreads,
    /// Ask for an [`Event::Snapshot`] of a thread, sent to this client only.
    Snapshot {
        thread_id: ThreadId,
    },
    /// Summarise older turns of a thread now.
    Compact {
        thread_id: ThreadId,
    },
    /// Store (or replace) a secret. The value travels only in this op and is
    /// never echoed in any event.
    SecretSet {
        name: String,
        value: SecretValue,
    },
    /// Ask for [`Event::Secrets`] (names and metadata only).
    SecretList,
    SecretRemove {
        name: String,
    },
    /// Re-encrypt every secret under a new master key.
    RotateMasterKey,
    /// Send the provider one tiny request; replies [`Event::ProviderStatus`].
    CheckProvider,
    /// Choose the model provider (onboarding, `/model`): the engine writes
    /// `llm.provider`, `llm.base_url` and `llm.model` to `config.toml`,
    /// stores the API key in the secret store (never in an event), switches
    /// to the new provider and broadcasts [`Event::ProviderChanged`].
    ConfigureProvider {
        provider: String,
        #[serde(default)]
        base_url: String,
        model: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        api_key: Option<SecretValue>,
    },
    /// Ask for [`Event::Tools`]: the tools the model may use.
    ListTools,
    /// Start receiving [`Event::Log`] (the recent backlog first, to this
    /// client only, then live records as they are written).
    SubscribeLogs,
    /// Ask for [`Event::Status`]: the engine process and its clients.
    Status,
    /// Ask for [`Event::MemoryTree`]: every document (under `prefix`).
    MemoryTree {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        prefix: Option<String>,
    },
    /// Ask for [`Event::MemoryDocument`]: the current text, or an older
    /// `version`.
    MemoryRead {
        path: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        version: Option<u64>,
    },
    /// Write (or append to) a document; a new version is kept every time.
    /// With `expected_version`, the write is refused when the document has
    /// changed since (an editor saving over someone else's write).
    /// Broadcasts [`Event::MemoryChanged`].
    MemoryWrite {
        path: String,
        content: String,
        #[serde(default)]
        mode: WriteMode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_version: Option<u64>,
    },
    MemoryDelete {
        path: String,
    },
    MemoryMove {
        from: String,
        to: String,
    },
    /// Ask for [`Event::MemoryHistory`]: the versions of a document.
    MemoryHistory {
        path: String,
    },
    /// Hybrid search; replies [`Event::MemorySearchResults`].
    MemorySearch {
        query: String,
        #[serde(default = "default_search_limit")]
        limit: u32,
    },
    /// Rebuild both search indexes from the database.
    MemoryReindex,
    /// Ask for [`Event::MemoryStatus`].
    MemoryStatus,
    /// Stop the engine (finishes by interrupting running turns).
    Shutdown,
}

fn default_search_limit() -> u32 {
    10
}

/// How [`Op::MemoryWrite`] treats an existing document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteMode {
    #[default]
    Replace,
    /// Add to the end (on a new line), creating the document if needed.
    Append,
}

/// The first frame a client sends over a socket, before any [`Op`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientHello {
    pub protocol_version: u32,
    /// What connects: `tui`, `oneshot`, `cli`, …, for logs and status.
    pub client: String,
}

/// A secret value in transit. Its `Debug` never shows the value, and the
/// memory is zeroed when it is dropped.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretValue(pub String);

impl std::fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretValue(<redacted>)")
    }
}

impl Drop for SecretValue {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

/// Who may answer approval requests for a turn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalMode {
    /// A human is watching: ask.
    #[default]
    Interactive,
    /// A human is watching, and low/medium-risk calls are pre-approved.
    InteractiveAutoApprove,
    /// Nobody can answer: deny anything that needs approval.
    Unattended,
    /// Nobody can answer; low/medium-risk calls are pre-approved, the rest denied.
    UnattendedAutoApprove,
}

impl ApprovalMode {
    pub fn auto_approves(self) -> bool {
        matches!(
            self,
            Self::InteractiveAutoApprove | Self::UnattendedAutoApprove
        )
    }
    pub fn has_human(self) -> bool {
        matches!(self, Self::Interactive | Self::InteractiveAutoApprove)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalDecision {
    /// Run this call.
    Once,
    /// Run this call and later calls of the same tool in this thread
    /// (never extends to high-risk calls).
    Session,
    Deny,
}

/// An engine event, stamped for ordering and addressing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventMsg {
    /// Position in the engine's broadcast stream. Replies addressed to one
    /// client repeat the `seq` of the last broadcast event they reflect.
    pub seq: u64,
    /// `Some` when the event answers one client; others ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<ClientId>,
    #[serde(flatten)]
    pub event: Event,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The first event a client receives.
    Hello {
        protocol_version: u32,
        engine_version: String,
        provider: String,
        model: String,
        /// The model's context window in tokens (for context pressure).
        #[serde(default)]
        context_window: u64,
    },
    ThreadCreated {
        thread: ThreadInfo,
    },
    Threads {
        threads: Vec<ThreadInfo>,
    },
    Snapshot {
        thread: ThreadInfo,
        messages: Vec<MessageView>,
        /// The turn still running in this thread, as streamed so far.
        in_flight: Option<InFlightTurn>,
    },
    TurnStarted {
        thread_id: ThreadId,
        turn_id: TurnId,
        user_text: String,
    },
    TextDelta {
        thread_id: ThreadId,
        turn_id: TurnId,
        delta: String,
    },
    ToolCallStarted {
        thread_id: ThreadId,
        turn_id: TurnId,
        call_id: CallId,
        tool: String,
        arguments: Value,
        risk: Risk,
    },
    ApprovalRequested {
        thread_id: ThreadId,
        turn_id: TurnId,
        call_id: CallId,
        tool: String,
        arguments: Value,
        /// Human one-liner of the concrete call (e.g. the shell command).
        summary: String,
        risk: Risk,
        /// Whether "approve for session" may be offered.
        session_allowed: bool,
    },
    ApprovalResolved {
        thread_id: ThreadId,
        call_id: CallId,
        decision: ApprovalDecision,
        /// Why, when the engine decided without asking (policy, unattended).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    ToolCallFinished {
        thread_id: ThreadId,
        turn_id: TurnId,
        call_id: CallId,
        tool: String,
        status: ToolStatus,
        /// The tool's output (capped, secrets redacted) for display.
        output: String,
        duration_ms: u64,
        /// What the safety layer found in the call or its output.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        findings: Vec<Finding>,
    },
    TurnFinished {
        thread_id: ThreadId,
        turn_id: TurnId,
        outcome: TurnOutcome,
        usage: TokenUsage,
        /// Estimated tokens of the context sent on the last model call.
        context_tokens: u64,
    },
    /// Older turns were summarised into the model's context.
    Compacted {
        thread_id: ThreadId,
        summarized_messages: u64,
    },
    Error {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thread_id: Option<ThreadId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        turn_id: Option<TurnId>,
        /// Stable snake_case id: `auth`, `rate_limited`, `thread_busy`, …
        kind: String,
        message: String,
        /// What the user can do about it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hint: Option<String>,
    },
    /// Something the user should know that is not an error, e.g. a key
    /// pasted into a message.
    Warning {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thread_id: Option<ThreadId>,
        kind: String,
        message: String,
    },
    /// Reply to [`Op::SecretList`].
    Secrets {
        secrets: Vec<SecretInfo>,
        backend: String,
    },
    /// Reply to a secret op that changed something.
    SecretsUpdated {
        message: String,
    },
    /// The engine switched to another provider or model.
    ProviderChanged {
        provider: String,
        model: String,
    },
    /// Reply to [`Op::ListTools`].
    Tools {
        tools: Vec<ToolInfo>,
    },
    /// Log records written by the engine process, oldest first. Sent only
    /// after [`Op::SubscribeLogs`].
    Log {
        records: Vec<LogRecord>,
    },
    /// Reply to [`Op::Status`].
    Status {
        pid: u32,
        engine_version: String,
        uptime_secs: u64,
        /// Connected clients, this one included.
        clients: u64,
        /// Threads with a turn running.
        running_turns: u64,
    },
    /// Reply to [`Op::CheckProvider`].
    ProviderStatus {
        ok: bool,
        latency_ms: u64,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hint: Option<String>,
    },
    /// Reply to [`Op::MemoryTree`].
    MemoryTree {
        entries: Vec<MemoryEntry>,
    },
    /// Reply to [`Op::MemoryRead`].
    MemoryDocument {
        document: MemoryDocument,
    },
    /// A document was written, deleted or moved (by anyone).
    MemoryChanged {
        path: String,
        change: MemoryChange,
        /// The version now current (0 after a delete).
        version: u64,
    },
    /// Reply to [`Op::MemoryHistory`].
    MemoryHistory {
        path: String,
        versions: Vec<MemoryVersion>,
    },
    /// Reply to [`Op::MemorySearch`].
    MemorySearchResults {
        query: String,
        hits: Vec<MemoryHit>,
        /// What did not take part (no model, index rebuilding, …).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        notices: Vec<String>,
        took_ms: u64,
    },
    /// Reply to [`Op::MemoryStatus`], and broadcast while indexing runs.
    MemoryStatus {
        status: MemoryStatus,
    },
    ShuttingDown,
}

/// A document in the memory workspace, without its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryEntry {
    pub path: String,
    pub version: u64,
    /// Characters.
    pub chars: u64,
    /// Unix milliseconds.
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryDocument {
    pub path: String,
    pub content: String,
    pub version: u64,
    /// The newest version (differs from `version` when an old one was read).
    pub latest_version: u64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryVersion {
    pub version: u64,
    /// The path the document had then.
    pub path: String,
    /// `user`, `agent`, `import` or `seed`.
    pub author: String,
    pub chars: u64,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MemoryChange {
    Written,
    Deleted,
    /// Moved here from `from`.
    Moved {
        from: String,
    },
}

/// One search result: a document, ranked by Reciprocal Rank Fusion of its
/// full-text and vector ranks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryHit {
    pub path: String,
    pub score: f64,
    /// 1-based rank in the full-text (BM25) list, if it was there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulltext_rank: Option<u32>,
    /// 1-based rank in the vector list, if it was there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector_rank: Option<u32>,
    /// A short excerpt of the best-matching chunk.
    pub snippet: String,
}

/// The workspace and its indexes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryStatus {
    pub documents: u64,
    pub chunks: u64,
    /// Chunks with a vector from the current model.
    pub embedded_chunks: u64,
    /// Documents whose newest version is not indexed yet.
    pub pending_documents: u64,
    /// Full-text index: `ready`, `rebuilding` or an error.
    pub fulltext: String,
    /// Embedding model: `ready`, `loading`, `missing`, `disabled` or an error.
    pub model_state: String,
    /// What to do about the model, when it is not ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_hint: Option<String>,
    /// e.g. `all-MiniLM-L6-v2 (384 dims)`.
    pub model: String,
    /// Bytes on disk of the full-text index.
    pub index_bytes: u64,
    /// Whether the indexer is working now.
    pub indexing: bool,
}

/// A tool the model may call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub description: String,
    pub risk: Risk,
    /// Where it comes from: `builtin`, or `wasm` (an installed WebAssembly tool).
    pub source: String,
    /// Offered on every model call; others are found through `tool_search`.
    pub core: bool,
}

/// One log record from the engine process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRecord {
    /// Unix milliseconds.
    pub ts: i64,
    /// `ERROR`, `WARN`, `INFO`, `DEBUG` or `TRACE`.
    pub level: String,
    pub target: String,
    /// The message with its fields, as one line.
    pub message: String,
}

/// A stored secret's metadata; never its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretInfo {
    pub name: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Event {
    /// An error about no thread in particular, with an optional fix.
    pub fn error(kind: &str, message: impl Into<String>, hint: Option<&str>) -> Event {
        Event::Error {
            thread_id: None,
            turn_id: None,
            kind: kind.into(),
            message: message.into(),
            hint: hint.map(str::to_string),
        }
    }

    /// The request an [`Event::ApprovalRequested`] makes, as a snapshot
    /// lists it.
    pub fn pending_approval(&self) -> Option<PendingApproval> {
        match self {
            Event::ApprovalRequested {
                call_id,
                tool,
                arguments,
                summary,
                risk,
                session_allowed,
                ..
            } => Some(PendingApproval {
                call_id: call_id.clone(),
                tool: tool.clone(),
                arguments: arguments.clone(),
                summary: summary.clone(),
                risk: *risk,
                session_allowed: *session_allowed,
            }),
            _ => None,
        }
    }

    pub fn thread_id(&self) -> Option<&str> {
        match self {
            Event::TurnStarted { thread_id, .. }
            | Event::TextDelta { thread_id, .. }
            | Event::ToolCallStarted { thread_id, .. }
            | Event::ApprovalRequested { thread_id, .. }
            | Event::ApprovalResolved { thread_id, .. }
            | Event::ToolCallFinished { thread_id, .. }
            | Event::TurnFinished { thread_id, .. }
            | Event::Compacted { thread_id, .. } => Some(thread_id),
            Event::ThreadCreated { thread } | Event::Snapshot { thread, .. } => Some(&thread.id),
            Event::Error { thread_id, .. } | Event::Warning { thread_id, .. } => {
                thread_id.as_deref()
            }
            Event::Hello { .. }
            | Event::Threads { .. }
            | Event::Secrets { .. }
            | Event::SecretsUpdated { .. }
            | Event::ProviderStatus { .. }
            | Event::ProviderChanged { .. }
            | Event::Status { .. }
            | Event::Tools { .. }
            | Event::Log { .. }
            | Event::MemoryTree { .. }
            | Event::MemoryDocument { .. }
            | Event::MemoryChanged { .. }
            | Event::MemoryHistory { .. }
            | Event::MemorySearchResults { .. }
            | Event::MemoryStatus { .. }
            | Event::ShuttingDown => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolStatus {
    Ok,
    Error,
    Denied,
    TimedOut,
    Interrupted,
}

impl ToolStatus {
    pub fn parse(s: &str) -> Option<ToolStatus> {
        [
            ToolStatus::Ok,
            ToolStatus::Error,
            ToolStatus::Denied,
            ToolStatus::TimedOut,
            ToolStatus::Interrupted,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ToolStatus::Ok => "ok",
            ToolStatus::Error => "error",
            ToolStatus::Denied => "denied",
            ToolStatus::TimedOut => "timed_out",
            ToolStatus::Interrupted => "interrupted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TurnOutcome {
    Completed,
    Interrupted,
    /// The turn stopped on an error; an [`Event::Error`] preceded it.
    Failed {
        kind: String,
        message: String,
    },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUsage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Number of model calls in the turn.
    pub llm_calls: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadInfo {
    pub id: ThreadId,
    pub title: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
    pub message_count: u64,
}

/// A stored message as frontends display it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: i64,
    pub turn_id: Option<TurnId>,
    /// `user`, `assistant` or `tool`.
    pub role: String,
    pub content: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCallView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<CallId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_name: Option<String>,
    /// For a tool result: how the call ended, and how long it took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_status: Option<ToolStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCallView {
    pub id: CallId,
    pub name: String,
    pub arguments: String,
}

/// The part of a running turn a late client needs to catch up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InFlightTurn {
    pub turn_id: TurnId,
    pub user_text: String,
    /// Assistant text streamed so far in the current model call.
    pub text: String,
    /// Approval requests still waiting for an answer.
    pub pending_approvals: Vec<PendingApproval>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingApproval {
    pub call_id: CallId,
    pub tool: String,
    pub arguments: Value,
    pub summary: String,
    pub risk: Risk,
    pub session_allowed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_round_trip_as_tagged_json() {
        let op = Op::UserMessage {
            thread_id: "t1".into(),
            text: "hi".into(),
            approvals: ApprovalMode::Unattended,
        };
        let json = serde_json::to_string(&op).unwrap();
        assert_eq!(
            json,
            r#"{"op":"user_message","thread_id":"t1","text":"hi","approvals":"unattended"}"#
        );
        assert_eq!(serde_json::from_str::<Op>(&json).unwrap(), op);
        // The approval mode is optional on the wire.
        let op: Op =
            serde_json::from_str(r#"{"op":"user_message","thread_id":"t","text":"x"}"#).unwrap();
        assert!(matches!(
            op,
            Op::UserMessage {
                approvals: ApprovalMode::Interactive,
                ..
            }
        ));
    }

    #[test]
    fn events_flatten_into_one_object() {
        let msg = EventMsg {
            seq: 7,
            to: None,
            event: Event::TextDelta {
                thread_id: "t".into(),
                turn_id: "u".into(),
                delta: "he".into(),
            },
        };
        let json = serde_json::to_string(&msg).unwrap();
        assert_eq!(
            json,
            r#"{"seq":7,"event":"text_delta","thread_id":"t","turn_id":"u","delta":"he"}"#
        );
        assert_eq!(serde_json::from_str::<EventMsg>(&json).unwrap(), msg);
    }
}
