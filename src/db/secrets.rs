//! Rows of the `secrets` table: sealed values only. The database never sees
//! a plaintext value or the master key; `crate::secrets` seals and opens.

use async_trait::async_trait;

use super::{Db, DbError};
use crate::secrets::{Sealed, SealedRow, SecretMeta, SecretRows};

fn storage(e: DbError) -> String {
    e.to_string()
}

fn row_from(row: &libsql::Row) -> Result<SealedRow, DbError> {
    Ok(SealedRow {
        name: row.get(0)?,
        sealed: Sealed {
            ciphertext: row.get(1)?,
            nonce: row.get(2)?,
            salt: row.get(3)?,
            key_id: row.get(4)?,
        },
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
    })
}

const COLUMNS: &str = "name, ciphertext, nonce, salt, key_id, created_at, updated_at";

impl Db {
    pub async fn secret_count(&self) -> Result<u64, DbError> {
        let conn = self.conn.lock().await;
        let mut rows = conn.query("SELECT COUNT(*) FROM secrets", ()).await?;
        Ok(match rows.next().await? {
            Some(r) => r.get::<i64>(0)?.max(0) as u64,
            None => 0,
        })
    }

    async fn put_secret(&self, row: &SealedRow) -> Result<(), DbError> {
        let conn = self.conn.lock().await;
        insert(&conn, row).await
    }

    async fn all_secrets(&self) -> Result<Vec<SealedRow>, DbError> {
        let conn = self.conn.lock().await;
        let mut rows = conn
            .query(&format!("SELECT {COLUMNS} FROM secrets ORDER BY name"), ())
            .await?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().await? {
            out.push(row_from(&r)?);
        }
        Ok(out)
    }
}

async fn insert(conn: &libsql::Connection, row: &SealedRow) -> Result<(), DbError> {
    conn.execute(
        &format!(
            "INSERT INTO secrets ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(name) DO UPDATE SET ciphertext = excluded.ciphertext, nonce = excluded.nonce,
                salt = excluded.salt, key_id = excluded.key_id, updated_at = excluded.updated_at"
        ),
        libsql::params![
            row.name.as_str(),
            row.sealed.ciphertext.clone(),
            row.sealed.nonce.clone(),
            row.sealed.salt.clone(),
            row.sealed.key_id.as_str(),
            row.created_at,
            row.updated_at
        ],
    )
    .await?;
    Ok(())
}

#[async_trait]
impl SecretRows for Db {
    async fn put(&self, row: &SealedRow) -> Result<(), String> {
        self.put_secret(row).await.map_err(storage)
    }

    async fn get(&self, name: &str) -> Result<Option<SealedRow>, String> {
        let conn = self.conn.lock().await;
        let result: Result<Option<SealedRow>, DbError> = async {
            let mut rows = conn
                .query(
                    &format!("SELECT {COLUMNS} FROM secrets WHERE name = ?1"),
                    [name],
                )
                .await?;
            match rows.next().await? {
                Some(r) => Ok(Some(row_from(&r)?)),
                None => Ok(None),
            }
        }
        .await;
        result.map_err(storage)
    }

    async fn list(&self) -> Result<Vec<SecretMeta>, String> {
        Ok(self
            .all_secrets()
            .await
            .map_err(storage)?
            .into_iter()
            .map(|r| SecretMeta {
                name: r.name,
                created_at: r.created_at,
                updated_at: r.updated_at,
                key_id: r.sealed.key_id,
            })
            .collect())
    }

    async fn delete(&self, name: &str) -> Result<bool, String> {
        let conn = self.conn.lock().await;
        conn.execute("DELETE FROM secrets WHERE name = ?1", [name])
            .await
            .map(|n| n > 0)
            .map_err(|e| e.to_string())
    }

    async fn all(&self) -> Result<Vec<SealedRow>, String> {
        self.all_secrets().await.map_err(storage)
    }

    async fn replace_all(&self, rows: &[SealedRow]) -> Result<(), String> {
        let conn = self.conn.lock().await;
        let result: Result<(), DbError> = async {
            let tx = conn.transaction().await?;
            tx.execute("DELETE FROM secrets", ()).await?;
            for row in rows {
                insert(&tx, row).await?;
            }
            tx.commit().await?;
            Ok(())
        }
        .await;
        result.map_err(storage)
    }
}
