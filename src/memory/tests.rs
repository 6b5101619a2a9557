//! The workspace and its indexing, against a real libSQL file and a real
//! tantivy index in a temp dir. Vectors come from a deterministic stand-in
//! embedder here (these tests check bookkeeping and fusion, not ranking
//! quality; `tests/memory.rs` checks quality with the real model).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::*;
use crate::config::{MemoryConfig, Paths};
use crate::db::Db;
use crate::protocol::WriteMode;

/// Bag of hashed words: texts sharing words are close. Counts its calls.
struct StandIn {
    texts: AtomicUsize,
}

impl Embedder for StandIn {
    fn model_id(&self) -> &str {
        "stand-in"
    }
    fn dims(&self) -> usize {
        64
    }
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.texts.fetch_add(texts.len(), Ordering::Relaxed);
        Ok(texts
            .iter()
            .map(|t| {
                let mut v = vec![0f32; 64];
                for w in t
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                {
                    let h = content_hash(&w.to_lowercase());
                    v[h[0] as usize % 64] += if h[1] & 1 == 0 { 1.0 } else { -1.0 };
                }
                let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
                v.iter().map(|x| x / n).collect()
            })
            .collect())
    }
}

struct Fixture {
    memory: Arc<Memory>,
    db: Db,
    paths: Paths,
    _dir: tempfile::TempDir,
}

async fn open_with(dir: tempfile::TempDir, embedder: EmbedderSource) -> Fixture {
    let paths = Paths::new(dir.path().to_path_buf());
    let db = Db::open(&paths.database()).await.unwrap();
    let memory = Memory::open(db.clone(), &paths, MemoryConfig::default(), embedder)
        .await
        .unwrap();
    Fixture {
        memory,
        db,
        paths,
        _dir: dir,
    }
}

async fn fixture(embedder: Option<Arc<StandIn>>) -> Fixture {
    let source = match embedder {
        Some(e) => EmbedderSource::Ready(e),
        None => EmbedderSource::None,
    };
    open_with(tempfile::tempdir().unwrap(), source).await
}

fn stand_in() -> Arc<StandIn> {
    Arc::new(StandIn {
        texts: AtomicUsize::new(0),
    })
}

/// Waits until the worker has nothing left to do.
async fn settled(memory: &Memory) -> MemoryStatus {
    for _ in 0..500 {
        let s = memory.status().await;
        let vectors_done = match s.model_state.as_str() {
            "ready" => s.embedded_chunks == s.chunks,
            "loading" | "loading vectors" => false,
            _ => true,
        };
        if !s.indexing && s.pending_documents == 0 && vectors_done && s.fulltext == "ready" {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("indexing did not settle: {:?}", memory.status().await);
}

async fn write(m: &Memory, path: &str, text: &str) -> u64 {
    m.write(path, text, WriteMode::Replace, None, "user")
        .await
        .unwrap()
        .1
}

#[tokio::test]
async fn identity_files_are_seeded_once_and_reach_the_prompt() {
    let f = fixture(None).await;
    let tree = f.memory.tree(None).await.unwrap();
    let names: Vec<&str> = tree.iter().map(|e| e.path.as_str()).collect();
    for (name, _) in IDENTITY_FILES {
        assert!(names.contains(&name), "{name} seeded: {names:?}");
    }
    let prompt = f.memory.prompt_files().await;
    let order: Vec<&str> = prompt.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(order, PROMPT_FILES.to_vec());
    // A deleted identity file is not resurrected on the next start.
    f.memory.delete("SOUL.md").await.unwrap();
    f.memory.shutdown();
    let again = Memory::open(
        f.db.clone(),
        &f.paths,
        MemoryConfig::default(),
        EmbedderSource::None,
    )
    .await
    .unwrap();
    assert!(again.read("SOUL.md", None).await.is_err());
    assert!(again.read("AGENTS.md", None).await.is_ok());
    again.shutdown();
}

#[tokio::test]
async fn legacy_agents_md_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("AGENTS.md"), "Always answer in French.").unwrap();
    let f = open_with(dir, EmbedderSource::None).await;
    let doc = f.memory.read("AGENTS.md", None).await.unwrap();
    assert_eq!(doc.content, "Always answer in French.");
    assert_eq!(
        f.memory.history("AGENTS.md").await.unwrap()[0].author,
        "import"
    );
    f.memory.shutdown();
}

