//! Memory with the real local model (all-MiniLM-L6-v2 on ONNX Runtime):
//! finding notes by keyword and by paraphrase through the engine protocol,
//! importing and exporting a folder with the real binary, and the ranking
//! quality check on the labelled set in `tests/data/memory_quality.json`.
//!
//! The model is provisioned by `scripts/test.sh` (`ironclaw models
//! install`) and found by `support::real_model`.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use ironclaw::config::{Config, Paths};
use ironclaw::engine::{Client, EngineHandle, EngineOptions, ProviderSource};
use ironclaw::memory::EmbedderSource;
use ironclaw::protocol::{Event, MemoryHit, MemoryStatus, Op, WriteMode};
use ironclaw::tools::ToolRegistry;

struct Engine {
    engine: EngineHandle,
    client: Client,
    _home: tempfile::TempDir,
}

async fn engine() -> Engine {
    let (model, lib) = support::real_model();
    let home = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.memory.model_dir = model.display().to_string();
    config.memory.ort_library = lib.display().to_string();
    if let Ok(variant) = std::env::var("IRONCLAW_MEMORY_MODEL_VARIANT") {
        config.memory.model_variant = variant; // compare fp32 and int8
    }
    let engine = EngineHandle::start(EngineOptions {
        config,
        paths: Paths::new(home.path().to_path_buf()),
        provider: ProviderSource::None,
        tools: ToolRegistry::with_builtins(&[]).unwrap(),
        workdir: home.path().to_path_buf(),
        embedder: EmbedderSource::Local,
    })
    .await
    .unwrap();
    let client = engine.connect().await;
    Engine {
        engine,
        client,
        _home: home,
    }
}

impl Engine {
    /// Sends `op` and returns the first event `pick` accepts.
    async fn ask<T>(&mut self, op: Op, mut pick: impl FnMut(Event) -> Option<T>) -> T {
        self.client.send(op).await.unwrap();
        tokio::time::timeout(Duration::from_secs(120), async {
            loop {
                let event = self.client.recv().await.unwrap().event;
                if let Event::Error { message, kind, .. } = &event {
                    panic!("{kind}: {message}");
                }
                if let Some(t) = pick(event) {
                    return t;
                }
            }
        })
        .await
        .expect("no reply in time")
    }

    async fn write(&mut self, path: &str, content: &str) {
        let want = path.to_string();
        self.ask(
            Op::MemoryWrite {
                path: path.into(),
                content: content.into(),
                mode: WriteMode::Replace,
                expected_version: None,
            },
            |e| matches!(e, Event::MemoryChanged { ref path, .. } if *path == want).then_some(()),
        )
        .await
    }

    async fn status(&mut self) -> MemoryStatus {
        self.ask(Op::MemoryStatus, |e| match e {
            Event::MemoryStatus { status } => Some(status),
            _ => None,
        })
        .await
    }

