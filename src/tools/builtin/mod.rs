//! The built-in tools, one file each, and the helpers they share.
//!
//! Conventions every tool here follows:
//! - arguments are parsed with serde into a `deny_unknown_fields` struct
//!   through [`parse_args`], so a wrong type or an unknown field becomes
//!   [`ToolError::InvalidArguments`] naming the field, never a panic;
//! - every path goes through [`paths`](super::paths), which refuses
//!   sensitive locations (credentials, IronClaw's own home);
//! - blocking filesystem work runs on the blocking pool through
//!   [`blocking`], raced against `ctx.cancel` so an interrupt returns at
//!   once (the blocking job also polls the token and stops soon after);
//! - descriptions and schemas are kept terse: they are sent with every
//!   request (`tests::specs_stay_small` prints and bounds their size).

mod glob;
mod grep;
mod http_fetch;
mod list_dir;
mod memory;
mod read_file;
mod shell;
mod time;
mod write_file;

use std::path::Path;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::paths::{self, SensitiveRoots};
use super::{Tool, ToolContext, ToolError};

pub use glob::Glob;
pub use grep::Grep;
pub use http_fetch::HttpFetch;
pub use list_dir::ListDir;
pub use memory::{MemoryRead, MemorySearch, MemoryTree, MemoryWrite};
pub use read_file::ReadFile;
pub use shell::Shell;
pub use time::Time;
pub use write_file::WriteFile;

/// Every built-in tool, in the order they are offered to the model.
pub fn all() -> Vec<Arc<dyn Tool>> {
    vec![
        Arc::new(Time),
        Arc::new(ReadFile),
        Arc::new(WriteFile),
        Arc::new(ListDir),
        Arc::new(Glob),
        Arc::new(Grep),
        Arc::new(Shell),
        Arc::new(HttpFetch::new()),
        Arc::new(MemorySearch),
        Arc::new(MemoryRead),
        Arc::new(MemoryWrite),
        Arc::new(MemoryTree),
    ]
}

/// Parses a tool's arguments, naming the offending field on error. `null`
/// counts as `{}` (some models send it for tools without arguments).
pub(crate) fn parse_args<T: DeserializeOwned>(args: Value) -> Result<T, ToolError> {
    let args = match args {
        Value::Null => Value::Object(Default::default()),
        Value::Object(_) => args,
        other => {
            return Err(ToolError::InvalidArguments(format!(
                "arguments must be a JSON object, not {other}"
            )));
        }
    };
    serde_path_to_error::deserialize(args).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            ToolError::InvalidArguments(e.inner().to_string())
        } else {
            ToolError::InvalidArguments(format!("`{path}`: {}", e.inner()))
        }
    })
}

/// Parses arguments for `summarize`, which must never fail.
pub(crate) fn try_args<T: DeserializeOwned>(args: &Value) -> Option<T> {
    serde_json::from_value(args.clone()).ok()
}

/// Runs blocking work on the blocking pool, returning `Cancelled` as soon
/// as `ctx.cancel` fires. The job gets the token to stop early itself.
pub(crate) async fn blocking<T, F>(ctx: &ToolContext, job: F) -> Result<T, ToolError>
where
    T: Send + 'static,
    F: FnOnce(&tokio_util::sync::CancellationToken) -> Result<T, ToolError> + Send + 'static,
{
    let token = ctx.cancel.clone();
    let handle = tokio::task::spawn_blocking(move || job(&token));
    tokio::select! {
        biased;
        _ = ctx.cancel.cancelled() => Err(ToolError::Cancelled),
        joined = handle => joined.map_err(|e| {
            tracing::error!(error = %e, "blocking tool job failed");
            ToolError::Failed(format!("internal error: {e}"))
        })?,
    }
}

/// Describes an I/O error on `path` for the model.
pub(crate) fn io_error(path: &Path, e: &std::io::Error) -> ToolError {
    ToolError::Failed(format!("{}: {e}", path.display()))
}

/// A directory walker for `glob` and `grep`: honours `.gitignore` (also
/// outside a git repository) and `.ignore`, includes hidden files (so
/// `.github/` is searchable) but never enters `.git`, and never yields or
/// enters sensitive locations. Symlinks are not followed while walking;
/// entries come sorted by name so results are deterministic.
pub(crate) fn walker(root: &Path, roots: &SensitiveRoots) -> ignore::Walk {
    let roots = roots.clone();
    ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            if entry.file_name() == ".git" && entry.file_type().is_some_and(|t| t.is_dir()) {
                return false;
            }
            roots.reason(entry.path()).is_none()
        })
        .build()
}

/// Whether a walked entry is a file the tools may open: a regular file, or
/// a symlink whose target is a non-sensitive regular file.
pub(crate) fn readable_file(entry: &ignore::DirEntry, roots: &SensitiveRoots) -> bool {
    match entry.file_type() {
        Some(t) if t.is_file() => true,
        Some(t) if t.is_symlink() => paths::guard_with(entry.path(), roots)
            .ok()
            .and_then(|real| std::fs::metadata(real).ok())
            .is_some_and(|m| m.is_file()),
        _ => false,
    }
}

