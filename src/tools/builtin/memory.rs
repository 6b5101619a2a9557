//! `memory_search`, `memory_read`, `memory_write`, `memory_tree`: the
//! agent's access to the memory workspace, through the narrow
//! [`Workspace`](crate::tools::Workspace) handle in its context.
//!
//! Writes to the files that enter every system prompt (`AGENTS.md`,
//! `SOUL.md`, …) are medium risk and need approval: a prompt injection that
//! could rewrite them would persist across every future conversation.
//! Other notes are low risk; every version is kept either way.

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{parse_args, try_args};
use crate::tools::{Risk, Tool, ToolContext, ToolError, ToolOutput, Workspace};

fn workspace(ctx: &ToolContext) -> Result<&dyn Workspace, ToolError> {
    ctx.workspace
        .as_deref()
        .ok_or_else(|| ToolError::Failed("the memory workspace is not available".into()))
}

pub struct MemorySearch;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchArgs {
    query: String,
    #[serde(default)]
    limit: Option<usize>,
}

#[async_trait]
impl Tool for MemorySearch {
    fn name(&self) -> &str {
        "memory_search"
    }

    fn description(&self) -> &str {
        "Search memory (notes, daily logs, identity files) by keyword and meaning."
    }

    fn parameters(&self) -> Value {
        json!({"type": "object", "properties": {
            "query": {"type": "string"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 20}
        }, "required": ["query"], "additionalProperties": false})
    }

    fn risk(&self, _args: &Value) -> Risk {
        Risk::Low
    }

    fn summarize(&self, args: &Value) -> String {
        try_args::<SearchArgs>(args).map_or_else(
            || "search memory".into(),
            |a| format!("search memory: {}", a.query),
        )
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
        let args: SearchArgs = parse_args(args)?;
        if args.query.trim().is_empty() {
            return Err(ToolError::InvalidArguments("`query` is empty".into()));
        }
        let found = workspace(ctx)?
            .search(&args.query, args.limit.unwrap_or(5).clamp(1, 20))
            .await
            .map_err(ToolError::Failed)?;
        let mut out = String::new();
        for notice in &found.notices {
            out.push_str(&format!("note: {notice}\n"));
        }
        if found.hits.is_empty() {
            out.push_str("no matches");
        }
        for (i, hit) in found.hits.iter().enumerate() {
            let rank = |r: Option<u32>| r.map_or("-".to_string(), |r| format!("#{r}"));
            out.push_str(&format!(
                "{}. {} (keyword {}, meaning {})\n   {}\n",
                i + 1,
                hit.path,
                rank(hit.fulltext_rank),
                rank(hit.vector_rank),
                hit.snippet
            ));
        }
        Ok(ToolOutput::text(out.trim_end()))
    }
}

pub struct MemoryRead;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadArgs {
    path: String,
}

#[async_trait]
impl Tool for MemoryRead {
    fn name(&self) -> &str {
        "memory_read"
    }

    fn description(&self) -> &str {
        "Read a memory document by path (e.g. MEMORY.md, daily/2026-01-31.md)."
    }

    fn parameters(&self) -> Value {
        json!({"type": "object", "properties": {"path": {"type": "string"}},
            "required": ["path"], "additionalProperties": false})
    }

    fn risk(&self, _args: &Value) -> Risk {
        Risk::Low
    }

    fn summarize(&self, args: &Value) -> String {
        try_args::<ReadArgs>(args).map_or_else(
            || "read memory".into(),
            |a| format!("read memory {}", a.path),
        )
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
        let args: ReadArgs = parse_args(args)?;
        let (content, version) = workspace(ctx)?
            .read(&args.path)
            .await
            .map_err(ToolError::Failed)?;
        Ok(ToolOutput::text(format!(
            "{} (version {version})\n{content}",
            args.path.trim()
        )))
    }
}

pub struct MemoryWrite;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WriteArgs {
    path: String,
    content: String,
    mode: Mode,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Mode {
    Append,
    Replace,
}

/// Whether a write may touch one of the files read into every system
/// prompt (or the heartbeat's checklist). The path is normalised exactly
/// as the workspace will store it, so `/./SOUL.md` is `SOUL.md`; a path the
/// workspace would refuse counts as identity (the call fails anyway).
fn is_identity_file(path: &str) -> bool {
    match crate::memory::normalize_path(path) {
        Ok(path) => crate::memory::IDENTITY_FILES
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case(&path)),
        Err(_) => true,
    }
}

