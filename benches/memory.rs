//! Memory benchmark: prints figures, asserts nothing.
//!
//! `cargo bench --bench memory` (release profile) measures, with the real
//! local model (all-MiniLM-L6-v2 on ONNX Runtime, every core):
//! - embeddings per second: short sentences (~12 words, batches of 32) and
//!   whole chunks (~160 words, batches of 16, what indexing embeds);
//! - import throughput: the 656 notes of `tests/data/memory_quality.json`
//!   written through the engine's memory and indexed (chunks/s, end to end);
//! - search latency p50/p95 at 10k and 100k chunks (hybrid: BM25 + query
//!   embedding + vector scan + fusion + snippets), index size on disk, RSS.
//!   To build 100k chunks in minutes rather than hours, the corpus vectors
//!   there are pseudo-random unit vectors (an exact scan costs the same
//!   whatever the values); every *query* is embedded by the real model;
//! - libSQL's own vector index (DiskANN, `compress_neighbors=float8`) on the
//!   same vectors, for the choice documented in `src/memory/vectors.rs`.
//!
//! The model comes from `IRONCLAW_TEST_MODELS` or `~/.ironclaw`
//! (`ironclaw models install`). `cargo test --all-targets` runs this binary
//! without `--bench`: then every part runs at a tiny size as a smoke test.

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use ironclaw::config::{MemoryConfig, Paths};
use ironclaw::db::Db;
use ironclaw::memory::embed::{EmbedError, Embedder, LocalModel, ModelLocation};
use ironclaw::memory::{EmbedderSource, Memory};
use ironclaw::protocol::WriteMode;

fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn location() -> ModelLocation {
    let (model_dir, lib) = support::real_model();
    // The configured default (int8); IRONCLAW_MEMORY_MODEL_VARIANT=fp32
    // measures the exact model.
    let variant = std::env::var("IRONCLAW_MEMORY_MODEL_VARIANT")
        .unwrap_or_else(|_| MemoryConfig::default().model_variant);
    ModelLocation {
        model_dir,
        variant: ironclaw::memory::embed::Variant::parse(&variant).unwrap(),
        lib_dir: lib.parent().unwrap().to_path_buf(),
        ort_library: Some(lib),
    }
}

const WORDS: &[&str] = &[
    "meeting",
    "budget",
    "garden",
    "invoice",
    "flight",
    "doctor",
    "recipe",
    "project",
    "deadline",
    "tomatoes",
    "insurance",
    "kernel",
    "deploy",
    "backup",
    "holiday",
    "train",
    "coffee",
    "server",
    "review",
    "contract",
    "plumber",
    "battery",
    "library",
    "running",
    "weather",
    "birthday",
    "mortgage",
    "client",
    "release",
    "database",
    "camera",
    "bicycle",
    "vaccine",
    "passport",
    "lasagna",
    "keyboard",
    "thermostat",
    "quarterly",
    "migration",
    "hiking",
];

fn text(rng: &mut fastrand::Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        // Zipf-like: low indices far more often.
        let w = WORDS[(rng.f64().powi(3) * WORDS.len() as f64) as usize];
        s.push_str(w);
        s.push(if i % 14 == 13 { '.' } else { ' ' });
        if i % 14 == 13 {
            s.push(' ');
        }
    }
    s
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn rss_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn embeddings_per_second(model: &LocalModel, full: bool) {
    let mut rng = fastrand::Rng::with_seed(1);
    for (label, words, batch, batches) in [
        ("sentences (~12 words)", 12, 32, if full { 20 } else { 1 }),
        ("sentences (~12 words)", 12, 128, if full { 5 } else { 1 }),
        ("chunks (~160 words)", 160, 16, if full { 8 } else { 1 }),
    ] {
        let texts: Vec<String> = (0..batch).map(|_| text(&mut rng, words)).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        model.embed(&refs).unwrap(); // warm-up
        let started = Instant::now();
        for _ in 0..batches {
            model.embed(&refs).unwrap();
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "embeddings/s, {label}, batch {batch}: {:.0}",
            (batch * batches) as f64 / secs
        );
    }
}

/// A memory in a fresh home with this embedder.
async fn open_memory(dir: &tempfile::TempDir, embedder: Arc<dyn Embedder>) -> Arc<Memory> {
    let paths = Paths::new(dir.path().to_path_buf());
    let db = Db::open(&paths.database()).await.unwrap();
    Memory::open(
        db,
        &paths,
        MemoryConfig::default(),
        EmbedderSource::Ready(embedder),
    )
    .await
    .unwrap()
}

