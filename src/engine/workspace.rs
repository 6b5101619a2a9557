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
/// two) run in the actor so one client's writes stay in order; search,
/// reindex and status run in their own tasks.
pub(super) async fn handle(shared: &Arc<Shared>, client: ClientId, op: Op) {
    let memory = shared.memory.clone();
    let result: Result<(), MemoryError> = match op {
        Op::MemoryTree { prefix } => match memory.tree(prefix.as_deref()).await {
            Ok(entries) => {
                shared
                    .bus
                    .reply(client, Event::MemoryTree { entries })
                    .await;
                Ok(())
            }
            Err(e) => Err(e),
        },
        Op::MemoryRead { path, version } => match memory.read(&path, version).await {
            Ok(document) => {
                shared
                    .bus
                    .reply(client, Event::MemoryDocument { document })
                    .await;
                Ok(())
            }
            Err(e) => Err(e),
        },
        Op::MemoryWrite {
            path,
            content,
            mode,
            expected_version,
        } => match memory
            .write(&path, &content, mode, expected_version, "user")
            .await
        {
            Ok((path, version, _changed)) => {
                changed(shared, path.clone(), MemoryChange::Written, version).await;
                // The writer alone gets what was stored: its confirmation
                // (an editor tells its own save from someone else's).
                match memory.read(&path, None).await {
                    Ok(document) => {
                        shared
                            .bus
                            .reply(client, Event::MemoryDocument { document })
                            .await;
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        },
        Op::MemoryDelete { path } => match memory.delete(&path).await {
            Ok(path) => {
                changed(shared, path, MemoryChange::Deleted, 0).await;
                Ok(())
            }
            Err(e) => Err(e),
        },
        Op::MemoryMove { from, to } => match memory.rename(&from, &to).await {
            Ok((from, to, version)) => {
                changed(shared, to, MemoryChange::Moved { from }, version).await;
                Ok(())
            }
            Err(e) => Err(e),
        },
        Op::MemoryHistory { path } => match memory.history(&path).await {
            Ok(versions) => {
                shared
                    .bus
                    .reply(client, Event::MemoryHistory { path, versions })
                    .await;
                Ok(())
            }
            Err(e) => Err(e),
        },
        Op::MemorySearch { query, limit } => {
            let shared = shared.clone();
            tokio::spawn(async move {
                let found = shared.memory.search(&query, limit as usize).await;
                shared
                    .bus
                    .reply(
                        client,
                        Event::MemorySearchResults {
                            query,
                            hits: found.hits,
                            notices: found.notices,
                            took_ms: found.took_ms,
                        },
                    )
                    .await;
            });
            Ok(())
        }
        Op::MemoryReindex => match memory.reindex().await {
            Ok(()) => {
                let status = memory.status().await;
                shared.bus.emit(Event::MemoryStatus { status }).await;
                Ok(())
            }
            Err(e) => Err(e),
        },
        Op::MemoryStatus => {
            let shared = shared.clone();
            tokio::spawn(async move {
                let status = shared.memory.status().await;
                shared
                    .bus
                    .reply(client, Event::MemoryStatus { status })
                    .await;
            });
            Ok(())
        }
        other => {
            tracing::error!(op = ?other, "not a memory op");
            Ok(())
        }
    };
    if let Err(e) = result {
        let kind = match &e {
            MemoryError::Db(_) => "database",
            _ => "memory",
        };
        let hint = match &e {
            MemoryError::Conflict { .. } => {
                Some("reload the document and apply your change again".into())
            }
            MemoryError::Db(_) => Some("`ironclaw doctor` checks the database".into()),
            _ => None,
        };
        shared
            .bus
            .reply(
                client,
                Event::Error {
                    thread_id: None,
                    turn_id: None,
                    kind: kind.into(),
                    message: e.to_string(),
                    hint,
                },
            )
            .await;
    }
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
