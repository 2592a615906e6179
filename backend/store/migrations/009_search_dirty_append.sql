-- Issue 7: search_dirty becomes an append-only list.
--
-- The triggers noted each written message and meeting in search_dirty, a
-- table keyed by (kind, account, Graph id), after looking the key up: per
-- page of 100 new messages that was 100 random index probes and 100 random
-- leaves written, then deleted by the flush at the end of the same
-- transaction. Now a note is appended to a table without a key (its rows
-- land on the last page) and the flush reads the notes DISTINCT: an item
-- written twice before a flush is noted twice and indexed once.
DROP TRIGGER messages_search_ai;
DROP TRIGGER messages_search_au;
DROP TRIGGER events_search_ai;
DROP TRIGGER events_search_au;

CREATE TABLE search_dirty_notes (
  kind       TEXT NOT NULL,
  account_id INTEGER NOT NULL,
  item_id    TEXT NOT NULL COLLATE BINARY
);
INSERT INTO search_dirty_notes SELECT kind, account_id, item_id FROM search_dirty;
DROP TABLE search_dirty;
ALTER TABLE search_dirty_notes RENAME TO search_dirty;

CREATE TRIGGER messages_search_ai AFTER INSERT ON messages BEGIN
  INSERT INTO search_dirty VALUES ('mail', new.account_id, new.id);
END;
CREATE TRIGGER messages_search_au AFTER UPDATE OF subject, direction, sent_at, received_at ON messages BEGIN
  INSERT INTO search_dirty VALUES ('mail', new.account_id, new.id);
END;
CREATE TRIGGER events_search_ai AFTER INSERT ON events BEGIN
  INSERT INTO search_dirty VALUES ('meeting', new.account_id, new.id);
END;
CREATE TRIGGER events_search_au AFTER UPDATE OF subject, start_at ON events BEGIN
  INSERT INTO search_dirty VALUES ('meeting', new.account_id, new.id);
END;
