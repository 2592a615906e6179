// Package sync is the sync engine: for each account it discovers the delta
// streams (one per mail folder), runs each stream's round page by page —
// every page applied in one transaction together with its checkpoint — and
// reports progress and changes as events. A failing stream records its
// error and the others carry on.
package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	gosync "sync"
	"time"

	"rapport/backend/clients"
	"rapport/backend/graph"
	"rapport/backend/model"
	"rapport/backend/store"
)

// Event names the UI subscribes to.
const (
	EventDataChanged = "data:changed"
	EventProgress    = "sync:progress"
)

// DataChanged is the payload of "data:changed".
type DataChanged struct {
	Account   string   `json:"account"`
	Kinds     []string `json:"kinds"`
	ClientIDs []int64  `json:"clientIds"`
}

// Progress is the payload of "sync:progress".
type Progress struct {
	Account string `json:"account"`
	Stream  string `json:"stream"`
	Items   int    `json:"items"`
	Total   int    `json:"total"`
	Done    bool   `json:"done"`
}

// Options wires the engine.
type Options struct {
	Store      *store.Store
	GraphURL   string
	HTTPClient *http.Client
	Tokens     model.TokenSource
	// History bounds the first round of each folder (default 90 days).
	History time.Duration
	// MaxConcurrent caps requests in flight per mailbox (Graph allows 4).
	MaxConcurrent int
	PageSize      int
	Now           func() time.Time
	// Emit receives EventDataChanged / EventProgress; may be nil.
	Emit func(name string, payload any)
	Log  *slog.Logger
}

// Engine syncs accounts into the store.
type Engine struct {
	o Options
	mu gosync.Mutex // one pass at a time per engine: streams have one writer each
}

