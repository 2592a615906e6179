-- Issue 7: drives are keyed by a small integer in the drive tables.
--
-- A SharePoint or OneDrive for Business drive id is "b!" and 64 more
-- characters. drive_items, file_activity and folder_mappings held it in
-- every row and every index entry (drive_items has five indexes that lead
-- with it, file_activity three): a first sync of four drives wrote it
-- some 800,000 times. drive_keys gives each account's drive a key, and
-- those tables hold the key instead; Graph's id (canonical, as
-- model.CanonicalDriveID writes it) stays in drive_keys, in drives and in
-- the remote_drive_id of a shortcut. The heavy tenant's zero-latency
-- ingest with 8-character drive ids instead of Graph's 66 took 10.2 s
-- instead of 11.4 (docs/PERFORMANCE.md §48).
--
-- The usual rebuild (008): new tables, copy, drop the old ones, rename,
-- indexes created again.
CREATE TABLE drive_keys (
  key        INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  drive_id   TEXT NOT NULL COLLATE BINARY,
  UNIQUE (account_id, drive_id)
);
INSERT INTO drive_keys(account_id, drive_id)
  SELECT account_id, drive_id FROM drive_items
  UNION SELECT account_id, drive_id FROM file_activity
  UNION SELECT account_id, drive_id FROM folder_mappings
  UNION SELECT account_id, id FROM drives
  ORDER BY 1, 2;

CREATE TABLE drive_items_new (
  account_id          INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  drive_key           INTEGER NOT NULL,             -- drive_keys.key
  id                  TEXT NOT NULL COLLATE BINARY,
  parent_id           TEXT NOT NULL DEFAULT '' COLLATE BINARY,
  name                TEXT NOT NULL DEFAULT '',
  name_key            TEXT NOT NULL DEFAULT '',   -- folders: name folded for auto-link
  is_folder           INTEGER NOT NULL DEFAULT 0,
  is_root             INTEGER NOT NULL DEFAULT 0,
  size                INTEGER NOT NULL DEFAULT 0,
  mime                TEXT NOT NULL DEFAULT '',
  web_url             TEXT NOT NULL DEFAULT '',
  created_at          INTEGER NOT NULL DEFAULT 0,
  created_by_name     TEXT NOT NULL DEFAULT '',
  created_by_address  TEXT NOT NULL DEFAULT '',
  modified_at         INTEGER NOT NULL DEFAULT 0,
  modified_by_name    TEXT NOT NULL DEFAULT '',
  modified_by_address TEXT NOT NULL DEFAULT '',
  etag                TEXT NOT NULL DEFAULT '',
  ctag                TEXT NOT NULL DEFAULT '',
  quick_xor_hash      TEXT NOT NULL DEFAULT '',
  remote_drive_id     TEXT NOT NULL DEFAULT '' COLLATE BINARY, -- canonical, for keys
  remote_graph_drive_id TEXT NOT NULL DEFAULT '',             -- as Graph spells it, for requests
  remote_id           TEXT NOT NULL DEFAULT '' COLLATE BINARY,
  deleted_at          INTEGER,
  stream_id           INTEGER NOT NULL DEFAULT 0,
  round_id            INTEGER NOT NULL DEFAULT 0,
  path                TEXT NOT NULL DEFAULT '' COLLATE BINARY,
  client_id           INTEGER REFERENCES clients(id) ON DELETE SET NULL, -- nearest mapped ancestor-or-self's client
  dirty               INTEGER NOT NULL DEFAULT 1, -- path/client to re-derive at the round's end
  UNIQUE (account_id, drive_key, id)
);
INSERT INTO drive_items_new(rowid, account_id, drive_key, id, parent_id, name, name_key, is_folder, is_root, size, mime, web_url,
    created_at, created_by_name, created_by_address, modified_at, modified_by_name, modified_by_address, etag, ctag, quick_xor_hash,
    remote_drive_id, remote_graph_drive_id, remote_id, deleted_at, stream_id, round_id, path, client_id, dirty)
  SELECT d.rowid, d.account_id, k.key, d.id, d.parent_id, d.name, d.name_key, d.is_folder, d.is_root, d.size, d.mime, d.web_url,
    d.created_at, d.created_by_name, d.created_by_address, d.modified_at, d.modified_by_name, d.modified_by_address, d.etag, d.ctag,
    d.quick_xor_hash, d.remote_drive_id, d.remote_graph_drive_id, d.remote_id, d.deleted_at, d.stream_id, d.round_id, d.path,
    d.client_id, d.dirty
  FROM drive_items d JOIN drive_keys k ON k.account_id = d.account_id AND k.drive_id = d.drive_id;

