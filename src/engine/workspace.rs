//! The engine side of the memory workspace: protocol ops, the agent's
//! [`Workspace`] handle, and status broadcasts while indexing runs.
//!
//! Every change, by a client or by the agent, is broadcast as
//! [`Event::MemoryChanged`] so open Memory panes follow along.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::Shared;
use crate::memory::MemoryError;
use crate::protocol::{ClientId, Event, MemoryChange, Op, WriteMode};
use crate::tools::{Workspace, WorkspaceSearch};

/// Handles a `Memory*` op. Quick ones (reads and writes, a millisecond or
/// two) run in the actor so one client's writes stay in order; search
/// and status run in their own tasks.
pub(super) async fn handle(shared: &Arc<Shared>, client: ClientId, op: Op) {
    let Err(e) = run(shared, client, op).await else {
        return;
    };
    let (kind, hint) = match &e {
        MemoryError::Db(_) => ("database", Some("`ironclaw doctor` checks the database")),
        MemoryError::Conflict { .. } => (
            "memory",
            Some("reload the document and apply your change again"),
        ),
        _ => ("memory", None),
    };
    let event = Event::error(kind, e.to_string(), hint);
    shared.bus.reply(client, event).await;
}

async fn run(shared: &Arc<Shared>, client: ClientId, op: Op) -> Result<(), MemoryError> {
    let memory = &shared.memory;
    let reply = |event: Event| shared.bus.reply(client, event);
    match op {
        Op::MemoryTree { prefix } => {
            let entries = memory.tree(prefix.as_deref()).await?;
            reply(Event::MemoryTree { entries }).await;
        }
        Op::MemoryRead { path, version } => {
            let document = memory.read(&path, version).await?;
            reply(Event::MemoryDocument { document }).await;
        }
        Op::MemoryWrite {
            path,
            content,
            mode,
            expected_version,
        } => {
            let (path, version, _changed) = memory
                .write(&path, &content, mode, expected_version, "user")
                .await?;
            changed(shared, path.clone(), MemoryChange::Written, version).await;
            // The writer alone gets what was stored: its confirmation (an
            // editor tells its own save from someone else's).
            let document = memory.read(&path, None).await?;
            reply(Event::MemoryDocument { document }).await;
        }
        Op::MemoryDelete { path } => {
            let path = memory.delete(&path).await?;
            changed(shared, path, MemoryChange::Deleted, 0).await;
        }
        Op::MemoryMove { from, to } => {
            let (from, to, version) = memory.rename(&from, &to).await?;
            changed(shared, to, MemoryChange::Moved { from }, version).await;
        }
        Op::MemoryHistory { path } => {
            let versions = memory.history(&path).await?;
            reply(Event::MemoryHistory { path, versions }).await;
        }
        Op::MemorySearch { query, limit } => {
            let shared = shared.clone();
            tokio::spawn(async move {
                let found = shared.memory.search(&query, limit as usize).await;
                let event = Event::MemorySearchResults {
                    query,
                    hits: found.hits,
                    notices: found.notices,
                    took_ms: found.took_ms,
                };
                shared.bus.reply(client, event).await;
            });
        }
        Op::MemoryReindex => {
            memory.reindex().await?;
            let status = memory.status().await;
            shared.bus.emit(Event::MemoryStatus { status }).await;
        }
        Op::MemoryStatus => {
            let shared = shared.clone();
            tokio::spawn(async move {
                let status = shared.memory.status().await;
                shared
                    .bus
                    .reply(client, Event::MemoryStatus { status })
                    .await;
            });
        }
        other => tracing::error!(op = ?other, "not a memory op"),
    }
    Ok(())
}

async fn changed(shared: &Shared, path: String, change: MemoryChange, version: u64) {
    shared
        .bus
        .emit(Event::MemoryChanged {
            path,
            change,
            version,
        })
        .await;
}

/// Broadcasts [`Event::MemoryStatus`] while the indexer works, at most
/// every 250 ms, and once when it goes idle.
pub(super) fn start_status_broadcasts(shared: &Arc<Shared>) {
    let weak = Arc::downgrade(shared);
    let mut rx = shared.memory.subscribe();
    tokio::spawn(async move {
        while rx.changed().await.is_ok() {
            tokio::time::sleep(Duration::from_millis(250)).await;
            rx.borrow_and_update();
            let Some(shared) = weak.upgrade() else { break };
            let status = shared.memory.status().await;
            shared.bus.emit(Event::MemoryStatus { status }).await;
        }
    });
}

/// The agent's handle on the workspace (see [`Workspace`]).
pub(super) struct AgentWorkspace {
    pub shared: Arc<Shared>,
}

#[async_trait]
impl Workspace for AgentWorkspace {
    async fn search(&self, query: &str, limit: usize) -> Result<WorkspaceSearch, String> {
        let found = self.shared.memory.search(query, limit).await;
        Ok(WorkspaceSearch {
            hits: found.hits,
            notices: found.notices,
        })
    }

    async fn read(&self, path: &str) -> Result<(String, u64), String> {
        self.shared
            .memory
            .read(path, None)
            .await
            .map(|d| (d.content, d.version))
            .map_err(|e| e.to_string())
    }

    async fn write(
        &self,
        path: &str,
        content: &str,
        append: bool,
    ) -> Result<(String, u64), String> {
        let mode = if append {
            WriteMode::Append
        } else {
            WriteMode::Replace
        };
        let (path, version, was_changed) = self
            .shared
            .memory
            .write(path, content, mode, None, "agent")
            .await
            .map_err(|e| e.to_string())?;
        if was_changed {
            changed(&self.shared, path.clone(), MemoryChange::Written, version).await;
        }
        Ok((path, version))
    }

    async fn tree(&self, prefix: &str) -> Result<Vec<(String, u64)>, String> {
        let prefix = (!prefix.is_empty()).then_some(prefix);
        self.shared
            .memory
            .tree(prefix)
            .await
            .map(|entries| entries.into_iter().map(|e| (e.path, e.chars)).collect())
            .map_err(|e| e.to_string())
    }
}
