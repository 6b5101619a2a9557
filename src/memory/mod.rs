//! Persistent memory: a path-addressed workspace of Markdown documents in
//! the database, every version kept, searchable by keyword and by meaning.
//!
//! - [`workspace`]: path rules and the identity files seeded on first run.
//! - [`chunk`]: how documents become search chunks.
//! - [`fulltext`]: the tantivy (BM25) index next to the database.
//! - [`vectors`]: the in-process vector index (int8, exact scan).
//! - [`embed`]: the local embedding model (fastembed + ONNX Runtime).
//! - [`search`]: Reciprocal Rank Fusion and snippets.
//!
//! [`Memory`] owns all of it. Writes go to the database at once and return;
//! a background worker chunks, full-text indexes and embeds what changed
//! (documents whose `indexed_version` lags their `version`, chunks without a
//! vector), so a turn never waits for indexing and a crash loses nothing:
//! the worker simply finds the same rows again. Either search half keeps
//! working when the other is unavailable, and the results say so.
//!
//! The engine is the only user of this module; frontends reach it through
//! protocol ops, tools through the narrow [`crate::tools::Workspace`] trait.

pub mod chunk;
pub mod embed;
pub mod fulltext;
pub mod provision;
pub mod search;
pub mod vectors;
pub mod workspace;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use sha2::{Digest, Sha256};
use tokio::sync::{Notify, watch};
use tokio_util::sync::CancellationToken;

use crate::config::{MemoryConfig, Paths};
use crate::db::{Db, DbError, NewChunk, WriteOutcome};
use crate::protocol::{
    MemoryDocument, MemoryEntry, MemoryHit, MemoryStatus, MemoryVersion, WriteMode,
};
use chunk::ChunkSpec;
use embed::{EmbedError, Embedder, ModelLocation, OnDemandModel};
use fulltext::{Change, FullText};
use vectors::VectorIndex;

pub use workspace::{IDENTITY_FILES, PROMPT_FILES, normalize_path};

/// Largest document accepted, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 2 * 1024 * 1024;
/// Documents the worker indexes per pass.
const INDEX_BATCH_DOCS: u32 = 64;
/// Chunks embedded per model call: small enough that a search waiting for
/// the model to embed its query waits a fraction of a second at most.
const EMBED_BATCH: u32 = 16;
/// Candidates taken from each list before fusion.
const CANDIDATES: usize = 50;
/// Vector candidates less similar than this (cosine) are dropped: an exact
/// scan always returns *something*, and for all-MiniLM-L6-v2 unrelated
/// texts score about 0–0.15 while related ones score 0.3 and up.
const MIN_SIMILARITY: f32 = 0.2;

#[derive(Debug, thiserror::Error)]
pub enum MemoryError {
    #[error("invalid path `{path}`: {reason}")]
    InvalidPath { path: String, reason: String },
    #[error("no document `{0}`; `ironclaw memory tree` lists them")]
    NotFound(String),
    #[error("`{0}` already exists; delete or move it first")]
    Exists(String),
    #[error(
        "`{path}` changed since you opened it (you had version {expected}, it is now version {current}); \
         your text was not saved — reload it and apply your edit again"
    )]
    Conflict {
        path: String,
        expected: u64,
        current: u64,
    },
    #[error("`{path}` has no version {version}; `ironclaw memory history {path}` lists them")]
    NoSuchVersion { path: String, version: u64 },
    #[error("the document is {size} bytes; the limit is {MAX_DOCUMENT_BYTES} bytes")]
    TooLarge { size: usize },
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The model as the worker sees it.
#[derive(Clone)]
enum ModelState {
    Disabled,
    Loading,
    Unavailable(EmbedError),
    Ready(Arc<dyn Embedder>),
}

/// The full-text index as the worker sees it.
#[derive(Clone)]
enum FullTextState {
    /// Start-up, before the worker opened it.
    Opening,
    Ready(Arc<FullText>),
    /// Being rebuilt from the database; searchable but incomplete.
    Rebuilding(Arc<FullText>),
    Failed(String),
}

/// Where the embedder comes from.
pub enum EmbedderSource {
    /// The local model, per the configuration (loaded in the background).
    Local,
    /// Given by the caller (tests and benchmarks).
    Ready(Arc<dyn Embedder>),
    /// No vectors: full-text search only.
    None,
}

