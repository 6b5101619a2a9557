//! The full-text half of search: a tantivy (BM25) index of every chunk, in
//! `<home>/memory-index/`.
//!
//! The index holds only ids (chunk, document) plus the indexed text; chunk
//! texts and paths are read back from the database, which stays the one
//! source of truth. When the index is missing, unreadable or disagrees with
//! the database about how many chunks exist, it is deleted and rebuilt from
//! the database (see [`super::Memory`]).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

#[derive(Debug, thiserror::Error)]
pub enum FullTextError {
    #[error("full-text index at {path}: {message}")]
    Index { path: PathBuf, message: String },
}

/// One change to apply.
pub enum Change {
    /// Replace every chunk of a document.
    Replace {
        document_id: i64,
        path: String,
        chunks: Vec<(i64, String)>,
    },
    /// Add chunks, keeping the document's others (rebuilds, page by page).
    Add {
        document_id: i64,
        path: String,
        chunks: Vec<(i64, String)>,
    },
    Remove {
        document_id: i64,
    },
}

pub struct FullText {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    parser: QueryParser,
    chunk_id: Field,
    document_id: Field,
    path: Field,
    body: Field,
    /// Serialises writers (tantivy allows one per index).
    writing: Mutex<()>,
}

/// Writer memory: tantivy's minimum per thread plus a little; one thread,
/// since the embedder already uses the cores while indexing.
const WRITER_HEAP: usize = 20_000_000;

/// The analyzer of paths and chunk text: words split on non-alphanumerics,
/// lowercased, English stop words dropped (so "about" or "the" never decide
/// a ranking), stemmed ("sailing" finds "sailed").
const ANALYZER: &str = "ironclaw_en";

/// English function words (NLTK's list, which is broader than tantivy's
/// Lucene list): questions typed in plain language ("what did the doctor
/// say about …") should match on their content words only.
const STOP_WORDS: &[&str] = &[
    "i",
    "me",
    "my",
    "myself",
    "we",
    "our",
    "ours",
    "ourselves",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "he",
    "him",
    "his",
    "himself",
    "she",
    "her",
    "hers",
    "herself",
    "it",
    "its",
    "itself",
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
    "what",
    "which",
    "who",
    "whom",
    "this",
    "that",
    "these",
    "those",
    "am",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "have",
    "has",
    "had",
    "having",
    "do",
    "does",
    "did",
    "doing",
    "a",
    "an",
    "the",
    "and",
    "but",
    "if",
    "or",
    "because",
    "as",
    "until",
    "while",
    "of",
    "at",
    "by",
    "for",
    "with",
    "about",
    "against",
    "between",
    "into",
    "through",
    "during",
    "before",
    "after",
    "above",
    "below",
    "to",
    "from",
    "up",
    "down",
    "in",
    "out",
    "on",
    "off",
    "over",
    "under",
    "again",
    "further",
    "then",
    "once",
    "here",
    "there",
    "when",
    "where",
    "why",
    "how",
    "all",
    "any",
    "both",
    "each",
    "few",
    "more",
    "most",
    "other",
    "some",
    "such",
    "no",
    "nor",
    "not",
    "only",
    "own",
    "same",
    "so",
    "than",
    "too",
    "very",
    "s",
    "t",
    "can",
    "will",
    "just",
    "don",
    "should",
    "now",
    "d",
    "ll",
    "m",
    "o",
    "re",
    "ve",
    "y",
];

/// Written next to the index; an index without it, or with another value,
/// was built by a different analyzer and is rebuilt. Bump on any change to
/// [`register_analyzer`] or [`schema`].
const FORMAT: &str = "ironclaw-fulltext 2";
const FORMAT_FILE: &str = "ironclaw-format";

fn register_analyzer(index: &Index) {
    let analyzer = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::remove(
            STOP_WORDS.iter().map(|w| w.to_string()),
        ))
        .filter(Stemmer::new(Language::English))
        .build();
    index.tokenizers().register(ANALYZER, analyzer);
}

fn schema() -> Schema {
    let mut b = Schema::builder();
    b.add_u64_field("chunk_id", FAST | STORED);
    b.add_u64_field("document_id", INDEXED | FAST);
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    b.add_text_field("path", text.clone());
    b.add_text_field("body", text);
    b.build()
}

