-- Initial schema: conversations, tool calls, model calls, jobs, settings.
-- Timestamps are Unix milliseconds (UTC). Conversation rows are never
-- deleted by compaction or cleanup: compaction only records a summary.

CREATE TABLE threads (
    id            TEXT PRIMARY KEY,
    title         TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    -- Summary of messages with id <= summary_upto, used in the model's
    -- context instead of those messages. NULL: nothing summarised yet.
    summary       TEXT,
    summary_upto  INTEGER
);

CREATE TABLE messages (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id     TEXT NOT NULL REFERENCES threads(id),
    turn_id       TEXT,
    role          TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'tool')),
    content       TEXT NOT NULL,
    -- JSON array of {id, name, arguments} for assistant messages.
    tool_calls    TEXT,
    -- For role = 'tool': the call this message answers.
    tool_call_id  TEXT,
    tool_name     TEXT,
    created_at    INTEGER NOT NULL
);
CREATE INDEX messages_thread ON messages(thread_id, id);

CREATE TABLE tool_calls (
    id            TEXT PRIMARY KEY,
    thread_id     TEXT NOT NULL REFERENCES threads(id),
    turn_id       TEXT NOT NULL,
    name          TEXT NOT NULL,
    arguments     TEXT NOT NULL,
    output        TEXT,
    status        TEXT NOT NULL,
    risk          TEXT NOT NULL,
    -- How the call was allowed or refused: policy, once, session, auto, denied, unattended.
    approval      TEXT NOT NULL,
    duration_ms   INTEGER,
    created_at    INTEGER NOT NULL
);
CREATE INDEX tool_calls_thread ON tool_calls(thread_id, created_at);

CREATE TABLE llm_calls (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id     TEXT,
    turn_id       TEXT,
    provider      TEXT NOT NULL,
    model         TEXT NOT NULL,
    purpose       TEXT NOT NULL DEFAULT 'turn',
    input_tokens  INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    latency_ms    INTEGER NOT NULL,
    -- First streamed item, milliseconds after the request was sent.
    first_token_ms INTEGER,
    error_kind    TEXT,
    error         TEXT,
    created_at    INTEGER NOT NULL
);
CREATE INDEX llm_calls_thread ON llm_calls(thread_id, created_at);

CREATE TABLE jobs (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL,
    thread_id     TEXT REFERENCES threads(id),
    title         TEXT NOT NULL DEFAULT '',
    payload       TEXT,
    result        TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX jobs_status ON jobs(status, updated_at);

CREATE TABLE settings (
    key           TEXT PRIMARY KEY,
    value         TEXT NOT NULL,
    updated_at    INTEGER NOT NULL
);
