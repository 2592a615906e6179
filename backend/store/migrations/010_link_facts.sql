-- Issue 7: a client's mail facts from one index (store/link_facts.go).
-- The links carry their message's conversation, internet message id and
-- flags (mine, sender of the client, recipient of the client, manual);
-- links_timeline covers them. The Go hook of this migration fills them for
-- the links already stored, from the same rules.
ALTER TABLE links ADD COLUMN conv TEXT NOT NULL DEFAULT '';
ALTER TABLE links ADD COLUMN imid TEXT NOT NULL DEFAULT '';
ALTER TABLE links ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;
DROP INDEX links_timeline;
CREATE INDEX links_timeline ON links(client_id, at DESC, account_id DESC, item_id DESC, conv, imid, flags);

-- A reply of the user's in a client's conversation is found among the sent
-- messages (direction 'out') by conversation and time; the index on every
-- message's conversation served only the query this replaces. (direction
-- is a column too, so the index covers the queries that filter on it.)
DROP INDEX messages_conversation;
CREATE INDEX messages_sent ON messages(conversation_id, sent_at, direction) WHERE direction = 'out';
