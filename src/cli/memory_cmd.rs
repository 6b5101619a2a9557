//! `ironclaw memory …`: the memory workspace from the command line, through
//! the engine (the daemon's when one runs).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

use super::{CliError, connect, exit};
use crate::config::Loaded;
use crate::daemon::Connection;
use crate::engine::ProviderSource;
use crate::protocol::{Event, MemoryChange, MemoryStatus, Op, WriteMode};

#[derive(Debug, Subcommand)]
pub enum MemoryCommand {
    /// Search by keywords and meaning (hybrid: BM25 + local vectors, fused with RRF).
    Search {
        query: String,
        #[arg(long, short = 'n', default_value_t = 10)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Print a document (or an older version of it).
    Read {
        path: String,
        #[arg(long)]
        version: Option<u64>,
    },
    /// Write a document from TEXT, or from stdin when TEXT is omitted.
    Write {
        path: String,
        text: Option<String>,
        /// Add to the end instead of replacing.
        #[arg(long)]
        append: bool,
    },
    /// List documents (under PREFIX).
    Tree {
        prefix: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List the versions of a document.
    History { path: String },
    /// Rename a document.
    Mv { from: String, to: String },
    /// Delete a document (its versions are kept).
    Rm { path: String },
    /// Import a folder of Markdown/text notes (e.g. an Obsidian vault).
    Import {
        dir: PathBuf,
        /// Put the notes under this folder of the workspace.
        #[arg(long, default_value = "")]
        prefix: String,
        /// Return once the notes are stored, without waiting for indexing.
        #[arg(long)]
        no_wait: bool,
    },
    /// Write every document to files under DIR.
    Export {
        dir: PathBuf,
        /// Overwrite files that exist with different content.
        #[arg(long)]
        force: bool,
        /// Also write documents whose path has a hidden part (`.vscode/…`,
        /// `.envrc`): such files can configure tools in the folder.
        #[arg(long)]
        hidden: bool,
    },
    /// Rebuild the search indexes from the database (and retry the model).
    Reindex {
        /// Return at once instead of showing progress until it is done.
        #[arg(long)]
        no_wait: bool,
    },
    /// Documents, chunks, vectors, the model and the indexes.
    Status {
        #[arg(long)]
        json: bool,
    },
}

/// File extensions `import` takes.
const NOTE_EXTENSIONS: [&str; 7] = ["md", "markdown", "txt", "text", "org", "rst", "adoc"];

pub async fn run(command: &MemoryCommand, loaded: &Loaded) -> Result<u8, CliError> {
    let mut client = connect(loaded, ProviderSource::None, "cli").await?;
    let result = dispatch(command, &mut client).await;
    client.close().await;
    result
}

async fn dispatch(command: &MemoryCommand, client: &mut Connection) -> Result<u8, CliError> {
    match command {
        MemoryCommand::Search { query, limit, json } => search(client, query, *limit, *json).await,
        MemoryCommand::Read { path, version } => {
            let op = Op::MemoryRead {
                path: path.clone(),
                version: *version,
            };
            let doc = request(client, op, |e| match e {
                Event::MemoryDocument { document } => Some(document.clone()),
                _ => None,
            })
            .await?;
            print!("{}", doc.content);
            if !doc.content.ends_with('\n') {
                println!();
            }
            Ok(exit::OK)
        }
        MemoryCommand::Write { path, text, append } => {
            let content = match text {
                Some(t) => t.clone(),
                None => {
                    let mut s = String::new();
                    std::io::stdin().read_to_string(&mut s).map_err(|e| {
                        CliError::new(exit::USAGE, format!("cannot read stdin as UTF-8 text: {e}"))
                    })?;
                    s
                }
            };
            let mode = if *append {
                WriteMode::Append
            } else {
                WriteMode::Replace
            };
            let (path, version) = write(client, path, content, mode).await?;
            eprintln!("saved {path} (version {version})");
            Ok(exit::OK)
        }
        MemoryCommand::Tree { prefix, json } => {
            let entries = tree(client, prefix.clone()).await?;
            if *json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&entries).unwrap_or_default()
                );
            } else if entries.is_empty() {
                println!("no documents; add one with `ironclaw memory write notes/first.md \"…\"`");
            } else {
                for e in entries {
                    println!("{:>7}  v{:<4} {}", e.chars, e.version, e.path);
                }
            }
            Ok(exit::OK)
        }
        MemoryCommand::History { path } => {
            let op = Op::MemoryHistory { path: path.clone() };
            let versions = request(client, op, |e| match e {
                Event::MemoryHistory { versions, .. } => Some(versions.clone()),
                _ => None,
            })
            .await?;
            println!(
                "{:>7}  {:<16}  {:<6}  {:>7}  PATH",
                "VERSION", "WHEN", "AUTHOR", "CHARS"
            );
            for v in versions {
                println!(
                    "{:>7}  {:<16}  {:<6}  {:>7}  {}",
                    v.version,
                    super::threads::local_time(v.created_at),
                    v.author,
                    v.chars,
                    v.path
                );
            }
            Ok(exit::OK)
        }
        MemoryCommand::Mv { from, to } => {
            let op = Op::MemoryMove {
                from: from.clone(),
                to: to.clone(),
            };
            let (path, version) = request(client, op, |e| match e {
                Event::MemoryChanged {
                    path,
                    change: MemoryChange::Moved { .. },
                    version,
                } => Some((path.clone(), *version)),
                _ => None,
            })
            .await?;
            eprintln!("moved to {path} (version {version})");
            Ok(exit::OK)
        }
        MemoryCommand::Rm { path } => {
            let op = Op::MemoryDelete { path: path.clone() };
            let path = request(client, op, |e| match e {
                Event::MemoryChanged {
                    path,
                    change: MemoryChange::Deleted,
                    ..
                } => Some(path.clone()),
                _ => None,
            })
            .await?;
            eprintln!("deleted {path} (`ironclaw memory history {path}` still lists its versions)");
            Ok(exit::OK)
        }
        MemoryCommand::Import {
            dir,
            prefix,
            no_wait,
        } => import(client, dir, prefix, *no_wait).await,
        MemoryCommand::Export { dir, force, hidden } => export(client, dir, *force, *hidden).await,
        MemoryCommand::Reindex { no_wait } => {
            client.send(Op::MemoryReindex).await.map_err(failure)?;
            eprintln!("reindexing: both indexes are rebuilt from the database");
            if !no_wait {
                wait_for_index(client).await?;
            }
            Ok(exit::OK)
        }
        MemoryCommand::Status { json } => {
            let status = opened_status(client).await?;
            if *json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&status).unwrap_or_default()
                );
            } else {
                print_status(&status);
            }
            Ok(exit::OK)
        }
    }
}

