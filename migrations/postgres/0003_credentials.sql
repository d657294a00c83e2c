-- 0003_credentials (PostgreSQL): access keys for --auth sigv4, shared by every node (a key
-- created through one node signs requests to all of them).
CREATE TABLE credentials (
  access_key_id text PRIMARY KEY,
  secret        text NOT NULL,
  account       text NOT NULL,
  created       text NOT NULL
);
