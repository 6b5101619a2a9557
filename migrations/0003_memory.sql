-- The memory workspace: path-addressed documents with every version kept,
-- their search chunks, and the embedding cache.

-- The current text of each document. `version` grows by one on every write;
-- `indexed_version` is the version whose chunks are in the search indexes
-- (the indexer picks up every row where the two differ, also after a crash).
CREATE TABLE memory_documents (
    id               INTEGER PRIMARY KEY,
    path             TEXT NOT NULL UNIQUE,
    content          TEXT NOT NULL,
    version          INTEGER NOT NULL,
    indexed_version  INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

-- Every version ever written, kept when the document is moved or deleted
-- (no foreign key on purpose). `author`: user, agent, import or seed.
CREATE TABLE memory_versions (
    document_id  INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    path         TEXT NOT NULL,
    content      TEXT NOT NULL,
    author       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (document_id, version)
);
CREATE INDEX memory_versions_path ON memory_versions (path);

-- The search units of the current version of each document.
-- AUTOINCREMENT: ids are never reused, so an index entry left behind by a
-- race can only miss, never point at another document's chunk.
CREATE TABLE memory_chunks (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id   INTEGER NOT NULL REFERENCES memory_documents (id) ON DELETE CASCADE,
    ordinal       INTEGER NOT NULL,
    content       TEXT NOT NULL,
    -- SHA-256 of the chunk text: the key into the embedding cache.
    content_hash  BLOB NOT NULL,
    UNIQUE (document_id, ordinal)
);
CREATE INDEX memory_chunks_hash ON memory_chunks (content_hash);

-- The embedding cache: a chunk text is embedded once per model, whatever
-- document it appears in and however often the document is rewritten.
-- `vector` is little-endian f32, L2-normalised.
CREATE TABLE memory_embeddings (
    model         TEXT NOT NULL,
    content_hash  BLOB NOT NULL,
    vector        BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (model, content_hash)
);
