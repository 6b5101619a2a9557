//! `list_dir`: the entries of one directory.
//!
//! Entries are sorted by name, directories marked with a trailing `/`,
//! files followed by their size, symlinks shown with their target. Nothing
//! is hidden (dotfiles included: the model needs to see `.gitignore` or
//! `.github/`), but listing *inside* a sensitive directory is refused by
//! [`paths::resolve`]. Listing stops at [`MAX_ENTRIES`] with a notice.

use std::path::Path;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{blocking, io_error, parse_args, try_args};
use crate::tools::{Risk, Tool, ToolContext, ToolError, ToolOutput, cap_output, paths};

/// Entries shown at most.
const MAX_ENTRIES: usize = 1000;

pub struct ListDir;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    #[serde(default = "dot")]
    path: String,
}

fn dot() -> String {
    ".".into()
}

#[async_trait]
impl Tool for ListDir {
    fn name(&self) -> &str {
        "list_dir"
    }

    fn description(&self) -> &str {
        "List a directory's entries (dirs end in /, files show size)."
    }

    fn parameters(&self) -> Value {
        json!({
            "type": "object",
            "properties": {"path": {"type": "string", "description": "default ."}},
            "required": [],
            "additionalProperties": false
        })
    }

    fn risk(&self, _args: &Value) -> Risk {
        Risk::Low
    }

    fn summarize(&self, args: &Value) -> String {
        match try_args::<Args>(args) {
            Some(a) => format!("list {}", a.path),
            None => args.to_string(),
        }
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
        let args: Args = parse_args(args)?;
        let dir = paths::resolve(&args.path, ctx)?;
        let cap = ctx.output_cap;
        let text = blocking(ctx, move |cancel| list(&dir, cancel)).await?;
        Ok(ToolOutput::text(cap_output(text, cap)))
    }
}

fn list(dir: &Path, cancel: &tokio_util::sync::CancellationToken) -> Result<String, ToolError> {
    let meta = std::fs::metadata(dir).map_err(|e| io_error(dir, &e))?;
    if !meta.is_dir() {
        return Err(ToolError::Failed(format!(
            "{} is not a directory; use read_file",
            dir.display()
        )));
    }
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io_error(dir, &e))? {
        if names.len().is_multiple_of(4096) && cancel.is_cancelled() {
            return Err(ToolError::Cancelled);
        }
        match entry {
            Ok(e) => names.push(e.file_name()),
            Err(e) => {
                tracing::debug!(dir = %dir.display(), error = %e, "skipping unreadable entry")
            }
        }
    }
    if names.is_empty() {
        return Ok("[empty directory]".into());
    }
    names.sort();
    let total = names.len();
    let mut out = String::new();
    for name in names.iter().take(MAX_ENTRIES) {
        let path = dir.join(name);
        let shown = name.to_string_lossy();
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&path)
                    .map(|t| t.display().to_string())
                    .unwrap_or_else(|_| "?".into());
                let slash = if path.is_dir() { "/" } else { "" };
                out.push_str(&format!("{shown}{slash} -> {target}\n"));
            }
            Ok(m) if m.is_dir() => out.push_str(&format!("{shown}/\n")),
            Ok(m) => out.push_str(&format!("{shown} ({} bytes)\n", m.len())),
            Err(_) => out.push_str(&format!("{shown}\n")),
        }
    }
    if total > MAX_ENTRIES {
        out.push_str(&format!(
            "[showing the first {MAX_ENTRIES} of {total} entries]\n"
        ));
    }
    out.pop();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::paths::tests::test_ctx;

    #[tokio::test]
    async fn lists_sorted_with_markers_and_sizes() {
        let t = test_ctx();
        let w = t.work.path();
        std::fs::create_dir(w.join("src")).unwrap();
        std::fs::write(w.join("b.txt"), "12345").unwrap();
        std::fs::write(w.join(".gitignore"), "").unwrap();
        std::os::unix::fs::symlink("src", w.join("link")).unwrap();
        let out = ListDir.call(json!({}), &t.ctx).await.unwrap().content;
        assert_eq!(
            out,
            ".gitignore (0 bytes)\nb.txt (5 bytes)\nlink/ -> src\nsrc/"
        );
        let out = ListDir
            .call(json!({"path": "src"}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert_eq!(out, "[empty directory]");
    }

    #[tokio::test]
    async fn caps_entries_with_notice() {
        let t = test_ctx();
        for i in 0..1005 {
            std::fs::write(t.work.path().join(format!("f{i:04}")), "").unwrap();
        }
        let out = ListDir
            .call(json!({"path": "."}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert_eq!(out.lines().count(), 1001);
        assert!(out.ends_with("[showing the first 1000 of 1005 entries]"));
    }

    #[tokio::test]
    async fn refuses_inside_sensitive_dirs_and_non_dirs() {
        let t = test_ctx();
        std::os::unix::fs::symlink(&t.ctx.ironclaw_home, t.work.path().join("h")).unwrap();
        for p in ["~/.ssh", "h", t.ctx.ironclaw_home.to_str().unwrap()] {
            let r = ListDir.call(json!({"path": p}), &t.ctx).await;
            assert!(matches!(r, Err(ToolError::Refused(_))), "{p}: {r:?}");
        }
        std::fs::write(t.work.path().join("f"), "x").unwrap();
        let r = ListDir.call(json!({"path": "f"}), &t.ctx).await;
        assert!(matches!(r, Err(ToolError::Failed(_))), "{r:?}");
    }
}