    /// Waits until every document is indexed and every chunk has a vector.
    async fn settled(&mut self) -> MemoryStatus {
        for _ in 0..1200 {
            let s = self.status().await;
            if s.model_state != "ready" && !s.model_state.starts_with("loading") {
                panic!("the model did not load: {s:?}");
            }
            if !s.indexing
                && s.pending_documents == 0
                && s.model_state == "ready"
                && s.embedded_chunks == s.chunks
            {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("indexing did not finish: {:?}", self.status().await);
    }

    async fn search(&mut self, query: &str, limit: u32) -> (Vec<MemoryHit>, Vec<String>) {
        let q = query.to_string();
        self.ask(
            Op::MemorySearch {
                query: query.into(),
                limit,
            },
            |e| match e {
                Event::MemorySearchResults {
                    query,
                    hits,
                    notices,
                    ..
                } if query == q => Some((hits, notices)),
                _ => None,
            },
        )
        .await
    }

    async fn stop(self) {
        self.client.send(Op::Shutdown).await.unwrap();
        tokio::time::timeout(Duration::from_secs(10), self.engine.stopped())
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_written_note_is_found_by_keyword_and_by_paraphrase() {
    let mut e = engine().await;
    e.write(
        "notes/health.md",
        "Dr. Patel says to cut back on caffeine after lunch because of my insomnia.",
    )
    .await;
    e.write(
        "notes/car.md",
        "The hatchback needs winter tyres before the ski trip; garage on Elm Street.",
    )
    .await;
    e.write(
        "recipes/bread.md",
        "Sourdough: feed the starter the night before, bake at 240 °C with steam.",
    )
    .await;
    e.settled().await;

    // Keyword: an exact rare word.
    let (hits, notices) = e.search("caffeine", 5).await;
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(hits[0].path, "notes/health.md");
    assert_eq!(hits[0].fulltext_rank, Some(1));

    // Paraphrase: no word in common with the note.
    let (hits, _) = e
        .search("physician advice on coffee and trouble sleeping", 5)
        .await;
    assert_eq!(hits[0].path, "notes/health.md", "{hits:?}");
    assert_eq!(hits[0].fulltext_rank, None, "no shared keyword");
    assert_eq!(hits[0].vector_rank, Some(1));
    let (hits, _) = e.search("baking a loaf of bread", 5).await;
    assert_eq!(hits[0].path, "recipes/bread.md", "{hits:?}");

    // A rewrite is searchable by its new meaning once indexed.
    e.write("notes/car.md", "Sold the car; I cycle to work now.")
        .await;
    e.settled().await;
    let (hits, _) = e
        .search("selling my automobile and commuting by bicycle", 5)
        .await;
    assert_eq!(hits[0].path, "notes/car.md", "{hits:?}");
    e.stop().await;
}

#[derive(serde::Deserialize)]
struct Dataset {
    notes: Vec<Note>,
    queries: Vec<Query>,
}

#[derive(serde::Deserialize)]
struct Note {
    path: String,
    text: String,
}

#[derive(serde::Deserialize)]
struct Query {
    query: String,
    relevant: Vec<String>,
    kind: String,
}

/// Recall@5 of BM25 alone, vectors alone and hybrid on the labelled set.
/// One hybrid search with a wide limit carries both lists' ranks (every
/// candidate of either list is in the fused result), so all three are
/// measured on exactly what the engine computed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hybrid_beats_keyword_and_vector_search_alone() {
    let data: Dataset = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/memory_quality.json"
        ))
        .unwrap(),
    )
    .unwrap();
    assert!(data.notes.len() >= 500 && data.queries.len() >= 50);
    let mut e = engine().await;
    for n in &data.notes {
        e.write(&n.path, &n.text).await;
    }
    let status = e.settled().await;
    assert!(status.documents as usize >= data.notes.len());