impl FullText {
    /// Opens the index in `dir`, creating it if absent. An index that
    /// cannot be opened (corrupt, or an older schema) is an error: the
    /// caller deletes and recreates it with [`FullText::recreate`].
    pub fn open(dir: &Path) -> Result<FullText, FullTextError> {
        let err = |message: String| FullTextError::Index {
            path: dir.to_path_buf(),
            message,
        };
        std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
        let expected = schema();
        let index = if dir.join("meta.json").exists() {
            let format = std::fs::read_to_string(dir.join(FORMAT_FILE)).unwrap_or_default();
            if format.trim() != FORMAT {
                return Err(err("it was built by another version of IronClaw".into()));
            }
            let index = Index::open_in_dir(dir).map_err(|e| err(e.to_string()))?;
            if index.schema() != expected {
                return Err(err("it was built with a different schema".into()));
            }
            index
        } else {
            let index = Index::create_in_dir(dir, expected).map_err(|e| err(e.to_string()))?;
            std::fs::write(dir.join(FORMAT_FILE), FORMAT).map_err(|e| err(e.to_string()))?;
            index
        };
        Self::from_index(dir, index)
    }

    /// Deletes whatever is in `dir` and creates an empty index.
    pub fn recreate(dir: &Path) -> Result<FullText, FullTextError> {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| FullTextError::Index {
                path: dir.to_path_buf(),
                message: format!("cannot delete it to rebuild: {e}"),
            })?;
        }
        Self::open(dir)
    }

    fn from_index(dir: &Path, index: Index) -> Result<FullText, FullTextError> {
        register_analyzer(&index);
        let err = |message: String| FullTextError::Index {
            path: dir.to_path_buf(),
            message,
        };
        let schema = index.schema();
        let field = |name: &str| schema.get_field(name).map_err(|e| err(e.to_string()));
        let (chunk_id, document_id, path, body) = (
            field("chunk_id")?,
            field("document_id")?,
            field("path")?,
            field("body")?,
        );
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e: tantivy::TantivyError| err(e.to_string()))?;
        let mut parser = QueryParser::for_index(&index, vec![body, path]);
        parser.set_field_boost(path, 0.5);
        Ok(FullText {
            dir: dir.to_path_buf(),
            index,
            reader,
            parser,
            chunk_id,
            document_id,
            path,
            body,
            writing: Mutex::new(()),
        })
    }

    fn err(&self, e: impl std::fmt::Display) -> FullTextError {
        FullTextError::Index {
            path: self.dir.clone(),
            message: e.to_string(),
        }
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Applies changes in one commit and makes them searchable.
    pub fn apply(&self, changes: Vec<Change>) -> Result<(), FullTextError> {
        if changes.is_empty() {
            return Ok(());
        }
        let _guard = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let mut writer = self
            .index
            .writer_with_num_threads::<TantivyDocument>(1, WRITER_HEAP)
            .map_err(|e| self.err(e))?;
        for change in changes {
            let replace = matches!(change, Change::Replace { .. });
            match change {
                Change::Remove { document_id } => {
                    writer.delete_term(Term::from_field_u64(self.document_id, document_id as u64));
                }
                Change::Replace {
                    document_id,
                    path,
                    chunks,
                }
                | Change::Add {
                    document_id,
                    path,
                    chunks,
                } => {
                    if replace {
                        writer.delete_term(Term::from_field_u64(
                            self.document_id,
                            document_id as u64,
                        ));
                    }
                    for (chunk_id, text) in chunks {
                        let mut doc = TantivyDocument::default();
                        doc.add_u64(self.chunk_id, chunk_id as u64);
                        doc.add_u64(self.document_id, document_id as u64);
                        doc.add_text(self.path, &path);
                        doc.add_text(self.body, &text);
                        writer.add_document(doc).map_err(|e| self.err(e))?;
                    }
                }
            }
        }
        writer.commit().map_err(|e| self.err(e))?;
        // Merges finish in the background; don't wait for them.
        drop(writer);
        self.reader.reload().map_err(|e| self.err(e))
    }

    /// Removes every document.
    pub fn clear(&self) -> Result<(), FullTextError> {
        let _guard = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let mut writer = self
            .index
            .writer_with_num_threads::<TantivyDocument>(1, WRITER_HEAP)
            .map_err(|e| self.err(e))?;
        writer.delete_all_documents().map_err(|e| self.err(e))?;
        writer.commit().map_err(|e| self.err(e))?;
        drop(writer);
        self.reader.reload().map_err(|e| self.err(e))
    }

    /// The best `limit` chunks for `query`: `(chunk id, document id)`, best
    /// first. Query syntax errors never fail: the query is read leniently.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<(i64, i64)>, FullTextError> {
        let (query, _ignored) = self.parser.parse_query_lenient(query);
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())
            .map_err(|e| self.err(e))?;
        let mut out = Vec::with_capacity(top.len());
        for (_score, addr) in top {
            let fast = searcher.segment_reader(addr.segment_ord).fast_fields();
            let chunk = fast.u64("chunk_id").map_err(|e| self.err(e))?;
            let doc = fast.u64("document_id").map_err(|e| self.err(e))?;
            if let (Some(c), Some(d)) = (chunk.first(addr.doc_id), doc.first(addr.doc_id)) {
                out.push((c as i64, d as i64));
            }
        }
        Ok(out)
    }

    /// Bytes on disk.
    pub fn disk_bytes(&self) -> u64 {
        dir_size(&self.dir)
    }
}

