-- Issue 7: a drive's full round (its first, a resync) is staged here page
-- by page, with the page's checkpoint, and written to drive_items at the
-- round's end, parents before children (drive_stage.go). Graph sends a
-- round in no particular order; written as they came, children before
-- their parents were stored without a path or a client and rewritten at
-- the round's end, every row twice with its indexes. item is the
-- decoded item (appendStaged's encoding); seq keeps Graph's order, which
-- decides between two reports of one item.
CREATE TABLE drive_stage (
  seq       INTEGER PRIMARY KEY,
  stream_id INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
  item_id   TEXT NOT NULL COLLATE BINARY,
  parent_id TEXT NOT NULL COLLATE BINARY,
  deleted   INTEGER NOT NULL,
  item      BLOB NOT NULL
);
CREATE INDEX drive_stage_stream ON drive_stage(stream_id);
