-- Issue 7: a client's item count is kept as its links come and go, instead
-- of counted at every client list (the sidebar; 1,000,000 links: ~120 ms
-- with the pages cached, ~370 ms without). Links are only ever inserted and
-- deleted (a rule change deletes and re-inserts), never moved to another
-- client, so two triggers keep it exact.
ALTER TABLE clients ADD COLUMN items INTEGER NOT NULL DEFAULT 0;
UPDATE clients SET items = (SELECT COUNT(*) FROM links WHERE links.client_id = clients.id);
CREATE TRIGGER links_items_ai AFTER INSERT ON links BEGIN
  UPDATE clients SET items = items + 1 WHERE id = NEW.client_id;
END;
CREATE TRIGGER links_items_ad AFTER DELETE ON links BEGIN
  UPDATE clients SET items = items - 1 WHERE id = OLD.client_id;
END;