pub fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace(id: i64, path: &str, chunks: &[(i64, &str)]) -> Change {
        Change::Replace {
            document_id: id,
            path: path.into(),
            chunks: chunks.iter().map(|(c, t)| (*c, t.to_string())).collect(),
        }
    }

    #[test]
    fn index_search_replace_remove() {
        let dir = tempfile::tempdir().unwrap();
        let ft = FullText::open(dir.path()).unwrap();
        ft.apply(vec![
            replace(
                1,
                "notes/boat.md",
                &[
                    (10, "We sailed the catamaran to Hydra"),
                    (11, "Anchoring tips about wind"),
                ],
            ),
            replace(
                2,
                "recipes/bread.md",
                &[(20, "Sourdough needs a lively starter")],
            ),
        ])
        .unwrap();
        assert_eq!(ft.num_docs(), 3);
        assert_eq!(ft.search("catamaran", 5).unwrap(), vec![(10, 1)]);
        // Stemming: "starters" finds "starter"; the path is searchable too.
        assert_eq!(ft.search("starters", 5).unwrap(), vec![(20, 2)]);
        // Stop words never match.
        assert!(ft.search("the", 5).unwrap().is_empty());
        assert!(ft.search("about", 5).unwrap().is_empty());
        assert_eq!(ft.search("bread", 5).unwrap(), vec![(20, 2)]);
        // Syntax errors are read leniently, never an error.
        assert!(ft.search("\"unbalanced AND (", 5).is_ok());
        ft.apply(vec![replace(
            1,
            "notes/boat.md",
            &[(12, "Now about kayaks")],
        )])
        .unwrap();
        assert!(ft.search("catamaran", 5).unwrap().is_empty());
        assert_eq!(ft.search("kayaks", 5).unwrap(), vec![(12, 1)]);
        ft.apply(vec![Change::Remove { document_id: 2 }]).unwrap();
        assert!(ft.search("sourdough", 5).unwrap().is_empty());
        assert!(ft.disk_bytes() > 0);
        drop(ft);
        // Reopened, the data is there.
        let ft = FullText::open(dir.path()).unwrap();
        assert_eq!(ft.num_docs(), 1);
        ft.clear().unwrap();
        assert_eq!(ft.num_docs(), 0);
    }

    #[test]
    fn corrupt_index_is_an_error_and_recreate_fixes_it() {
        let dir = tempfile::tempdir().unwrap();
        drop(FullText::open(dir.path()).unwrap());
        std::fs::write(dir.path().join("meta.json"), b"{ not json").unwrap();
        assert!(FullText::open(dir.path()).is_err());
        let ft = FullText::recreate(dir.path()).unwrap();
        assert_eq!(ft.num_docs(), 0);
        drop(ft);
        // An index from another analyzer version is refused too.
        std::fs::write(dir.path().join(FORMAT_FILE), "ironclaw-fulltext 0").unwrap();
        assert!(FullText::open(dir.path()).is_err());
    }
}
