-- Accounts and their delta cursors.
CREATE TABLE accounts (
  id              INTEGER PRIMARY KEY,
  upn             TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name    TEXT NOT NULL DEFAULT '',
  mail            TEXT NOT NULL DEFAULT '',
  tenant_id       TEXT NOT NULL DEFAULT '',
  home_account_id TEXT NOT NULL DEFAULT '',
  scopes          TEXT NOT NULL DEFAULT '',
  added_at        INTEGER NOT NULL
);

CREATE TABLE streams (
  id           INTEGER PRIMARY KEY,
  account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  kind         TEXT NOT NULL,
  resource     TEXT NOT NULL COLLATE BINARY,
  name         TEXT NOT NULL DEFAULT '',
  next_link    TEXT NOT NULL DEFAULT '',
  delta_link   TEXT NOT NULL DEFAULT '',
  round_id     INTEGER NOT NULL DEFAULT 0, -- bumped when a full round starts
  round_full   INTEGER NOT NULL DEFAULT 0, -- 1 while a full (non-incremental) round runs
  items        INTEGER NOT NULL DEFAULT 0,
  total        INTEGER NOT NULL DEFAULT 0,
  last_sync_at INTEGER,
  last_error   TEXT NOT NULL DEFAULT '',
  UNIQUE (account_id, kind, resource)
);

-- Mail metadata. Ids are Graph immutable ids: case-sensitive (BINARY).
CREATE TABLE messages (
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
  PRIMARY KEY (account_id, id)
) WITHOUT ROWID;
CREATE INDEX messages_conversation ON messages(account_id, conversation_id);

-- Which synced folders hold a message: removal is a mailbox-level fact.
CREATE TABLE message_folders (
  account_id INTEGER NOT NULL,
  message_id TEXT NOT NULL COLLATE BINARY,
  folder_id  TEXT NOT NULL COLLATE BINARY,
  round_id   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, message_id, folder_id),
  FOREIGN KEY (account_id, message_id) REFERENCES messages(account_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX message_folders_folder ON message_folders(account_id, folder_id, round_id);

CREATE TABLE participants (
  account_id INTEGER NOT NULL,
  message_id TEXT NOT NULL COLLATE BINARY,
  ord        INTEGER NOT NULL,
  role       TEXT NOT NULL,
  name       TEXT NOT NULL DEFAULT '',
  address    TEXT NOT NULL,
  domain     TEXT NOT NULL,
  PRIMARY KEY (account_id, message_id, ord),
  FOREIGN KEY (account_id, message_id) REFERENCES messages(account_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX participants_address ON participants(address);
CREATE INDEX participants_domain ON participants(domain);

-- Clients and the rules that link activity to them.
CREATE TABLE clients (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
  created_at INTEGER NOT NULL
);

CREATE TABLE client_domains (
  client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  domain    TEXT NOT NULL,
  PRIMARY KEY (client_id, domain)
);
CREATE INDEX client_domains_domain ON client_domains(domain);

-- Materialised client links: a timeline is one range scan of links_timeline.
CREATE TABLE links (
  client_id  INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  kind       TEXT NOT NULL,
  account_id INTEGER NOT NULL,
  item_id    TEXT NOT NULL COLLATE BINARY,
  at         INTEGER NOT NULL,
  PRIMARY KEY (client_id, kind, account_id, item_id)
) WITHOUT ROWID;
CREATE INDEX links_timeline ON links(client_id, at DESC, account_id DESC, item_id DESC);
CREATE INDEX links_item ON links(account_id, item_id);
