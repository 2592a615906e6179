package app

import (
	"errors"

	"rapport/backend/model"
	"rapport/backend/store"
)

// Search finds mail, meetings, files and clients across every client: each
// word of query must match a subject, file or client name, or a
// participant's name or address (prefixes count: "budg" finds "budget";
// FTS syntax in the text is matched literally). Best match first, then
// newest; limit 0 means 50.
func (a *App) Search(query string, limit int) ([]store.SearchHit, error) {
	if len(query) > 1000 {
		query = query[:1000]
	}
	return a.st().Search(a.ctx, query, limit)
}

// TimelineFiltered is Timeline narrowed to some kinds (mail, meeting, file;
// none: all) and a mail direction (in, out; "": any). Cursors work across
// both methods.
func (a *App) TimelineFiltered(clientID int64, cursor string, limit int, kinds []string, direction string) (model.TimelinePage, error) {
	if clientID <= 0 {
		return model.TimelinePage{}, errors.New("no client selected")
	}
	p, err := a.st().TimelineFiltered(a.ctx, clientID, cursor, limit, store.TimelineFilter{Kinds: kinds, Direction: direction})
	if errors.Is(err, store.ErrBadCursor) {
		return p, errors.New("the timeline position is no longer valid; reload the client")
	}
	return p, err
}
