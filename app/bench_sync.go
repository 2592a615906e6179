package app

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"rapport/backend/graph"
	"rapport/backend/graphsim"
	"rapport/backend/model"
	"rapport/backend/store"
	rsync "rapport/backend/sync"
)

// benchEnv is one simulator and one App wired to it exactly as `--demo`
// wires the demo tenant (accounts.go wire: the real authenticator with
// tokens in memory, the real store in its own directory, the real engine),
// signed in, with the tenant's clients created.
type benchEnv struct {
	sim  *graphsim.Server
	app  *App
	acct model.Account
	dir  string
}

// benchPageCap is the simulator's page cap for mail and calendar: the most
// items Graph returns per page. benchDrivePageCap is the largest $top a
// drive delta honours (Graph and the simulator: 1000).
const (
	benchPageCap      = 100
	benchDrivePageCap = 1000
)

func newBenchEnv(scenario string, latency time.Duration, dir string) (*benchEnv, error) {
	sim, err := graphsim.New(graphsim.Options{Scenario: scenario, Latency: latency, PageCap: benchPageCap})
	if err != nil {
		return nil, err
	}
	if err := sim.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	cfg := Config{DataDir: dir, Demo: true}.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	a := &App{cfg: cfg, ctx: ctx, cancel: cancel, hub: newHub(), log: cfg.Log, http: sim.HTTPClient()}
	a.demo = &demoTenant{sim: sim, log: a.log} // closed with the App
	a.cfg.GraphURL = sim.GraphURL()
	env := &benchEnv{sim: sim, app: a, dir: dir}
	if err := a.wire(dir, store.OpenProgress{}); err != nil {
		a.close()
		return nil, err
	}
	if err := env.setup(); err != nil {
		a.close()
		return nil, err
	}
	return env, nil
}

