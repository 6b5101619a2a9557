//! `read_file`: a text file, or a window of its lines.
//!
//! The file is streamed line by line on the blocking pool, so memory stays
//! bounded by what is returned even for huge logs; the rest of the file is
//! only counted, so a partial read can say `[lines 10-60 of 300]` and the
//! model knows where to continue. Lines are returned plain (no numbers):
//! numbering costs tokens on every line and the header already anchors the
//! window. When the byte cap (`ctx.output_cap`) would cut the window, it is
//! cut at a line boundary and the header says which offset to use next;
//! [`cap_output`] remains the final safety net for a single giant line.
//!
//! Binary files (a NUL byte anywhere in what is read) are refused with a
//! clear message instead of returning mojibake; invalid UTF-8 in text files
//! is replaced lossily.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{blocking, io_error, parse_args, try_args};
use crate::tools::{Risk, Tool, ToolContext, ToolError, ToolOutput, cap_output, paths};

/// Lines returned when `limit` is not given.
const DEFAULT_LIMIT: u64 = 2000;
/// Bytes of the output cap kept free for the `[lines …]` header.
const HEADER_RESERVE: usize = 128;

pub struct ReadFile;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    path: String,
    offset: Option<u64>,
    limit: Option<u64>,
}

#[async_trait]
impl Tool for ReadFile {
    fn name(&self) -> &str {
        "read_file"
    }

    fn description(&self) -> &str {
        "Read a text file, optionally a range of lines."
    }

    fn parameters(&self) -> Value {
        json!({
            "type": "object",
            "properties": {
                "path": {"type": "string"},
                "offset": {"type": "integer", "minimum": 1, "description": "first line (1-based)"},
                "limit": {"type": "integer", "minimum": 1, "description": "max lines (default 2000)"}
            },
            "required": ["path"],
            "additionalProperties": false
        })
    }

    fn risk(&self, _args: &Value) -> Risk {
        Risk::Low
    }

    fn summarize(&self, args: &Value) -> String {
        match try_args::<Args>(args) {
            Some(a) => match (a.offset, a.limit) {
                (None, None) => format!("read {}", a.path),
                (o, l) => format!(
                    "read {} (lines {}+{})",
                    a.path,
                    o.unwrap_or(1),
                    l.unwrap_or(DEFAULT_LIMIT)
                ),
            },
            None => args.to_string(),
        }
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
        let args: Args = parse_args(args)?;
        let offset = args.offset.unwrap_or(1);
        let limit = args.limit.unwrap_or(DEFAULT_LIMIT);
        if offset == 0 {
            return Err(ToolError::InvalidArguments(
                "`offset` is 1-based; use 1 for the first line".into(),
            ));
        }
        if limit == 0 {
            return Err(ToolError::InvalidArguments(
                "`limit` must be at least 1".into(),
            ));
        }
        let path = paths::resolve(&args.path, ctx)?;
        let cap = ctx.output_cap;
        let text = blocking(ctx, move |cancel| {
            read_window(&path, offset, limit, cap, cancel)
        })
        .await?;
        Ok(ToolOutput::text(cap_output(text, cap)))
    }
}

