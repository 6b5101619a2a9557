//! Tools the agent can call: the [`Tool`] contract, risk levels, and the
//! registry that decides which schemas a request carries.
//!
//! A tool is one file implementing [`Tool`], registered in one place
//! ([`builtin::all`]); WebAssembly tools come from [`crate::sandbox`].
//! Tools never see the database or the protocol; only the sandbox's HTTP
//! host reaches a secret, through [`Egress`], to inject it into a granted
//! request. The engine validates arguments, asks for approval, enforces
//! timeouts and wraps outputs as untrusted data before the model sees them.

pub mod builtin;
pub mod paths;
mod registry;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

pub use registry::ToolRegistry;

/// How much harm a call can do. Decides the default approval policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// Reads local, non-sensitive state (time, listing, reading files).
    Low,
    /// Changes local state or reaches the network (writing files, HTTP GET).
    Medium,
    /// Can do anything the user can (running shell commands).
    High,
}

impl std::fmt::Display for Risk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        })
    }
}

/// Limits and places every tool call runs under.
#[derive(Debug, Clone)]
pub struct ToolContext {
    /// Directory relative paths resolve against and the shell starts in.
    pub workdir: PathBuf,
    /// The IronClaw home; its contents (database, secrets, config) are
    /// never readable or writable through tools.
    pub ironclaw_home: PathBuf,
    /// Cancelled when the user interrupts the turn.
    pub cancel: CancellationToken,
    /// Largest output (bytes) a tool returns; longer output is cut with a notice.
    pub output_cap: usize,
    /// Default timeout of one shell command.
    pub shell_timeout: Duration,
    /// Largest body `http_fetch` downloads.
    pub http_max_bytes: usize,
    /// Whether `http_fetch` may reach loopback, private and link-local
    /// addresses (off: public addresses only).
    pub http_allow_private: bool,
    /// The memory workspace, for the `memory_*` tools.
    pub workspace: Option<Arc<dyn Workspace>>,
    /// The safety layer's request and response checks, and secret values
    /// for injection, for sandboxed tools' HTTP requests.
    pub egress: Option<Arc<dyn Egress>>,
}

/// What a sandboxed tool's HTTP host needs from the engine. Errors are
/// messages for the tool.
#[async_trait]
pub trait Egress: Send + Sync {
    /// Refuses a request that carries a known secret (URL, headers, body).
    async fn check_outbound(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<(), String>;
    /// `text` with secrets handled as the safety configuration says for
    /// `tool` (redacted by default).
    async fn scan_leaks(&self, tool: &str, text: &str) -> String;
    /// A secret's value, to inject into a request the manifest grants it to.
    async fn secret(&self, name: &str) -> Result<Option<zeroize::Zeroizing<String>>, String>;
}

/// What the `memory_*` tools may do with the memory workspace, and nothing
/// more: tools never see the database or the indexes. Errors are messages
/// for the model.
#[async_trait]
pub trait Workspace: Send + Sync {
    async fn search(&self, query: &str, limit: usize) -> Result<WorkspaceSearch, String>;
    /// The current text and version of a document.
    async fn read(&self, path: &str) -> Result<(String, u64), String>;
    /// Returns the normalised path and the new version.
    async fn write(&self, path: &str, content: &str, append: bool)
    -> Result<(String, u64), String>;
    /// Every document under `prefix`: `(path, characters)`.
    async fn tree(&self, prefix: &str) -> Result<Vec<(String, u64)>, String>;
}

/// A search as a tool reports it.
#[derive(Debug, Clone, Default)]
pub struct WorkspaceSearch {
    pub hits: Vec<crate::protocol::MemoryHit>,
    pub notices: Vec<String>,
}

impl std::fmt::Debug for dyn Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Workspace")
    }
}

impl std::fmt::Debug for dyn Egress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Egress")
    }
}

/// What a successful call returns to the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolOutput {
    pub content: String,
    /// Names of deferred tools this call made callable (`tool_search`).
    pub reveal: Vec<String>,
}

impl ToolOutput {
    pub fn text(content: impl Into<String>) -> Self {
        Self {
            content: content.into(),
            reveal: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ToolError {
    #[error("invalid arguments: {0}")]
    InvalidArguments(String),
    /// Refused on purpose (sensitive path, policy); the reason is shown to the model.
    #[error("refused: {0}")]
    Refused(String),
    #[error("{0}")]
    Failed(String),
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    #[error("interrupted by the user")]
    Cancelled,
}

#[async_trait]
pub trait Tool: Send + Sync {
    /// Unique name the model calls the tool by (`[a-z_]+`).
    fn name(&self) -> &str;
    /// One or two short sentences: every byte is paid for in every request.
    fn description(&self) -> &str;
    /// JSON Schema of the arguments object.
    fn parameters(&self) -> Value;
    /// Risk of this particular call (a tool may judge by its arguments).
    fn risk(&self, args: &Value) -> Risk;
    /// Upper bound on one call; the engine enforces it.
    fn timeout(&self) -> Duration {
        Duration::from_secs(60)
    }
    /// Whether the schema is sent with every request. Tools that are not
    /// core are discovered through `tool_search` when the set grows large.
    fn core(&self) -> bool {
        true
    }
    /// Where the tool comes from, for the Extensions pane: `builtin`, or
    /// `wasm` for a WebAssembly tool.
    fn source(&self) -> &str {
        "builtin"
    }
    /// What an "approve for this session" answer covers. Calls with the same
    /// scope in the same thread are not asked again. The default is the tool;
    /// `shell` narrows it to the command's risk class, so approving `ls` can
    /// never approve `curl … | sh`.
    fn approval_scope(&self, args: &Value) -> String {
        let _ = args;
        self.name().to_string()
    }
    /// Whether `--auto-approve` may run this call without asking (it only
    /// ever applies to low and medium risk). `shell` allows it for read-only
    /// commands alone.
    fn auto_approvable(&self, args: &Value) -> bool {
        let _ = args;
        true
    }
    /// The URL this call will contact, if any, so the safety layer can check
    /// the outbound request before the tool runs.
    fn outbound_url(&self, args: &Value) -> Option<String> {
        let _ = args;
        None
    }
    /// A one-line human summary of a call, for approval prompts and logs.
    fn summarize(&self, args: &Value) -> String {
        args.to_string()
    }
    async fn call(&self, args: Value, ctx: &ToolContext) -> Result<ToolOutput, ToolError>;
}

/// Cuts `s` to at most `cap` bytes on a char boundary, adding a notice the
/// model understands when something was removed.
/// An error and its sources on one line (reqwest's own message alone is
/// often just "error sending request").
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

pub fn cap_output(mut s: String, cap: usize) -> String {
    if s.len() <= cap {
        return s;
    }
    let total = s.len();
    let mut cut = cap;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    s.push_str(&format!(
        "\n[output truncated: showing the first {cut} of {total} bytes]"
    ));
    s
}
