package store

import (
	"context"
	"database/sql"
)

// The long read statements a user waits on again and again (a timeline
// page: a five-table join with per-row subqueries) are prepared once per
// store instead of at every call: preparing the timeline's select took
// ~0.1 ms of a ~1 ms page at 1,000,000 items (issue 7). database/sql keeps
// the statement prepared on each pooled connection that runs it.

// queryPrepared runs q as a statement prepared on first use and kept
// until Close.
func (s *Store) queryPrepared(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	s.stmtMu.Lock()
	st := s.stmts[q]
	if st == nil {
		var err error
		if st, err = s.db.PrepareContext(ctx, q); err != nil {
			s.stmtMu.Unlock()
			return nil, err
		}
		if s.stmts == nil {
			s.stmts = map[string]*sql.Stmt{}
		}
		s.stmts[q] = st
	}
	s.stmtMu.Unlock()
	return st.QueryContext(ctx, args...)
}

// closePrepared closes the kept statements (Close).
func (s *Store) closePrepared() {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
}
