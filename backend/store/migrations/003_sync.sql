-- Issue 4: complete mail and calendar sync.

-- Per-account sync settings: the history window and "Load older history".
CREATE TABLE sync_settings (
  account_id    INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  history_days  INTEGER NOT NULL DEFAULT 90,  -- 30 | 90 | 180, or 0 when history_since is set
  history_since INTEGER,                      -- a fixed first day instead (UTC ms)
  backfill_from INTEGER,                      -- Load older history reaches back to here (UTC ms)
  first_sync_at INTEGER,                      -- when every stream first completed a round
  discovered_at INTEGER NOT NULL DEFAULT 0    -- start of the last complete folder discovery
);

-- Every mail folder discovery found, and the user's choice for it. A
-- folder with included NULL follows its default, so new folders are synced
-- as soon as they appear.
CREATE TABLE mail_folders (
  account_id       INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  id               TEXT NOT NULL COLLATE BINARY,
  parent_id        TEXT NOT NULL DEFAULT '' COLLATE BINARY,
  name             TEXT NOT NULL DEFAULT '',
  path             TEXT NOT NULL DEFAULT '',
  well_known       TEXT NOT NULL DEFAULT '',
  hidden           INTEGER NOT NULL DEFAULT 0,
  total            INTEGER NOT NULL DEFAULT 0,
  default_included INTEGER NOT NULL DEFAULT 1,
  included         INTEGER,
  ord              INTEGER NOT NULL DEFAULT 0,  -- tree order as Graph lists it
  seen_at          INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, id)
) WITHOUT ROWID;

CREATE TABLE calendars (
  account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  id            TEXT NOT NULL COLLATE BINARY,
  name          TEXT NOT NULL DEFAULT '',
  is_default    INTEGER NOT NULL DEFAULT 0,
  can_edit      INTEGER NOT NULL DEFAULT 0,
  owner_address TEXT NOT NULL DEFAULT '',
  included      INTEGER,
  seen_at       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, id)
) WITHOUT ROWID;

-- Stream bookkeeping for windows, rounds and error actions.
ALTER TABLE streams ADD COLUMN window_start INTEGER NOT NULL DEFAULT 0;     -- mail: delta filter; calendar: window; backfill: segment
ALTER TABLE streams ADD COLUMN window_end INTEGER NOT NULL DEFAULT 0;
ALTER TABLE streams ADD COLUMN round_started_at INTEGER NOT NULL DEFAULT 0; -- first request of the round in progress
ALTER TABLE streams ADD COLUMN last_round_start INTEGER NOT NULL DEFAULT 0; -- round_started_at of the last completed round
ALTER TABLE streams ADD COLUMN baseline_at INTEGER NOT NULL DEFAULT 0;      -- calendar: when the window's baseline round began
ALTER TABLE streams ADD COLUMN last_attempt_at INTEGER;
ALTER TABLE streams ADD COLUMN error_action TEXT NOT NULL DEFAULT '';

-- Calendar events: occurrences, exceptions and single instances (series
-- masters are never returned by calendarView). Times are UTC ms; all-day
-- events also keep their dates, which is what they mean.
CREATE TABLE events (
  account_id              INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  id                      TEXT NOT NULL COLLATE BINARY,
  calendar_id             TEXT NOT NULL COLLATE BINARY,
  ical_uid                TEXT NOT NULL DEFAULT '',
  subject                 TEXT NOT NULL DEFAULT '',
  start_at                INTEGER NOT NULL,
  end_at                  INTEGER NOT NULL,
  start_tz                TEXT NOT NULL DEFAULT '',   -- originalStartTimeZone
  end_tz                  TEXT NOT NULL DEFAULT '',
  is_all_day              INTEGER NOT NULL DEFAULT 0,
  start_date              TEXT NOT NULL DEFAULT '',   -- all-day: 2026-11-01
  end_date                TEXT NOT NULL DEFAULT '',   -- all-day: exclusive
  is_cancelled            INTEGER NOT NULL DEFAULT 0,
  is_online_meeting       INTEGER NOT NULL DEFAULT 0,
  online_meeting_provider TEXT NOT NULL DEFAULT '',
  is_organizer            INTEGER NOT NULL DEFAULT 0,
  organizer_name          TEXT NOT NULL DEFAULT '',
  organizer_address       TEXT NOT NULL DEFAULT '',
  type                    TEXT NOT NULL DEFAULT 'singleInstance',
  series_master_id        TEXT NOT NULL DEFAULT '' COLLATE BINARY,
  show_as                 TEXT NOT NULL DEFAULT '',
  web_link                TEXT NOT NULL DEFAULT '',
  change_key              TEXT NOT NULL DEFAULT '',
  round_id                INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, id)
) WITHOUT ROWID;
CREATE INDEX events_calendar ON events(account_id, calendar_id, round_id);
CREATE INDEX events_start ON events(account_id, start_at);
CREATE INDEX events_series ON events(account_id, series_master_id);

CREATE TABLE event_attendees (
  account_id INTEGER NOT NULL,
  event_id   TEXT NOT NULL COLLATE BINARY,
  ord        INTEGER NOT NULL,
  role       TEXT NOT NULL,        -- organizer | required | optional | resource
  name       TEXT NOT NULL DEFAULT '',
  address    TEXT NOT NULL,
  domain     TEXT NOT NULL,
  response   TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (account_id, event_id, ord),
  FOREIGN KEY (account_id, event_id) REFERENCES events(account_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX event_attendees_address ON event_attendees(address);
CREATE INDEX event_attendees_domain ON event_attendees(domain);

-- Received time is needed to limit a folder's sweep to its delta window.
CREATE INDEX messages_received ON messages(account_id, received_at);