fn failure(e: impl std::fmt::Display) -> CliError {
    CliError::new(exit::FAILURE, e.to_string())
}

/// Sends `op` and waits for the event `pick` accepts, or an error.
async fn request<T>(
    client: &mut Connection,
    op: Op,
    mut pick: impl FnMut(&Event) -> Option<T>,
) -> Result<T, CliError> {
    client.send(op).await.map_err(failure)?;
    loop {
        let event = client.recv().await.map_err(failure)?.event;
        if let Some(t) = pick(&event) {
            return Ok(t);
        }
        if let Event::Error {
            kind,
            message,
            hint,
            thread_id: None,
            ..
        } = event
        {
            let code = if kind == "memory" {
                exit::USAGE
            } else {
                exit::FAILURE
            };
            let mut err = CliError::new(code, message);
            if let Some(h) = hint {
                err = err.hint(h);
            }
            return Err(err);
        }
    }
}

async fn write(
    client: &mut Connection,
    path: &str,
    content: String,
    mode: WriteMode,
) -> Result<(String, u64), CliError> {
    let want = crate::memory::normalize_path(path)
        .map_err(|e| CliError::new(exit::USAGE, e.to_string()))?;
    let op = Op::MemoryWrite {
        path: want.clone(),
        content,
        mode,
        expected_version: None,
    };
    // The stored document comes back to this client only.
    request(client, op, |e| match e {
        Event::MemoryDocument { document } if document.path == want => {
            Some((document.path.clone(), document.version))
        }
        _ => None,
    })
    .await
}

async fn tree(
    client: &mut Connection,
    prefix: Option<String>,
) -> Result<Vec<crate::protocol::MemoryEntry>, CliError> {
    request(client, Op::MemoryTree { prefix }, |e| match e {
        Event::MemoryTree { entries } => Some(entries.clone()),
        _ => None,
    })
    .await
}

/// The status once a just-started engine has opened the index and looked
/// for the model (at most 30 s), so it reports what it found, not "loading".
pub(super) async fn opened_status(client: &mut Connection) -> Result<MemoryStatus, CliError> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut s = status(client).await?;
    while (s.model_state == "loading" || s.fulltext == "opening")
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
        s = status(client).await?;
    }
    Ok(s)
}

async fn status(client: &mut Connection) -> Result<MemoryStatus, CliError> {
    request(client, Op::MemoryStatus, |e| match e {
        Event::MemoryStatus { status } => Some(status.clone()),
        _ => None,
    })
    .await
}

