-- Issue 7: the item tables become rowid tables.
--
-- messages, participants, message_folders, events, event_attendees and
-- drive_items were WITHOUT ROWID tables keyed by Graph's ids: random
-- 30-150 byte strings. Every index of such a table ends with that key, so
-- new rows landed on a random leaf of every index — the owner's address in
-- participants_address, a drive's dirty flag in drive_items_dirty — and a
-- page of 100 new messages dirtied some 1,800 database pages
-- (docs/PERFORMANCE.md §13). As rowid tables the same keys are UNIQUE
-- constraints (one index each, still random) and every other index ends
-- with the rowid, which grows: a page's entries for one address, domain,
-- folder or drive now share a leaf. Columns, keys and indexes are as
-- before, so no query changes (§18).
--
-- The usual rebuild: new tables, copy, drop the old ones (children first:
-- with foreign keys on, dropping a parent deletes its rows and cascades),
-- rename. A rename rewrites the other tables' REFERENCES to the new name,
-- so the new children are created referencing messages_new / events_new.
-- Dropping a table drops its indexes and triggers: they are created again.

CREATE TABLE messages_new (
  account_id          INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  id                  TEXT NOT NULL COLLATE BINARY,
  conversation_id     TEXT NOT NULL DEFAULT '',
  internet_message_id TEXT NOT NULL DEFAULT '',
  subject             TEXT NOT NULL DEFAULT '',
  from_name           TEXT NOT NULL DEFAULT '',
  from_address        TEXT NOT NULL DEFAULT '',
  sent_at             INTEGER NOT NULL DEFAULT 0,
  received_at         INTEGER NOT NULL DEFAULT 0,
  direction           TEXT NOT NULL DEFAULT 'in',
  is_read             INTEGER NOT NULL DEFAULT 0,
  has_attachments     INTEGER NOT NULL DEFAULT 0,
  categories          TEXT NOT NULL DEFAULT '',
  web_link            TEXT NOT NULL DEFAULT '',
  change_key          TEXT NOT NULL DEFAULT '',
  -- set when the last synced folder holding the message reported it removed;
  -- the row is purged only after a later full pass over all folders (a move
  -- arrives as removal + addition in either order).
  orphaned_at         INTEGER,
  UNIQUE (account_id, id)
);
INSERT INTO messages_new SELECT * FROM messages ORDER BY account_id, received_at;

CREATE TABLE message_folders_new (
  account_id INTEGER NOT NULL,
  message_id TEXT NOT NULL COLLATE BINARY,
  folder_id  TEXT NOT NULL COLLATE BINARY,
  round_id   INTEGER NOT NULL DEFAULT 0,
  UNIQUE (account_id, message_id, folder_id),
  FOREIGN KEY (account_id, message_id) REFERENCES messages_new(account_id, id) ON DELETE CASCADE
);
INSERT INTO message_folders_new SELECT * FROM message_folders;

CREATE TABLE participants_new (
  account_id INTEGER NOT NULL,
  message_id TEXT NOT NULL COLLATE BINARY,
  ord        INTEGER NOT NULL,
  role       TEXT NOT NULL,
  name       TEXT NOT NULL DEFAULT '',
  address    TEXT NOT NULL,
  domain     TEXT NOT NULL,
  UNIQUE (account_id, message_id, ord),
  FOREIGN KEY (account_id, message_id) REFERENCES messages_new(account_id, id) ON DELETE CASCADE
);
INSERT INTO participants_new SELECT * FROM participants;

DROP TABLE message_folders;
DROP TABLE participants;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
ALTER TABLE message_folders_new RENAME TO message_folders;
ALTER TABLE participants_new RENAME TO participants;
CREATE INDEX messages_conversation ON messages(account_id, conversation_id);
CREATE INDEX messages_received ON messages(account_id, received_at);
CREATE INDEX messages_orphaned ON messages(account_id, orphaned_at) WHERE orphaned_at IS NOT NULL;
CREATE TRIGGER messages_search_ai AFTER INSERT ON messages BEGIN
  INSERT INTO search_dirty SELECT 'mail', new.account_id, new.id
    WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE kind = 'mail' AND account_id = new.account_id AND item_id = new.id);
END;
CREATE TRIGGER messages_search_au AFTER UPDATE OF subject, direction, sent_at, received_at ON messages BEGIN
  INSERT INTO search_dirty SELECT 'mail', new.account_id, new.id
    WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE kind = 'mail' AND account_id = new.account_id AND item_id = new.id);
END;
CREATE TRIGGER messages_search_ad AFTER DELETE ON messages BEGIN
  DELETE FROM search_docs WHERE kind = 'mail' AND account_id = old.account_id AND item_id = old.id;
END;
CREATE INDEX message_folders_folder ON message_folders(account_id, folder_id, round_id);
CREATE INDEX participants_address ON participants(address);
CREATE INDEX participants_domain ON participants(domain);