CREATE TABLE file_activity_new (
  id            INTEGER PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  drive_key     INTEGER NOT NULL,             -- drive_keys.key
  item_id       TEXT NOT NULL COLLATE BINARY,
  parent_id     TEXT NOT NULL DEFAULT '' COLLATE BINARY,
  at            INTEGER NOT NULL,
  actor_name    TEXT NOT NULL DEFAULT '',
  actor_address TEXT NOT NULL DEFAULT '',
  action        TEXT NOT NULL,                -- created | edited | renamed | moved | deleted
  name          TEXT NOT NULL DEFAULT '',
  path_at_time  TEXT NOT NULL DEFAULT '',
  pending       INTEGER NOT NULL DEFAULT 1,
  UNIQUE (account_id, drive_key, item_id, action, at)
);
INSERT INTO file_activity_new(id, account_id, drive_key, item_id, parent_id, at, actor_name, actor_address, action, name, path_at_time, pending)
  SELECT f.id, f.account_id, k.key, f.item_id, f.parent_id, f.at, f.actor_name, f.actor_address, f.action, f.name, f.path_at_time, f.pending
  FROM file_activity f JOIN drive_keys k ON k.account_id = f.account_id AND k.drive_id = f.drive_id;

CREATE TABLE folder_mappings_new (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  drive_key  INTEGER NOT NULL,             -- drive_keys.key
  folder_id  TEXT NOT NULL COLLATE BINARY,
  client_id  INTEGER REFERENCES clients(id) ON DELETE CASCADE,
  origin     TEXT NOT NULL DEFAULT 'manual',  -- manual | auto
  suppressed INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, drive_key, folder_id)
) WITHOUT ROWID;
INSERT INTO folder_mappings_new(account_id, drive_key, folder_id, client_id, origin, suppressed, created_at)
  SELECT m.account_id, k.key, m.folder_id, m.client_id, m.origin, m.suppressed, m.created_at
  FROM folder_mappings m JOIN drive_keys k ON k.account_id = m.account_id AND k.drive_id = m.drive_id;

DROP TABLE drive_items;
DROP TABLE file_activity;
DROP TABLE folder_mappings;
ALTER TABLE drive_items_new RENAME TO drive_items;
ALTER TABLE file_activity_new RENAME TO file_activity;
ALTER TABLE folder_mappings_new RENAME TO folder_mappings;

CREATE INDEX drive_items_parent ON drive_items(account_id, drive_key, parent_id);
CREATE INDEX drive_items_stream ON drive_items(stream_id, round_id) WHERE deleted_at IS NULL;
CREATE INDEX drive_items_dirty ON drive_items(account_id, drive_key) WHERE dirty = 1;
CREATE INDEX drive_items_subtree ON drive_items(account_id, drive_key, path, is_folder, modified_at) WHERE deleted_at IS NULL;
CREATE INDEX drive_items_name_key ON drive_items(name_key) WHERE is_folder = 1 AND deleted_at IS NULL AND name_key <> '';
CREATE INDEX drive_items_client ON drive_items(client_id);
CREATE INDEX drive_items_tomb ON drive_items(account_id, drive_key) WHERE deleted_at IS NOT NULL AND is_folder = 1;
CREATE INDEX drive_items_shortcuts ON drive_items(account_id) WHERE remote_id <> '' AND is_folder = 1 AND deleted_at IS NULL;
CREATE INDEX file_activity_parent ON file_activity(account_id, drive_key, parent_id);
CREATE INDEX file_activity_pending ON file_activity(account_id, drive_key) WHERE pending = 1;
CREATE INDEX folder_mappings_client ON folder_mappings(client_id);
