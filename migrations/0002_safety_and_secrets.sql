-- Safety findings recorded with each tool call, and the encrypted secret store.

-- JSON array of safety findings (injection, leak, policy) for this call.
ALTER TABLE tool_calls ADD COLUMN findings TEXT;

-- Each value is AES-256-GCM encrypted under a per-secret key derived by
-- HKDF-SHA256 from the master key (which lives in the OS keyring, never here).
CREATE TABLE secrets (
    name        TEXT PRIMARY KEY,
    ciphertext  BLOB NOT NULL,
    nonce       BLOB NOT NULL,
    salt        BLOB NOT NULL,
    -- Public fingerprint of the master key that sealed this value.
    key_id      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