    let mut found: HashMap<(&str, &str), (u32, u32)> = HashMap::new(); // (mode, kind) -> (hits, total)
    for q in &data.queries {
        let (hits, notices) = e.search(&q.query, 100).await;
        assert!(notices.is_empty(), "{notices:?}");
        let top_by = |rank: fn(&MemoryHit) -> Option<u32>| -> Vec<&str> {
            let mut ranked: Vec<(u32, &str)> = hits
                .iter()
                .filter_map(|h| rank(h).map(|r| (r, h.path.as_str())))
                .collect();
            ranked.sort();
            ranked.into_iter().take(5).map(|(_, p)| p).collect()
        };
        let hybrid: Vec<&str> = hits.iter().take(5).map(|h| h.path.as_str()).collect();
        let lists = [
            ("bm25", top_by(|h| h.fulltext_rank)),
            ("vector", top_by(|h| h.vector_rank)),
            ("hybrid", hybrid),
        ];
        for (mode, top) in lists {
            let hit = q.relevant.iter().any(|r| top.contains(&r.as_str()));
            for kind in [q.kind.as_str(), "all"] {
                let entry = found.entry((mode, kind)).or_default();
                entry.0 += u32::from(hit);
                entry.1 += 1;
            }
        }
    }
    let recall = |mode: &str, kind: &str| {
        let (h, t) = found.get(&(mode, kind)).copied().unwrap_or_default();
        f64::from(h) / f64::from(t.max(1))
    };
    println!(
        "recall@5 over {} queries, {} notes:",
        data.queries.len(),
        data.notes.len()
    );
    for kind in ["all", "keyword", "paraphrase", "mixed"] {
        println!(
            "  {kind:<10} bm25 {:.3}  vector {:.3}  hybrid {:.3}",
            recall("bm25", kind),
            recall("vector", kind),
            recall("hybrid", kind)
        );
    }
    let (bm25, vector, hybrid) = (
        recall("bm25", "all"),
        recall("vector", "all"),
        recall("hybrid", "all"),
    );
    assert!(
        hybrid > bm25 && hybrid > vector,
        "hybrid {hybrid:.3} must beat bm25 {bm25:.3} and vector {vector:.3}"
    );
    e.stop().await;
}

