package store

import (
	"encoding/binary"
	"os"
)

// Background checkpoints (issue 7). SQLite copies the WAL back into the
// database file (a checkpoint, with an fsync of each file) in whichever
// connection commits past wal_autocheckpoint pages: during a first sync
// that was the writer, every few pages of mail, and the sync waited for the
// disk. A goroutine now does it on a pooled connection whenever a commit
// leaves walCheckpoint pages or more to copy; PASSIVE never blocks the
// writer. SQLite's own checkpoint stays as a backstop at four times that.

const walBackstop = 4 * walCheckpoint

// startCheckpointer runs the checkpointer until stopCheckpointer.
func (s *Store) startCheckpointer() {
	s.ckptKick = make(chan struct{}, 1)
	s.ckptDone = make(chan struct{})
	go func() {
		defer close(s.ckptDone)
		for range s.ckptKick {
			if n, ok := walPending(s.path); ok && n >= walCheckpoint {
				_, _ = s.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
			}
		}
	}()
}

// kickCheckpointer tells the checkpointer a commit happened; it never
// waits.
func (s *Store) kickCheckpointer() {
	select {
	case s.ckptKick <- struct{}{}:
	default: // one is pending already
	}
}

// stopCheckpointer ends the goroutine and waits for a checkpoint in
// progress.
func (s *Store) stopCheckpointer() {
	if s.ckptKick != nil {
		close(s.ckptKick)
		<-s.ckptDone
		s.ckptKick = nil
	}
}

// walPending reads from the WAL index (the -shm file, whose layout
// sqlite.org/walformat.html documents) how many WAL frames the last
// checkpoint has not copied yet: the header's mxFrame (offset 16) minus the
// checkpoint info's nBackfill (offset 96), in native byte order (little
// endian on every platform Rapport ships for). ok is false when the file
// cannot be read or is not a WAL index of the known version.
func walPending(dbPath string) (int, bool) {
	f, err := os.Open(dbPath + "-shm")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	var h [100]byte
	if _, err := f.ReadAt(h[:], 0); err != nil {
		return 0, false
	}
	le := binary.LittleEndian
	if le.Uint32(h[0:]) != 3007000 { // iVersion
		return 0, false
	}
	mx, backfilled := le.Uint32(h[16:]), le.Uint32(h[96:])
	if backfilled > mx {
		return 0, true // the WAL restarted since the last checkpoint
	}
	return int(mx - backfilled), true
}
