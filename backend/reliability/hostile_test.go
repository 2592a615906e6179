package reliability_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"rapport/backend/clients"
	"rapport/backend/graphsim"
	"rapport/backend/model"
	rsync "rapport/backend/sync"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestHostileInputStore is suite 3's store half: the simulator serves mail
// and meetings with XSS payloads, javascript:/data:/file: links, RTL
// overrides, control characters, emoji, 1 MB subjects, 10,000 recipients,
// null, missing and mistyped fields, dates out of range, unknown
// @odata.types, deep nesting — and HTML instead of JSON now and then. The
// sync must not crash nor get stuck; each item is kept byte for byte, or
// kept with what could be read, or skipped with a logged reason naming it.
// The command line's table output must not pass escape sequences or bidi
// overrides to the terminal; its JSON must carry the text exactly.
func TestHostileInputStore(t *testing.T) {
	need(t)
	var logged lockedBuffer
	p := newInproc(t, graphsim.Options{Scenario: "demo", Seed: 41}, func(o *rsync.Options) {
		o.Log = slog.New(slog.NewTextHandler(&logged, nil))
	})
	items := p.sim.AddHostileItems()
	f, err := graphsim.ParseFaults("nonjson@messages/delta*3,nonjson@calendarView*2,truncate@messages/delta*1+4")
	if err != nil {
		t.Fatal(err)
	}
	p.sim.SetFaults(f)
	if err := p.pass(t); err != nil {
		t.Logf("first pass: %v", err)
	}
	p.sim.SetFaults(graphsim.Faults{})
	if err := p.pass(t); err != nil {
		t.Fatalf("a pass after the hostile items still fails (a stream is stuck): %v", err)
	}
	ctx := context.Background()
	mb := clients.MailboxFor(p.acct)
	intact, kept, skipped := 0, 0, 0
	for _, it := range items {
		switch it.Kind {
		case model.KindMail:
			got, err := p.store.Message(ctx, p.acct.ID, it.ID)
			if err != nil {
				if !it.Intact && strings.Contains(logged.String(), it.ID) {
					skipped++
					continue
				}
				t.Errorf("%s: not stored (%v) and no logged reason", it.Name, err)
				continue
			}
			if !utf8.ValidString(got.Subject) {
				t.Errorf("%s: the stored subject is not valid UTF-8", it.Name)
			}
			if !it.Intact {
				kept++
				continue
			}
			want, _ := mb.Classify(it.Truth)
			if got.Subject != want.Subject || got.From.Name != want.From.Name || participantsKey(got.Participants) != participantsKey(want.Participants) {
				t.Errorf("%s: not kept intact: subject %d bytes (want %d), from %q (want %q), %d participants (want %d)",
					it.Name, len(got.Subject), len(want.Subject), got.From.Name, want.From.Name, len(got.Participants), len(want.Participants))
			}
			if it.WebLink != "" && got.WebLink != it.WebLink {
				t.Errorf("%s: web link %q, want %q kept as sent (the UI decides what opens)", it.Name, got.WebLink, it.WebLink)
			}
			intact++
		case model.KindMeeting:
			got, err := p.store.Event(ctx, p.acct.ID, it.ID)
			if err != nil {
				if !it.Intact && strings.Contains(logged.String(), it.ID) {
					skipped++
					continue
				}
				t.Errorf("%s: not stored (%v) and no logged reason", it.Name, err)
				continue
			}
			if !it.Intact {
				kept++
				continue
			}
			want, _ := mb.ClassifyEvent(it.Event)
			if got.Subject != want.Subject || got.Organizer.Name != want.Organizer.Name || len(got.Participants) != len(want.Participants) {
				t.Errorf("%s: not kept intact: subject %d bytes (want %d), %d participants (want %d)", it.Name, len(got.Subject), len(want.Subject),
					len(got.Participants), len(want.Participants))
			}
			intact++
		}
	}
	if skipped == 0 {
		t.Error("the meeting without times was not skipped with a logged reason")
	}
	if strings.Contains(logged.String(), "HUGE") || strings.Contains(logged.String(), "onerror") {
		t.Error("a log line holds a subject")
	}
	rows := checkStore(t, p.path)

	// The client's timeline holds them, and the command line shows them.
	var client model.Client
	for _, c := range p.sim.DemoClients() {
		if cl, err := p.store.ClientByName(ctx, c.Name); err == nil {
			client = cl
			break
		}
	}
	page, err := p.store.Timeline(ctx, client.ID, "", 1000)
	if err != nil {
		t.Fatalf("timeline with hostile items: %v", err)
	}
	onTimeline := 0
	for _, ti := range page.Items {
		for _, it := range items {
			if ti.ItemID == it.ID {
				onTimeline++
			}
		}
	}
	if onTimeline < 10 {
		t.Errorf("only %d hostile items on %s's timeline", onTimeline, client.Name)
	}
	checkCLIOutput(t, filepath.Dir(p.path), client.Name)
	figure(t, "%d hostile items (+ HTML bodies and a truncated page): %d kept intact, %d kept as far as readable, %d skipped with a logged reason; %d on the timeline; %d rows checked; 0 crashes",
		len(items), intact, kept, skipped, onTimeline, rows)
}

// checkCLIOutput runs `rapport timeline` on the store: the table must
// carry no control characters or bidi overrides (a subject must not move
// the cursor, recolour the terminal or reverse what follows), the JSON
// must carry every subject exactly.
func checkCLIOutput(t *testing.T, dataDir, client string) {
	t.Helper()
	out, err := exec.Command(binPath, "--data-dir", dataDir, "timeline", client, "--limit", "1000").Output()
	if err != nil {
		t.Fatalf("timeline: %v", err)
	}
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		for _, r := range line {
			if (r < 0x20 && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) || isBidiControl(r) {
				t.Fatalf("the timeline table passes %U to the terminal: %.120q", r, line)
			}
		}
	}
	js, err := exec.Command(binPath, "--data-dir", dataDir, "timeline", client, "--json", "--limit", "1000").Output()
	if err != nil {
		t.Fatalf("timeline --json: %v", err)
	}
	var rows []model.TimelineItem
	if err := json.Unmarshal(js, &rows); err != nil {
		t.Fatalf("timeline --json is not JSON: %v", err)
	}
	found := map[string]bool{}
	for _, r := range rows {
		found[r.Title] = true
	}
	for _, s := range []string{graphsim.HostileXSSSubject, graphsim.HostileRTLSubject} {
		if !found[s] {
			t.Errorf("timeline --json lost or changed %q", s)
		}
	}
}

func isBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

var _ = time.Second
