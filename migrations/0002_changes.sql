-- 0002_changes: the revision of the whole database and the change log behind the data-plane feed.
--
-- Every committed transaction that changes resources takes the next revision (meta 'revision')
-- and writes one `changes` row per changed resource with that revision, in the same
-- transaction. The log is pruned to the retention window; 'epoch' names this history, and a
-- new epoch means a worker must resync from snapshots.

CREATE TABLE changes (
  seq      INTEGER PRIMARY KEY,   -- order of the changes
  revision INTEGER NOT NULL,
  account  TEXT NOT NULL,
  region   TEXT NOT NULL,
  root     TEXT NOT NULL,         -- top-level resource it lives under (the apiId), or its own id
  resource TEXT NOT NULL,         -- kind: 'api', 'integration', ...
  parent   TEXT NOT NULL,
  id       TEXT NOT NULL,
  op       TEXT NOT NULL          -- 'create', 'update' or 'delete'
);
CREATE INDEX changes_by_revision ON changes (revision);

-- The last revision that changed anything under each top-level resource (never pruned), so a
-- snapshot of an API can say which revision it reflects.
CREATE TABLE roots (
  account  TEXT NOT NULL,
  region   TEXT NOT NULL,
  root     TEXT NOT NULL,
  revision INTEGER NOT NULL,
  PRIMARY KEY (account, region, root)
) WITHOUT ROWID;

-- The revision of each row's last write.
ALTER TABLE resources ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;

INSERT INTO meta (key, value) VALUES ('revision', 0);
INSERT INTO meta (key, value) VALUES ('pruned_through', 0);  -- changes up to here are gone
INSERT INTO meta (key, value) VALUES ('epoch', lower(hex(randomblob(8))));
