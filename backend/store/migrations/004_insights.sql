-- Issue 6: the matching rules a user can edit, suggestions, and search.
-- Precedence (DESIGN §4): manual_links > client_contacts > folder mappings
-- (issue 5) > client_domains; exclusions are never matched by a domain.

-- Explicit contacts: an address that belongs to a client, whatever its domain
-- (a client's person writing from gmail.com, one business unit of a group
-- whose domain two clients share).
CREATE TABLE client_contacts (
  client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  address   TEXT NOT NULL,            -- lower-cased
  added_at  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (client_id, address)
) WITHOUT ROWID;
CREATE INDEX client_contacts_address ON client_contacts(address);

-- Never matched by a domain and never suggested. kind: 'domain' (registrable
-- domain), 'address' (one person, e.g. a colleague on another domain) or
-- 'local' (the part before @ of automated senders: noreply, mailer-daemon).
-- source: 'shipped' (this list; the user may remove entries), 'tenant' (the
-- accounts' own domains, kept in step with the accounts) or 'user'.
CREATE TABLE exclusions (
  kind     TEXT NOT NULL,
  value    TEXT NOT NULL,
  source   TEXT NOT NULL DEFAULT 'user',
  added_at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (kind, value)
) WITHOUT ROWID;

INSERT INTO exclusions(kind, value, source) VALUES
  ('domain', 'gmail.com', 'shipped'), ('domain', 'googlemail.com', 'shipped'), ('domain', 'outlook.com', 'shipped'),
  ('domain', 'hotmail.com', 'shipped'), ('domain', 'live.com', 'shipped'), ('domain', 'msn.com', 'shipped'),
  ('domain', 'yahoo.com', 'shipped'), ('domain', 'ymail.com', 'shipped'), ('domain', 'icloud.com', 'shipped'),
  ('domain', 'me.com', 'shipped'), ('domain', 'mac.com', 'shipped'), ('domain', 'aol.com', 'shipped'),
  ('domain', 'proton.me', 'shipped'), ('domain', 'protonmail.com', 'shipped'), ('domain', 'gmx.com', 'shipped'),
  ('domain', 'gmx.de', 'shipped'), ('domain', 'web.de', 'shipped'), ('domain', 'mail.com', 'shipped'),
  ('domain', 'zoho.com', 'shipped'), ('domain', 'yandex.com', 'shipped'), ('domain', 'fastmail.com', 'shipped'),
  ('domain', 'hey.com', 'shipped'),
  ('local', 'noreply', 'shipped'), ('local', 'no-reply', 'shipped'), ('local', 'no_reply', 'shipped'),
  ('local', 'donotreply', 'shipped'), ('local', 'do-not-reply', 'shipped'), ('local', 'do_not_reply', 'shipped'),
  ('local', 'notifications', 'shipped'), ('local', 'notification', 'shipped'), ('local', 'notify', 'shipped'),
  ('local', 'mailer-daemon', 'shipped'), ('local', 'postmaster', 'shipped'), ('local', 'bounce', 'shipped'),
  ('local', 'bounces', 'shipped'), ('local', 'auto-reply', 'shipped'), ('local', 'autoreply', 'shipped');

-- A user's decision about one item and one client: linked=1 "belongs to it",
-- linked=0 "does not". It outranks every rule and survives rule changes.
CREATE TABLE manual_links (
  client_id  INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  kind       TEXT NOT NULL,                 -- mail | meeting | file
  account_id INTEGER NOT NULL,
  item_id    TEXT NOT NULL COLLATE BINARY,
  linked     INTEGER NOT NULL,
  decided_at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (client_id, kind, account_id, item_id)
) WITHOUT ROWID;
CREATE INDEX manual_links_item ON manual_links(account_id, item_id);

-- Suggested clients the user dismissed, and contested domains the user
-- chose to leave to no client ("ask me no more").
CREATE TABLE dismissed_suggestions (
  domain TEXT PRIMARY KEY,
  at     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE settled_ambiguities (
  domain TEXT PRIMARY KEY,
  at     INTEGER NOT NULL
) WITHOUT ROWID;

-- Search. search_docs holds one row per searchable item (kind mail | meeting
-- | file): its title and the names and addresses of its people; search_fts
-- is an external-content FTS5 index over it, kept in step by the triggers on
-- search_docs. Other kinds (files) insert, update and delete search_docs
-- rows themselves and the index follows.
CREATE TABLE search_docs (
  id         INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL,
  account_id INTEGER NOT NULL,
  item_id    TEXT NOT NULL COLLATE BINARY,
  title      TEXT NOT NULL DEFAULT '',
  people     TEXT NOT NULL DEFAULT '',
  at         INTEGER NOT NULL DEFAULT 0,
  UNIQUE (kind, account_id, item_id)
);

CREATE VIRTUAL TABLE search_fts USING fts5(
  title, people, kind UNINDEXED, account_id UNINDEXED, item_id UNINDEXED,
  content='search_docs', content_rowid='id', tokenize='unicode61 remove_diacritics 2');

CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
  INSERT INTO search_fts(rowid, title, people, kind, account_id, item_id)
  VALUES (new.id, new.title, new.people, new.kind, new.account_id, new.item_id);
END;
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
  INSERT INTO search_fts(search_fts, rowid, title, people, kind, account_id, item_id)
  VALUES ('delete', old.id, old.title, old.people, old.kind, old.account_id, old.item_id);
END;
CREATE TRIGGER search_docs_au AFTER UPDATE OF title, people ON search_docs
WHEN old.title IS NOT new.title OR old.people IS NOT new.people BEGIN
  INSERT INTO search_fts(search_fts, rowid, title, people, kind, account_id, item_id)
  VALUES ('delete', old.id, old.title, old.people, old.kind, old.account_id, old.item_id);
  INSERT INTO search_fts(rowid, title, people, kind, account_id, item_id)
  VALUES (new.id, new.title, new.people, new.kind, new.account_id, new.item_id);
END;

-- Messages and events are written row by row (the item, then each
-- participant), so their triggers only note the item as changed; the store
-- rebuilds each noted document, people included, once at the end of the
-- page's transaction (store.flushSearch) and before every search. Deletes
-- apply at once. Participants are only ever (re)written together with
-- their item's upsert, which names subject/start in its SET list and so
-- fires the update trigger: participants need no trigger of their own.
-- (No OR IGNORE in these triggers: an outer upsert's conflict policy would
-- override it.)
CREATE TABLE search_dirty (
  kind       TEXT NOT NULL,
  account_id INTEGER NOT NULL,
  item_id    TEXT NOT NULL COLLATE BINARY,
  PRIMARY KEY (kind, account_id, item_id)
) WITHOUT ROWID;

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
-- Clients are searchable by name and domain (kind 'client', account 0,
-- item_id the client id).
CREATE TRIGGER clients_search_ai AFTER INSERT ON clients BEGIN
  INSERT INTO search_docs(kind, account_id, item_id, title) VALUES ('client', 0, CAST(new.id AS TEXT), new.name);
END;
CREATE TRIGGER clients_search_au AFTER UPDATE OF name ON clients BEGIN
  UPDATE search_docs SET title = new.name WHERE kind = 'client' AND account_id = 0 AND item_id = CAST(new.id AS TEXT);
END;
CREATE TRIGGER clients_search_ad AFTER DELETE ON clients BEGIN
  DELETE FROM search_docs WHERE kind = 'client' AND account_id = 0 AND item_id = CAST(old.id AS TEXT);
END;
CREATE TRIGGER client_domains_search_ai AFTER INSERT ON client_domains BEGIN
  UPDATE search_docs SET people = COALESCE((SELECT group_concat(domain, ' ') FROM client_domains WHERE client_id = new.client_id), '')
  WHERE kind = 'client' AND account_id = 0 AND item_id = CAST(new.client_id AS TEXT);
END;
CREATE TRIGGER client_domains_search_ad AFTER DELETE ON client_domains BEGIN
  UPDATE search_docs SET people = COALESCE((SELECT group_concat(domain, ' ') FROM client_domains WHERE client_id = old.client_id), '')
  WHERE kind = 'client' AND account_id = 0 AND item_id = CAST(old.client_id AS TEXT);
END;

-- What was stored before this version.
INSERT INTO search_docs(kind, account_id, item_id, title, people, at)
SELECT 'mail', m.account_id, m.id, m.subject,
       COALESCE((SELECT group_concat(p.name || ' ' || p.address, ' ') FROM participants p
                 WHERE p.account_id = m.account_id AND p.message_id = m.id), ''),
       CASE WHEN (m.direction = 'out' AND m.sent_at <> 0) OR m.received_at = 0 THEN m.sent_at ELSE m.received_at END
FROM messages m;
INSERT INTO search_docs(kind, account_id, item_id, title, people, at)
SELECT 'meeting', e.account_id, e.id, e.subject,
       COALESCE((SELECT group_concat(a.name || ' ' || a.address, ' ') FROM event_attendees a
                 WHERE a.account_id = e.account_id AND a.event_id = e.id), ''),
       e.start_at
FROM events e;
INSERT INTO search_docs(kind, account_id, item_id, title, people)
SELECT 'client', 0, CAST(c.id AS TEXT), c.name,
       COALESCE((SELECT group_concat(domain, ' ') FROM client_domains WHERE client_id = c.id), '')
FROM clients c;