/// Cuts a line to about `max` bytes on a char boundary, marking the cut.
pub(crate) fn clip_line(line: &str, max: usize) -> String {
    if line.len() <= max {
        return line.to_string();
    }
    let mut cut = max;
    while !line.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &line[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[test]
    fn specs_stay_small() {
        let tools = all();
        let specs: Vec<Value> = tools
            .iter()
            .map(|t| {
                json!({
                    "name": t.name(),
                    "description": t.description(),
                    "parameters": t.parameters(),
                })
            })
            .collect();
        let bytes = serde_json::to_string(&specs).unwrap().len();
        println!("tool specs JSON: {bytes} bytes for {} tools", tools.len());
        // About 75 tokens per tool; 12 tools today.
        assert!(bytes < 3600, "tool specs grew to {bytes} bytes");
    }

    #[test]
    fn names_are_unique_and_schemas_are_strict_objects() {
        let tools = all();
        let mut names: Vec<&str> = tools.iter().map(|t| t.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), tools.len());
        for t in &tools {
            assert!(
                t.name().chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                t.name()
            );
            let p = t.parameters();
            assert_eq!(p["type"], "object", "{}", t.name());
            assert!(p["properties"].is_object(), "{}", t.name());
            assert!(p["required"].is_array(), "{}", t.name());
            assert_eq!(p["additionalProperties"], false, "{}", t.name());
            for r in p["required"].as_array().unwrap() {
                assert!(p["properties"].get(r.as_str().unwrap()).is_some());
            }
            assert!(!t.description().is_empty() && t.description().len() < 160);
            let validator = jsonschema::validator_for(&p)
                .unwrap_or_else(|e| panic!("{}: invalid schema: {e}", t.name()));
            assert!(
                !validator.is_valid(&json!({"no_such_field": 1})),
                "{}",
                t.name()
            );
        }
    }

    /// Arguments that satisfy each schema also satisfy the serde structs
    /// (schema and struct agree on names and types).
    #[test]
    fn schemas_accept_what_the_tools_parse() {
        let examples = [
            ("time", json!({})),
            ("read_file", json!({"path": "a", "offset": 2, "limit": 5})),
            (
                "write_file",
                json!({"path": "a", "content": "x", "append": true}),
            ),
            ("list_dir", json!({"path": "."})),
            ("glob", json!({"pattern": "**/*.rs", "path": "src"})),
            (
                "grep",
                json!({"pattern": "x", "path": "src", "glob": "*.rs", "case_insensitive": true}),
            ),
            (
                "shell",
                json!({"command": "ls", "workdir": ".", "timeout_secs": 5}),
            ),
            ("http_fetch", json!({"url": "https://example.com"})),
            ("memory_search", json!({"query": "boat", "limit": 3})),
            ("memory_read", json!({"path": "MEMORY.md"})),
            (
                "memory_write",
                json!({"path": "notes/a.md", "content": "x", "mode": "append"}),
            ),
            ("memory_tree", json!({"prefix": "daily/"})),
        ];
        let tools = all();
        assert_eq!(examples.len(), tools.len());
        for (name, args) in examples {
            let tool = tools.iter().find(|t| t.name() == name).unwrap();
            let validator = jsonschema::validator_for(&tool.parameters()).unwrap();
            assert!(validator.is_valid(&args), "{name}: {args}");
            // `summarize` parses the same struct; a parse failure would fall
            // back to the raw JSON.
            assert_ne!(tool.summarize(&args), args.to_string(), "{name}");
        }
    }

    #[tokio::test]
    async fn garbage_arguments_never_panic() {
        let t = paths::tests::test_ctx();
        let inputs = [
            json!(null),
            json!(42),
            json!("str"),
            json!([1, 2]),
            json!([]),
            json!({"path": 5, "pattern": [], "url": {}, "command": false}),
            json!({"unknown_field": 1}),
            json!({"offset": -1, "limit": "x"}),
        ];
        for tool in all() {
            for args in &inputs {
                let _ = tool.summarize(args);
                let _ = tool.risk(args);
                let r = tool.call(args.clone(), &t.ctx).await;
                let no_args_ok =
                    args.is_null() && ["time", "list_dir", "memory_tree"].contains(&tool.name());
                if !no_args_ok {
                    assert!(
                        matches!(r, Err(ToolError::InvalidArguments(_))),
                        "{} with {args}: {r:?}",
                        tool.name()
                    );
                }
            }
        }
    }

    #[test]
    fn parse_errors_name_the_field() {
        #[derive(Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct A {
            path: String,
            limit: Option<u64>,
        }
        let e = parse_args::<A>(json!({"path": "x", "limit": "ten"})).unwrap_err();
        assert!(e.to_string().contains("`limit`"), "{e}");
        let e = parse_args::<A>(json!({})).unwrap_err();
        assert!(e.to_string().contains("path"), "{e}");
        let e = parse_args::<A>(json!({"path": "x", "bogus": 1})).unwrap_err();
        assert!(e.to_string().contains("bogus"), "{e}");
    }

    #[test]
    fn clip_line_respects_char_boundaries() {
        assert_eq!(clip_line("short", 10), "short");
        assert_eq!(clip_line("ééé", 3), "é…");
    }
}
