//! `glob`: find files by a glob pattern such as `src/**/*.rs`.
//!
//! The pattern is matched against each file's path relative to the root
//! (`path`, default the workdir) with `globset`, `*` not crossing `/`, so
//! `*.rs` means top-level files and `**/*.rs` means all of them (the usual
//! shell meaning). Absolute or `~` patterns are accepted too: their leading
//! literal directories become the root and results are absolute. The walk
//! uses the `ignore` crate (see [`walker`]): `.gitignore` is honoured,
//! `.git/` and sensitive locations are skipped. Only files are returned,
//! sorted, at most [`MAX_RESULTS`] with a notice giving the total.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{blocking, parse_args, readable_file, try_args, walker};
use crate::tools::{Risk, Tool, ToolContext, ToolError, ToolOutput, cap_output, paths};

/// Paths returned at most.
const MAX_RESULTS: usize = 500;

pub struct Glob;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    pattern: String,
    path: Option<String>,
}

#[async_trait]
impl Tool for Glob {
    fn name(&self) -> &str {
        "glob"
    }

    fn description(&self) -> &str {
        "Find files matching a glob like src/**/*.rs, honouring .gitignore."
    }

    fn parameters(&self) -> Value {
        json!({
            "type": "object",
            "properties": {
                "pattern": {"type": "string"},
                "path": {"type": "string", "description": "root dir (default .)"}
            },
            "required": ["pattern"],
            "additionalProperties": false
        })
    }

    fn risk(&self, _args: &Value) -> Risk {
        Risk::Low
    }

    fn summarize(&self, args: &Value) -> String {
        match try_args::<Args>(args) {
            Some(Args {
                pattern,
                path: Some(p),
            }) => format!("glob {pattern} in {p}"),
            Some(Args {
                pattern,
                path: None,
            }) => format!("glob {pattern}"),
            None => args.to_string(),
        }
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
        let args: Args = parse_args(args)?;
        let (root_arg, pattern, absolute) = split_pattern(&args.pattern, args.path)?;
        let matcher = globset::GlobBuilder::new(&pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| ToolError::InvalidArguments(format!("`pattern`: {e}")))?
            .compile_matcher();
        let root = paths::resolve(&root_arg, ctx)?;
        if !root.is_dir() {
            return Err(ToolError::Failed(format!(
                "{} is not a directory",
                root.display()
            )));
        }
        let roots = paths::SensitiveRoots::new(ctx);
        let cap = ctx.output_cap;
        let text = blocking(ctx, move |cancel| {
            let mut found: Vec<PathBuf> = Vec::new();
            for (n, entry) in walker(&root, &roots).enumerate() {
                if n.is_multiple_of(1024) && cancel.is_cancelled() {
                    return Err(ToolError::Cancelled);
                }
                let Ok(entry) = entry else { continue };
                let Ok(rel) = entry.path().strip_prefix(&root) else {
                    continue;
                };
                if matcher.is_match(rel) && readable_file(&entry, &roots) {
                    found.push(if absolute {
                        entry.path().to_path_buf()
                    } else {
                        rel.to_path_buf()
                    });
                }
            }
            Ok(render(found))
        })
        .await?;
        Ok(ToolOutput::text(cap_output(text, cap)))
    }
}

/// Splits an absolute or `~` pattern into its literal directory prefix (the
/// root to walk) and the rest. Relative patterns are left alone.
fn split_pattern(pattern: &str, path: Option<String>) -> Result<(String, String, bool), ToolError> {
    if pattern.is_empty() {
        return Err(ToolError::InvalidArguments("`pattern` is empty".into()));
    }
    if !(pattern.starts_with('/') || pattern.starts_with('~')) {
        return Ok((
            path.unwrap_or_else(|| ".".into()),
            pattern.to_string(),
            false,
        ));
    }
    if path.is_some() {
        return Err(ToolError::InvalidArguments(
            "`pattern` must be relative when `path` is given".into(),
        ));
    }
    let is_meta = |s: &str| s.contains(['*', '?', '[', '{']);
    let parts: Vec<&str> = pattern.split('/').collect();
    let literal = parts.iter().take_while(|p| !is_meta(p)).count();
    if literal == parts.len() {
        // No wildcard at all: look for that one file.
        let p = Path::new(pattern);
        let root = p
            .parent()
            .map(|r| r.display().to_string())
            .unwrap_or("/".into());
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Ok((if root.is_empty() { "/".into() } else { root }, name, true));
    }
    let root = parts[..literal].join("/");
    let rest = parts[literal..].join("/");
    Ok((if root.is_empty() { "/".into() } else { root }, rest, true))
}

