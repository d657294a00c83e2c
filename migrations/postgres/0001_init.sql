-- 0001_init (PostgreSQL): every apigatewayv2 resource is one row of `resources`; the same
-- model as migrations/0001_init.sql (SQLite), in PostgreSQL's types.
CREATE TABLE resources (
  seq     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- creation order; the page keyset
  account text NOT NULL,
  region  text NOT NULL,
  kind    text NOT NULL,
  parent  text NOT NULL,
  id      text NOT NULL,
  ukey    text,
  ref     text,
  doc     text NOT NULL,
  body    text NOT NULL
);
CREATE UNIQUE INDEX resources_by_id ON resources (account, region, kind, parent, id);
CREATE UNIQUE INDEX resources_by_ukey ON resources (account, region, kind, parent, ukey)
  WHERE ukey IS NOT NULL;
CREATE INDEX resources_by_parent ON resources (account, region, kind, parent, seq);
CREATE INDEX resources_by_ref ON resources (account, region, kind, parent, ref)
  WHERE ref IS NOT NULL;
-- text_pattern_ops: the subtree delete compares parent paths by bytes, as SQLite does.
CREATE INDEX resources_tree ON resources (account, region, parent text_pattern_ops);

-- Every id ever handed out, on every node: the primary key makes a second claim fail.
CREATE TABLE issued_ids (
  account text NOT NULL,
  id      text NOT NULL,
  PRIMARY KEY (account, id)
);

-- Server-wide settings shared by every node: the pagination-token key, the epoch, ...
CREATE TABLE meta (
  key   text PRIMARY KEY,
  value bytea NOT NULL
);