fn read_window(
    path: &PathBuf,
    offset: u64,
    limit: u64,
    cap: usize,
    cancel: &tokio_util::sync::CancellationToken,
) -> Result<String, ToolError> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, &e))?;
    if meta.is_dir() {
        return Err(ToolError::Failed(format!(
            "{} is a directory; use list_dir",
            path.display()
        )));
    }
    if !meta.is_file() {
        // FIFOs, sockets and devices could block forever or never end.
        return Err(ToolError::Failed(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| io_error(path, &e))?;
    let mut reader = BufReader::new(file);
    let binary = || {
        ToolError::Failed(format!(
            "{} looks like a binary file (it contains NUL bytes); read_file only returns text",
            path.display()
        ))
    };

    let last_wanted = offset.saturating_add(limit - 1);
    // Room left for the header line within the cap.
    let budget = cap.saturating_sub(HEADER_RESERVE);
    let mut body = String::new();
    let mut line = Vec::new();
    let mut total: u64 = 0;
    let mut last_shown: u64 = 0;
    let mut cut_by_cap = false;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| io_error(path, &e))?;
        if n == 0 {
            break;
        }
        if line.contains(&0) {
            return Err(binary());
        }
        total += 1;
        if total.is_multiple_of(4096) && cancel.is_cancelled() {
            return Err(ToolError::Cancelled);
        }
        if total < offset || total > last_wanted || cut_by_cap {
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        // Keep whole lines within the cap; a first line that alone exceeds
        // it is kept and left to `cap_output`.
        if last_shown >= offset && body.len() + text.len() > budget {
            cut_by_cap = true;
            continue;
        }
        body.push_str(&text);
        last_shown = total;
    }

    if total == 0 {
        return Ok("[empty file]".into());
    }
    if offset > total {
        return Err(ToolError::InvalidArguments(format!(
            "`offset` {offset} is past the end of {} ({total} lines)",
            path.display()
        )));
    }
    if body.ends_with('\n') {
        body.pop();
        if body.ends_with('\r') {
            body.pop();
        }
    }
    let header = if cut_by_cap {
        format!(
            "[lines {offset}-{last_shown} of {total}; output limit reached, continue with offset {}]\n",
            last_shown + 1
        )
    } else if offset > 1 || last_shown < total {
        format!("[lines {offset}-{last_shown} of {total}]\n")
    } else {
        String::new()
    };
    Ok(header + &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::paths::tests::test_ctx;

    fn numbered(n: usize) -> String {
        (1..=n).map(|i| format!("line {i}\n")).collect()
    }

    #[tokio::test]
    async fn reads_whole_small_file_without_header() {
        let t = test_ctx();
        std::fs::write(t.work.path().join("a.txt"), "hello\nworld\n").unwrap();
        let out = ReadFile
            .call(json!({"path": "a.txt"}), &t.ctx)
            .await
            .unwrap();
        assert_eq!(out.content, "hello\nworld");
    }

    #[tokio::test]
    async fn reads_a_window_with_header() {
        let t = test_ctx();
        std::fs::write(t.work.path().join("n.txt"), numbered(300)).unwrap();
        let out = ReadFile
            .call(json!({"path": "n.txt", "offset": 10, "limit": 51}), &t.ctx)
            .await
            .unwrap()
            .content;
        let mut lines = out.lines();
        assert_eq!(lines.next(), Some("[lines 10-60 of 300]"));
        assert_eq!(lines.next(), Some("line 10"));
        assert_eq!(lines.last(), Some("line 60"));

        let tail = ReadFile
            .call(json!({"path": "n.txt", "offset": 290}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert!(
            tail.starts_with("[lines 290-300 of 300]\nline 290\n"),
            "{tail}"
        );
    }

    #[tokio::test]
    async fn default_limit_is_2000_lines() {
        let t = test_ctx();
        std::fs::write(t.work.path().join("big.txt"), numbered(2500)).unwrap();
        let out = ReadFile
            .call(json!({"path": "big.txt"}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert!(
            out.starts_with("[lines 1-2000 of 2500]\n"),
            "{}",
            &out[..40]
        );
        assert!(out.ends_with("line 2000"));
    }

    #[tokio::test]
    async fn byte_cap_cuts_at_a_line_and_says_where_to_continue() {
        let mut t = test_ctx();
        t.ctx.output_cap = 300;
        std::fs::write(t.work.path().join("n.txt"), numbered(100)).unwrap();
        let out = ReadFile
            .call(json!({"path": "n.txt"}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert!(
            out.starts_with("[lines 1-22 of 100; output limit reached, continue with offset 23]\n"),
            "{out}"
        );
        assert!(out.ends_with("line 22"), "{out}");
    }

    #[tokio::test]
    async fn one_giant_line_is_truncated_with_notice() {
        let mut t = test_ctx();
        t.ctx.output_cap = 1000;
        std::fs::write(t.work.path().join("min.js"), "x".repeat(5000)).unwrap();
        let out = ReadFile
            .call(json!({"path": "min.js"}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert!(out.contains("[output truncated: showing the first 1000 of 5000 bytes]"));
    }

    #[tokio::test]
    async fn refuses_binary_files() {
        let t = test_ctx();
        std::fs::write(t.work.path().join("b.bin"), b"ELF\0\x01\x02").unwrap();
        let err = ReadFile
            .call(json!({"path": "b.bin"}), &t.ctx)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("binary file"), "{err}");
    }

    #[tokio::test]
    async fn refuses_sensitive_files() {
        let t = test_ctx();
        std::fs::write(t.work.path().join(".env"), "OPENAI_API_KEY=sk-x").unwrap();
        std::fs::write(t.ctx.ironclaw_home.join("config.toml"), "x").unwrap();
        std::os::unix::fs::symlink(
            t.ctx.ironclaw_home.join("config.toml"),
            t.work.path().join("c"),
        )
        .unwrap();
        let home_file = t.ctx.ironclaw_home.join("config.toml");
        for p in [".env", "c", "~/.ssh/id_rsa", home_file.to_str().unwrap()] {
            let r = ReadFile.call(json!({"path": p}), &t.ctx).await;
            assert!(matches!(r, Err(ToolError::Refused(_))), "{p}: {r:?}");
        }
    }

    #[tokio::test]
    async fn helpful_errors() {
        let t = test_ctx();
        std::fs::write(t.work.path().join("n.txt"), numbered(3)).unwrap();
        std::fs::write(t.work.path().join("empty.txt"), "").unwrap();
        let e = ReadFile
            .call(json!({"path": "n.txt", "offset": 9}), &t.ctx)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("past the end"), "{e}");
        let e = ReadFile
            .call(json!({"path": "n.txt", "offset": 0}), &t.ctx)
            .await
            .unwrap_err();
        assert!(matches!(e, ToolError::InvalidArguments(_)));
        let e = ReadFile
            .call(json!({"path": "missing.txt"}), &t.ctx)
            .await
            .unwrap_err();
        assert!(matches!(e, ToolError::Failed(_)), "{e}");
        let e = ReadFile
            .call(json!({"path": "."}), &t.ctx)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("directory"), "{e}");
        let out = ReadFile
            .call(json!({"path": "empty.txt"}), &t.ctx)
            .await
            .unwrap();
        assert_eq!(out.content, "[empty file]");
        let fifo = std::ffi::CString::new(t.work.path().join("fifo").to_str().unwrap()).unwrap();
        // SAFETY: valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        let e = ReadFile
            .call(json!({"path": "fifo"}), &t.ctx)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let e = ReadFile.call(json!({"path": 3}), &t.ctx).await.unwrap_err();
        assert!(e.to_string().contains("`path`"), "{e}");
    }
}
