-- 0003_credentials: access keys for --auth sigv4 (`apigwd credentials create|list|delete`).
--
-- The server must recompute each request's SigV4 signature, so it needs the secret itself: it is
-- stored as issued, and the database file is kept owner-only (mode 0600, set by db/db.c).

CREATE TABLE credentials (
  access_key_id TEXT PRIMARY KEY,   -- 'AGWD...' (20 characters) or as imported
  secret        TEXT NOT NULL,      -- the secret access key
  account       TEXT NOT NULL,      -- the 12-digit account the key acts as
  created       TEXT NOT NULL       -- ISO-8601 UTC, '2026-11-25T06:31:00Z'
) WITHOUT ROWID;
