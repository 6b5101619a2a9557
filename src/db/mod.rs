//! The local libSQL database: opening it, migrating it, and the queries the
//! engine needs.
//!
//! Only the engine process opens the database ("one owner of state"); the
//! frontends see its contents through protocol events. Writes are few and
//! small, so one connection behind an async mutex is enough and keeps
//! transactions from interleaving; WAL mode lets readers in other processes
//! (`ironclaw threads list` while a daemon runs) proceed while it writes.

mod memory;
pub mod migrate;
mod secrets;

pub use memory::{ChunkRow, DocRow, MemoryCounts, NewChunk, WriteOutcome};

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;

use crate::protocol::{MessageView, ThreadInfo, ToolCallView};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sql(#[from] libsql::Error),
    #[error("{0}")]
    Migration(String),
    #[error("cannot open the database at {path}: {message}")]
    Open { path: String, message: String },
    #[error("no thread with id `{0}`; `ironclaw threads list` shows the threads")]
    NoSuchThread(String),
    #[error("corrupt row in {table}: {message}")]
    Corrupt {
        table: &'static str,
        message: String,
    },
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<libsql::Connection>>,
    // Keeps the database handle alive as long as any clone of `Db` is.
    _db: Arc<libsql::Database>,
}

/// A message to append to a thread.
#[derive(Debug, Clone, Default)]
pub struct NewMessage<'a> {
    pub thread_id: &'a str,
    pub turn_id: Option<&'a str>,
    pub role: &'a str,
    pub content: &'a str,
    pub tool_calls: &'a [ToolCallView],
    pub tool_call_id: Option<&'a str>,
    pub tool_name: Option<&'a str>,
}