// setup does what a user does before the first sync: sign in with the mail
// and file scopes, create the clients, add the SharePoint libraries of
// every followed site. None of it is timed.
func (e *benchEnv) setup() error {
	a := e.app
	ctx, cancel := context.WithTimeout(a.ctx, 2*time.Minute)
	defer cancel()
	acct, err := a.signIn(ctx, allScopes())
	if err != nil {
		return fmt.Errorf("sign in to the simulator: %w", err)
	}
	e.acct = acct
	for _, c := range e.sim.DemoClients() {
		if _, err := a.AddClient(c.Name, c.Domains); err != nil {
			return fmt.Errorf("create client %s: %w", c.Name, err)
		}
	}
	for _, st := range e.sim.Sites() {
		if !st.Followed {
			continue
		}
		site, libs, err := a.eng().SiteLibraries(ctx, acct, st.WebURL)
		if err != nil {
			return fmt.Errorf("list the libraries of %s: %w", st.WebURL, err)
		}
		for _, d := range libs {
			if _, err := a.eng().AddLibrary(ctx, acct, site, d); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *benchEnv) close() {
	if e != nil && e.app != nil {
		e.app.close()
	}
}

// graphRequests counts the Graph requests (not sign-in) in recs.
func graphRequests(recs []graphsim.RequestRecord) int {
	n := 0
	for _, r := range recs {
		if strings.HasPrefix(r.Path, "/v1.0/") {
			n++
		}
	}
	return n
}

// ---- what the sync has to do, and its lower bound ----------------------

// streamWork is one delta stream's share of an initial sync.
type streamWork struct {
	Name, Kind string
	Host       string // the concurrency domain: "mailbox", or a drive host
	Items      int
	Pages      int
}

// syncWork is everything an initial sync of the tenant must fetch.
type syncWork struct {
	Streams   []streamWork
	Discovery int // minimum discovery requests (mailbox host)
	// DriveDiscovery are the minimum discovery requests per drive host.
	DriveDiscovery map[string]int
	PageCap        int
	Messages       int
	Events         int
	Drive          int
}

func (w syncWork) Items() int { return w.Messages + w.Events + w.Drive }

func (w syncWork) describe() string {
	s := fmt.Sprintf("%d messages, %d calendar items", w.Messages, w.Events)
	if w.Drive > 0 {
		s += fmt.Sprintf(", %d drive items", w.Drive)
	}
	return s
}

// wellKnownLookups is how many well-known folder names Rapport resolves at
// discovery (sync/discover.go: inbox, sentitems, deleteditems, archive and
// the eight excluded ones). Graph v1.0 has no wellKnownName property on
// mailFolder, so each is one GET; a name the mailbox lacks answers 404,
// which costs the same.
const wellKnownLookups = 12

// measureWork derives the work of a sync from the simulator's truth (item
// counts per folder and calendar) and the streams the engine created.
func measureWork(ctx context.Context, env *benchEnv) (syncWork, error) {
	w := syncWork{PageCap: benchPageCap}
	streams, err := env.app.st().Streams(ctx, env.acct.ID)
	if err != nil {
		return w, err
	}
	folders := env.sim.Folders()
	total := map[string]int{}
	parents := 0
	for _, f := range folders {
		total[f.ID] = f.TotalItemCount
		if f.ChildFolderCount > 0 {
			parents++
		}
	}
	// The folder tree: the top level in one page ($top up to 1000), one
	// page per folder with children; the well-known names; the calendars.
	w.Discovery = 1 + parents + wellKnownLookups + 1
	events := env.sim.Events()
	rows, err := env.app.st().Drives(ctx, env.acct.ID)
	if err != nil {
		return w, err
	}
	drives := map[string]store.DriveRow{}
	for _, r := range rows {
		drives[store.DriveResource(r.ID, r.RootID)] = r
	}
	w.DriveDiscovery = map[string]int{}
	for _, s := range streams {
		sw := streamWork{Name: s.Name, Kind: s.Kind, Host: "mailbox"}
		switch s.Kind {
		case model.StreamMail:
			sw.Items = total[s.Resource]
			w.Messages += sw.Items
		case model.StreamCalendar:
			for _, e := range events {
				if e.CalendarID == s.Resource && overlaps(e, s.WindowStart, s.WindowEnd) {
					sw.Items++
				}
			}
			w.Events += sw.Items
		case model.StreamDrive:
			row, ok := drives[s.Resource]
			if !ok {
				continue
			}
			items, err := env.sim.DriveItems(row.GraphID, "")
			if err != nil {
				return w, err
			}
			sw.Host, sw.Items = row.Host, len(items)
			w.Drive += sw.Items
			// The simulator, like Graph, repeats items across a round's
			// pages: one in seven comes again, and is served again.
			served := sw.Items + (sw.Items+6)/7
			sw.Pages = max(1, (served+benchDrivePageCap-1)/benchDrivePageCap)
			w.Streams = append(w.Streams, sw)
			if row.Origin == model.DriveOneDrive {
				w.DriveDiscovery[row.Host]++ // GET /me/drive
			}
			continue
		default:
			continue
		}
		sw.Pages = max(1, (sw.Items+w.PageCap-1)/w.PageCap)
		w.Streams = append(w.Streams, sw)
	}
	return w, nil
}

func overlaps(e model.Event, start, end time.Time) bool {
	if e.End.Equal(e.Start) {
		return !e.Start.Before(start) && e.Start.Before(end)
	}
	return e.Start.Before(end) && e.End.After(start)
}

// lowerBound is the network lower bound of the work: on each host, a
// stream's pages are sequential and at most slots requests are in flight;
// the hosts proceed in parallel; every request costs latency. A stream can
// start once one discovery request has listed it.
func (w syncWork) lowerBound(latency time.Duration, slots int) (time.Duration, int, string) {
	type hostWork struct{ requests, chain int }
	hosts := map[string]*hostWork{"mailbox": {requests: w.Discovery}}
	for _, s := range w.Streams {
		h := hosts[s.Host]
		if h == nil {
			h = &hostWork{requests: w.DriveDiscovery[s.Host]}
			hosts[s.Host] = h
		}
		h.requests += s.Pages
		h.chain = max(h.chain, s.Pages)
	}
	var names []string
	for n := range hosts {
		names = append(names, n)
	}
	sort.Strings(names)
	worst, min := 0, 0
	var parts []string
	for _, n := range names {
		h := hosts[n]
		rounds := max(1+h.chain, (h.requests+slots-1)/slots)
		worst = max(worst, rounds)
		min += h.requests
		parts = append(parts, fmt.Sprintf("%s: max(1 + %d, ceil(%d / %d)) = %d", n, h.chain, h.requests, slots, rounds))
	}
	formula := fmt.Sprintf("latency × max over hosts of max(1 + longest stream's pages, ceil(requests / %d)); "+
		"pages = max(1, ceil(items / %d)) per mail or calendar stream, ceil(items × 8/7 / %d) per drive (the service repeats one item in seven); "+
		"requests = discovery (mailbox %d, /me/drive 1) + Σ pages; %s → %d × %s = %s",
		slots, w.PageCap, benchDrivePageCap, w.Discovery, strings.Join(parts, "; "), worst, latency, time.Duration(worst)*latency)
	return time.Duration(worst) * latency, min, formula
}

// ---- phase 1: the timed sync ------------------------------------------

func benchSyncPhase(ctx context.Context, o benchOptions, tmp string, rep *benchReport) error {
	o.progress("building the %s tenant, signing in (latency %s)", o.Scenario, o.Latency)
	env, err := newBenchEnv(o.Scenario, o.Latency, filepath.Join(tmp, "sync"))
	if err != nil {
		return err
	}
	defer env.close()

	runtime.GC()
	baseHeap := heapBytes()
	mem := startMemSampler()
	before := len(env.sim.Requests())
	o.progress("initial sync at %s per request", o.Latency)
	t0 := time.Now()
	err = env.app.syncAll(ctx, "")
	wall := time.Since(t0)
	heapPeak, rssPeak := mem.stop()
	livePeak := mem.live.Load()
	if err != nil {
		return fmt.Errorf("the benchmark's sync failed: %w", err)
	}
	if ctx.Err() != nil {
		return errBenchInterrupted
	}
	recs := env.sim.Requests()
	work, err := measureWork(ctx, env)
	if err != nil {
		return err
	}
	lb, reqMin, formula := work.lowerBound(o.Latency, graph.DefaultConcurrency)
	rep.Work, rep.Formula = work, formula
	r := &rep.Result
	r.SyncWallS = wall.Seconds()
	r.SyncLowerBoundS = lb.Seconds()
	if lb > 0 {
		r.SyncRatio = wall.Seconds() / lb.Seconds()
	} else {
		rep.note("with --latency 0 there is no network lower bound; sync_ratio is reported as 0")
	}
	r.Requests = graphRequests(recs[before:])
	r.RequestsMin = reqMin
	r.HeapPeakMB = float64(heapPeak) / (1 << 20)
	r.RSSPeakMB = float64(rssPeak) / (1 << 20)
	rep.note("heap and RSS peaks are the whole process's, which includes the in-process simulator holding the tenant (%.0f MB of heap before the sync began) and rendering its pages; the live heap peaked at %.0f MB",
		float64(baseHeap)/(1<<20), float64(livePeak)/(1<<20))
	if work.Drive == 0 {
		rep.note("no drive was synced: the sync figures cover mail and calendar only")
	}
	o.progress("synced %d items in %.2fs (lower bound %.2fs), %d requests (minimum %d)", work.Items(), wall.Seconds(), lb.Seconds(), r.Requests, reqMin)

	if err := benchIncremental(ctx, o, env, rep); err != nil {
		return err
	}
	return benchChangeToEvent(ctx, o, env, rep)
}

// benchIncremental polls every stream the way the scheduler does (one
// SyncStream each) when nothing changed, a few times.
func benchIncremental(ctx context.Context, o benchOptions, env *benchEnv, rep *benchReport) error {
	streams, err := env.app.st().Streams(ctx, env.acct.ID)
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(streams))
	for _, s := range streams {
		ids = append(ids, s.ID)
	}
	// A poll comes minutes after the sync, not while its WAL is being
	// checkpointed and its garbage collected: both would count in the
	// process's CPU below. (It did not steady the figure: 4.1-6.0 ms per
	// stream from run to run of one build on this VM, before and after.)
	if err := settle(ctx, env.app.st().DB()); err != nil {
		return err
	}
	const rounds = 5
	o.progress("%d rounds with no change over %d streams", rounds, len(ids))
	var cpus []float64
	reqs := 0
	for i := 0; i < rounds; i++ {
		before := len(env.sim.Requests())
		c0 := cpuTime()
		if err := env.app.eng().SyncStreams(ctx, env.acct, ids); err != nil {
			return fmt.Errorf("an incremental round failed: %w", err)
		}
		cpus = append(cpus, float64(cpuTime()-c0)/float64(time.Millisecond)/float64(len(ids)))
		reqs += graphRequests(env.sim.Requests()[before:])
	}
	rep.Result.IncrementalRequestsPerStream = float64(reqs) / float64(rounds*len(ids))
	rep.Result.IncrementalCPUMsPerStream = median(cpus)
	rep.note("incremental CPU is the process's (user + system) over a round, so it includes the in-process simulator answering the polls")
	return nil
}

// benchChangeToEvent adds a client message in the simulator, polls the
// Inbox, and measures from the moment the simulator finished sending the
// delta page that carries it to the moment the App's data:changed event
// reaches a subscriber (the bridge's event hub, which is what the UI
// listens to).
func benchChangeToEvent(ctx context.Context, o benchOptions, env *benchEnv, rep *benchReport) error {
	var inboxID string
	for _, f := range env.sim.Folders() {
		if f.WellKnown == "inbox" {
			inboxID = f.ID
		}
	}
	streams, err := env.app.st().Streams(ctx, env.acct.ID)
	if err != nil {
		return err
	}
	var streamID int64
	for _, s := range streams {
		if s.Kind == model.StreamMail && s.Resource == inboxID {
			streamID = s.ID
		}
	}
	if streamID == 0 {
		return errors.New("bench: no Inbox stream")
	}
	client := env.sim.DemoClients()[0]
	me := env.sim.User()
	sub := env.app.hub.subscribe()
	defer env.app.hub.unsubscribe(sub)
	stamps := make(chan time.Time, 64)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case ev := <-sub:
				if ev.Name == rsync.EventDataChanged {
					stamps <- time.Now()
				}
			case <-done:
				return
			}
		}
	}()
	const n = 15
	o.progress("%d changes to data:changed", n)
	var lat []float64
	for i := 0; i < n; i++ {
		for len(stamps) > 0 {
			<-stamps
		}
		env.sim.AddMessage("inbox", model.Message{Subject: fmt.Sprintf("Bench change %d", i),
			From: model.Recipient{Name: "Bench Sender", Address: "bench.sender@" + client.Domains[0]},
			To:   []model.Recipient{{Name: me.DisplayName, Address: me.Mail}}})
		before := len(env.sim.Requests())
		if _, err := env.app.eng().SyncStream(ctx, env.acct, streamID); err != nil {
			return err
		}
		var at time.Time
		select {
		case at = <-stamps:
		case <-time.After(10 * time.Second):
			return errors.New("bench: no data:changed event after a change")
		}
		var page time.Time
		for _, r := range env.sim.Requests()[before:] {
			if strings.HasSuffix(r.Path, "/messages/delta") && r.Status == 200 {
				page = r.Done
			}
		}
		if page.IsZero() {
			return errors.New("bench: the change's delta page is not in the simulator's log")
		}
		lat = append(lat, float64(at.Sub(page))/float64(time.Millisecond))
	}
	rep.Result.ChangeToEventMs = median(lat)
	return nil
}

