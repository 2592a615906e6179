-- Issue 7: a client's mail facts and its file changes each from an index
-- of their own kind. links_timeline orders all of a client's items by
-- time, so reading 90 days of its mail also stepped over its file changes
-- in those days (and the reverse): for the bench's biggest client 33,000
-- entries for 20,600 messages, and as many for 12,600 file changes. The
-- timeline index goes back to its own columns (migration 001's), which
-- makes it narrower for the timeline's pages.
CREATE INDEX links_mail ON links(client_id, at, account_id, item_id, conv, imid, flags) WHERE kind = 'mail';
CREATE INDEX links_file ON links(client_id, at) WHERE kind = 'file';
DROP INDEX links_timeline;
CREATE INDEX links_timeline ON links(client_id, at DESC, account_id DESC, item_id DESC);
