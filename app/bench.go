package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"rapport/backend/graphsim"
)

// `rapport bench` (issue 7): the performance benchmark. Everything runs in
// this process — the simulator (heavy tenant) on loopback with a fixed
// per-request latency, the real sign-in, sync engine and store, wired the
// way the demo wires them — and every figure that has a goal is a ratio
// against a limit measured or computed in the same run, so the figures
// hold on a noisy machine. docs/PERFORMANCE.md explains each figure and
// records the runs.

// BenchResult is `rapport bench --json`: exactly the keys, all
// finite numbers. Explanations (what a figure was measured on when a part
// of the product is missing) are printed as notes on stderr and in the
// table, never as extra keys.
type BenchResult struct {
	SyncWallS                    float64 `json:"sync_wall_s"`
	SyncLowerBoundS              float64 `json:"sync_lower_bound_s"`
	SyncRatio                    float64 `json:"sync_ratio"`
	Requests                     int     `json:"requests"`
	RequestsMin                  int     `json:"requests_min"`
	IngestItemsPerS              float64 `json:"ingest_items_per_s"`
	SQLiteRawRowsPerS            float64 `json:"sqlite_raw_rows_per_s"`
	IngestVsRaw                  float64 `json:"ingest_vs_raw"`
	IncrementalRequestsPerStream float64 `json:"incremental_requests_per_stream"`
	IncrementalCPUMsPerStream    float64 `json:"incremental_cpu_ms_per_stream"`
	ChangeToEventMs              float64 `json:"change_to_event_ms"`
	TimelineP50Ms                float64 `json:"timeline_p50_ms"`
	TimelineP99Ms                float64 `json:"timeline_p99_ms"`
	InsightsMs                   float64 `json:"insights_ms"`
	SearchMs                     float64 `json:"search_ms"`
	HeapPeakMB                   float64 `json:"heap_peak_mb"`
	RSSPeakMB                    float64 `json:"rss_peak_mb"`
}

// benchOptions are the command's flags.
type benchOptions struct {
	Scenario   string
	Latency    time.Duration
	Items1M    bool
	CPUProfile string
	// Progress receives one line per phase (nil: quiet).
	Progress io.Writer
	// TempDir holds the stores of the run ("" = the system's); removed after.
	TempDir string
}

// benchReport is a run's result with what the table shows beyond it.
type benchReport struct {
	Result   BenchResult
	Opts     benchOptions
	Work     syncWork // what the sync had to do, for the lower bound
	Formula  string
	Notes    []string
	Items    int // links + timeline items in the store for the query figures
	Duration time.Duration
}

func (r *benchReport) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

func (o benchOptions) progress(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, "bench: "+format+"\n", args...)
	}
}

func benchFlags(f *pflag.FlagSet) {
	f.String("scenario", "heavy", "tenant to sync: heavy (20,000 messages, 3,000 events, 40 clients) or small (1/20 of it, for CI)")
	f.Duration("latency", 100*time.Millisecond, "added by the simulator to every request during the timed sync")
	f.Bool("items-1m", false, "grow the store to 1,000,000 timeline items (synthetic rows) for the query figures")
	f.String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
}

func cmdBench(c *cli, f *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", args[0])}
	}
	o := benchOptions{Progress: c.stderr}
	o.Scenario, _ = f.GetString("scenario")
	o.Latency, _ = f.GetDuration("latency")
	o.Items1M, _ = f.GetBool("items-1m")
	o.CPUProfile, _ = f.GetString("cpuprofile")
	if _, ok := graphsim.HeavySizes[o.Scenario]; !ok {
		return &usageError{fmt.Sprintf("--scenario must be heavy or small, not %q", o.Scenario)}
	}
	if o.Latency < 0 {
		return &usageError{"--latency cannot be negative"}
	}
	ctx, stop := signalContext()
	defer stop()
	rep, err := runBench(ctx, o)
	if err != nil {
		return err
	}
	if c.jsonOut {
		for _, n := range rep.Notes {
			fmt.Fprintln(c.stderr, "note: "+n)
		}
		return c.printJSON(rep.Result)
	}
	return rep.printTable(c.stdout)
}

