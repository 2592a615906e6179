-- Issue 5: OneDrive and SharePoint file activity, folder-to-client mapping.

-- The drives an account syncs: its OneDrive, the SharePoint libraries the
-- user picked, and shared folders / shortcuts added to My files (one row
-- per shared folder, root_id naming it; '' = the whole drive). Drive ids
-- are canonical (lower-cased, personal ids left-padded to 16); graph_id
-- keeps Graph's spelling for requests.
CREATE TABLE drives (
  account_id        INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  id                TEXT NOT NULL COLLATE BINARY,
  root_id           TEXT NOT NULL DEFAULT '' COLLATE BINARY,
  graph_id          TEXT NOT NULL,
  name              TEXT NOT NULL DEFAULT '',
  drive_type        TEXT NOT NULL DEFAULT '',    -- personal | business | documentLibrary
  origin            TEXT NOT NULL,               -- onedrive | library | shortcut
  web_url           TEXT NOT NULL DEFAULT '',
  host              TEXT NOT NULL DEFAULT '',    -- throttling is per drive host
  site_id           TEXT NOT NULL DEFAULT '',
  site_name         TEXT NOT NULL DEFAULT '',
  shortcut_drive_id TEXT NOT NULL DEFAULT '' COLLATE BINARY, -- shortcut: the item in the account's OneDrive
  shortcut_id       TEXT NOT NULL DEFAULT '' COLLATE BINARY,
  local_path        TEXT NOT NULL DEFAULT '',    -- a locally synced copy the user pointed to
  added_at          INTEGER NOT NULL,
  PRIMARY KEY (account_id, id, root_id)
) WITHOUT ROWID;

-- Drive items, keyed like Graph: (drive, id). Paths are built locally
-- (delta carries none); path and client_id are derived and re-derived for
-- the affected subtree only when a folder moves, is renamed or its mapping
-- changes. A deleted item keeps its row as a tombstone (deleted_at) so its
-- history still knows where it was.
CREATE TABLE drive_items (
  account_id          INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  drive_id            TEXT NOT NULL COLLATE BINARY,
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
  PRIMARY KEY (account_id, drive_id, id)
) WITHOUT ROWID;
CREATE INDEX drive_items_parent ON drive_items(account_id, drive_id, parent_id);
CREATE INDEX drive_items_stream ON drive_items(stream_id, round_id) WHERE deleted_at IS NULL;
CREATE INDEX drive_items_dirty ON drive_items(account_id, drive_id) WHERE dirty = 1;
CREATE INDEX drive_items_subtree ON drive_items(account_id, drive_id, path, is_folder, modified_at) WHERE deleted_at IS NULL;
CREATE INDEX drive_items_name_key ON drive_items(name_key) WHERE is_folder = 1 AND deleted_at IS NULL AND name_key <> '';
CREATE INDEX drive_items_client ON drive_items(client_id);
CREATE INDEX drive_items_tomb ON drive_items(account_id, drive_id) WHERE deleted_at IS NOT NULL AND is_folder = 1;

-- One row per observed change of a file. parent_id is the folder it was in
-- (after the change), which decides its client; path is the file's path at
-- the time. pending rows get their path and links at the round's end.
CREATE TABLE file_activity (
  id            INTEGER PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  drive_id      TEXT NOT NULL COLLATE BINARY,
  item_id       TEXT NOT NULL COLLATE BINARY,
  parent_id     TEXT NOT NULL DEFAULT '' COLLATE BINARY,
  at            INTEGER NOT NULL,
  actor_name    TEXT NOT NULL DEFAULT '',
  actor_address TEXT NOT NULL DEFAULT '',
  action        TEXT NOT NULL,                -- created | edited | renamed | moved | deleted
  name          TEXT NOT NULL DEFAULT '',
  path_at_time  TEXT NOT NULL DEFAULT '',
  pending       INTEGER NOT NULL DEFAULT 1,
  UNIQUE (account_id, drive_id, item_id, action, at)
);
CREATE INDEX file_activity_parent ON file_activity(account_id, drive_id, parent_id);
CREATE INDEX file_activity_pending ON file_activity(account_id, drive_id) WHERE pending = 1;

-- Folder mappings (DESIGN §4 rule 3). client_id NULL with suppressed = 1 is
-- "don't auto-map this folder" (also what unmapping leaves behind, so the
-- name rule does not map it again). Deleting a client deletes its rows.
CREATE TABLE folder_mappings (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  drive_id   TEXT NOT NULL COLLATE BINARY,
  folder_id  TEXT NOT NULL COLLATE BINARY,
  client_id  INTEGER REFERENCES clients(id) ON DELETE CASCADE,
  origin     TEXT NOT NULL DEFAULT 'manual',  -- manual | auto
  suppressed INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, drive_id, folder_id)
) WITHOUT ROWID;
CREATE INDEX folder_mappings_client ON folder_mappings(client_id);
