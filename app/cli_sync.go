package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	gosync "sync"
	"text/tabwriter"

	"github.com/spf13/pflag"

	rsync "rapport/backend/sync"
)

// `rapport sync` and `rapport status`.

func cmdSync(c *cli, f *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return &usageError{"takes no arguments"}
	}
	once, _ := f.GetBool("once")
	upn, _ := f.GetString("account")
	a, err := c.open(c.demo)
	if err != nil {
		return err
	}
	defer a.close()
	ch := a.hub.subscribe()
	pr := newProgressPrinter(c.stderr)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range ch {
			pr.event(ev)
		}
	}()
	// stopPrinter drains the events already published, so the printer's
	// lines all come before the last one.
	stopPrinter := gosync.OnceFunc(func() {
		a.hub.unsubscribe(ch)
		close(ch)
		<-done
	})
	defer func() {
		stopPrinter()
		pr.finish()
	}()
	ctx, stop := signalContext()
	defer stop()
	if once {
		err := a.syncAll(ctx, upn)
		stopPrinter()
		if err != nil {
			pr.finish()
			return errors.New(rsync.Explain(err))
		}
		pr.line("sync: done")
		return nil
	}
	if upn != "" {
		if _, err := a.st().AccountByUPN(ctx, upn); err != nil {
			return err
		}
	}
	accts, err := a.st().Accounts(ctx)
	if err != nil {
		return err
	}
	if len(accts) == 0 {
		return errors.New("no account yet: sign in with `rapport account add`")
	}
	// Headless and long-running: the background intervals (the window is
	// never focused), until Ctrl-C.
	a.runScheduler(ctx)
	return nil
}

// progressPrinter renders sync:progress on stderr: one line rewritten in
// place on a terminal, one line per finished stream otherwise (logs, CI).
type progressPrinter struct {
	w       io.Writer
	tty     bool
	streams map[string]rsync.Progress // account \x00 stream id -> last progress
	shown   bool                      // a live line is on screen
}

func newProgressPrinter(w io.Writer) *progressPrinter {
	p := &progressPrinter{w: w, streams: map[string]rsync.Progress{}}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progressPrinter) event(ev event) {
	switch ev.Name {
	case rsync.EventProgress:
		var pg rsync.Progress
		if json.Unmarshal(ev.Data, &pg) != nil {
			return
		}
		p.streams[fmt.Sprintf("%s\x00%d", pg.Account, pg.StreamID)] = pg
		if !p.tty {
			if pg.Done {
				fmt.Fprintf(p.w, "sync: %s: %s: %d items\n", pg.Account, pg.Stream, pg.Items)
			}
			return
		}
		p.render(pg)
	case rsync.EventFirstComplete:
		var sum rsync.FirstComplete
		if json.Unmarshal(ev.Data, &sum) == nil {
			p.line(fmt.Sprintf("sync: %s: found %d messages, %d meetings with %d clients", sum.Account, sum.Messages, sum.Meetings, sum.Clients))
		}
	}
}

// render rewrites the live line: streams done, items so far, the stream
// that just moved.
func (p *progressPrinter) render(last rsync.Progress) {
	done, items := 0, 0
	keys := make([]string, 0, len(p.streams))
	for k := range p.streams {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := p.streams[k]
		items += s.Items
		if s.Done {
			done++
		}
	}
	cur := fmt.Sprintf("%s %d", last.Stream, last.Items)
	if last.Total > 0 {
		cur += fmt.Sprintf("/%d", last.Total)
	}
	line := fmt.Sprintf("sync: %d/%d streams done, %d items · %s", done, len(p.streams), items, cur)
	if len(line) > 100 {
		line = line[:100]
	}
	fmt.Fprintf(p.w, "\r\033[K%s", oneLine(line))
	p.shown = true
}

// line prints a line of its own, below the live line if one is shown.
func (p *progressPrinter) line(s string) {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
	fmt.Fprintln(p.w, s)
}

func (p *progressPrinter) finish() {
	if p.shown {
		fmt.Fprintln(p.w)
		p.shown = false
	}
}

func cmdStatus(c *cli, _ *pflag.FlagSet, _ []string) error {
	a, err := c.open(false)
	if err != nil {
		return err
	}
	defer a.close()
	st, err := a.Status()
	if err != nil {
		return err
	}
	if c.jsonOut {
		return c.printJSON(st)
	}
	if len(st.Accounts) == 0 {
		fmt.Fprintln(c.stdout, "No account yet. Sign in with `rapport account add`.")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	for _, acct := range st.Accounts {
		fmt.Fprintf(tw, "%s (%s)\n", acct.UPN, oneLine(acct.DisplayName))
		if acct.FirstSync != nil {
			fmt.Fprintf(tw, "  found %d messages, %d meetings with %d clients\n", acct.FirstSync.Messages, acct.FirstSync.Meetings, acct.FirstSync.Clients)
		}
		if acct.FilesError != "" {
			fmt.Fprintf(tw, "  files: %s\n", acct.FilesError)
		}
		if b := acct.Backfill; b != nil && !b.Done {
			fmt.Fprintf(tw, "  loading older history back to %s: %d messages so far\n", b.From.Format("2006-01-02"), b.Items)
		}
		for _, s := range acct.Streams {
			last := "never"
			if s.LastSync != nil {
				last = s.LastSync.Local().Format("2006-01-02 15:04")
			}
			state := s.State
			if s.Error != "" {
				state = s.Error
			}
			fmt.Fprintf(tw, "  %s\t%s\t%d items\tlast sync %s\t%s\n", s.Kind, oneLine(s.Name), s.Items, last, strings.TrimSpace(state))
		}
	}
	return tw.Flush()
}