pub struct Memory {
    db: Db,
    config: MemoryConfig,
    /// For finding the model again (it may be installed after start).
    paths: Paths,
    location: ModelLocation,
    index_dir: PathBuf,
    /// The lock that makes this process the one that writes the full-text
    /// index (`None`: another IronClaw process does; this one only reads).
    index_lock: std::sync::Mutex<Option<crate::daemon::lock::Lock>>,
    /// Bumped by every rebuild request; a rebuild that started before the
    /// latest request does not mark the index ready.
    rebuild_requests: AtomicU64,
    spec: ChunkSpec,
    min_similarity: f32,
    fulltext: RwLock<FullTextState>,
    vectors: RwLock<VectorIndex>,
    model: RwLock<ModelState>,
    /// Vectors are loaded from the database after start-up.
    vectors_loaded: AtomicBool,
    indexing: AtomicBool,
    wake: Notify,
    changed: watch::Sender<u64>,
    generation: AtomicU64,
    stop: CancellationToken,
}

/// What a search found, and what did not take part.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub hits: Vec<MemoryHit>,
    pub notices: Vec<String>,
    pub took_ms: u64,
}

/// Embeds a batch; if the batch fails, each text alone, so one text the
/// model cannot take does not stop the rest. A text that fails alone gets
/// an empty vector (stored, so it is not retried, and never searched); if
/// every text fails, the model is broken and the error is returned.
fn embed_each(model: &dyn Embedder, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let err = match model.embed(&refs) {
        Ok(v) => return Ok(v),
        Err(e) if texts.len() == 1 => return Err(e),
        Err(e) => e,
    };
    let mut out = Vec::with_capacity(texts.len());
    let mut failed = 0;
    for &text in &refs {
        match model.embed(&[text]) {
            Ok(mut v) if !v.is_empty() => out.push(v.swap_remove(0)),
            Ok(_) | Err(_) => {
                failed += 1;
                out.push(Vec::new());
            }
        }
    }
    if failed == texts.len() {
        return Err(err);
    }
    tracing::warn!(failed, error = %err, "some chunks could not be embedded; they are found by keyword only");
    Ok(out)
}