CREATE TABLE events_new (
  account_id              INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  id                      TEXT NOT NULL COLLATE BINARY,
  calendar_id             TEXT NOT NULL COLLATE BINARY,
  ical_uid                TEXT NOT NULL DEFAULT '',
  subject                 TEXT NOT NULL DEFAULT '',
  start_at                INTEGER NOT NULL,
  end_at                  INTEGER NOT NULL,
  start_tz                TEXT NOT NULL DEFAULT '',   -- originalStartTimeZone
  end_tz                  TEXT NOT NULL DEFAULT '',
  is_all_day              INTEGER NOT NULL DEFAULT 0,
  start_date              TEXT NOT NULL DEFAULT '',   -- all-day: 2026-11-01
  end_date                TEXT NOT NULL DEFAULT '',   -- all-day: exclusive
  is_cancelled            INTEGER NOT NULL DEFAULT 0,
  is_online_meeting       INTEGER NOT NULL DEFAULT 0,
  online_meeting_provider TEXT NOT NULL DEFAULT '',
  is_organizer            INTEGER NOT NULL DEFAULT 0,
  organizer_name          TEXT NOT NULL DEFAULT '',
  organizer_address       TEXT NOT NULL DEFAULT '',
  type                    TEXT NOT NULL DEFAULT 'singleInstance',
  series_master_id        TEXT NOT NULL DEFAULT '' COLLATE BINARY,
  show_as                 TEXT NOT NULL DEFAULT '',
  web_link                TEXT NOT NULL DEFAULT '',
  change_key              TEXT NOT NULL DEFAULT '',
  round_id                INTEGER NOT NULL DEFAULT 0,
  UNIQUE (account_id, id)
);
INSERT INTO events_new SELECT * FROM events ORDER BY account_id, start_at;

CREATE TABLE event_attendees_new (
  account_id INTEGER NOT NULL,
  event_id   TEXT NOT NULL COLLATE BINARY,
  ord        INTEGER NOT NULL,
  role       TEXT NOT NULL,        -- organizer | required | optional | resource
  name       TEXT NOT NULL DEFAULT '',
  address    TEXT NOT NULL,
  domain     TEXT NOT NULL,
  response   TEXT NOT NULL DEFAULT '',
  UNIQUE (account_id, event_id, ord),
  FOREIGN KEY (account_id, event_id) REFERENCES events_new(account_id, id) ON DELETE CASCADE
);
INSERT INTO event_attendees_new SELECT * FROM event_attendees;

DROP TABLE event_attendees;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
ALTER TABLE event_attendees_new RENAME TO event_attendees;
CREATE INDEX events_calendar ON events(account_id, calendar_id, round_id);
CREATE INDEX events_start ON events(account_id, start_at);
CREATE INDEX events_series ON events(account_id, series_master_id);
CREATE TRIGGER events_search_ai AFTER INSERT ON events BEGIN
  INSERT INTO search_dirty SELECT 'meeting', new.account_id, new.id
    WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE kind = 'meeting' AND account_id = new.account_id AND item_id = new.id);
END;
CREATE TRIGGER events_search_au AFTER UPDATE OF subject, start_at ON events BEGIN
  INSERT INTO search_dirty SELECT 'meeting', new.account_id, new.id
    WHERE NOT EXISTS (SELECT 1 FROM search_dirty WHERE kind = 'meeting' AND account_id = new.account_id AND item_id = new.id);
END;
CREATE TRIGGER events_search_ad AFTER DELETE ON events BEGIN
  DELETE FROM search_docs WHERE kind = 'meeting' AND account_id = old.account_id AND item_id = old.id;
END;
CREATE INDEX event_attendees_address ON event_attendees(address);
CREATE INDEX event_attendees_domain ON event_attendees(domain);

CREATE TABLE drive_items_new (
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
  UNIQUE (account_id, drive_id, id)
);
INSERT INTO drive_items_new SELECT * FROM drive_items;

DROP TABLE drive_items;
ALTER TABLE drive_items_new RENAME TO drive_items;
CREATE INDEX drive_items_parent ON drive_items(account_id, drive_id, parent_id);
CREATE INDEX drive_items_stream ON drive_items(stream_id, round_id) WHERE deleted_at IS NULL;
CREATE INDEX drive_items_dirty ON drive_items(account_id, drive_id) WHERE dirty = 1;
CREATE INDEX drive_items_subtree ON drive_items(account_id, drive_id, path, is_folder, modified_at) WHERE deleted_at IS NULL;
CREATE INDEX drive_items_name_key ON drive_items(name_key) WHERE is_folder = 1 AND deleted_at IS NULL AND name_key <> '';
CREATE INDEX drive_items_client ON drive_items(client_id);
CREATE INDEX drive_items_tomb ON drive_items(account_id, drive_id) WHERE deleted_at IS NOT NULL AND is_folder = 1;
CREATE INDEX drive_items_shortcuts ON drive_items(account_id) WHERE remote_id <> '' AND is_folder = 1 AND deleted_at IS NULL;