// ---- phase 2: ingest at zero latency and raw SQLite --------------------

func benchIngestPhase(ctx context.Context, o benchOptions, tmp string, rep *benchReport) (*benchEnv, error) {
	o.progress("ingest: the same tenant at zero latency")
	env, err := newBenchEnv(o.Scenario, 0, filepath.Join(tmp, "ingest"))
	if err != nil {
		return nil, err
	}
	runtime.GC()
	t0 := time.Now()
	if err := env.app.syncAll(ctx, ""); err != nil {
		env.close()
		return nil, fmt.Errorf("the benchmark's ingest sync failed: %w", err)
	}
	wall := time.Since(t0)
	work, err := measureWork(ctx, env)
	if err != nil {
		env.close()
		return nil, err
	}
	r := &rep.Result
	r.IngestItemsPerS = float64(work.Items()) / wall.Seconds()
	o.progress("ingested %d items in %.2fs; raw SQLite inserts of as many rows", work.Items(), wall.Seconds())
	// The raw figure is SQLite's in a quiet process (settle), and the
	// median of three: one figure swings by a factor of two from run to run
	// on a shared virtual disk (13,000-30,000 rows/s in one hour, same
	// code), and the ratio below swings with it.
	if err := settle(ctx, env.app.st().DB()); err != nil {
		env.close()
		return nil, err
	}
	var raws []float64
	for i := range 3 {
		raw, err := rawInsertRate(ctx, filepath.Join(tmp, fmt.Sprintf("raw%d", i)), work.Items(), benchPageCap)
		if err != nil {
			env.close()
			return nil, err
		}
		raws = append(raws, raw)
	}
	raw := median(raws)
	r.SQLiteRawRowsPerS = raw
	r.IngestVsRaw = r.IngestItemsPerS / raw
	return env, nil
}

