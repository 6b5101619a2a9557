//! The migration runner.
//!
//! Migrations are the numbered SQL files in `migrations/`, compiled into the
//! binary. Each is applied once, in order, inside its own transaction, and
//! recorded in `schema_migrations` with a SHA-256 of its text. A migration
//! whose text changed after it was applied is refused: schema history is
//! append-only, and a silent divergence would corrupt user data later.

use sha2::{Digest, Sha256};

use super::{DbError, now_ms};

/// One schema step: `(version, name, sql)`.
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration shipped with this binary, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_initial.sql",
        sql: include_str!("../../migrations/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "0002_safety_and_secrets.sql",
        sql: include_str!("../../migrations/0002_safety_and_secrets.sql"),
    },
    Migration {
        version: 3,
        name: "0003_memory.sql",
        sql: include_str!("../../migrations/0003_memory.sql"),
    },
];

pub fn checksum(sql: &str) -> String {
    let digest = Sha256::digest(sql.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Applies pending migrations; returns how many were applied.
pub async fn run(conn: &libsql::Connection, migrations: &[Migration]) -> Result<usize, DbError> {
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at INTEGER NOT NULL
        )",
        (),
    )
    .await?;

    let mut applied = Vec::new();
    let mut rows = conn
        .query(
            "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
            (),
        )
        .await?;
    while let Some(row) = rows.next().await? {
        applied.push((
            row.get::<i64>(0)?,
            row.get::<String>(1)?,
            row.get::<String>(2)?,
        ));
    }

    let known_max = migrations.iter().map(|m| m.version).max().unwrap_or(0);
    if let Some((v, name, _)) = applied.iter().find(|(v, _, _)| *v > known_max) {
        return Err(DbError::Migration(format!(
            "the database has migration {v} ({name}), newer than this IronClaw knows (up to {known_max}); \
             upgrade IronClaw or use a different IRONCLAW_HOME"
        )));
    }

    let mut count = 0;
    for m in migrations {
        let sum = checksum(m.sql);
        if let Some((_, _, recorded)) = applied.iter().find(|(v, _, _)| *v == m.version) {
            if *recorded != sum {
                return Err(DbError::Migration(format!(
                    "migration {} ({}) was changed after it was applied to this database \
                     (recorded checksum {}…, now {}…). Migrations are append-only: restore the \
                     original file and add a new numbered migration instead",
                    m.version,
                    m.name,
                    &recorded[..12.min(recorded.len())],
                    &sum[..12]
                )));
            }
            continue;
        }
        let tx = conn.transaction().await?;
        tx.execute_batch(m.sql).await.map_err(|e| {
            DbError::Migration(format!("migration {} ({}) failed: {e}", m.version, m.name))
        })?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?1, ?2, ?3, ?4)",
            libsql::params![m.version, m.name, sum, now_ms()],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
        count += 1;
    }
    Ok(count)
}
