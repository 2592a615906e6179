-- Issue 7: a mail link keeps its message's conversation and internet
-- message id as 64-bit keys (text_key, store/text_keys.go), and the
-- user's sent mail is found by its conversation's key: a client's page
-- reads and compares integers instead of Exchange's ids. The ids stay in
-- messages. links_mail is dropped first: a column in an index cannot be
-- dropped.
DROP INDEX links_mail;
ALTER TABLE links ADD COLUMN conv_key INTEGER NOT NULL DEFAULT 0;
ALTER TABLE links ADD COLUMN imid_key INTEGER NOT NULL DEFAULT 0;
UPDATE links SET conv_key = text_key(conv), imid_key = text_key(imid) WHERE kind = 'mail';
ALTER TABLE links DROP COLUMN conv;
ALTER TABLE links DROP COLUMN imid;
CREATE INDEX links_mail ON links(client_id, at, account_id, item_id, conv_key, imid_key, flags) WHERE kind = 'mail';

ALTER TABLE messages ADD COLUMN conv_key INTEGER NOT NULL DEFAULT 0;
UPDATE messages SET conv_key = text_key(conversation_id) WHERE conversation_id <> '';
DROP INDEX messages_sent;
CREATE INDEX messages_sent ON messages(conv_key, sent_at, direction) WHERE direction = 'out';