// runBench runs every phase and returns the figures.
func runBench(ctx context.Context, o benchOptions) (*benchReport, error) {
	start := time.Now()
	if o.Scenario == "" {
		o.Scenario = "heavy"
	}
	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
		if err != nil {
			return nil, fmt.Errorf("create the CPU profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, fmt.Errorf("start the CPU profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	tmp, err := os.MkdirTemp(o.TempDir, "rapport-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	rep := &benchReport{Opts: o}

	// 1. The timed sync at the given latency, with memory peaks; then, on
	// the same synced store, rounds with no change and changes to events.
	if err := benchSyncPhase(ctx, o, tmp, rep); err != nil {
		return nil, err
	}
	// 2. Ingest: the same tenant at zero latency, and raw SQLite.
	ingestStore, err := benchIngestPhase(ctx, o, tmp, rep)
	if err != nil {
		return nil, err
	}
	defer ingestStore.close()
	// 3. Query figures on that store, grown to 1M items with --items-1m.
	if err := benchQueryPhase(ctx, o, ingestStore, rep); err != nil {
		return nil, err
	}
	rep.Duration = time.Since(start)
	if err := rep.Result.check(); err != nil {
		return nil, err
	}
	rep.Result.round()
	return rep, nil
}

// check refuses a result with a figure that is not a finite number.
func (r BenchResult) check() error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("bench: a figure is not a finite number: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for k, v := range m {
		if f, ok := v.(float64); !ok || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			return fmt.Errorf("bench: %s is not a measured figure (%v)", k, v)
		}
	}
	return nil
}

// round keeps three significant decimals: the figures are not more precise.
func (r *BenchResult) round() {
	for _, p := range []*float64{&r.SyncWallS, &r.SyncLowerBoundS, &r.SyncRatio, &r.IngestItemsPerS, &r.SQLiteRawRowsPerS,
		&r.IngestVsRaw, &r.IncrementalRequestsPerStream, &r.IncrementalCPUMsPerStream, &r.ChangeToEventMs, &r.TimelineP50Ms,
		&r.TimelineP99Ms, &r.InsightsMs, &r.SearchMs, &r.HeapPeakMB, &r.RSSPeakMB} {
		switch {
		case *p >= 1000:
			*p = math.Round(*p)
		default:
			*p = math.Round(*p*1000) / 1000
		}
	}
}

// benchGoals are the goals, for the table.
var benchGoals = map[string]struct {
	text string
	ok   func(BenchResult) bool
}{
	"sync_ratio":                      {"≤ 1.2", func(r BenchResult) bool { return r.SyncRatio <= 1.2 }},
	"requests":                        {"≤ 1.05 × min", func(r BenchResult) bool { return float64(r.Requests) <= 1.05*float64(r.RequestsMin) }},
	"ingest_items_per_s":              {"≥ 40,000", func(r BenchResult) bool { return r.IngestItemsPerS >= 40000 }},
	"ingest_vs_raw":                   {"≥ 0.5", func(r BenchResult) bool { return r.IngestVsRaw >= 0.5 }},
	"incremental_requests_per_stream": {"1", func(r BenchResult) bool { return r.IncrementalRequestsPerStream <= 1 }},
	"incremental_cpu_ms_per_stream":   {"≤ 5", func(r BenchResult) bool { return r.IncrementalCPUMsPerStream <= 5 }},
	"change_to_event_ms":              {"≤ 50", func(r BenchResult) bool { return r.ChangeToEventMs <= 50 }},
	"timeline_p99_ms":                 {"≤ 2", func(r BenchResult) bool { return r.TimelineP99Ms <= 2 }},
	"insights_ms":                     {"≤ 50", func(r BenchResult) bool { return r.InsightsMs <= 50 }},
	"search_ms":                       {"≤ 20", func(r BenchResult) bool { return r.SearchMs <= 20 }},
	"heap_peak_mb":                    {"≤ 150", func(r BenchResult) bool { return r.HeapPeakMB <= 150 }},
}

func (r *benchReport) printTable(w io.Writer) error {
	res := r.Result
	fmt.Fprintf(w, "Rapport bench — scenario %s, latency %s, %s/%s, %d CPUs, %s\n", r.Opts.Scenario, r.Opts.Latency,
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), r.Duration.Round(time.Second))
	fmt.Fprintf(w, "Synced %d items (%s) in %d streams; query figures over %d timeline items.\n\n",
		r.Work.Items(), r.Work.describe(), len(r.Work.Streams), r.Items)
	var m map[string]any
	b, _ := json.Marshal(res)
	_ = json.Unmarshal(b, &m)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FIGURE\tVALUE\tGOAL\t")
	for _, k := range benchKeys() {
		g, has := benchGoals[k]
		goal, verdict := "–", ""
		if has {
			goal = g.text
			verdict = "met"
			if !g.ok(res) {
				verdict = "MISSED"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k, fmtFigure(m[k]), goal, verdict)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nLower bound: %s\n", r.Formula)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "Note: %s\n", n)
	}
	return nil
}

// benchKeys lists the JSON keys in their order.
func benchKeys() []string {
	b, _ := json.Marshal(BenchResult{})
	dec := json.NewDecoder(strings.NewReader(string(b)))
	var keys []string
	_, _ = dec.Token()
	for dec.More() {
		t, _ := dec.Token()
		keys = append(keys, t.(string))
		var skip any
		_ = dec.Decode(&skip)
	}
	return keys
}

func fmtFigure(v any) string {
	f, ok := v.(float64)
	if !ok {
		return fmt.Sprint(v)
	}
	if f == math.Trunc(f) && math.Abs(f) >= 100 {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.3g", f)
}

var errBenchInterrupted = errors.New("the benchmark was interrupted")
