//! Queries of the memory workspace: documents, their versions, chunks and
//! the embedding cache (`migrations/0003_memory.sql`).
//!
//! Paths arrive here already validated by [`crate::memory`]; this file only
//! stores and fetches.

use libsql::params;

use super::{Db, DbError, now_ms};
use crate::protocol::{MemoryEntry, MemoryVersion, WriteMode};

/// A document's current row.
#[derive(Debug, Clone)]
pub struct DocRow {
    pub id: i64,
    pub path: String,
    pub content: String,
    pub version: u64,
    pub updated_at: i64,
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    /// A new version was stored.
    Written { version: u64 },
    /// The text was already exactly this; no version was added.
    Unchanged { version: u64 },
    /// `expected_version` did not match the current version.
    Conflict { current: u64 },
    /// The resulting text (after an append) would be larger than allowed.
    TooLarge { size: usize },
}

/// A chunk as stored.
#[derive(Debug, Clone)]
pub struct ChunkRow {
    pub id: i64,
    pub document_id: i64,
    pub path: String,
    pub content: String,
}

/// A chunk to store for a document.
pub struct NewChunk<'a> {
    pub content: &'a str,
    pub hash: [u8; 32],
}

/// Counts for `memory status`.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemoryCounts {
    pub documents: u64,
    pub chunks: u64,
    pub embedded_chunks: u64,
    pub pending_documents: u64,
}

/// `(id, content, version)` of the document at `path`, inside a transaction.
async fn current_row(
    tx: &libsql::Transaction,
    path: &str,
) -> Result<Option<(i64, String, u64)>, DbError> {
    let mut rows = tx
        .query(
            "SELECT id, content, version FROM memory_documents WHERE path = ?1",
            [path],
        )
        .await?;
    match rows.next().await? {
        Some(row) => Ok(Some((row.get(0)?, row.get(1)?, to_u64(row.get(2)?)))),
        None => Ok(None),
    }
}