/// The real binary with a clean environment, the test's IronClaw home and,
/// unless `with_model` is false, the provisioned model.
fn cli(
    home: &std::path::Path,
    work: &std::path::Path,
    with_model: bool,
    args: &[&str],
) -> std::process::Output {
    let mut c = support::ironclaw(env!("CARGO_BIN_EXE_ironclaw"), home, work, args);
    c.env("IRONCLAW_DAEMON_AUTOSTART", "false");
    if with_model {
        let (model, lib) = support::real_model();
        c.env("IRONCLAW_MEMORY_MODEL_DIR", model)
            .env("IRONCLAW_MEMORY_ORT_LIBRARY", lib);
    }
    c.output().unwrap()
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn cli_import_search_history_export_and_recovery() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let vault = work.path().join("vault");
    std::fs::create_dir_all(vault.join("trips")).unwrap();
    std::fs::create_dir_all(vault.join(".obsidian")).unwrap();
    std::fs::write(
        vault.join("trips/greece.md"),
        "We sailed a catamaran from Lefkada to Ithaca in June.\n",
    )
    .unwrap();
    std::fs::write(
        vault.join("garden.txt"),
        "Tomatoes need staking; basil by the kitchen door.\n",
    )
    .unwrap();
    std::fs::write(vault.join(".obsidian/workspace.json"), "{}").unwrap();
    std::fs::write(vault.join("photo.png"), [0u8, 159, 146, 150]).unwrap();
    std::fs::write(vault.join("broken.md"), [0xffu8, 0xfe, 0x00]).unwrap();
    let h = home.path();
    let w = work.path();

    // Import: notes only (hidden folders and images skipped); a file that
    // is not UTF-8 is reported and makes the exit code 1, the rest lands.
    let out = cli(
        h,
        w,
        true,
        &[
            "memory",
            "import",
            vault.to_str().unwrap(),
            "--prefix",
            "vault",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("imported 2 of 3 notes"), "{stderr}");
    assert!(stderr.contains("broken.md: not UTF-8 text"), "{stderr}");
    assert!(
        stderr.contains("2 with vectors") || stderr.contains("with vectors"),
        "{stderr}"
    );
    let tree = ok(&cli(h, w, true, &["memory", "tree", "vault/"]));
    assert!(
        tree.contains("vault/trips/greece.md") && tree.contains("vault/garden.txt"),
        "{tree}"
    );
    assert!(!tree.contains("workspace.json"), "{tree}");

    // Search by paraphrase and by keyword.
    let out = ok(&cli(
        h,
        w,
        true,
        &[
            "memory",
            "search",
            "boat holiday in the Ionian islands",
            "--json",
        ],
    ));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["hits"][0]["path"], "vault/trips/greece.md", "{out}");
    assert!(json["notices"].as_array().unwrap().is_empty(), "{out}");
    let out = ok(&cli(h, w, true, &["memory", "search", "basil"]));
    assert!(out.starts_with(" 1. vault/garden.txt"), "{out}");

    // Versions: write, append, read an old one, list them.
    ok(&cli(
        h,
        w,
        true,
        &["memory", "write", "notes/todo.md", "buy rope"],
    ));
    ok(&cli(
        h,
        w,
        true,
        &[
            "memory",
            "write",
            "notes/todo.md",
            "fix the sail",
            "--append",
        ],
    ));
    assert_eq!(
        ok(&cli(h, w, true, &["memory", "read", "notes/todo.md"])),
        "buy rope\nfix the sail\n"
    );
    assert_eq!(
        ok(&cli(
            h,
            w,
            true,
            &["memory", "read", "notes/todo.md", "--version", "1"]
        )),
        "buy rope\n"
    );
    let history = ok(&cli(h, w, true, &["memory", "history", "notes/todo.md"]));
    assert_eq!(history.lines().count(), 3, "{history}");

    // Bad input: a clear error, exit 2, nothing stored.
    let out = cli(h, w, true, &["memory", "write", "../escape.md", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid path"));

    // Export writes every document; a differing file is not overwritten.
    let export = work.path().join("export");
    ok(&cli(
        h,
        w,
        true,
        &["memory", "export", export.to_str().unwrap()],
    ));
    assert_eq!(
        std::fs::read_to_string(export.join("vault/trips/greece.md")).unwrap(),
        "We sailed a catamaran from Lefkada to Ithaca in June.\n"
    );
    assert!(export.join("AGENTS.md").is_file());
    std::fs::write(export.join("notes/todo.md"), "edited outside").unwrap();
    let out = cli(h, w, true, &["memory", "export", export.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(export.join("notes/todo.md")).unwrap(),
        "edited outside"
    );

    // A corrupted index is rebuilt from the database on the next start.
    let index = h.join("memory-index");
    for entry in std::fs::read_dir(&index).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            std::fs::write(&p, b"garbage").unwrap();
        }
    }
    let out = ok(&cli(h, w, true, &["memory", "search", "catamaran"]));
    assert!(out.starts_with(" 1. vault/trips/greece.md"), "{out}");

    // Without the model: keyword search still works and says why meaning
    // search is off, with the fix.
    let out = cli(h, w, false, &["memory", "search", "catamaran"]);
    let (stdout, stderr) = (ok(&out), String::from_utf8_lossy(&out.stderr).into_owned());
    assert!(stdout.starts_with(" 1. vault/trips/greece.md"), "{stdout}");
    assert!(stderr.contains("ironclaw models install"), "{stderr}");
    let status = ok(&cli(h, w, false, &["memory", "status"]));
    assert!(
        status.contains("missing") && status.contains("fix:"),
        "{status}"
    );
}

/// The model is released when idle and reloads on the next use, giving the
/// same vectors.
#[test]
fn the_model_is_released_when_idle_and_reloads_on_demand() {
    use ironclaw::memory::embed::{Embedder, ModelLocation, OnDemandModel, Variant};
    let (model_dir, lib) = support::real_model();
    let location = ModelLocation {
        model_dir,
        variant: Variant::Int8,
        lib_dir: lib.parent().unwrap().to_path_buf(),
        ort_library: Some(lib),
    };
    let model = OnDemandModel::load(&location, 1).unwrap();
    let first = model.embed(&["a quiet afternoon by the sea"]).unwrap();
    assert!(
        !model.release_if_idle(Duration::from_secs(3600)),
        "used just now"
    );
    assert!(model.release_if_idle(Duration::ZERO));
    assert!(!model.is_loaded());
    let again = model.embed(&["a quiet afternoon by the sea"]).unwrap();
    assert!(model.is_loaded());
    assert_eq!(first, again);
}