// New returns an engine.
func New(o Options) *Engine {
	if o.History == 0 {
		o.History = 90 * 24 * time.Hour
	}
	if o.MaxConcurrent <= 0 || o.MaxConcurrent > 4 {
		o.MaxConcurrent = 4
	}
	if o.PageSize <= 0 {
		o.PageSize = 100
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Emit == nil {
		o.Emit = func(string, any) {}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.GraphURL == "" {
		o.GraphURL = graph.DefaultBaseURL
	}
	return &Engine{o: o}
}

// excludedFolders are well-known folders that hold no client activity worth
// mirroring by default (DESIGN: Junk, Drafts, Outbox, Conversation History,
// Sync Issues and its children).
var excludedFolders = []string{"junkemail", "drafts", "outbox", "conversationhistory", "syncissues", "conflicts", "localfailures", "serverfailures"}

// StreamError is one stream's failure inside a pass.
type StreamError struct {
	Stream string
	Err    error
}

// PassError collects the failed streams of a pass.
type PassError struct{ Failed []StreamError }

func (e *PassError) Error() string {
	if len(e.Failed) == 1 {
		return fmt.Sprintf("%s: %v", e.Failed[0].Stream, e.Failed[0].Err)
	}
	return fmt.Sprintf("%d streams failed; first: %s: %v", len(e.Failed), e.Failed[0].Stream, e.Failed[0].Err)
}

func (e *PassError) Unwrap() []error {
	out := make([]error, len(e.Failed))
	for i, f := range e.Failed {
		out[i] = f.Err
	}
	return out
}

// SyncAccount runs one pass over every stream of the account: discovery,
// then each folder's round to its deltaLink, then the purge of messages no
// folder holds any more.
func (e *Engine) SyncAccount(ctx context.Context, acct model.Account) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	passStart := time.Now()
	gc := graph.New(e.o.GraphURL, e.o.HTTPClient, e.o.Tokens, acct.HomeAccountID)
	gc.PageSize = e.o.PageSize

	folders, err := e.discover(ctx, gc)
	if err != nil {
		return fmt.Errorf("list mail folders: %w", err)
	}
	mb := clients.MailboxFor(acct)
	var (
		wg     gosync.WaitGroup
		sem    = make(chan struct{}, e.o.MaxConcurrent)
		failMu gosync.Mutex
		failed []StreamError
	)
	for _, f := range folders {
		st, err := e.o.Store.EnsureStream(ctx, acct.ID, model.StreamMail, f.ID, f.DisplayName, f.TotalItemCount)
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := e.runMailStream(ctx, gc, acct, mb, st); err != nil {
				msg := Explain(err)
				_ = e.o.Store.SetStreamError(context.WithoutCancel(ctx), st.ID, msg)
				e.o.Log.Warn("stream failed", "stream", st.Name, "error", msg)
				failMu.Lock()
				failed = append(failed, StreamError{Stream: st.Name, Err: err})
				failMu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if len(failed) == 0 {
		// Only a pass in which every folder completed may confirm that an
		// orphaned message is really gone (not moved to a folder whose
		// round failed).
		ids, err := e.o.Store.PurgeOrphans(ctx, acct.ID, passStart)
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			e.o.Emit(EventDataChanged, DataChanged{Account: acct.UPN, Kinds: []string{model.KindMail}, ClientIDs: ids})
		}
		return nil
	}
	return &PassError{Failed: failed}
}

// discover lists the folders to sync: all but the excluded well-known ones.
func (e *Engine) discover(ctx context.Context, gc *graph.Client) ([]model.MailFolder, error) {
	all, err := gc.MailFolders(ctx)
	if err != nil {
		return nil, err
	}
	skip := map[string]bool{}
	for _, name := range excludedFolders {
		f, err := gc.MailFolder(ctx, name)
		if err == nil {
			skip[f.ID] = true
		} else if !errors.Is(err, model.ErrNotFound) {
			return nil, err
		}
	}
	var out []model.MailFolder
	for _, f := range all {
		if !skip[f.ID] && !skip[f.ParentFolderID] {
			out = append(out, f)
		}
	}
	return out, nil
}

// runMailStream runs one folder's round to its deltaLink. A rejected link
// (410) restarts the folder with a full round, which converges: the round's
// end removes what it no longer reports.
func (e *Engine) runMailStream(ctx context.Context, gc *graph.Client, acct model.Account, mb clients.Mailbox, st model.Stream) error {
	resynced := false
	for {
		st2, err := e.o.Store.BeginRound(ctx, st.ID)
		if err != nil {
			return err
		}
		st = st2
		link := st.NextLink
		if link == "" {
			link = st.DeltaLink
		}
		if link == "" {
			link = graph.MessagesDeltaURL(st.Resource, e.o.Now().Add(-e.o.History))
		}
		err = e.roundFrom(ctx, gc, acct, mb, st, link)
		if errors.Is(err, model.ErrResyncRequired) && !resynced {
			resynced = true
			e.o.Log.Info("delta link rejected; starting a full round", "stream", st.Name)
			if err := e.o.Store.ResetStream(ctx, st.ID); err != nil {
				return err
			}
			continue
		}
		return err
	}
}

func (e *Engine) roundFrom(ctx context.Context, gc *graph.Client, acct model.Account, mb clients.Mailbox, st model.Stream, link string) error {
	for link != "" {
		page, err := gc.MessagesDelta(ctx, link)
		if err != nil {
			return err
		}
		recs := make([]model.MailRecord, 0, len(page.Items))
		var internal []string
		for _, m := range page.Items {
			r, keep := mb.Classify(m)
			if keep {
				recs = append(recs, r)
			} else {
				internal = append(internal, m.ID)
			}
		}
		// An internal-only message is not stored; if an older version of it
		// was, drop this folder's claim on it.
		removed := append(page.Removed, internal...)
		res, err := e.o.Store.ApplyMailPage(ctx, store.MailPage{
			StreamID: st.ID, AccountID: acct.ID, FolderID: st.Resource,
			Records: recs, Removed: removed, NextLink: page.NextLink, DeltaLink: page.DeltaLink,
		})
		if err != nil {
			return err
		}
		if res.Upserted+res.Removed > 0 {
			e.o.Emit(EventDataChanged, DataChanged{Account: acct.UPN, Kinds: []string{model.KindMail}, ClientIDs: nonNil(res.ClientIDs)})
		}
		cur, err := e.o.Store.Stream(ctx, st.ID)
		if err != nil {
			return err
		}
		e.o.Emit(EventProgress, Progress{Account: acct.UPN, Stream: st.Name, Items: cur.Items, Total: cur.Total, Done: page.DeltaLink != ""})
		link = page.NextLink
	}
	return nil
}

func nonNil(v []int64) []int64 {
	if v == nil {
		return []int64{}
	}
	return v
}
