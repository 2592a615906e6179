-- Issue 7: indexes that keep the polls cheap.

-- The orphan purge runs after every mail poll: without this index it read
-- every message of the account (three times) to find the few, usually
-- none, that no folder holds any more.
CREATE INDEX messages_orphaned ON messages(account_id, orphaned_at) WHERE orphaned_at IS NOT NULL;
