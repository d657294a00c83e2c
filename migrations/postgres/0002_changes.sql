-- 0002_changes (PostgreSQL): the revision of the whole database and the change log.
--
-- The revision is the `counters` row 'revision'. A transaction takes its revision with
-- UPDATE ... RETURNING on that row and holds the row's lock until it commits or rolls back, so
-- revisions are taken and committed in one order across every node: a reader of `changes`
-- never sees revision N+1 while N could still commit (db/pg.c).
CREATE TABLE changes (
  seq      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  revision bigint NOT NULL,
  account  text NOT NULL,
  region   text NOT NULL,
  root     text NOT NULL,
  resource text NOT NULL,
  parent   text NOT NULL,
  id       text NOT NULL,
  op       text NOT NULL
);
CREATE INDEX changes_by_revision ON changes (revision);

CREATE TABLE roots (
  account  text NOT NULL,
  region   text NOT NULL,
  root     text NOT NULL,
  revision bigint NOT NULL,
  PRIMARY KEY (account, region, root)
);

ALTER TABLE resources ADD COLUMN rev bigint NOT NULL DEFAULT 0;

CREATE TABLE counters (
  name  text PRIMARY KEY,
  value bigint NOT NULL
);
INSERT INTO counters (name, value) VALUES ('revision', 0), ('pruned_through', 0);
INSERT INTO meta (key, value)
  VALUES ('epoch', convert_to(substr(md5(random()::text || clock_timestamp()::text), 1, 16),
                              'UTF8'));