async fn search(
    client: &mut Connection,
    query: &str,
    limit: u32,
    json: bool,
) -> Result<u8, CliError> {
    // An engine started just now loads the model and catches up on
    // pending notes first (a second or so); a daemon is usually ready.
    let ready = status(client).await?;
    if ready.indexing || ready.model_state.starts_with("loading") {
        wait_for_index_quietly(client, Duration::from_secs(60)).await?;
    }
    let op = Op::MemorySearch {
        query: query.to_string(),
        limit,
    };
    let (hits, notices, took_ms) = request(client, op, |e| match e {
        Event::MemorySearchResults {
            hits,
            notices,
            took_ms,
            ..
        } => Some((hits.clone(), notices.clone(), *took_ms)),
        _ => None,
    })
    .await?;
    if json {
        let out = serde_json::json!({"query": query, "hits": hits, "notices": notices, "took_ms": took_ms});
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return Ok(exit::OK);
    }
    for n in &notices {
        eprintln!("note: {n}");
    }
    if hits.is_empty() {
        eprintln!("no matches ({took_ms} ms)");
        return Ok(exit::OK);
    }
    let rank = |r: Option<u32>| r.map_or("-".to_string(), |r| r.to_string());
    for (i, h) in hits.iter().enumerate() {
        println!(
            "{:>2}. {}  score {:.4}  keyword {}  meaning {}",
            i + 1,
            h.path,
            h.score,
            rank(h.fulltext_rank),
            rank(h.vector_rank)
        );
        println!("    {}", h.snippet);
    }
    eprintln!("{} result(s) in {took_ms} ms", hits.len());
    Ok(exit::OK)
}

/// Whether the indexer has caught up.
fn caught_up(s: &MemoryStatus) -> bool {
    let vectors_done = s.model_state != "ready" || s.embedded_chunks >= s.chunks;
    !s.indexing && s.pending_documents == 0 && vectors_done && !s.model_state.starts_with("loading")
}