// ---- measuring helpers -------------------------------------------------

func median(v []float64) float64 { return percentile(v, 50) }

// percentile is the nearest-rank percentile of v (p in 0..100).
func percentile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	k := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(k, 0), len(s)-1)]
}

var (
	heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	liveSample = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
)

// heapBytes is the heap occupied by objects, live or not yet swept: what
// runtime.MemStats calls HeapAlloc.
func heapBytes() uint64 {
	metrics.Read(heapSample)
	if heapSample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return heapSample[0].Value.Uint64()
}

// memSampler records the heap and RSS peaks while it runs.
type memSampler struct {
	heap, rss atomic.Uint64
	live      atomic.Uint64 // the heap the last GC found live
	stopc     chan struct{}
	done      chan struct{}
}

func startMemSampler() *memSampler {
	// Linux: reset the kernel's peak RSS (VmHWM) so the peak is this phase's.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	m := &memSampler{stopc: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			m.sample()
			select {
			case <-m.stopc:
				m.sample()
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *memSampler) sample() {
	if h := heapBytes(); h > m.heap.Load() {
		m.heap.Store(h)
	}
	metrics.Read(liveSample)
	if liveSample[0].Value.Kind() == metrics.KindUint64 {
		if l := liveSample[0].Value.Uint64(); l > m.live.Load() {
			m.live.Store(l)
		}
	}
	if r := rssBytes(); r > m.rss.Load() {
		m.rss.Store(r)
	}
}

func (m *memSampler) stop() (heap, rss uint64) {
	close(m.stopc)
	<-m.done
	rss = m.rss.Load()
	if hwm := procStatusKB("VmHWM"); hwm*1024 > rss {
		rss = hwm * 1024
	}
	return m.heap.Load(), rss
}

// rssBytes is the resident set size now (Linux; 0 elsewhere).
func rssBytes() uint64 { return procStatusKB("VmRSS") * 1024 }

func procStatusKB(key string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