fn decode_vector(blob: &[u8]) -> Vec<f32> {
    blob.chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

fn to_u64(v: i64) -> u64 {
    v.max(0) as u64
}

impl Db {
    /// Every document whose path starts with `prefix`, ordered by path.
    pub async fn memory_list(&self, prefix: &str) -> Result<Vec<MemoryEntry>, DbError> {
        let conn = self.conn.lock().await;
        // `substr` instead of LIKE: paths may contain `%` and `_`.
        let mut rows = conn
            .query(
                "SELECT path, version, length(content), updated_at FROM memory_documents
                 WHERE substr(path, 1, length(?1)) = ?1 ORDER BY path",
                [prefix],
            )
            .await?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().await? {
            out.push(MemoryEntry {
                path: row.get(0)?,
                version: to_u64(row.get(1)?),
                chars: to_u64(row.get(2)?),
                updated_at: row.get(3)?,
            });
        }
        Ok(out)
    }

    pub async fn memory_get(&self, path: &str) -> Result<Option<DocRow>, DbError> {
        let conn = self.conn.lock().await;
        let mut rows = conn
            .query(
                "SELECT id, path, content, version, updated_at FROM memory_documents WHERE path = ?1",
                [path],
            )
            .await?;
        match rows.next().await? {
            Some(row) => Ok(Some(DocRow {
                id: row.get(0)?,
                path: row.get(1)?,
                content: row.get(2)?,
                version: to_u64(row.get(3)?),
                updated_at: row.get(4)?,
            })),
            None => Ok(None),
        }
    }

    /// An older version of the document now at `path` (content, created_at).
    pub async fn memory_get_version(
        &self,
        document_id: i64,
        version: u64,
    ) -> Result<Option<(String, i64)>, DbError> {
        let conn = self.conn.lock().await;
        let mut rows = conn
            .query(
                "SELECT content, created_at FROM memory_versions WHERE document_id = ?1 AND version = ?2",
                params![document_id, version as i64],
            )
            .await?;
        match rows.next().await? {
            Some(row) => Ok(Some((row.get(0)?, row.get(1)?))),
            None => Ok(None),
        }
    }

    /// Writes a document, keeping the previous text as a version.
    pub async fn memory_write(
        &self,
        path: &str,
        content: &str,
        mode: WriteMode,
        expected_version: Option<u64>,
        author: &str,
        max_bytes: usize,
    ) -> Result<WriteOutcome, DbError> {
        let now = now_ms();
        let conn = self.conn.lock().await;
        let tx = conn.transaction().await?;
        let current = current_row(&tx, path).await?;
        let current_version = current.as_ref().map_or(0, |c| c.2);
        if let Some(expected) = expected_version
            && expected != current_version
        {
            return Ok(WriteOutcome::Conflict {
                current: current_version,
            });
        }
        let new_content = match (&current, mode) {
            (Some((_, old, _)), WriteMode::Append) if !old.is_empty() => {
                let sep = if old.ends_with('\n') { "" } else { "\n" };
                format!("{old}{sep}{content}")
            }
            _ => content.to_string(),
        };
        if new_content.len() > max_bytes {
            return Ok(WriteOutcome::TooLarge {
                size: new_content.len(),
            });
        }
        let (id, version) = match current {
            Some((_, old, version)) if old == new_content => {
                return Ok(WriteOutcome::Unchanged { version });
            }
            Some((id, _, version)) => {
                tx.execute(
                    "UPDATE memory_documents SET content = ?2, version = ?3, updated_at = ?4 WHERE id = ?1",
                    params![id, new_content.as_str(), (version + 1) as i64, now],
                )
                .await?;
                (id, version + 1)
            }
            None => {
                tx.execute(
                    "INSERT INTO memory_documents (path, content, version, created_at, updated_at)
                     VALUES (?1, ?2, 1, ?3, ?3)",
                    params![path, new_content.as_str(), now],
                )
                .await?;
                (tx.last_insert_rowid(), 1)
            }
        };
        tx.execute(
            "INSERT INTO memory_versions (document_id, version, path, content, author, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, version as i64, path, new_content, author, now],
        )
        .await?;
        tx.commit().await?;
        Ok(WriteOutcome::Written { version })
    }

    /// Deletes a document (its versions stay). Returns whether it existed.
    pub async fn memory_delete(&self, path: &str) -> Result<bool, DbError> {
        let conn = self.conn.lock().await;
        let n = conn
            .execute("DELETE FROM memory_documents WHERE path = ?1", [path])
            .await?;
        Ok(n > 0)
    }

    /// Renames a document. `Ok(None)` when `from` does not exist; the
    /// caller checks that `to` is free.
    pub async fn memory_move(
        &self,
        from: &str,
        to: &str,
        author: &str,
    ) -> Result<Option<u64>, DbError> {
        let now = now_ms();
        let conn = self.conn.lock().await;
        let tx = conn.transaction().await?;
        let Some((id, content, version)) = current_row(&tx, from).await? else {
            return Ok(None);
        };
        let version = version + 1;
        tx.execute(
            "UPDATE memory_documents SET path = ?2, version = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, to, version as i64, now],
        )
        .await?;
        tx.execute(
            "INSERT INTO memory_versions (document_id, version, path, content, author, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, version as i64, to, content, author, now],
        )
        .await?;
        tx.commit().await?;
        Ok(Some(version))
    }

    /// The versions of the document now at `path`, or of a deleted one that
    /// was last there; newest first.
    pub async fn memory_history(&self, path: &str) -> Result<Vec<MemoryVersion>, DbError> {
        let conn = self.conn.lock().await;
        let mut rows = conn
            .query(
                "SELECT version, path, author, length(content), created_at FROM memory_versions
                 WHERE document_id = COALESCE(
                     (SELECT id FROM memory_documents WHERE path = ?1),
                     (SELECT document_id FROM memory_versions WHERE path = ?1
                      ORDER BY created_at DESC LIMIT 1))
                 ORDER BY version DESC",
                [path],
            )
            .await?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().await? {
            out.push(MemoryVersion {
                version: to_u64(row.get(0)?),
                path: row.get(1)?,
                author: row.get(2)?,
                chars: to_u64(row.get(3)?),
                created_at: row.get(4)?,
            });
        }
        Ok(out)
    }

    /// Documents whose newest version is not indexed yet.
    pub async fn memory_dirty(&self, limit: u32) -> Result<Vec<DocRow>, DbError> {
        let conn = self.conn.lock().await;
        let mut rows = conn
            .query(
                "SELECT id, path, content, version, updated_at FROM memory_documents
                 WHERE indexed_version <> version ORDER BY id LIMIT ?1",
                [limit as i64],
            )
            .await?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().await? {
            out.push(DocRow {
                id: row.get(0)?,
                path: row.get(1)?,
                content: row.get(2)?,
                version: to_u64(row.get(3)?),
                updated_at: row.get(4)?,
            });
        }
        Ok(out)
    }

    /// Replaces a document's chunks, unless the document changed meanwhile
    /// (`Ok(None)`: the next pass indexes the newer text). Returns the new
    /// chunk ids in order. The caller marks the version indexed with
    /// [`Db::memory_mark_indexed`] once the full-text index has them.
    pub async fn memory_set_chunks(
        &self,
        document_id: i64,
        version: u64,
        chunks: &[NewChunk<'_>],
    ) -> Result<Option<Vec<i64>>, DbError> {
        let conn = self.conn.lock().await;
        let tx = conn.transaction().await?;
        let mut rows = tx
            .query(
                "SELECT version FROM memory_documents WHERE id = ?1",
                [document_id],
            )
            .await?;
        let current = match rows.next().await? {
            Some(row) => to_u64(row.get(0)?),
            None => return Ok(None),
        };
        drop(rows);
        if current != version {
            return Ok(None);
        }
        tx.execute(
            "DELETE FROM memory_chunks WHERE document_id = ?1",
            [document_id],
        )
        .await?;
        let mut ids = Vec::with_capacity(chunks.len());
        for (ordinal, chunk) in chunks.iter().enumerate() {
            tx.execute(
                "INSERT INTO memory_chunks (document_id, ordinal, content, content_hash)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    document_id,
                    ordinal as i64,
                    chunk.content,
                    chunk.hash.to_vec()
                ],
            )
            .await?;
            ids.push(tx.last_insert_rowid());
        }
        tx.commit().await?;
        Ok(Some(ids))
    }

    /// Records that `version` of a document is in the search indexes (no-op
    /// when a newer version was written meanwhile).
    pub async fn memory_mark_indexed(&self, document_id: i64, version: u64) -> Result<(), DbError> {
        let conn = self.conn.lock().await;
        conn.execute(
            "UPDATE memory_documents SET indexed_version = ?2 WHERE id = ?1 AND version = ?2",
            params![document_id, version as i64],
        )
        .await?;
        Ok(())
    }

    /// Forgets what was indexed, so the indexer redoes every document.
    pub async fn memory_mark_all_dirty(&self) -> Result<(), DbError> {
        let conn = self.conn.lock().await;
        conn.execute("UPDATE memory_documents SET indexed_version = 0", ())
            .await?;
        Ok(())
    }

    /// Chunk texts that have no vector from `model` yet (distinct texts).
    pub async fn memory_unembedded(
        &self,
        model: &str,
        limit: u32,
    ) -> Result<Vec<([u8; 32], String)>, DbError> {
        let conn = self.conn.lock().await;
        let mut rows = conn
            .query(
                "SELECT c.content_hash, MIN(c.content) FROM memory_chunks c
                 WHERE NOT EXISTS (SELECT 1 FROM memory_embeddings e
                                   WHERE e.model = ?1 AND e.content_hash = c.content_hash)
                 GROUP BY c.content_hash LIMIT ?2",
                params![model, limit as i64],
            )
            .await?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().await? {
            let hash: Vec<u8> = row.get(0)?;
            let hash: [u8; 32] = hash.try_into().map_err(|_| DbError::Corrupt {
                table: "memory_chunks",
                message: "content_hash is not 32 bytes".into(),
            })?;
            out.push((hash, row.get(1)?));
        }
        Ok(out)
    }

    /// Stores vectors in the embedding cache (f32 little-endian).
    pub async fn memory_put_embeddings(
        &self,
        model: &str,
        vectors: &[([u8; 32], Vec<f32>)],
    ) -> Result<(), DbError> {
        let now = now_ms();
        let conn = self.conn.lock().await;
        let tx = conn.transaction().await?;
        for (hash, vector) in vectors {
            let blob: Vec<u8> = vector.iter().flat_map(|x| x.to_le_bytes()).collect();
            tx.execute(
                "INSERT OR REPLACE INTO memory_embeddings (model, content_hash, vector, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![model, hash.to_vec(), blob, now],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// One page of `(chunk id, document id, vector)` for `model`, chunk ids
    /// above `after`, in id order (the vector index loads in pages so the
    /// connection is never held for long).
    pub async fn memory_vectors_page(
        &self,
        model: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, i64, Vec<f32>)>, DbError> {
        let conn = self.conn.lock().await;
        let mut rows = conn
            .query(
                "SELECT c.id, c.document_id, e.vector FROM memory_chunks c
                 JOIN memory_embeddings e ON e.model = ?1 AND e.content_hash = c.content_hash
                 WHERE c.id > ?2 ORDER BY c.id LIMIT ?3",
                params![model, after, limit as i64],
            )
            .await?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().await? {
            let blob: Vec<u8> = row.get(2)?;
            out.push((row.get(0)?, row.get(1)?, decode_vector(&blob)));
        }
        Ok(out)
    }

    /// Cached vectors of `model` for these chunk texts.
    pub async fn memory_embeddings_for(
        &self,
        model: &str,
        hashes: &[[u8; 32]],
    ) -> Result<std::collections::HashMap<[u8; 32], Vec<f32>>, DbError> {
        let conn = self.conn.lock().await;
        let mut out = std::collections::HashMap::new();
        for hash in hashes {
            if out.contains_key(hash) {
                continue;
            }
            let mut rows = conn
                .query(
                    "SELECT vector FROM memory_embeddings WHERE model = ?1 AND content_hash = ?2",
                    params![model, hash.to_vec()],
                )
                .await?;
            if let Some(row) = rows.next().await? {
                let blob: Vec<u8> = row.get(0)?;
                out.insert(*hash, decode_vector(&blob));
            }
        }
        Ok(out)
    }

    /// The chunks `(id, document, hash)` whose text has one of these hashes
    /// (after embedding a batch, to add exactly those chunks to the vector
    /// index).
    pub async fn memory_chunks_with_hashes(
        &self,
        hashes: &[[u8; 32]],
    ) -> Result<Vec<(i64, i64, [u8; 32])>, DbError> {
        let conn = self.conn.lock().await;
        let mut out = Vec::new();
        for hash in hashes {
            let mut rows = conn
                .query(
                    "SELECT id, document_id FROM memory_chunks WHERE content_hash = ?1",
                    [hash.to_vec()],
                )
                .await?;
            while let Some(row) = rows.next().await? {
                out.push((row.get(0)?, row.get(1)?, *hash));
            }
        }
        Ok(out)
    }

    /// One page of chunks with their document path, ids above `after`.
    pub async fn memory_chunks_page(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ChunkRow>, DbError> {
        let conn = self.conn.lock().await;
        let mut rows = conn
            .query(
                "SELECT c.id, c.document_id, d.path, c.content FROM memory_chunks c
                 JOIN memory_documents d ON d.id = c.document_id
                 WHERE c.id > ?1 ORDER BY c.id LIMIT ?2",
                params![after, limit as i64],
            )
            .await?;
        Self::chunk_rows(&mut rows).await
    }

    /// Specific chunks with their document path (search results).
    pub async fn memory_chunks_by_id(&self, ids: &[i64]) -> Result<Vec<ChunkRow>, DbError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let conn = self.conn.lock().await;
        let mut rows = conn
            .query(
                &format!(
                    "SELECT c.id, c.document_id, d.path, c.content FROM memory_chunks c
                     JOIN memory_documents d ON d.id = c.document_id WHERE c.id IN ({list})"
                ),
                (),
            )
            .await?;
        Self::chunk_rows(&mut rows).await
    }

    async fn chunk_rows(rows: &mut libsql::Rows) -> Result<Vec<ChunkRow>, DbError> {
        let mut out = Vec::new();
        while let Some(row) = rows.next().await? {
            out.push(ChunkRow {
                id: row.get(0)?,
                document_id: row.get(1)?,
                path: row.get(2)?,
                content: row.get(3)?,
            });
        }
        Ok(out)
    }

    pub async fn memory_chunk_count(&self) -> Result<u64, DbError> {
        let conn = self.conn.lock().await;
        let mut rows = conn.query("SELECT COUNT(*) FROM memory_chunks", ()).await?;
        match rows.next().await? {
            Some(row) => Ok(to_u64(row.get(0)?)),
            None => Ok(0),
        }
    }

    pub async fn memory_counts(&self, model: &str) -> Result<MemoryCounts, DbError> {
        let conn = self.conn.lock().await;
        let mut rows = conn
            .query(
                "SELECT (SELECT COUNT(*) FROM memory_documents),
                        (SELECT COUNT(*) FROM memory_chunks),
                        (SELECT COUNT(*) FROM memory_chunks c WHERE EXISTS
                            (SELECT 1 FROM memory_embeddings e
                             WHERE e.model = ?1 AND e.content_hash = c.content_hash)),
                        (SELECT COUNT(*) FROM memory_documents WHERE indexed_version <> version)",
                [model],
            )
            .await?;
        match rows.next().await? {
            Some(row) => Ok(MemoryCounts {
                documents: to_u64(row.get(0)?),
                chunks: to_u64(row.get(1)?),
                embedded_chunks: to_u64(row.get(2)?),
                pending_documents: to_u64(row.get(3)?),
            }),
            None => Ok(MemoryCounts::default()),
        }
    }
}
