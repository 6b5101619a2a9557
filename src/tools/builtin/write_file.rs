//! `write_file`: create, overwrite or append to a file.
//!
//! Parent directories are created as needed (models routinely write into
//! new folders). The write goes to the symlink-resolved path that
//! [`paths::resolve`] vetted, in place rather than via a temp file and
//! rename, so permissions, ownership and hard links of an existing file
//! are kept. Medium risk: it changes local state, but only outside
//! sensitive locations.

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{blocking, io_error, parse_args, try_args};
use crate::tools::{Risk, Tool, ToolContext, ToolError, ToolOutput, paths};

pub struct WriteFile;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    path: String,
    content: String,
    #[serde(default)]
    append: bool,
}

#[async_trait]
impl Tool for WriteFile {
    fn name(&self) -> &str {
        "write_file"
    }

    fn description(&self) -> &str {
        "Write text to a file (creating parent dirs), replacing it unless append is true."
    }

    fn parameters(&self) -> Value {
        json!({
            "type": "object",
            "properties": {
                "path": {"type": "string"},
                "content": {"type": "string"},
                "append": {"type": "boolean"}
            },
            "required": ["path", "content"],
            "additionalProperties": false
        })
    }

    fn risk(&self, _args: &Value) -> Risk {
        Risk::Medium
    }

    fn summarize(&self, args: &Value) -> String {
        match try_args::<Args>(args) {
            Some(a) if a.append => format!("append {} bytes to {}", a.content.len(), a.path),
            Some(a) => format!("write {} ({} bytes)", a.path, a.content.len()),
            None => args.to_string(),
        }
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
        let args: Args = parse_args(args)?;
        let path = paths::resolve(&args.path, ctx)?;
        let append = args.append;
        let content = args.content;
        blocking(ctx, move |_| {
            use std::io::Write;
            if path.is_dir() {
                return Err(ToolError::Failed(format!(
                    "{} is a directory",
                    path.display()
                )));
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io_error(parent, &e))?;
            }
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .write(true)
                .append(append)
                .truncate(!append)
                .open(&path)
                .map_err(|e| io_error(&path, &e))?;
            file.write_all(content.as_bytes())
                .map_err(|e| io_error(&path, &e))?;
            tracing::debug!(path = %path.display(), bytes = content.len(), append, "wrote file");
            let how = if append { " (appended)" } else { "" };
            Ok(ToolOutput::text(format!(
                "wrote {} bytes to {}{how}",
                content.len(),
                path.display()
            )))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::paths::tests::test_ctx;

    #[tokio::test]
    async fn writes_creates_parents_and_appends() {
        let t = test_ctx();
        let out = WriteFile
            .call(json!({"path": "new/dir/f.txt", "content": "hello"}), &t.ctx)
            .await
            .unwrap();
        let file = t.ctx.workdir.join("new/dir/f.txt");
        assert_eq!(out.content, format!("wrote 5 bytes to {}", file.display()));
        WriteFile
            .call(
                json!({"path": "new/dir/f.txt", "content": " world", "append": true}),
                &t.ctx,
            )
            .await
            .unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "hello world");
        WriteFile
            .call(json!({"path": "new/dir/f.txt", "content": "x"}), &t.ctx)
            .await
            .unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
    }

    #[tokio::test]
    async fn refuses_sensitive_targets_and_creates_nothing() {
        let t = test_ctx();
        let inside = t.ctx.ironclaw_home.join("secrets.toml");
        std::os::unix::fs::symlink(&inside, t.work.path().join("dangling")).unwrap();
        for p in [
            ".env",
            "deploy/server.key",
            "dangling",
            "~/.ssh/authorized_keys",
        ] {
            let r = WriteFile
                .call(json!({"path": p, "content": "x"}), &t.ctx)
                .await;
            assert!(matches!(r, Err(ToolError::Refused(_))), "{p}: {r:?}");
        }
        assert!(!inside.exists());
        assert!(!t.work.path().join(".env").exists());
    }

    #[tokio::test]
    async fn writing_over_a_directory_fails() {
        let t = test_ctx();
        let r = WriteFile
            .call(json!({"path": ".", "content": "x"}), &t.ctx)
            .await;
        assert!(matches!(r, Err(ToolError::Failed(_))), "{r:?}");
    }

    #[test]
    fn summarize_shows_path_and_size() {
        let s = WriteFile.summarize(&json!({"path": "a.txt", "content": "abc"}));
        assert_eq!(s, "write a.txt (3 bytes)");
        let s = WriteFile.summarize(&json!({"path": "a.txt", "content": "abc", "append": true}));
        assert_eq!(s, "append 3 bytes to a.txt");
    }
}