#[derive(Debug, Clone)]
pub struct ToolCallRecord {
    pub id: String,
    pub thread_id: String,
    pub turn_id: String,
    pub name: String,
    pub arguments: String,
    pub output: Option<String>,
    pub status: String,
    pub risk: String,
    pub approval: String,
    pub duration_ms: Option<u64>,
    /// JSON array of safety findings, if any.
    pub findings: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct LlmCallRecord {
    pub thread_id: Option<String>,
    pub turn_id: Option<String>,
    pub provider: String,
    pub model: String,
    pub purpose: &'static str,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub latency_ms: u64,
    pub first_token_ms: Option<u64>,
    pub error_kind: Option<String>,
    pub error: Option<String>,
}

impl Db {
    /// Opens (creating if needed) the database file and applies migrations.
    pub async fn open(path: &Path) -> Result<Db, DbError> {
        let open_err = |message: String| DbError::Open {
            path: path.display().to_string(),
            message,
        };
        let db = libsql::Builder::new_local(path)
            .build()
            .await
            .map_err(|e| open_err(e.to_string()))?;
        let conn = db.connect().map_err(|e| open_err(e.to_string()))?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // journal_mode returns a row, so it goes through query().
        let mut rows = conn.query("PRAGMA journal_mode = WAL", ()).await?;
        while rows.next().await?.is_some() {}
        conn.execute("PRAGMA foreign_keys = ON", ()).await?;
        conn.execute("PRAGMA synchronous = NORMAL", ()).await?;
        migrate::run(&conn, migrate::MIGRATIONS)
            .await
            .map_err(|e| match e {
                DbError::Migration(m) => DbError::Migration(format!("{}: {m}", path.display())),
                other => other,
            })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
            _db: Arc::new(db),
        })
    }

    pub async fn schema_version(&self) -> Result<i64, DbError> {
        let conn = self.conn.lock().await;
        let mut rows = conn
            .query(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                (),
            )
            .await?;
        match rows.next().await? {
            Some(row) => Ok(row.get::<i64>(0)?),
            None => Ok(0),
        }
    }

    // ---- threads ----

    pub async fn create_thread(&self, id: &str, title: &str) -> Result<ThreadInfo, DbError> {
        let now = now_ms();
        let conn = self.conn.lock().await;
        conn.execute(
            "INSERT INTO threads (id, title, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            libsql::params![id, title, now],
        )
        .await?;
        Ok(ThreadInfo {
            id: id.to_string(),
            title: title.to_string(),
            created_at: now,
            updated_at: now,
            message_count: 0,
        })
    }

    const THREAD_COLUMNS: &'static str = "t.id, t.title, t.created_at, t.updated_at, \
         (SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id)";

    fn thread_from_row(row: &libsql::Row) -> Result<ThreadInfo, DbError> {
        Ok(ThreadInfo {
            id: row.get(0)?,
            title: row.get(1)?,
            created_at: row.get(2)?,
            updated_at: row.get(3)?,
            message_count: row.get::<i64>(4)?.max(0) as u64,
        })
    }

    pub async fn thread(&self, id: &str) -> Result<Option<ThreadInfo>, DbError> {
        let conn = self.conn.lock().await;
        let sql = format!(
            "SELECT {} FROM threads t WHERE t.id = ?1",
            Self::THREAD_COLUMNS
        );
        let mut rows = conn.query(&sql, [id]).await?;
        match rows.next().await? {
            Some(row) => Ok(Some(Self::thread_from_row(&row)?)),
            None => Ok(None),
        }
    }

    /// Threads, most recently active first.
    pub async fn list_threads(&self, limit: u32) -> Result<Vec<ThreadInfo>, DbError> {
        let conn = self.conn.lock().await;
        let sql = format!(
            "SELECT {} FROM threads t ORDER BY t.updated_at DESC, t.created_at DESC LIMIT ?1",
            Self::THREAD_COLUMNS
        );
        let mut rows = conn.query(&sql, [limit as i64]).await?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().await? {
            out.push(Self::thread_from_row(&row)?);
        }
        Ok(out)
    }

    /// The most recently active thread, if any.
    pub async fn latest_thread(&self) -> Result<Option<ThreadInfo>, DbError> {
        Ok(self.list_threads(1).await?.into_iter().next())
    }

    pub async fn set_thread_title(&self, id: &str, title: &str) -> Result<(), DbError> {
        let conn = self.conn.lock().await;
        conn.execute(
            "UPDATE threads SET title = ?2 WHERE id = ?1",
            libsql::params![id, title],
        )
        .await?;
        Ok(())
    }

    /// Records that messages with id <= `upto` are summarised by `summary`.
    pub async fn set_summary(&self, id: &str, summary: &str, upto: i64) -> Result<(), DbError> {
        let conn = self.conn.lock().await;
        conn.execute(
            "UPDATE threads SET summary = ?2, summary_upto = ?3 WHERE id = ?1",
            libsql::params![id, summary, upto],
        )
        .await?;
        Ok(())
    }

    pub async fn summary(&self, id: &str) -> Result<Option<(String, i64)>, DbError> {
        let conn = self.conn.lock().await;
        let mut rows = conn
            .query(
                "SELECT summary, summary_upto FROM threads WHERE id = ?1 AND summary IS NOT NULL",
                [id],
            )
            .await?;
        match rows.next().await? {
            Some(row) => Ok(Some((row.get(0)?, row.get(1)?))),
            None => Ok(None),
        }
    }

    // ---- messages ----

    pub async fn append_message(&self, m: NewMessage<'_>) -> Result<i64, DbError> {
        let now = now_ms();
        let tool_calls = if m.tool_calls.is_empty() {
            None
        } else {
            Some(
                serde_json::to_string(m.tool_calls).map_err(|e| DbError::Corrupt {
                    table: "messages",
                    message: e.to_string(),
                })?,
            )
        };
        let conn = self.conn.lock().await;
        let tx = conn.transaction().await?;
        tx.execute(
            "INSERT INTO messages (thread_id, turn_id, role, content, tool_calls, tool_call_id, tool_name, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            libsql::params![
                m.thread_id,
                m.turn_id,
                m.role,
                m.content,
                tool_calls,
                m.tool_call_id,
                m.tool_name,
                now
            ],
        )
        .await?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "UPDATE threads SET updated_at = ?2 WHERE id = ?1",
            libsql::params![m.thread_id, now],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every message of a thread, oldest first.
    pub async fn messages(&self, thread_id: &str) -> Result<Vec<MessageView>, DbError> {
        let conn = self.conn.lock().await;
        let mut rows = conn
            .query(
                "SELECT m.id, m.turn_id, m.role, m.content, m.tool_calls, m.tool_call_id, m.tool_name,
                        m.created_at, t.status, t.duration_ms
                 FROM messages m LEFT JOIN tool_calls t ON t.id = m.tool_call_id
                 WHERE m.thread_id = ?1 ORDER BY m.id",
                [thread_id],
            )
            .await?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().await? {
            let tool_calls: Option<String> = row.get(4)?;
            let tool_calls = match tool_calls {
                Some(json) => serde_json::from_str(&json).map_err(|e| DbError::Corrupt {
                    table: "messages",
                    message: format!(
                        "tool_calls of message {}: {e}",
                        row.get::<i64>(0).unwrap_or(0)
                    ),
                })?,
                None => Vec::new(),
            };
            out.push(MessageView {
                id: row.get(0)?,
                turn_id: row.get(1)?,
                role: row.get(2)?,
                content: row.get(3)?,
                tool_calls,
                tool_call_id: row.get(5)?,
                tool_name: row.get(6)?,
                created_at: row.get(7)?,
                tool_status: row
                    .get::<Option<String>>(8)?
                    .as_deref()
                    .and_then(crate::protocol::ToolStatus::parse),
                duration_ms: row.get::<Option<i64>>(9)?.map(|d| d.max(0) as u64),
            });
        }
        Ok(out)
    }

    // ---- tool and model calls ----

    pub async fn record_tool_call(&self, r: &ToolCallRecord) -> Result<(), DbError> {
        let conn = self.conn.lock().await;
        conn.execute(
            "INSERT INTO tool_calls (id, thread_id, turn_id, name, arguments, output, status, risk, approval, duration_ms, created_at, findings)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT(id) DO UPDATE SET output = excluded.output, status = excluded.status,
                approval = excluded.approval, duration_ms = excluded.duration_ms, findings = excluded.findings",
            libsql::params![
                r.id.as_str(),
                r.thread_id.as_str(),
                r.turn_id.as_str(),
                r.name.as_str(),
                r.arguments.as_str(),
                r.output.as_deref(),
                r.status.as_str(),
                r.risk.as_str(),
                r.approval.as_str(),
                r.duration_ms.map(|d| d as i64),
                now_ms(),
                r.findings.as_deref()
            ],
        )
        .await?;
        Ok(())
    }

    /// `(name, status, approval)` of a thread's tool calls, oldest first.
    pub async fn tool_calls(
        &self,
        thread_id: &str,
    ) -> Result<Vec<(String, String, String)>, DbError> {
        self.query_map(
            "SELECT name, status, approval FROM tool_calls WHERE thread_id = ?1 ORDER BY created_at, rowid",
            thread_id,
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .await
    }

    /// The `findings` column of a thread's tool calls, oldest first.
    pub async fn tool_call_findings(
        &self,
        thread_id: &str,
    ) -> Result<Vec<Option<String>>, DbError> {
        self.query_map(
            "SELECT findings FROM tool_calls WHERE thread_id = ?1 ORDER BY created_at, rowid",
            thread_id,
            |row| Ok(row.get(0)?),
        )
        .await
    }

    /// Runs a query keyed by one id and maps every row.
    async fn query_map<T>(
        &self,
        sql: &str,
        id: &str,
        map: impl Fn(&libsql::Row) -> Result<T, DbError>,
    ) -> Result<Vec<T>, DbError> {
        let conn = self.conn.lock().await;
        let mut rows = conn.query(sql, [id]).await?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().await? {
            out.push(map(&row)?);
        }
        Ok(out)
    }

    pub async fn record_llm_call(&self, r: &LlmCallRecord) -> Result<(), DbError> {
        let conn = self.conn.lock().await;
        conn.execute(
            "INSERT INTO llm_calls (thread_id, turn_id, provider, model, purpose, input_tokens, output_tokens,
                latency_ms, first_token_ms, error_kind, error, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            libsql::params![
                r.thread_id.as_deref(),
                r.turn_id.as_deref(),
                r.provider.as_str(),
                r.model.as_str(),
                r.purpose,
                r.input_tokens as i64,
                r.output_tokens as i64,
                r.latency_ms as i64,
                r.first_token_ms.map(|v| v as i64),
                r.error_kind.as_deref(),
                r.error.as_deref(),
                now_ms()
            ],
        )
        .await?;
        Ok(())
    }

    /// `(provider, model, error_kind)` of a thread's model calls, oldest first.
    pub async fn llm_calls(
        &self,
        thread_id: &str,
    ) -> Result<Vec<(String, String, Option<String>)>, DbError> {
        self.query_map(
            "SELECT provider, model, error_kind FROM llm_calls WHERE thread_id = ?1 ORDER BY id",
            thread_id,
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .await
    }
}

#[cfg(test)]
mod tests;
