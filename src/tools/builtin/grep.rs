//! `grep`: search file contents with a Rust regex.
//!
//! `path` may be a directory (walked with [`walker`]: `.gitignore`
//! honoured, `.git/` and sensitive files skipped) or a single file. The
//! optional `glob` filter follows ripgrep's `-g`: without a `/` it matches
//! file names at any depth (`*.rs`), with one it matches the path relative
//! to the root (`src/**/*.rs`). Files are streamed line by line with a
//! bytes regex, so non-UTF-8 text still matches; a NUL byte in the first
//! [`BINARY_SNIFF`] bytes marks a file binary and skips it (git's rule).
//! Results are `file:line: text`, long lines clipped to [`MAX_LINE`] bytes,
//! and the search stops after [`MAX_MATCHES`] with a notice.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use async_trait::async_trait;
use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{blocking, clip_line, parse_args, readable_file, try_args, walker};
use crate::tools::{Risk, Tool, ToolContext, ToolError, ToolOutput, cap_output, paths};

/// Matches returned at most.
const MAX_MATCHES: usize = 200;
/// Bytes of a matching line shown at most.
const MAX_LINE: usize = 300;
/// Leading bytes checked for NUL to detect binary files.
const BINARY_SNIFF: usize = 8192;

pub struct Grep;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    pattern: String,
    path: Option<String>,
    glob: Option<String>,
    #[serde(default)]
    case_insensitive: bool,
}

#[async_trait]
impl Tool for Grep {
    fn name(&self) -> &str {
        "grep"
    }

    fn description(&self) -> &str {
        "Search file contents with a regex; returns file:line: text."
    }