pub fn content_hash(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

impl Memory {
    /// Opens the workspace: seeds the identity files, opens (or schedules a
    /// rebuild of) the full-text index, and starts the background worker,
    /// which loads the model and the vectors and indexes what is pending.
    pub async fn open(
        db: Db,
        paths: &Paths,
        config: MemoryConfig,
        embedder: EmbedderSource,
    ) -> Result<Arc<Memory>, MemoryError> {
        let index_dir = paths.memory_index();
        let location = ModelLocation::resolve(paths, &config);
        let spec = ChunkSpec {
            words: config.chunk_words as usize,
            overlap: config.chunk_overlap_words as usize,
        };
        let model = match embedder {
            EmbedderSource::Ready(e) => ModelState::Ready(e),
            EmbedderSource::None => ModelState::Disabled,
            EmbedderSource::Local if !config.embeddings => ModelState::Disabled,
            EmbedderSource::Local => ModelState::Loading,
        };
        let (dims, min_similarity) = match &model {
            // A stand-in embedder has its own similarity scale.
            ModelState::Ready(e) => (e.dims(), -1.0),
            _ => (embed::MODEL_DIMS, MIN_SIMILARITY),
        };
        let (changed, _) = watch::channel(0);
        let memory = Arc::new(Memory {
            db,
            config,
            paths: paths.clone(),
            location,
            index_lock: std::sync::Mutex::new(None),
            rebuild_requests: AtomicU64::new(0),
            index_dir,
            spec,
            min_similarity,
            fulltext: RwLock::new(FullTextState::Opening),
            vectors: RwLock::new(VectorIndex::new(dims)),
            model: RwLock::new(model),
            vectors_loaded: AtomicBool::new(false),
            indexing: AtomicBool::new(true),
            wake: Notify::new(),
            changed,
            generation: AtomicU64::new(0),
            stop: CancellationToken::new(),
        });
        workspace::seed(&memory.db, &paths.agents_file()).await?;
        let worker = memory.clone();
        tokio::spawn(async move {
            let stop = worker.stop.clone();
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = worker.run_worker() => {}
            }
        });
        Ok(memory)
    }

    /// Takes the index lock if free; whether this process owns the index.
    fn claim_index(&self) -> bool {
        let mut lock = self.index_lock.lock().unwrap_or_else(|e| e.into_inner());
        if lock.is_none() {
            *lock = crate::daemon::lock::acquire(&self.paths.memory_index_lock()).ok();
        }
        lock.is_some()
    }

    fn owns_index(&self) -> bool {
        self.index_lock
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// Stops the background worker and lets another process maintain the
    /// index.
    pub fn shutdown(&self) {
        self.stop.cancel();
        self.index_lock
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
    }

    /// Bumps whenever indexing progresses (the engine turns it into
    /// [`crate::protocol::Event::MemoryStatus`] broadcasts).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    fn bump(&self) {
        let n = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        self.changed.send_replace(n);
    }

    fn model(&self) -> ModelState {
        self.model.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_model(&self, state: ModelState) {
        *self.model.write().unwrap_or_else(|e| e.into_inner()) = state;
    }

    fn fulltext(&self) -> FullTextState {
        self.fulltext
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn set_fulltext(&self, state: FullTextState) {
        *self.fulltext.write().unwrap_or_else(|e| e.into_inner()) = state;
    }

    // ---- the workspace ----

    /// The normalised path and the document there, or `NotFound`.
    async fn existing(&self, path: &str) -> Result<(String, crate::db::DocRow), MemoryError> {
        let path = normalize_path(path)?;
        match self.db.memory_get(&path).await? {
            Some(doc) => Ok((path, doc)),
            None => Err(MemoryError::NotFound(path)),
        }
    }

    pub async fn tree(&self, prefix: Option<&str>) -> Result<Vec<MemoryEntry>, MemoryError> {
        let prefix = prefix.map(str::trim).unwrap_or("").trim_start_matches('/');
        Ok(self.db.memory_list(prefix).await?)
    }

    pub async fn read(
        &self,
        path: &str,
        version: Option<u64>,
    ) -> Result<MemoryDocument, MemoryError> {
        let (path, doc) = self.existing(path).await?;
        match version {
            Some(v) if v != doc.version => {
                let (content, created) = self.db.memory_get_version(doc.id, v).await?.ok_or(
                    MemoryError::NoSuchVersion {
                        path: path.clone(),
                        version: v,
                    },
                )?;
                Ok(MemoryDocument {
                    path,
                    content,
                    version: v,
                    latest_version: doc.version,
                    updated_at: created,
                })
            }
            _ => Ok(MemoryDocument {
                path: doc.path,
                content: doc.content,
                version: doc.version,
                latest_version: doc.version,
                updated_at: doc.updated_at,
            }),
        }
    }

    /// Writes a document; returns its path (normalised), version and
    /// whether anything changed. Indexing follows in the background.
    pub async fn write(
        &self,
        path: &str,
        content: &str,
        mode: WriteMode,
        expected_version: Option<u64>,
        author: &str,
    ) -> Result<(String, u64, bool), MemoryError> {
        let path = normalize_path(path)?;
        let outcome = self
            .db
            .memory_write(
                &path,
                content,
                mode,
                expected_version,
                author,
                MAX_DOCUMENT_BYTES,
            )
            .await?;
        match outcome {
            WriteOutcome::Written { version } => {
                self.wake.notify_one();
                Ok((path, version, true))
            }
            WriteOutcome::Unchanged { version } => Ok((path, version, false)),
            WriteOutcome::TooLarge { size } => Err(MemoryError::TooLarge { size }),
            WriteOutcome::Conflict { current } => Err(MemoryError::Conflict {
                path,
                expected: expected_version.unwrap_or(0),
                current,
            }),
        }
    }

    pub async fn delete(&self, path: &str) -> Result<String, MemoryError> {
        let (path, doc) = self.existing(path).await?;
        self.db.memory_delete(&path).await?;
        self.vectors
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove_document(doc.id);
        if let FullTextState::Ready(ft) | FullTextState::Rebuilding(ft) = self.fulltext() {
            let id = doc.id;
            let result = tokio::task::spawn_blocking(move || {
                ft.apply(vec![Change::Remove { document_id: id }])
            })
            .await;
            if let Ok(Err(e)) = result {
                tracing::warn!(error = %e, "full-text delete failed; rebuilding the index");
                self.schedule_rebuild();
            }
        }
        self.bump();
        Ok(path)
    }

    /// Renames a document; returns the new path and version.
    pub async fn rename(&self, from: &str, to: &str) -> Result<(String, String, u64), MemoryError> {
        let (from, to) = (normalize_path(from)?, normalize_path(to)?);
        if from == to {
            return Err(MemoryError::InvalidPath {
                path: to,
                reason: "the new path is the same as the old one".into(),
            });
        }
        if self.db.memory_get(&to).await?.is_some() {
            return Err(MemoryError::Exists(to));
        }
        let version = self
            .db
            .memory_move(&from, &to, "user")
            .await?
            .ok_or_else(|| MemoryError::NotFound(from.clone()))?;
        self.wake.notify_one();
        Ok((from, to, version))
    }

    pub async fn history(&self, path: &str) -> Result<Vec<MemoryVersion>, MemoryError> {
        let path = normalize_path(path)?;
        let versions = self.db.memory_history(&path).await?;
        if versions.is_empty() {
            return Err(MemoryError::NotFound(path));
        }
        Ok(versions)
    }

    /// The identity files that go into the system prompt, in order, with
    /// their text (absent or empty files are skipped).
    pub async fn prompt_files(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for path in PROMPT_FILES {
            match self.db.memory_get(path).await {
                Ok(Some(doc)) if !doc.content.trim().is_empty() => {
                    out.push((doc.path, doc.content))
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, path, "cannot read identity file"),
            }
        }
        out
    }

    // ---- search ----

    /// Hybrid search: BM25 and vector candidates fused with Reciprocal Rank
    /// Fusion at the document level.
    pub async fn search(&self, query: &str, limit: usize) -> SearchResults {
        let started = Instant::now();
        let mut notices = Vec::new();
        let query = query.trim().to_string();
        if query.is_empty() {
            return SearchResults {
                notices: vec!["the query is empty".into()],
                ..Default::default()
            };
        }
        let limit = limit.clamp(1, 100);
        let candidates = CANDIDATES.max(limit * 3);

        let fulltext = match self.fulltext() {
            FullTextState::Ready(ft) => Some(ft),
            FullTextState::Rebuilding(ft) => {
                notices.push(
                    "the full-text index is being rebuilt from the database; keyword results may be incomplete"
                        .into(),
                );
                Some(ft)
            }
            FullTextState::Opening => {
                notices.push("the full-text index is still opening; try again in a moment".into());
                None
            }
            FullTextState::Failed(e) => {
                notices.push(format!("keyword search is unavailable: {e}"));
                None
            }
        };
        // Both halves run at once: BM25 on the blocking pool while the
        // query is embedded and the vectors scanned.
        let text_task = fulltext.map(|ft| {
            let q = query.clone();
            tokio::task::spawn_blocking(move || ft.search(&q, candidates))
        });

        let vector_hits = match self.model() {
            ModelState::Ready(model) => {
                if !self.vectors_loaded.load(Ordering::Acquire) {
                    notices.push(
                        "vectors are still loading; meaning-based results may be incomplete".into(),
                    );
                }
                let q = query.clone();
                match tokio::task::spawn_blocking(move || model.embed(&[q.as_str()])).await {
                    Ok(Ok(mut v)) if !v.is_empty() => {
                        let qv = v.swap_remove(0);
                        self.vectors
                            .read()
                            .unwrap_or_else(|e| e.into_inner())
                            .search(&qv, candidates)
                            .into_iter()
                            .filter(|h| h.score >= self.min_similarity)
                            .map(|h| (h.chunk_id, h.document_id))
                            .collect()
                    }
                    Ok(Ok(_)) => Vec::new(),
                    Ok(Err(e)) => {
                        notices.push(format!(
                            "meaning-based search is unavailable ({e}); showing keyword results only — {}",
                            e.hint()
                        ));
                        // A model that cannot load stays off (status says
                        // so); a failure on one query does not.
                        if !matches!(e, EmbedError::Inference(_)) {
                            self.set_model(ModelState::Unavailable(e));
                        }
                        Vec::new()
                    }
                    Err(e) => {
                        notices.push(format!("meaning-based search failed: {e}"));
                        Vec::new()
                    }
                }
            }
            ModelState::Loading => {
                notices.push(
                    "the embedding model is still loading; showing keyword results only".into(),
                );
                Vec::new()
            }
            ModelState::Disabled => {
                notices.push(
                    "embeddings are off (memory.embeddings = false); showing keyword results only"
                        .into(),
                );
                Vec::new()
            }
            ModelState::Unavailable(e) => {
                notices.push(format!(
                    "meaning-based search is unavailable ({e}); showing keyword results only — {}",
                    e.hint()
                ));
                Vec::new()
            }
        };

        let text_hits = match text_task {
            Some(task) => match task.await {
                Ok(Ok(hits)) => hits,
                Ok(Err(e)) => {
                    notices.push(format!("keyword search failed ({e}); rebuilding its index"));
                    self.schedule_rebuild();
                    Vec::new()
                }
                Err(e) => {
                    notices.push(format!("keyword search failed: {e}"));
                    Vec::new()
                }
            },
            None => Vec::new(),
        };

        let fused = search::fuse(&text_hits, &vector_hits, self.config.rrf_k as f64, limit);
        let chunk_ids: Vec<i64> = fused.iter().map(|f| f.chunk_id).collect();
        let rows = match self.db.memory_chunks_by_id(&chunk_ids).await {
            Ok(rows) => rows,
            Err(e) => {
                notices.push(format!("cannot read the matching chunks: {e}"));
                Vec::new()
            }
        };
        let by_id: HashMap<i64, _> = rows.into_iter().map(|r| (r.id, r)).collect();
        let hits = fused
            .into_iter()
            .filter_map(|f| {
                // A chunk deleted since the index saw it is skipped.
                let row = by_id
                    .get(&f.chunk_id)
                    .filter(|r| r.document_id == f.document_id)?;
                Some(MemoryHit {
                    path: row.path.clone(),
                    score: f.score,
                    fulltext_rank: f.fulltext_rank,
                    vector_rank: f.vector_rank,
                    snippet: search::snippet(&row.content, &query, 240),
                })
            })
            .collect();
        SearchResults {
            hits,
            notices,
            took_ms: started.elapsed().as_millis() as u64,
        }
    }

    // ---- status and maintenance ----

    pub async fn status(&self) -> MemoryStatus {
        let model = self.model();
        let model_id = match &model {
            ModelState::Ready(m) => m.model_id().to_string(),
            _ => self.location.variant.model_id().to_string(),
        };
        let counts = match self.db.memory_counts(&model_id).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "memory status");
                Default::default()
            }
        };
        let (fulltext, index_bytes) = match self.fulltext() {
            FullTextState::Ready(ft) => ("ready".to_string(), ft.disk_bytes()),
            FullTextState::Rebuilding(ft) => ("rebuilding".to_string(), ft.disk_bytes()),
            FullTextState::Opening => ("opening".to_string(), 0),
            FullTextState::Failed(e) => (format!("unavailable: {e}"), 0),
        };
        let (model_state, model_hint) = match &model {
            ModelState::Ready(_) if !self.vectors_loaded.load(Ordering::Acquire) => {
                ("loading vectors".to_string(), None)
            }
            ModelState::Ready(_) => ("ready".to_string(), None),
            ModelState::Loading => ("loading".to_string(), None),
            ModelState::Disabled => (
                "disabled".to_string(),
                Some("set memory.embeddings = true to search by meaning".to_string()),
            ),
            ModelState::Unavailable(e @ EmbedError::Missing { .. }) => {
                ("missing".to_string(), Some(e.hint().to_string()))
            }
            ModelState::Unavailable(e) => (format!("error: {e}"), Some(e.hint().to_string())),
        };
        let dims = match &model {
            ModelState::Ready(m) => m.dims(),
            _ => embed::MODEL_DIMS,
        };
        MemoryStatus {
            documents: counts.documents,
            chunks: counts.chunks,
            embedded_chunks: counts.embedded_chunks,
            pending_documents: counts.pending_documents,
            fulltext,
            model_state,
            model_hint,
            model: format!("{model_id} ({dims} dims)"),
            index_bytes,
            indexing: self.indexing.load(Ordering::Acquire),
        }
    }

    /// Rebuilds both indexes from the database and retries loading the
    /// model (after `ironclaw models install`).
    pub async fn reindex(&self) -> Result<(), MemoryError> {
        self.db.memory_mark_all_dirty().await?;
        self.vectors
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.vectors_loaded.store(false, Ordering::Release);
        if matches!(self.model(), ModelState::Unavailable(_)) {
            self.set_model(ModelState::Loading);
        }
        self.schedule_rebuild();
        Ok(())
    }

    /// Asks the worker to recreate the full-text index from the database.
    fn schedule_rebuild(&self) {
        self.rebuild_requests.fetch_add(1, Ordering::AcqRel);
        if !self.owns_index() {
            return;
        }
        let current = self.fulltext();
        let ft = match current {
            FullTextState::Ready(ft) | FullTextState::Rebuilding(ft) => Some(ft),
            FullTextState::Failed(_) | FullTextState::Opening => None,
        };
        self.set_fulltext(match ft {
            Some(ft) => FullTextState::Rebuilding(ft),
            None => FullTextState::Failed("rebuild pending".into()),
        });
        self.indexing.store(true, Ordering::Release);
        self.wake.notify_one();
        self.bump();
    }

    // ---- the worker ----

    async fn run_worker(self: &Arc<Self>) {
        // One process maintains the index (the daemon, or the first engine
        // started); others read it and leave their writes to that one.
        while !self.claim_index() {
            self.read_only_pass().await;
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        }
        self.open_fulltext().await;
        let mut failed = false;
        loop {
            self.indexing.store(true, Ordering::Release);
            if matches!(self.model(), ModelState::Loading) {
                self.load_model().await;
            }
            if !matches!(self.fulltext(), FullTextState::Ready(_)) {
                self.rebuild_fulltext().await;
            }
            if !self.vectors_loaded.load(Ordering::Acquire) {
                self.load_vectors().await;
            }
            let progressed = match self.index_pending().await {
                Ok(0) => match self.embed_pending().await {
                    Ok(n) => n > 0,
                    Err(e) => {
                        tracing::warn!(error = %e, "embedding pending chunks");
                        failed = true;
                        false
                    }
                },
                Ok(_) => true,
                Err(e) => {
                    tracing::warn!(error = %e, "indexing pending documents");
                    failed = true;
                    false
                }
            };
            self.bump();
            if progressed {
                failed = false;
                continue;
            }
            self.indexing.store(false, Ordering::Release);
            self.bump();
            // The index writer's and the model's buffers are free now.
            tokio::task::spawn_blocking(embed::release_freed_memory);
            // Idle: wait for work (a failed pass is retried soon; writes by
            // other processes are noticed by polling), releasing the model
            // when none comes.
            let idle = std::time::Duration::from_secs(self.config.model_idle_secs.max(1));
            let poll = std::time::Duration::from_secs(if failed { 2 } else { 10 });
            let quiet_since = Instant::now();
            loop {
                if tokio::time::timeout(poll, self.wake.notified())
                    .await
                    .is_ok()
                {
                    break;
                }
                if failed
                    || self
                        .db
                        .memory_dirty(1)
                        .await
                        .map(|d| !d.is_empty())
                        .unwrap_or(false)
                {
                    break;
                }
                if quiet_since.elapsed() >= idle
                    && let ModelState::Ready(model) = self.model()
                {
                    tokio::task::spawn_blocking(move || model.release_if_idle(idle));
                }
            }
        }
    }

    /// While another process owns the index: open it for reading (never
    /// rebuild it), load the model and vectors once.
    async fn read_only_pass(&self) {
        if matches!(
            self.fulltext(),
            FullTextState::Opening | FullTextState::Failed(_)
        ) {
            let dir = self.index_dir.clone();
            let state = match tokio::task::spawn_blocking(move || FullText::open(&dir)).await {
                Ok(Ok(ft)) => FullTextState::Ready(Arc::new(ft)),
                _ => FullTextState::Failed(
                    "another IronClaw process maintains the index and it cannot be read now".into(),
                ),
            };
            self.set_fulltext(state);
        }
        if matches!(self.model(), ModelState::Loading) {
            self.load_model().await;
        }
        if !self.vectors_loaded.load(Ordering::Acquire) {
            self.load_vectors().await;
        }
        self.indexing.store(false, Ordering::Release);
        self.bump();
    }

    /// Opens the full-text index; marks it for a rebuild when it is
    /// unreadable or disagrees with the database.
    async fn open_fulltext(&self) {
        let dir = self.index_dir.clone();
        let opened = tokio::task::spawn_blocking(move || match FullText::open(&dir) {
            Ok(ft) => Ok((ft, false)),
            Err(e) => {
                tracing::warn!(error = %e, "the full-text index is unreadable; rebuilding it from the database");
                FullText::recreate(&dir).map(|ft| (ft, true))
            }
        })
        .await;
        match opened {
            Ok(Ok((ft, recreated))) => {
                let chunks = self.db.memory_chunk_count().await.unwrap_or(0);
                let ft = Arc::new(ft);
                if recreated || ft.num_docs() != chunks {
                    if !recreated {
                        tracing::info!(
                            index = ft.num_docs(),
                            database = chunks,
                            "the full-text index disagrees with the database; rebuilding it"
                        );
                    }
                    self.set_fulltext(FullTextState::Rebuilding(ft));
                } else {
                    self.set_fulltext(FullTextState::Ready(ft));
                }
            }
            Ok(Err(e)) => self.set_fulltext(FullTextState::Failed(e.to_string())),
            Err(e) => self.set_fulltext(FullTextState::Failed(e.to_string())),
        }
    }

    async fn rebuild_fulltext(&self) {
        let started = Instant::now();
        let request = self.rebuild_requests.load(Ordering::Acquire);
        let dir = self.index_dir.clone();
        let ft = match self.fulltext() {
            FullTextState::Rebuilding(ft) => {
                let ft2 = ft.clone();
                match tokio::task::spawn_blocking(move || ft2.clear()).await {
                    Ok(Ok(())) => ft,
                    _ => {
                        match tokio::task::spawn_blocking(move || FullText::recreate(&dir)).await {
                            Ok(Ok(ft)) => {
                                let ft = Arc::new(ft);
                                self.set_fulltext(FullTextState::Rebuilding(ft.clone()));
                                ft
                            }
                            Ok(Err(e)) => {
                                return self.set_fulltext(FullTextState::Failed(e.to_string()));
                            }
                            Err(e) => {
                                return self.set_fulltext(FullTextState::Failed(e.to_string()));
                            }
                        }
                    }
                }
            }
            FullTextState::Failed(_) | FullTextState::Opening => {
                match tokio::task::spawn_blocking(move || FullText::recreate(&dir)).await {
                    Ok(Ok(ft)) => {
                        let ft = Arc::new(ft);
                        self.set_fulltext(FullTextState::Rebuilding(ft.clone()));
                        ft
                    }
                    Ok(Err(e)) => return self.set_fulltext(FullTextState::Failed(e.to_string())),
                    Err(e) => return self.set_fulltext(FullTextState::Failed(e.to_string())),
                }
            }
            FullTextState::Ready(_) => return,
        };
        let mut after = 0;
        let mut total = 0usize;
        loop {
            let page = match self.db.memory_chunks_page(after, 2000).await {
                Ok(page) => page,
                Err(e) => return self.set_fulltext(FullTextState::Failed(e.to_string())),
            };
            let Some(last) = page.last() else { break };
            after = last.id;
            total += page.len();
            // Adds only: a document split across two pages keeps the chunks
            // the first page added.
            let mut changes: Vec<Change> = Vec::new();
            for row in page {
                match changes.last_mut() {
                    Some(Change::Add {
                        document_id,
                        chunks,
                        ..
                    }) if *document_id == row.document_id => chunks.push((row.id, row.content)),
                    _ => changes.push(Change::Add {
                        document_id: row.document_id,
                        path: row.path,
                        chunks: vec![(row.id, row.content)],
                    }),
                }
            }
            let ft2 = ft.clone();
            match tokio::task::spawn_blocking(move || ft2.apply(changes)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return self.set_fulltext(FullTextState::Failed(e.to_string())),
                Err(e) => return self.set_fulltext(FullTextState::Failed(e.to_string())),
            }
            self.bump();
        }
        tracing::info!(
            chunks = total,
            ms = started.elapsed().as_millis() as u64,
            "rebuilt the full-text index"
        );
        // Only mark ready if nobody asked for another rebuild meanwhile
        // (then the next pass rebuilds again).
        let mut state = self.fulltext.write().unwrap_or_else(|e| e.into_inner());
        if let FullTextState::Rebuilding(current) = &*state
            && Arc::ptr_eq(current, &ft)
            && self.rebuild_requests.load(Ordering::Acquire) == request
        {
            *state = FullTextState::Ready(ft);
        }
    }

    /// Makes the local model available. Its files are checked now; ONNX
    /// Runtime loads it on first use (a search, or chunks to embed), so an
    /// idle daemon or a short command never pays ~0.1 s and ~100 MB for it.
    /// A model that then fails to load turns search keyword-only with the
    /// error and its fix.
    async fn load_model(&self) {
        // Resolved again: `ironclaw models install` may have run since.
        let location = ModelLocation::resolve(&self.paths, &self.config);
        match location.missing() {
            None => {
                let model = OnDemandModel::new(&location, self.config.embed_threads as usize);
                tracing::info!(
                    model = model.model_id(),
                    "embedding model available (loads on first use)"
                );
                self.set_model(ModelState::Ready(Arc::new(model)));
            }
            Some(e) => {
                tracing::warn!(error = %e, hint = e.hint(), "no local embedding model; memory search uses keywords only");
                self.set_model(ModelState::Unavailable(e));
            }
        }
        self.vectors_loaded.store(false, Ordering::Release);
        self.bump();
    }

    /// Fills the vector index from the embedding cache.
    async fn load_vectors(&self) {
        let ModelState::Ready(model) = self.model() else {
            return;
        };
        let started = Instant::now();
        let mut fresh = VectorIndex::new(model.dims());
        let mut after = 0;
        loop {
            match self
                .db
                .memory_vectors_page(model.model_id(), after, 5000)
                .await
            {
                Ok(page) if page.is_empty() => break,
                Ok(page) => {
                    for (chunk_id, doc_id, v) in &page {
                        fresh.insert(*chunk_id, *doc_id, v);
                    }
                    after = page.last().map_or(after, |p| p.0);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "loading vectors");
                    return;
                }
            }
        }
        tracing::info!(
            vectors = fresh.len(),
            mb = fresh.memory_bytes() / 1_000_000,
            ms = started.elapsed().as_millis() as u64,
            "loaded the vector index"
        );
        *self.vectors.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        self.vectors_loaded.store(true, Ordering::Release);
    }

    /// Chunks and full-text indexes documents whose newest version is not
    /// indexed; returns how many it did.
    async fn index_pending(&self) -> Result<usize, MemoryError> {
        let dirty = self.db.memory_dirty(INDEX_BATCH_DOCS).await?;
        if dirty.is_empty() {
            return Ok(0);
        }
        let model_id = match self.model() {
            ModelState::Ready(m) => Some(m.model_id().to_string()),
            _ => None,
        };
        let mut changes = Vec::new();
        let mut cached_lookups = Vec::new();
        let mut done = Vec::new();
        for doc in &dirty {
            let ranges = chunk::chunk(&doc.content, self.spec);
            let texts: Vec<&str> = ranges.iter().map(|r| &doc.content[r.clone()]).collect();
            let new: Vec<NewChunk> = texts
                .iter()
                .map(|t| NewChunk {
                    content: t,
                    hash: content_hash(t),
                })
                .collect();
            let Some(ids) = self.db.memory_set_chunks(doc.id, doc.version, &new).await? else {
                continue; // changed meanwhile: the next pass takes the newer text
            };
            self.vectors
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .remove_document(doc.id);
            for (id, chunk) in ids.iter().zip(&new) {
                cached_lookups.push((*id, doc.id, chunk.hash));
            }
            done.push((doc.id, doc.version));
            changes.push(Change::Replace {
                document_id: doc.id,
                path: doc.path.clone(),
                chunks: ids
                    .into_iter()
                    .zip(texts)
                    .map(|(id, t)| (id, t.to_string()))
                    .collect(),
            });
        }
        if let FullTextState::Ready(ft) | FullTextState::Rebuilding(ft) = self.fulltext() {
            match tokio::task::spawn_blocking(move || ft.apply(changes)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "full-text indexing failed; rebuilding the index");
                    self.schedule_rebuild();
                }
                Err(e) => {
                    tracing::warn!(error = %e, "full-text indexing failed; rebuilding the index");
                    self.schedule_rebuild();
                }
            }
        }
        // Marked indexed only now that the full-text index has the chunks
        // (or will be rebuilt from the database): a crash before this line
        // makes the next start index these documents again.
        for (id, version) in done {
            self.db.memory_mark_indexed(id, version).await?;
        }
        // Chunks whose text was embedded before (any document, any earlier
        // version) get their vector from the cache at once.
        if let Some(model_id) = model_id {
            let hashes: Vec<[u8; 32]> = cached_lookups.iter().map(|c| c.2).collect();
            let cached = self.db.memory_embeddings_for(&model_id, &hashes).await?;
            let mut index = self.vectors.write().unwrap_or_else(|e| e.into_inner());
            for (chunk_id, doc_id, hash) in cached_lookups {
                if let Some(v) = cached.get(&hash) {
                    index.insert(chunk_id, doc_id, v);
                }
            }
        }
        Ok(dirty.len())
    }

    /// Embeds one batch of chunks that have no vector yet; returns how many.
    async fn embed_pending(&self) -> Result<usize, MemoryError> {
        let ModelState::Ready(model) = self.model() else {
            return Ok(0);
        };
        let pending = self
            .db
            .memory_unembedded(model.model_id(), EMBED_BATCH)
            .await?;
        if pending.is_empty() {
            return Ok(0);
        }
        let texts: Vec<String> = pending.iter().map(|(_, t)| t.clone()).collect();
        let model2 = model.clone();
        let embedded = tokio::task::spawn_blocking(move || embed_each(&*model2, &texts))
            .await
            .map_err(|e| EmbedError::Inference(e.to_string()));
        let vectors = match embedded.and_then(|r| r) {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(error = %e, "the embedding model failed; meaning-based search is off until `ironclaw memory reindex`");
                self.set_model(ModelState::Unavailable(e));
                return Ok(0);
            }
        };
        let pairs: Vec<([u8; 32], Vec<f32>)> =
            pending.iter().map(|(h, _)| *h).zip(vectors).collect();
        self.db
            .memory_put_embeddings(model.model_id(), &pairs)
            .await?;
        let hashes: Vec<[u8; 32]> = pairs.iter().map(|p| p.0).collect();
        let chunks = self.db.memory_chunks_with_hashes(&hashes).await?;
        let by_hash: HashMap<[u8; 32], &Vec<f32>> = pairs.iter().map(|(h, v)| (*h, v)).collect();
        let mut index = self.vectors.write().unwrap_or_else(|e| e.into_inner());
        for (chunk_id, doc_id, hash) in chunks {
            if let Some(v) = by_hash.get(&hash) {
                index.insert(chunk_id, doc_id, v);
            }
        }
        Ok(pairs.len())
    }
}

#[cfg(test)]
mod tests;
