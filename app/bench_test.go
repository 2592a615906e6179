package app

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"
)

// The small benchmark runs end to end in-process and produces every figure
// as a finite number. No timing is asserted: figures depend on the machine.
func TestBenchSmallProducesEveryFigure(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a whole (small) benchmark")
	}
	rep, err := runBench(context.Background(), benchOptions{Scenario: "small", Latency: 20 * time.Millisecond, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(rep.Result)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := []string{"sync_wall_s", "sync_lower_bound_s", "sync_ratio", "requests", "requests_min", "ingest_items_per_s",
		"sqlite_raw_rows_per_s", "ingest_vs_raw", "incremental_requests_per_stream", "incremental_cpu_ms_per_stream",
		"change_to_event_ms", "timeline_p50_ms", "timeline_p99_ms", "insights_ms", "search_ms", "heap_peak_mb", "rss_peak_mb"}
	if len(got) != len(want) {
		t.Errorf("%d keys, want exactly %d: %v", len(got), len(want), got)
	}
	for _, k := range want {
		v, ok := got[k]
		if !ok {
			t.Errorf("missing %s", k)
			continue
		}
		f, ok := v.(float64)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			t.Errorf("%s = %v, want a finite non-negative number", k, v)
		}
	}
	// The work the lower bound is computed from covers every kind of item.
	if rep.Work.Messages == 0 || rep.Work.Events == 0 || rep.Work.Drive == 0 {
		t.Errorf("the sync covered %s", rep.Work.describe())
	}
	if rep.Result.Requests < rep.Result.RequestsMin || rep.Result.RequestsMin == 0 {
		t.Errorf("requests %d below the minimum %d", rep.Result.Requests, rep.Result.RequestsMin)
	}
}

// The lower bound follows its formula: per host the longer of the longest
// chain of pages (plus its discovery) and the requests over the slots.
func TestBenchLowerBound(t *testing.T) {
	w := syncWork{PageCap: 100, Discovery: 17, DriveDiscovery: map[string]int{"od": 1}, Streams: []streamWork{
		{Host: "mailbox", Pages: 89}, {Host: "mailbox", Pages: 30}, {Host: "mailbox", Pages: 26},
		{Host: "od", Pages: 35}, {Host: "sp", Pages: 12}, {Host: "sp", Pages: 12}, {Host: "sp", Pages: 12},
	}}
	lb, min, _ := w.lowerBound(100*time.Millisecond, 4)
	if lb != 9*time.Second { // mailbox: max(1 + 89, ceil(162 / 4) = 41) = 90 rounds
		t.Errorf("lower bound %v, want 9s", lb)
	}
	if min != 17+89+30+26+1+35+36 {
		t.Errorf("requests_min %d", min)
	}
	w.Streams[0].Pages = 5 // now the mailbox is request-bound: ceil(78 / 4) = 20
	if lb, _, _ := w.lowerBound(100*time.Millisecond, 4); lb != 3600*time.Millisecond {
		t.Errorf("lower bound %v, want 3.6s (the OneDrive's chain: 1 + 35)", lb)
	}
}