async fn wait_for_index_quietly(client: &mut Connection, limit: Duration) -> Result<(), CliError> {
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
        if caught_up(&status(client).await?) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// Shows indexing progress until the indexer has caught up.
async fn wait_for_index(client: &mut Connection) -> Result<MemoryStatus, CliError> {
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len} chunks ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("indexing");
    let mut last = (u64::MAX, u64::MAX, u64::MAX);
    let mut moved = tokio::time::Instant::now();
    loop {
        let s = status(client).await?;
        let now = (s.chunks, s.embedded_chunks, s.pending_documents);
        if now != last {
            last = now;
            moved = tokio::time::Instant::now();
        } else if moved.elapsed() > Duration::from_secs(60) {
            bar.abandon();
            return Err(CliError::new(
                exit::FAILURE,
                format!(
                    "indexing made no progress for a minute ({} of {} chunks with vectors, {} documents pending; model {})",
                    s.embedded_chunks, s.chunks, s.pending_documents, s.model_state
                ),
            )
            .hint("the notes are stored; `ironclaw memory status` and the log in ~/.ironclaw/logs tell why indexing stalled"));
        }
        bar.set_length(s.chunks.max(1));
        if s.model_state == "ready" {
            bar.set_position(s.embedded_chunks);
        } else {
            bar.set_position(s.chunks.saturating_sub(s.pending_documents));
        }
        if caught_up(&s) {
            bar.finish_and_clear();
            eprintln!(
                "indexed: {} documents, {} chunks, {} with vectors (model: {})",
                s.documents, s.chunks, s.embedded_chunks, s.model_state
            );
            if let Some(hint) = &s.model_hint {
                eprintln!("  note: {hint}");
            }
            return Ok(s);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn print_status(s: &MemoryStatus) {
    println!("documents:   {}", s.documents);
    println!(
        "chunks:      {} ({} with vectors)",
        s.chunks, s.embedded_chunks
    );
    println!(
        "pending:     {} document(s){}",
        s.pending_documents,
        if s.indexing { ", indexing now" } else { "" }
    );
    println!(
        "full text:   {} ({:.1} MB on disk)",
        s.fulltext,
        s.index_bytes as f64 / 1e6
    );
    println!("model:       {} — {}", s.model, s.model_state);
    if let Some(hint) = &s.model_hint {
        println!("  fix: {hint}");
    }
}

/// Whether every existing component of `target` below `root` is a real
/// directory or file, not a symbolic link.
fn inside_without_links(root: &Path, target: &Path) -> bool {
    let Ok(rel) = target.strip_prefix(root) else {
        return false;
    };
    let mut at = root.to_path_buf();
    for part in rel.components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => return false,
            Ok(_) => {}
            Err(_) => return true, // the rest does not exist yet
        }
    }
    true
}

/// Notes under `dir`, as (workspace path, file), skipping hidden folders
/// (`.obsidian`, `.git`) and what `.gitignore` excludes.
fn note_files(dir: &Path, prefix: &str) -> Result<Vec<(String, PathBuf)>, CliError> {
    if !dir.is_dir() {
        return Err(CliError::new(
            exit::USAGE,
            format!("{} is not a folder", dir.display()),
        ));
    }
    let prefix = prefix.trim().trim_matches('/');
    let mut files = Vec::new();
    for entry in ignore::WalkBuilder::new(dir)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build()
    {
        let entry = entry.map_err(failure)?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if !NOTE_EXTENSIONS.contains(&ext.as_str()) {
            continue;
        }
        let rel = path.strip_prefix(dir).unwrap_or(path);
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let rel = rel.join("/");
        let target = if prefix.is_empty() {
            rel
        } else {
            format!("{prefix}/{rel}")
        };
        files.push((target, path.to_path_buf()));
    }
    Ok(files)
}

async fn import(
    client: &mut Connection,
    dir: &Path,
    prefix: &str,
    no_wait: bool,
) -> Result<u8, CliError> {
    let files = note_files(dir, prefix)?;
    if files.is_empty() {
        eprintln!(
            "no notes ({}) under {}",
            NOTE_EXTENSIONS.join(", "),
            dir.display()
        );
        return Ok(exit::OK);
    }
    let bar = ProgressBar::new(files.len() as u64).with_style(
        ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len} notes ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("importing");
    let (mut stored, mut skipped) = (0usize, Vec::new());
    for (target, file) in &files {
        let text = match std::fs::read(file) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    skipped.push(format!("{}: not UTF-8 text", file.display()));
                    bar.inc(1);
                    continue;
                }
            },
            Err(e) => {
                skipped.push(format!("{}: {e}", file.display()));
                bar.inc(1);
                continue;
            }
        };
        match write(client, target, text, WriteMode::Replace).await {
            Ok(_) => stored += 1,
            Err(e) if e.code == exit::USAGE => {
                skipped.push(format!("{}: {}", file.display(), e.message))
            }
            Err(e) => {
                bar.abandon();
                return Err(e);
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    eprintln!(
        "imported {stored} of {} notes from {}",
        files.len(),
        dir.display()
    );
    for s in &skipped {
        eprintln!("  skipped {s}");
    }
    if !no_wait {
        wait_for_index(client).await?;
    }
    Ok(if skipped.is_empty() {
        exit::OK
    } else {
        exit::FAILURE
    })
}

async fn export(
    client: &mut Connection,
    dir: &Path,
    force: bool,
    hidden: bool,
) -> Result<u8, CliError> {
    let entries = tree(client, None).await?;
    std::fs::create_dir_all(dir)
        .map_err(|err| failure(format!("cannot create {}: {err}", dir.display())))?;
    let root = dir
        .canonicalize()
        .map_err(|err| failure(format!("cannot open {}: {err}", dir.display())))?;
    let mut written = 0;
    let mut conflicts = Vec::new();
    let mut skipped = Vec::new();
    for e in &entries {
        if !hidden && e.path.split('/').any(|part| part.starts_with('.')) {
            skipped.push(format!("{} (hidden; --hidden writes it)", e.path));
            continue;
        }
        let op = Op::MemoryRead {
            path: e.path.clone(),
            version: None,
        };
        let doc = request(client, op, |ev| match ev {
            Event::MemoryDocument { document } => Some(document.clone()),
            _ => None,
        })
        .await?;
        // Workspace paths never contain `..` or empty parts (checked on
        // write), so joining them stays inside `dir`; symlinks already in
        // `dir` are not followed (a link could point anywhere).
        let target = root.join(&doc.path);
        if !inside_without_links(&root, &target) {
            skipped.push(format!(
                "{} (a symbolic link is in the way)",
                target.display()
            ));
            continue;
        }
        match std::fs::read(&target) {
            Ok(existing) if existing == doc.content.as_bytes() => continue,
            Ok(_) if !force => {
                conflicts.push(target.display().to_string());
                continue;
            }
            _ => {}
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|err| failure(format!("cannot create {}: {err}", parent.display())))?;
        }
        std::fs::write(&target, doc.content.as_bytes())
            .map_err(|err| failure(format!("cannot write {}: {err}", target.display())))?;
        written += 1;
    }
    eprintln!(
        "exported {written} document(s) to {} ({} already up to date)",
        dir.display(),
        entries.len() - written - conflicts.len()
    );
    if !conflicts.is_empty() {
        for c in &conflicts {
            eprintln!("  not overwritten (differs): {c}");
        }
        return Err(CliError::new(
            exit::FAILURE,
            format!("{} file(s) differ from the workspace", conflicts.len()),
        )
        .hint("pass --force to overwrite them"));
    }
    Ok(exit::OK)
}