async fn settle(memory: &Memory) -> ironclaw::protocol::MemoryStatus {
    loop {
        let s = memory.status().await;
        if !s.indexing
            && s.pending_documents == 0
            && s.embedded_chunks == s.chunks
            && s.model_state == "ready"
        {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn import_throughput(model: Arc<LocalModel>, full: bool) {
    #[derive(serde::Deserialize)]
    struct Note {
        path: String,
        text: String,
    }
    #[derive(serde::Deserialize)]
    struct Data {
        notes: Vec<Note>,
    }
    let data: Data = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/memory_quality.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let notes = if full {
        &data.notes[..]
    } else {
        &data.notes[..20]
    };
    let dir = tempfile::tempdir().unwrap();
    let memory = open_memory(&dir, model).await;
    let before = settle(&memory).await.chunks;
    let started = Instant::now();
    for n in notes {
        memory
            .write(&n.path, &n.text, WriteMode::Replace, None, "import")
            .await
            .unwrap();
    }
    let stored = started.elapsed();
    let status = settle(&memory).await;
    let total = started.elapsed();
    let chunks = status.chunks - before;
    println!(
        "import: {} notes stored in {:.0} ms ({:.0} notes/s); indexed and embedded {} chunks in {:.2} s: {:.0} chunks/s end to end",
        notes.len(),
        stored.as_secs_f64() * 1e3,
        notes.len() as f64 / stored.as_secs_f64(),
        chunks,
        total.as_secs_f64(),
        chunks as f64 / total.as_secs_f64()
    );
    memory.shutdown();
}

/// Real model for single texts (queries), pseudo-random unit vectors for
/// batches (bulk indexing of the synthetic corpus).
struct QueryModel {
    real: Arc<LocalModel>,
}

impl Embedder for QueryModel {
    fn model_id(&self) -> &str {
        self.real.model_id()
    }
    fn dims(&self) -> usize {
        self.real.dims()
    }
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.len() == 1 {
            return self.real.embed(texts);
        }
        Ok(texts
            .iter()
            .map(|t| {
                let seed = ironclaw::memory::content_hash(t);
                let mut rng =
                    fastrand::Rng::with_seed(u64::from_le_bytes(seed[..8].try_into().unwrap()));
                let v: Vec<f32> = (0..self.dims()).map(|_| rng.f32() - 0.5).collect();
                let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                v.into_iter().map(|x| x / n).collect()
            })
            .collect())
    }
}

async fn search_latency(model: Arc<LocalModel>, full: bool) {
    // IRONCLAW_BENCH_MAX_CHUNKS=10000 skips the 100k corpus (7 min to build).
    let max: usize = std::env::var("IRONCLAW_BENCH_MAX_CHUNKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);
    let sizes: Vec<usize> = if full {
        [10_000, 100_000]
            .into_iter()
            .filter(|&n| n <= max)
            .collect()
    } else {
        vec![200]
    };
    let queries = [
        "what did the doctor say about coffee",
        "quarterly budget review meeting",
        "train tickets for the holiday",
        "database migration deadline",
        "plumber invoice",
        "birthday recipe lasagna",
        "server backup failed",
        "hiking weather",
    ];
    let embedder: Arc<dyn Embedder> = Arc::new(QueryModel { real: model });
    let dir = tempfile::tempdir().unwrap();
    let memory = open_memory(&dir, embedder).await;
    let paths = Paths::new(dir.path().to_path_buf());
    let mut rng = fastrand::Rng::with_seed(7);
    let mut doc = 0usize;
    for &target in &sizes {
        let started = Instant::now();
        while (settle(&memory).await.chunks as usize) < target {
            // ~5 chunks per note (about 800 words).
            for _ in 0..200 {
                let body = text(&mut rng, 780);
                memory
                    .write(
                        &format!("notes/{:03}/{doc}.md", doc % 997),
                        &body,
                        WriteMode::Replace,
                        None,
                        "import",
                    )
                    .await
                    .unwrap();
                doc += 1;
            }
        }
        let status = settle(&memory).await;
        let build = started.elapsed();
        for q in queries {
            memory.search(q, 10).await; // warm-up
        }
        let mut times = Vec::new();
        let rounds = if full { 25 } else { 1 };
        for _ in 0..rounds {
            for q in queries {
                let t = Instant::now();
                let found = memory.search(q, 10).await;
                times.push(t.elapsed());
                assert!(!found.hits.is_empty());
            }
        }
        times.sort();
        let db_bytes = std::fs::metadata(paths.database())
            .map(|m| m.len())
            .unwrap_or(0)
            + std::fs::metadata(paths.home.join("ironclaw.db-wal"))
                .map(|m| m.len())
                .unwrap_or(0);
        println!(
            "search at {} chunks ({} docs): p50 {:.2} ms, p95 {:.2} ms (n={}); full-text index {:.1} MB, database {:.1} MB; RSS {} MB (peak {} MB); built in {:.0} s",
            status.chunks,
            status.documents,
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.95).as_secs_f64() * 1e3,
            times.len(),
            status.index_bytes as f64 / 1e6,
            db_bytes as f64 / 1e6,
            rss_kb("VmRSS:") / 1024,
            rss_kb("VmHWM:") / 1024,
            build.as_secs_f64()
        );
    }
    // The query's embedding alone, for the breakdown.
    let model = LocalModel::load(&location(), 0).unwrap();
    let mut t = Vec::new();
    for q in queries.iter().cycle().take(if full { 100 } else { 2 }) {
        let s = Instant::now();
        model.embed(&[q]).unwrap();
        t.push(s.elapsed());
    }
    t.sort();
    println!(
        "  of which query embedding: p50 {:.2} ms",
        percentile(&t, 0.5).as_secs_f64() * 1e3
    );
    memory.shutdown();
}

/// libSQL's DiskANN vector index on the same kind of vectors.
async fn libsql_vector_index(full: bool) {
    let n = if full { 3_000 } else { 50 };
    let dir = tempfile::tempdir().unwrap();
    let db = libsql::Builder::new_local(dir.path().join("v.db"))
        .build()
        .await
        .unwrap();
    let conn = db.connect().unwrap();
    let setup = conn
        .execute(
            "CREATE TABLE v (id INTEGER PRIMARY KEY, emb F32_BLOB(384))",
            (),
        )
        .await
        .and(
            conn.execute(
                "CREATE INDEX v_idx ON v (libsql_vector_idx(emb, 'compress_neighbors=float8'))",
                (),
            )
            .await,
        );
    if let Err(e) = setup {
        println!("libSQL vector index: unavailable in this build ({e})");
        return;
    }
    let mut rng = fastrand::Rng::with_seed(3);
    let vector = |rng: &mut fastrand::Rng| -> String {
        let v: Vec<String> = (0..384)
            .map(|_| format!("{:.4}", rng.f32() - 0.5))
            .collect();
        format!("[{}]", v.join(","))
    };
    let started = Instant::now();
    for i in 0..n {
        conn.execute(
            "INSERT INTO v (id, emb) VALUES (?1, vector32(?2))",
            libsql::params![i as i64, vector(&mut rng)],
        )
        .await
        .unwrap();
    }
    let per_insert = started.elapsed() / n as u32;
    let mut times = Vec::new();
    for _ in 0..if full { 50 } else { 2 } {
        let q = vector(&mut rng);
        let t = Instant::now();
        let mut rows = conn
            .query(
                "SELECT id FROM vector_top_k('v_idx', vector32(?1), 50)",
                [q],
            )
            .await
            .unwrap();
        while rows.next().await.unwrap().is_some() {}
        times.push(t.elapsed());
    }
    times.sort();
    let bytes = std::fs::metadata(dir.path().join("v.db"))
        .map(|m| m.len())
        .unwrap_or(0)
        + std::fs::metadata(dir.path().join("v.db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    println!(
        "libSQL vector index (float8 neighbours), {n} vectors: {:.2} ms per insert, {:.0} KB per vector on disk, top-50 query p50 {:.2} ms",
        per_insert.as_secs_f64() * 1e3,
        bytes as f64 / n as f64 / 1e3,
        percentile(&times, 0.5).as_secs_f64() * 1e3
    );
}

fn main() {
    let full = full_run();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let model = Arc::new(LocalModel::load(&location(), 0).unwrap());
    println!(
        "model {}: load {:.0} ms",
        model.model_id(),
        started.elapsed().as_secs_f64() * 1e3
    );
    embeddings_per_second(&model, full);
    runtime.block_on(import_throughput(model.clone(), full));
    runtime.block_on(search_latency(model, full));
    runtime.block_on(libsql_vector_index(full));
}