#[async_trait]
impl Tool for MemoryWrite {
    fn name(&self) -> &str {
        "memory_write"
    }

    fn description(&self) -> &str {
        "Write a memory document (Markdown): append adds to the end, replace rewrites it (old versions are kept)."
    }

    fn parameters(&self) -> Value {
        json!({"type": "object", "properties": {
            "path": {"type": "string"},
            "content": {"type": "string"},
            "mode": {"type": "string", "enum": ["append", "replace"]}
        }, "required": ["path", "content", "mode"], "additionalProperties": false})
    }

    fn risk(&self, args: &Value) -> Risk {
        match try_args::<WriteArgs>(args) {
            Some(a) if !is_identity_file(&a.path) => Risk::Low,
            _ => Risk::Medium,
        }
    }

    fn approval_scope(&self, args: &Value) -> String {
        match try_args::<WriteArgs>(args) {
            Some(a) if is_identity_file(&a.path) => format!(
                "memory_write:{}",
                crate::memory::normalize_path(&a.path).unwrap_or(a.path)
            ),
            _ => "memory_write".into(),
        }
    }

    fn summarize(&self, args: &Value) -> String {
        match try_args::<WriteArgs>(args) {
            Some(a) => format!(
                "{} {} chars {} memory {}",
                if a.mode == Mode::Append {
                    "append"
                } else {
                    "write"
                },
                a.content.chars().count(),
                if a.mode == Mode::Append { "to" } else { "as" },
                a.path
            ),
            None => "write memory".into(),
        }
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
        let args: WriteArgs = parse_args(args)?;
        let (path, version) = workspace(ctx)?
            .write(&args.path, &args.content, args.mode == Mode::Append)
            .await
            .map_err(ToolError::Failed)?;
        Ok(ToolOutput::text(format!(
            "saved {path} (version {version})"
        )))
    }
}

pub struct MemoryTree;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TreeArgs {
    #[serde(default)]
    prefix: Option<String>,
}

/// Most documents listed in one call.
const TREE_LIMIT: usize = 500;

#[async_trait]
impl Tool for MemoryTree {
    fn name(&self) -> &str {
        "memory_tree"
    }

    fn description(&self) -> &str {
        "List memory documents (optionally under a folder prefix such as daily/)."
    }

    fn parameters(&self) -> Value {
        json!({"type": "object", "properties": {"prefix": {"type": "string"}},
            "required": [], "additionalProperties": false})
    }

    fn risk(&self, _args: &Value) -> Risk {
        Risk::Low
    }

    fn summarize(&self, args: &Value) -> String {
        match try_args::<TreeArgs>(args).and_then(|a| a.prefix) {
            Some(p) => format!("list memory under {p}"),
            None => "list memory".into(),
        }
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
        let args: TreeArgs = parse_args(args)?;
        let prefix = args.prefix.unwrap_or_default();
        let entries = workspace(ctx)?
            .tree(prefix.trim())
            .await
            .map_err(ToolError::Failed)?;
        if entries.is_empty() {
            return Ok(ToolOutput::text(format!("no documents under `{prefix}`")));
        }
        let mut out: String = entries
            .iter()
            .take(TREE_LIMIT)
            .map(|(path, chars)| format!("{path} ({chars} chars)\n"))
            .collect();
        if entries.len() > TREE_LIMIT {
            out.push_str(&format!(
                "… and {} more; narrow with `prefix`",
                entries.len() - TREE_LIMIT
            ));
        }
        Ok(ToolOutput::text(out.trim_end()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_writes_need_approval_notes_do_not() {
        let w = |path: &str| json!({"path": path, "content": "x", "mode": "append"});
        assert_eq!(MemoryWrite.risk(&w("notes/a.md")), Risk::Low);
        assert_eq!(MemoryWrite.risk(&w("daily/2026-11-26.md")), Risk::Low);
        for p in [
            "AGENTS.md",
            "/SOUL.md",
            "./memory.md",
            "HEARTBEAT.md",
            "/./SOUL.md",
            " ././/USER.md",
        ] {
            assert_eq!(MemoryWrite.risk(&w(p)), Risk::Medium, "{p}");
        }
        assert_eq!(MemoryWrite.risk(&json!({"bad": 1})), Risk::Medium);
        assert_ne!(
            MemoryWrite.approval_scope(&w("SOUL.md")),
            MemoryWrite.approval_scope(&w("USER.md"))
        );
    }
}