fn render(mut found: Vec<PathBuf>) -> String {
    if found.is_empty() {
        return "[no matching files]".into();
    }
    found.sort();
    let total = found.len();
    let mut out: String = found
        .iter()
        .take(MAX_RESULTS)
        .map(|p| format!("{}\n", p.display()))
        .collect();
    if total > MAX_RESULTS {
        out.push_str(&format!(
            "[showing the first {MAX_RESULTS} of {total} matches; narrow the pattern]\n"
        ));
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::paths::tests::test_ctx;

    fn touch(root: &Path, rel: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "x").unwrap();
    }

    #[tokio::test]
    async fn matches_recursively_sorted_and_respects_gitignore() {
        let t = test_ctx();
        let w = t.work.path();
        for f in [
            "src/main.rs",
            "src/a/b.rs",
            "src/notes.txt",
            "top.rs",
            "target/debug/gen.rs",
            ".github/ci.rs",
            ".git/hooks/x.rs",
            "src/.env",
        ] {
            touch(w, f);
        }
        std::fs::write(w.join(".gitignore"), "target/\n").unwrap();
        let out = Glob
            .call(json!({"pattern": "**/*.rs"}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert_eq!(out, ".github/ci.rs\nsrc/a/b.rs\nsrc/main.rs\ntop.rs");
        let out = Glob
            .call(json!({"pattern": "*.rs"}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert_eq!(out, "top.rs");
        let out = Glob
            .call(json!({"pattern": "*.rs", "path": "src"}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert_eq!(out, "main.rs");
        let out = Glob
            .call(json!({"pattern": "src/*"}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert_eq!(
            out, "src/main.rs\nsrc/notes.txt",
            "sensitive .env is skipped"
        );
        let out = Glob
            .call(json!({"pattern": "**/*.py"}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert_eq!(out, "[no matching files]");
    }

    #[tokio::test]
    async fn absolute_patterns_walk_their_literal_prefix() {
        let t = test_ctx();
        touch(t.work.path(), "src/a/b.rs");
        let pattern = format!("{}/src/**/*.rs", t.ctx.workdir.display());
        let out = Glob
            .call(json!({"pattern": pattern}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert_eq!(out, t.ctx.workdir.join("src/a/b.rs").display().to_string());
        let r = Glob
            .call(json!({"pattern": pattern, "path": "."}), &t.ctx)
            .await;
        assert!(matches!(r, Err(ToolError::InvalidArguments(_))));
    }

    #[tokio::test]
    async fn skips_links_to_sensitive_files_and_refuses_sensitive_roots() {
        let t = test_ctx();
        std::fs::write(t.ctx.ironclaw_home.join("secret.rs"), "x").unwrap();
        std::os::unix::fs::symlink(
            t.ctx.ironclaw_home.join("secret.rs"),
            t.work.path().join("l.rs"),
        )
        .unwrap();
        touch(t.work.path(), "ok.rs");
        let out = Glob
            .call(json!({"pattern": "*.rs"}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert_eq!(out, "ok.rs");
        let home = t.ctx.ironclaw_home.display().to_string();
        let r = Glob
            .call(json!({"pattern": "*", "path": home}), &t.ctx)
            .await;
        assert!(matches!(r, Err(ToolError::Refused(_))), "{r:?}");
    }

    #[tokio::test]
    async fn caps_results_and_rejects_bad_patterns() {
        let t = test_ctx();
        for i in 0..510 {
            touch(t.work.path(), &format!("d/f{i:03}.txt"));
        }
        let out = Glob
            .call(json!({"pattern": "d/*.txt"}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert_eq!(out.lines().count(), 501);
        assert!(out.ends_with("[showing the first 500 of 510 matches; narrow the pattern]"));
        let r = Glob.call(json!({"pattern": "src/[a"}), &t.ctx).await;
        assert!(matches!(r, Err(ToolError::InvalidArguments(_))), "{r:?}");
    }
}
