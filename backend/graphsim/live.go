package graphsim

import (
	"fmt"
	"time"

	"rapport/backend/model"
)

// Live changes: on a clock, the mailbox lives the way a consultant's does.
// Every tick a client writes (a new thread or a reply); now and then a
// message is filed into Archive, one in Deleted Items is purged, and a
// future meeting is moved, renamed or cancelled. The demo runs it so new
// mail appears on screen without anyone touching the app.

// SetLiveChanges starts live changes every d, or stops them (d <= 0).
func (s *Server) SetLiveChanges(d time.Duration) {
	s.mu.Lock()
	if s.stopLive != nil {
		close(s.stopLive)
		s.stopLive = nil
	}
	if d <= 0 {
		s.mu.Unlock()
		return
	}
	stop := make(chan struct{})
	s.stopLive = stop
	s.mu.Unlock()
	go func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for n := 1; ; n++ {
			select {
			case <-stop:
				return
			case <-t.C:
				s.LiveTick(n)
			}
		}
	}()
}

// LiveTick applies the n-th tick's changes (n counts from 1). Exported so a
// test can drive the clock itself.
func (s *Server) LiveTick(n int) {
	s.liveMail()
	if n%3 == 0 {
		s.liveMove()
	}
	if n%5 == 0 {
		s.livePurge()
	}
	if n%4 == 0 {
		s.liveEventEdit(n)
	}
	s.liveDrive(n) // tenant_drive.go: file edits
}

var liveTopics = []string{"Quick question on the numbers", "Can we move Thursday?", "Updated deck attached", "Follow-up from today",
	"Invoice query", "Next steps", "Notes from the call", "Draft for review"}

func (s *Server) liveMail() {
	s.mu.Lock()
	c := demoClients[s.live.IntN(len(demoClients))]
	who := c.contacts[s.live.IntN(len(c.contacts))]
	subject := liveTopics[s.live.IntN(len(liveTopics))]
	folder := "inbox"
	for _, f := range s.mb.folders { // a local folder key ("clients") names a folder
		if f.Search == "" && (f.WellKnown == c.inbound || equalFoldASCII(f.Name, c.inbound)) {
			folder = f.ID
		}
	}
	me := s.tenant.me
	s.mu.Unlock()
	now := time.Now().UTC()
	s.AddMessage(folder, model.Message{
		Subject: subject, From: who.recipient(),
		To:     []model.Recipient{{Name: me.name, Address: me.mail}},
		SentAt: now.Add(-20 * time.Second), ReceivedAt: now,
	})
}

// liveMove files the oldest client message of the Inbox into Archive.
func (s *Server) liveMove() {
	s.mu.Lock()
	inbox, archive := s.mb.byKnown["inbox"], s.mb.byKnown["archive"]
	var pick *message
	if inbox != nil && archive != nil {
		ms := s.mb.members(inbox)
		if len(ms) > 0 {
			pick = ms[len(ms)-1]
		}
	}
	s.mu.Unlock()
	if pick != nil {
		_ = s.MoveMessage(pick.ID, "archive")
	}
}

// livePurge deletes the oldest message of Deleted Items for good.
func (s *Server) livePurge() {
	s.mu.Lock()
	var pick *message
	if f := s.mb.byKnown["deleteditems"]; f != nil {
		if ms := s.mb.members(f); len(ms) > 0 {
			pick = ms[len(ms)-1]
		}
	}
	s.mu.Unlock()
	if pick != nil {
		_ = s.DeleteMessage(pick.ID)
	}
}

// liveEventEdit moves, renames or cancels one of the next client meetings.
func (s *Server) liveEventEdit(n int) {
	s.mu.Lock()
	now := time.Now()
	var future []*event
	cal := s.mb.calendarOf("")
	for _, e := range s.mb.events {
		if cal != nil && e.CalendarID == cal.ID && e.Type != model.EventSeries && !e.AllDay && !e.Cancelled && e.Start.After(now) && len(e.Attendees) > 0 {
			future = append(future, e)
		}
	}
	sortEvents(future)
	if len(future) > 8 {
		future = future[:8]
	}
	var pick *event
	if len(future) > 0 {
		pick = future[s.live.IntN(len(future))]
	}
	s.mu.Unlock()
	if pick == nil {
		return
	}
	_ = s.UpdateEvent(pick.ID, func(e *model.Event) {
		switch (n / 4) % 3 {
		case 0:
			e.Start, e.End = e.Start.Add(30*time.Minute), e.End.Add(30*time.Minute)
		case 1:
			e.Subject = fmt.Sprintf("%s (agenda updated)", e.Subject)
		default:
			e.IsCancelled, e.Subject = true, "Canceled: "+e.Subject
		}
	})
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
