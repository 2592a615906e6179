-- Issue 7: the shortcuts (shared folders added to My files) are listed after
-- every OneDrive poll: a few rows among tens of thousands of drive items,
-- which SQLite otherwise finds by reading the account's whole drive.
CREATE INDEX drive_items_shortcuts ON drive_items(account_id) WHERE remote_id <> '' AND is_folder = 1 AND deleted_at IS NULL;
