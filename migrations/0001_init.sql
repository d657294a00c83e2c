-- 0001_init: every apigatewayv2 resource is one row of `resources`.
--
-- Each resource is a document (`doc`: the members the client set plus the ones the server
-- assigned, as JSON) and its ready-made answer (`body`: the rendered JSON with defaults filled
-- in), so a read returns `body` as it is. Resources live in a tree per account and region:
-- `parent` is the path of ids above the row ('' for top-level resources such as apis, 'apiId'
-- for an api's integrations, 'apiId/integrationId' for integration responses); deleting a row
-- deletes every row whose parent starts with its own path.

CREATE TABLE resources (
  seq     INTEGER PRIMARY KEY,   -- creation order; the keyset for pagination
  account TEXT NOT NULL,
  region  TEXT NOT NULL,
  kind    TEXT NOT NULL,         -- 'api', 'integration', ...
  parent  TEXT NOT NULL,         -- path of the ancestors' ids, '/'-separated
  id      TEXT NOT NULL,
  ukey    TEXT,                  -- a second unique key within (kind, parent): route key, ...
  ref     TEXT,                  -- the id this row points at (a route's integration), or NULL
  doc     TEXT NOT NULL,         -- JSON: the stored members
  body    TEXT NOT NULL          -- JSON: the answer to a Get
);
CREATE UNIQUE INDEX resources_by_id ON resources (account, region, kind, parent, id);
CREATE UNIQUE INDEX resources_by_ukey ON resources (account, region, kind, parent, ukey)
  WHERE ukey IS NOT NULL;
CREATE INDEX resources_by_parent ON resources (account, region, kind, parent, seq);
CREATE INDEX resources_by_ref ON resources (account, region, kind, parent, ref)
  WHERE ref IS NOT NULL;
CREATE INDEX resources_tree ON resources (account, region, parent);

-- Every id ever handed out, so that an id is never reused within an account.
CREATE TABLE issued_ids (
  account TEXT NOT NULL,
  id      TEXT NOT NULL,
  PRIMARY KEY (account, id)
) WITHOUT ROWID;

-- Small server-wide settings: the pagination-token key, ...
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value BLOB NOT NULL
) WITHOUT ROWID;