#[tokio::test]
async fn versions_append_conflicts_moves_and_deletes() {
    let f = fixture(None).await;
    let m = &f.memory;
    assert_eq!(write(m, "notes/a.md", "one").await, 1);
    let (_, v, changed) = m
        .write("notes/a.md", "two", WriteMode::Append, None, "agent")
        .await
        .unwrap();
    assert_eq!((v, changed), (2, true));
    assert_eq!(
        m.read("notes/a.md", None).await.unwrap().content,
        "one\ntwo"
    );
    // Same text again: no new version.
    let (_, v, changed) = m
        .write("/notes/a.md", "one\ntwo", WriteMode::Replace, None, "user")
        .await
        .unwrap();
    assert_eq!((v, changed), (2, false));
    // Old versions stay readable.
    let old = m.read("notes/a.md", Some(1)).await.unwrap();
    assert_eq!(
        (old.content.as_str(), old.version, old.latest_version),
        ("one", 1, 2)
    );
    assert!(matches!(
        m.read("notes/a.md", Some(9)).await,
        Err(MemoryError::NoSuchVersion { .. })
    ));
    // A stale editor cannot overwrite a newer version; nothing is lost.
    let err = m
        .write("notes/a.md", "stale", WriteMode::Replace, Some(1), "user")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            MemoryError::Conflict {
                expected: 1,
                current: 2,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        m.read("notes/a.md", None).await.unwrap().content,
        "one\ntwo"
    );
    assert_eq!(
        m.write("notes/a.md", "three", WriteMode::Replace, Some(2), "user")
            .await
            .unwrap()
            .1,
        3
    );
    // Move keeps the history and refuses to overwrite.
    write(m, "notes/b.md", "bee").await;
    assert!(matches!(
        m.rename("notes/a.md", "notes/b.md").await,
        Err(MemoryError::Exists(_))
    ));
    let (_, to, v) = m.rename("notes/a.md", "archive/a.md").await.unwrap();
    assert_eq!((to.as_str(), v), ("archive/a.md", 4));
    let history = m.history("archive/a.md").await.unwrap();
    assert_eq!(
        history.iter().map(|h| h.version).collect::<Vec<_>>(),
        vec![4, 3, 2, 1]
    );
    assert_eq!(history[2].author, "agent");
    assert_eq!(history[3].path, "notes/a.md");
    // Delete: gone from the tree, history still there.
    m.delete("archive/a.md").await.unwrap();
    assert!(matches!(
        m.read("archive/a.md", None).await,
        Err(MemoryError::NotFound(_))
    ));
    assert_eq!(m.history("archive/a.md").await.unwrap().len(), 4);
    assert!(matches!(
        m.delete("archive/a.md").await,
        Err(MemoryError::NotFound(_))
    ));
    // Tree with a prefix; bad paths and sizes are refused clearly.
    let under: Vec<String> = m
        .tree(Some("notes/"))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.path)
        .collect();
    assert_eq!(under, vec!["notes/b.md"]);
    assert!(matches!(
        m.write("../x", "y", WriteMode::Replace, None, "user").await,
        Err(MemoryError::InvalidPath { .. })
    ));
    let half = "y".repeat(MAX_DOCUMENT_BYTES / 2 + 1);
    write(m, "grow.md", &half).await;
    let err = m
        .write("grow.md", &half, WriteMode::Append, None, "agent")
        .await
        .unwrap_err();
    assert!(
        matches!(err, MemoryError::TooLarge { .. }),
        "appends count too: {err}"
    );
    assert_eq!(
        m.read("grow.md", None).await.unwrap().content.len(),
        half.len()
    );
    let big = "x".repeat(MAX_DOCUMENT_BYTES + 1);
    assert!(matches!(
        m.write("big.md", &big, WriteMode::Replace, None, "user")
            .await,
        Err(MemoryError::TooLarge { .. })
    ));
    m.shutdown();
}

#[tokio::test]
async fn search_finds_by_keyword_and_vector_and_follows_changes() {
    let embedder = stand_in();
    let f = fixture(Some(embedder.clone())).await;
    let m = &f.memory;
    write(
        m,
        "notes/boat.md",
        "We sailed the catamaran to Hydra in June.",
    )
    .await;
    write(
        m,
        "recipes/bread.md",
        "Sourdough needs a lively starter and patience.",
    )
    .await;
    let status = settled(m).await;
    assert_eq!(status.embedded_chunks, status.chunks);
    let found = m.search("catamaran Hydra", 5).await;
    assert!(found.notices.is_empty(), "{:?}", found.notices);
    let top = &found.hits[0];
    assert_eq!(top.path, "notes/boat.md");
    assert_eq!(top.fulltext_rank, Some(1));
    assert_eq!(top.vector_rank, Some(1));
    assert!(top.snippet.contains("catamaran"));

    // A rewrite is searchable after indexing, the old text is not.
    write(m, "notes/boat.md", "Now the kayak trip to Paxos.").await;
    settled(m).await;
    let found = m.search("catamaran", 5).await;
    assert!(
        found.hits.iter().all(|h| h.fulltext_rank.is_none()),
        "{:?}",
        found.hits
    );
    assert_eq!(
        m.search("kayak Paxos", 5).await.hits[0].path,
        "notes/boat.md"
    );

    // Delete: gone from both halves at once.
    m.delete("recipes/bread.md").await.unwrap();
    let found = m.search("sourdough starter", 5).await;
    assert!(found.hits.iter().all(|h| h.path != "recipes/bread.md"));
    m.shutdown();
}

