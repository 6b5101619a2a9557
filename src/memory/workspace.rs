//! Workspace paths and the identity files.
//!
//! Paths look like relative file paths (`notes/ideas.md`,
//! `daily/2026-11-26.md`): `/`-separated, no empty, `.` or `..` parts, no
//! control characters, at most 512 bytes. A leading `/` or `./` is dropped.
//! They never touch the filesystem: the workspace lives in the database.

use std::path::Path;

use super::MemoryError;
use crate::db::Db;
use crate::protocol::WriteMode;

/// Seeded on first run, editable by the user and the agent.
pub const IDENTITY_FILES: [(&str, &str); 6] = [
    ("AGENTS.md", AGENTS),
    ("SOUL.md", SOUL),
    ("IDENTITY.md", IDENTITY),
    ("USER.md", USER),
    ("MEMORY.md", MEMORY),
    ("HEARTBEAT.md", HEARTBEAT),
];

/// The files the system prompt includes, in this order. `HEARTBEAT.md` is
/// the heartbeat's checklist, not part of every turn.
pub const PROMPT_FILES: [&str; 5] = [
    "AGENTS.md",
    "SOUL.md",
    "IDENTITY.md",
    "USER.md",
    "MEMORY.md",
];

const AGENTS: &str = "# AGENTS.md — how you work\n\n\
- Before answering about past conversations, decisions, people or preferences, search memory (`memory_search`).\n\
- Keep durable facts (preferences, decisions, names, recurring tasks) in `MEMORY.md` with `memory_write` (mode `append`); keep them short and dated.\n\
- Log notable work of the day to `daily/<today's date>.md` (append).\n\
- What you learn about the user goes to `USER.md`.\n\
- Never store secrets, passwords or API keys in memory.\n";

const SOUL: &str = "# SOUL.md — who you are\n\n\
You are direct, careful and kind. You say what you do not know. You prefer doing the work \
to describing it, and you ask before anything irreversible.\n";

const IDENTITY: &str = "# IDENTITY.md\n\nName: IronClaw\nRole: a personal assistant that runs on the user's own machine.\n";

const USER: &str = "# USER.md — about the user\n\n(Nothing yet. Add what the user tells you about themselves: name, work, preferences.)\n";

const MEMORY: &str = "# MEMORY.md — long-term memory\n\n";

const HEARTBEAT: &str = "# HEARTBEAT.md — the heartbeat's checklist\n\n\
Things to check on each heartbeat run, one per line, e.g.:\n\
- anything due today in `daily/`?\n";

const MAX_PATH_BYTES: usize = 512;

/// Validates and normalises a workspace path.
pub fn normalize_path(raw: &str) -> Result<String, MemoryError> {
    let bad = |reason: &str| MemoryError::InvalidPath {
        path: raw.chars().take(80).collect(),
        reason: reason.to_string(),
    };
    let mut path = raw.trim();
    while let Some(rest) = path.strip_prefix("./").or_else(|| path.strip_prefix('/')) {
        path = rest;
    }
    if path.is_empty() {
        return Err(bad(
            "the path is empty; use something like `notes/ideas.md`",
        ));
    }
    if path.len() > MAX_PATH_BYTES {
        return Err(bad("longer than 512 bytes"));
    }
    if path.chars().any(|c| c.is_control()) {
        return Err(bad("control characters are not allowed"));
    }
    if path.contains('\\') {
        return Err(bad("use `/` to separate folders"));
    }
    if path.ends_with('/') {
        return Err(bad("that is a folder; name a document in it"));
    }
    for part in path.split('/') {
        match part {
            "" => return Err(bad("empty folder name (`//`)")),
            "." | ".." => return Err(bad("`.` and `..` are not allowed")),
            p if p.trim() != p => return Err(bad("names may not start or end with spaces")),
            _ => {}
        }
    }
    Ok(path.to_string())
}

/// Writes each identity file that has never existed (a file the user
/// deleted stays deleted). A legacy `AGENTS.md` in the IronClaw home (from
/// before the workspace) becomes the workspace's `AGENTS.md`.
pub async fn seed(db: &Db, legacy_agents: &Path) -> Result<(), MemoryError> {
    for (path, default) in IDENTITY_FILES {
        if !db.memory_history(path).await?.is_empty() {
            continue;
        }
        let legacy = if path == "AGENTS.md" {
            std::fs::read_to_string(legacy_agents)
                .ok()
                .filter(|t| !t.trim().is_empty())
        } else {
            None
        };
        let (text, author) = match &legacy {
            Some(t) => (t.as_str(), "import"),
            None => (default, "seed"),
        };
        db.memory_write(
            path,
            text,
            WriteMode::Replace,
            None,
            author,
            super::MAX_DOCUMENT_BYTES,
        )
        .await?;
        tracing::info!(path, author, "seeded identity file");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_or_refused() {
        assert_eq!(normalize_path("notes/a.md").unwrap(), "notes/a.md");
        assert_eq!(normalize_path(" /notes/a.md ").unwrap(), "notes/a.md");
        assert_eq!(normalize_path("./././x").unwrap(), "x");
        assert_eq!(
            normalize_path("Ünïcode/日本.md").unwrap(),
            "Ünïcode/日本.md"
        );
        for bad in [
            "", "  ", "/", "a//b", "a/../b", "..", "./", "a/", "a\\b", "a/\u{7}b", " a/ b",
        ] {
            let err = normalize_path(bad).unwrap_err().to_string();
            assert!(err.starts_with("invalid path"), "{bad:?}: {err}");
        }
        assert!(normalize_path(&"x".repeat(513)).is_err());
    }
}