    fn parameters(&self) -> Value {
        json!({
            "type": "object",
            "properties": {
                "pattern": {"type": "string", "description": "Rust regex"},
                "path": {"type": "string", "description": "file or dir (default .)"},
                "glob": {"type": "string", "description": "file filter, e.g. *.rs"},
                "case_insensitive": {"type": "boolean"}
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
            Some(a) => format!(
                "grep '{}' in {}{}",
                a.pattern,
                a.path.as_deref().unwrap_or("."),
                a.glob.map(|g| format!(" ({g})")).unwrap_or_default()
            ),
            None => args.to_string(),
        }
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
        let args: Args = parse_args(args)?;
        let regex = RegexBuilder::new(&args.pattern)
            .case_insensitive(args.case_insensitive)
            .build()
            .map_err(|e| {
                ToolError::InvalidArguments(format!("`pattern` is not a valid regex: {e}"))
            })?;
        let filter = args.glob.as_deref().map(build_filter).transpose()?;
        let shown_root = args.path.clone().unwrap_or_else(|| ".".into());
        let root = paths::resolve(&shown_root, ctx)?;
        let roots = paths::SensitiveRoots::new(ctx);
        let cap = ctx.output_cap;
        let text = blocking(ctx, move |cancel| {
            let mut hits = Hits::default();
            let meta = std::fs::metadata(&root).map_err(|e| super::io_error(&root, &e))?;
            if meta.is_file() {
                search_file(&root, &shown_root, &regex, &mut hits);
            } else {
                for entry in walker(&root, &roots) {
                    if cancel.is_cancelled() {
                        return Err(ToolError::Cancelled);
                    }
                    if hits.full {
                        break;
                    }
                    let Ok(entry) = entry else { continue };
                    let Ok(rel) = entry.path().strip_prefix(&root) else {
                        continue;
                    };
                    if let Some(f) = &filter
                        && !f.matches(rel)
                    {
                        continue;
                    }
                    if !readable_file(&entry, &roots) {
                        continue;
                    }
                    search_file(entry.path(), &rel.display().to_string(), &regex, &mut hits);
                }
            }
            Ok(hits.render())
        })
        .await?;
        Ok(ToolOutput::text(cap_output(text, cap)))
    }
}

/// The `glob` argument: by file name when it has no `/`, else by path.
enum Filter {
    Name(globset::GlobMatcher),
    Path(globset::GlobMatcher),
}

impl Filter {
    fn matches(&self, rel: &Path) -> bool {
        match self {
            Filter::Name(m) => rel.file_name().is_some_and(|n| m.is_match(n)),
            Filter::Path(m) => m.is_match(rel),
        }
    }
}

fn build_filter(glob: &str) -> Result<Filter, ToolError> {
    let m = globset::GlobBuilder::new(glob)
        .literal_separator(true)
        .build()
        .map_err(|e| ToolError::InvalidArguments(format!("`glob`: {e}")))?
        .compile_matcher();
    Ok(if glob.contains('/') {
        Filter::Path(m)
    } else {
        Filter::Name(m)
    })
}

#[derive(Default)]
struct Hits {
    out: String,
    count: usize,
    full: bool,
}

impl Hits {
    fn push(&mut self, file: &str, line_no: u64, line: &[u8]) {
        if self.count == MAX_MATCHES {
            self.full = true;
            return;
        }
        self.count += 1;
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end_matches(['\n', '\r']);
        self.out.push_str(&format!(
            "{file}:{line_no}: {}\n",
            clip_line(text, MAX_LINE)
        ));
    }

    fn render(mut self) -> String {
        if self.count == 0 {
            return "[no matches]".into();
        }
        if self.full {
            self.out.push_str(&format!(
                "[stopped after {MAX_MATCHES} matches; narrow the pattern, path or glob]\n"
            ));
        }
        self.out.pop();
        self.out
    }
}

/// Searches one file, skipping it quietly when unreadable or binary.
fn search_file(path: &Path, shown: &str, regex: &Regex, hits: &mut Hits) {
    let Ok(file) = std::fs::File::open(path) else {
        tracing::debug!(path = %path.display(), "grep: cannot open, skipped");
        return;
    };
    let mut reader = BufReader::new(file);
    let mut head = Vec::with_capacity(BINARY_SNIFF);
    if (&mut reader)
        .take(BINARY_SNIFF as u64)
        .read_to_end(&mut head)
        .is_err()
        || head.contains(&0)
    {
        return;
    }
    let mut reader = BufReader::new(std::io::Cursor::new(head).chain(reader));
    let mut line = Vec::new();
    let mut line_no = 0u64;
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        line_no += 1;
        if regex.is_match(&line) {
            hits.push(shown, line_no, &line);
            if hits.full {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::paths::tests::test_ctx;

    fn write(root: &Path, rel: &str, content: &[u8]) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    #[tokio::test]
    async fn finds_matches_with_file_and_line() {
        let t = test_ctx();
        let w = t.work.path();
        write(w, "src/a.rs", b"fn main() {}\nfn helper() {}\n");
        write(w, "src/b.txt", b"fn not_rust\n");
        write(w, "ignored/c.rs", b"fn ignored() {}\n");
        write(w, ".gitignore", b"ignored/\n");
        write(w, "bin.dat", b"fn \0 binary");
        write(w, ".env", b"fn secret\n");
        let out = Grep
            .call(json!({"pattern": r"fn \w+"}), &t.ctx)
            .await
            .unwrap()
            .content;
        let mut lines: Vec<&str> = out.lines().collect();
        lines.sort();
        assert_eq!(
            lines,
            [
                "src/a.rs:1: fn main() {}",
                "src/a.rs:2: fn helper() {}",
                "src/b.txt:1: fn not_rust"
            ]
        );
        let out = Grep
            .call(
                json!({"pattern": "FN HELPER", "glob": "*.rs", "case_insensitive": true}),
                &t.ctx,
            )
            .await
            .unwrap()
            .content;
        assert_eq!(out, "src/a.rs:2: fn helper() {}");
        let out = Grep
            .call(json!({"pattern": "helper", "path": "src/a.rs"}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert_eq!(out, "src/a.rs:2: fn helper() {}");
        let out = Grep
            .call(json!({"pattern": "zzz"}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert_eq!(out, "[no matches]");
    }

    #[tokio::test]
    async fn invalid_regex_is_invalid_arguments() {
        let t = test_ctx();
        let err = Grep
            .call(json!({"pattern": "fn ("}), &t.ctx)
            .await
            .unwrap_err();
        match err {
            ToolError::InvalidArguments(msg) => assert!(msg.contains("unclosed group"), "{msg}"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn caps_matches_and_clips_long_lines() {
        let t = test_ctx();
        let many: String = (0..300).map(|i| format!("hit {i}\n")).collect();
        write(t.work.path(), "many.txt", many.as_bytes());
        write(
            t.work.path(),
            "long.txt",
            format!("hit{}\n", "y".repeat(1000)).as_bytes(),
        );
        let out = Grep
            .call(json!({"pattern": "hit", "path": "many.txt"}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert_eq!(out.lines().count(), 201);
        assert!(out.ends_with("[stopped after 200 matches; narrow the pattern, path or glob]"));
        let out = Grep
            .call(json!({"pattern": "hit", "path": "long.txt"}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert!(out.len() < 350 && out.ends_with('…'), "{out}");
    }

    #[tokio::test]
    async fn refuses_sensitive_paths_and_skips_links_to_them() {
        let t = test_ctx();
        write(&t.ctx.ironclaw_home, "secrets.toml", b"token = 1\n");
        std::os::unix::fs::symlink(
            t.ctx.ironclaw_home.join("secrets.toml"),
            t.work.path().join("s"),
        )
        .unwrap();
        let out = Grep
            .call(json!({"pattern": "token"}), &t.ctx)
            .await
            .unwrap()
            .content;
        assert_eq!(out, "[no matches]");
        for p in ["s", ".env", "~/.aws"] {
            let r = Grep.call(json!({"pattern": "x", "path": p}), &t.ctx).await;
            assert!(matches!(r, Err(ToolError::Refused(_))), "{p}: {r:?}");
        }
    }
}