#[tokio::test]
async fn unchanged_chunks_are_never_embedded_twice() {
    let embedder = stand_in();
    let f = fixture(Some(embedder.clone())).await;
    let m = &f.memory;
    settled(m).await; // identity files
    let base = embedder.texts.load(Ordering::Relaxed);
    write(m, "a.md", "the same words").await;
    settled(m).await;
    assert_eq!(embedder.texts.load(Ordering::Relaxed), base + 1);
    // Same text in another document, a move, and a reindex: cache hits.
    write(m, "b.md", "the same words").await;
    m.rename("a.md", "c.md").await.unwrap();
    settled(m).await;
    m.reindex().await.unwrap();
    let status = settled(m).await;
    assert_eq!(embedder.texts.load(Ordering::Relaxed), base + 1);
    assert_eq!(status.embedded_chunks, status.chunks);
    let hits = m.search("same words", 5).await.hits;
    let mut top: Vec<&str> = hits[..2].iter().map(|h| h.path.as_str()).collect();
    top.sort();
    assert_eq!(top, vec!["b.md", "c.md"]);
    assert_eq!(hits.iter().filter(|h| h.fulltext_rank.is_some()).count(), 2);
    m.shutdown();
}

#[tokio::test]
async fn without_a_model_keyword_search_works_and_says_so() {
    let f = fixture(None).await;
    let m = &f.memory;
    write(m, "notes/tax.md", "Invoice INV-2291 paid on March 3rd.").await;
    let status = settled(m).await;
    assert_eq!(status.model_state, "disabled");
    let found = m.search("INV-2291", 5).await;
    assert_eq!(found.hits[0].path, "notes/tax.md");
    assert_eq!(found.hits[0].vector_rank, None);
    assert!(
        found
            .notices
            .iter()
            .any(|n| n.contains("keyword results only")),
        "{:?}",
        found.notices
    );
    m.shutdown();
}

#[tokio::test]
async fn a_missing_model_is_reported_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::new(dir.path().to_path_buf());
    let db = Db::open(&paths.database()).await.unwrap();
    let m = Memory::open(db, &paths, MemoryConfig::default(), EmbedderSource::Local)
        .await
        .unwrap();
    write(&m, "n.md", "hello there").await;
    let status = settled(&m).await;
    assert_eq!(status.model_state, "missing");
    assert!(
        status
            .model_hint
            .unwrap()
            .contains("ironclaw models install")
    );
    let found = m.search("hello", 5).await;
    assert_eq!(found.hits[0].path, "n.md");
    assert!(
        found.notices[0].contains("ironclaw models install"),
        "{:?}",
        found.notices
    );
    m.shutdown();
}

#[tokio::test]
async fn a_corrupt_or_missing_index_is_rebuilt_from_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let f = open_with(dir, EmbedderSource::None).await;
    write(&f.memory, "notes/x.md", "zebra crossing at the market").await;
    settled(&f.memory).await;
    f.memory.shutdown();
    let index = f.paths.memory_index();
    drop(f.memory);

    // Corrupt: garbage meta.json.
    std::fs::write(index.join("meta.json"), b"\0garbage").unwrap();
    let m = Memory::open(
        f.db.clone(),
        &Paths::new(path.clone()),
        MemoryConfig::default(),
        EmbedderSource::None,
    )
    .await
    .unwrap();
    settled(&m).await;
    assert_eq!(m.search("zebra", 5).await.hits[0].path, "notes/x.md");
    m.shutdown();
    drop(m);

    // Missing: the whole directory gone.
    std::fs::remove_dir_all(&index).unwrap();
    let m = Memory::open(
        f.db.clone(),
        &Paths::new(path),
        MemoryConfig::default(),
        EmbedderSource::None,
    )
    .await
    .unwrap();
    settled(&m).await;
    assert_eq!(m.search("zebra", 5).await.hits[0].path, "notes/x.md");
    m.shutdown();
}

#[tokio::test]
async fn long_documents_are_chunked_and_each_chunk_is_findable() {
    let embedder = stand_in();
    let f = fixture(Some(embedder)).await;
    let m = &f.memory;
    let mut text = String::new();
    for i in 0..600 {
        text.push_str(&format!("filler{} ", i % 50));
    }
    text.push_str("the rare word quokka appears once near the end.");
    write(m, "long.md", &text).await;
    let status = settled(m).await;
    assert!(
        status.chunks >= 4 + IDENTITY_FILES.len() as u64,
        "{status:?}"
    );
    let hit = &m.search("quokka", 3).await.hits[0];
    assert_eq!(hit.path, "long.md");
    assert!(hit.snippet.contains("quokka"), "{}", hit.snippet);
    m.shutdown();
}
