package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"rapport/backend/model"
	"rapport/backend/store"
)

// Version is stamped at build time (-ldflags "-X rapport/app.Version=...").
var Version = "dev"

// cli carries what every command needs.
type cli struct {
	stdout, stderr io.Writer
	assets         fs.FS
	dataDir        string
	demo           bool
	jsonOut        bool
	clientID       string // --client-id
	authority      string // --authority
	// lockAs is set for the commands that write (instance.go): open takes
	// the data directory's writer lock in that name.
	lockAs string
}

type command struct {
	path  string // "clients add"
	args  string // positional synopsis
	short string
	flags func(fs *pflag.FlagSet)
	run   func(c *cli, fs *pflag.FlagSet, args []string) error
	// hidden commands are for tests and tools, not listed in --help.
	hidden bool
}

// usageError is a mistake in how a command was called: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// valueFlags take a value as the next word; the command finder skips it.
var valueFlags = map[string]bool{"--data-dir": true, "--addr": true, "--scenario": true, "--latency": true,
	"--faults": true, "--client-id": true, "--authority": true, "--limit": true, "--domain": true, "--account": true, "--format": true, "--client": true, "--seed": true, "--out": true, "--cpuprofile": true}

func commands() []*command {
	return []*command{
		{path: "account add", short: "sign in to a Microsoft 365 account", flags: func(f *pflag.FlagSet) {
			f.Bool("no-browser", false, "print the sign-in URL instead of opening a browser, then wait")
			f.Bool("device-code", false, "sign in with a code on another device (for SSH / headless use)")
			f.Bool("files", false, "also ask for the OneDrive and SharePoint scopes")
		}, run: cmdAccountAdd},
		{path: "account list", short: "list accounts and their state", run: cmdAccountList},
		{path: "account reauth", args: "<upn>", short: "sign in again / add scopes", flags: func(f *pflag.FlagSet) {
			f.Bool("files", false, "also ask for the OneDrive and SharePoint scopes")
			f.Bool("no-browser", false, "print the sign-in URL instead of opening a browser, then wait")
		}, run: cmdAccountReauth},
		{path: "account remove", args: "<upn>", short: "sign out (--purge also deletes its data)", flags: func(f *pflag.FlagSet) {
			f.Bool("purge", false, "also delete the account's synced data")
		}, run: cmdAccountRemove},
		{path: "sync", short: "sync headlessly; progress on stderr", flags: func(f *pflag.FlagSet) {
			f.Bool("once", false, "one pass, then exit (0 when every stream is ok)")
			f.String("account", "", "only this account (UPN)")
		}, run: cmdSync},
		{path: "status", short: "accounts, streams, counts, last sync, last error", run: cmdStatus},
		{path: "clients", short: "list clients", run: cmdClients},
		{path: "clients add", args: "<name>", short: "add a client with its mail domains", flags: func(f *pflag.FlagSet) {
			f.StringArray("domain", nil, "a domain of the client (repeatable)")
		}, run: cmdClientsAdd},
		{path: "clients map-folder", args: "<drive>:<path> <client>", short: "map a folder to a client (drive: onedrive, a library's name or a drive id)", flags: func(f *pflag.FlagSet) {
			f.String("account", "", "account (UPN), when several have the drive")
		}, run: cmdMapFolder},
		{path: "clients unmap-folder", args: "<drive>:<path>", short: "remove a folder mapping", flags: func(f *pflag.FlagSet) {
			f.String("account", "", "account (UPN), when several have the drive")
		}, run: cmdUnmapFolder},
		{path: "timeline", args: "<client>", short: "a client's timeline, newest first", flags: func(f *pflag.FlagSet) {
			f.Int("limit", 50, "at most this many items")
		}, run: cmdTimeline},
		{path: "suggestions", short: "suggested clients", run: cmdSuggestions},
		{path: "folders", short: "drive folders and their clients", run: cmdFolders},
		{path: "libraries", short: "SharePoint libraries being synced", run: cmdLibraries},
		{path: "libraries add", args: "<site URL | site id>", short: "sync a SharePoint site's libraries", flags: func(f *pflag.FlagSet) {
			f.String("account", "", "account (UPN)")
		}, run: cmdLibrariesAdd},
		{path: "export", short: "export timeline and figures", flags: func(f *pflag.FlagSet) {
			f.String("client", "", "client name (default: every client)")
			f.String("format", "", "csv or json (default: from --out's extension)")
			f.String("out", "", "write to this file instead of standard output")
		}, run: cmdExport},
		{path: "serve", short: "the same UI in a browser on loopback", flags: func(f *pflag.FlagSet) {
			f.String("addr", "127.0.0.1:0", "loopback address to listen on")
		}, run: cmdServe},
		{path: "sim", short: "run the Microsoft 365 simulator on its own", flags: func(f *pflag.FlagSet) {
			f.String("addr", "127.0.0.1:8765", "address to listen on")
			f.String("scenario", "demo", "demo, or heavy / small (the benchmark's tenants)")
			f.Duration("latency", 0, "added to every request")
			f.String("faults", "", "fault injection spec, e.g. 429/2@messages/delta*3,drop*1,signin=admin_approval (see backend/graphsim/faults.go)")
		}, run: cmdSim},
		{path: "sim browse", args: "<url>", short: "complete a simulator sign-in or admin consent (RAPPORT_BROWSER for tests)", run: cmdSimBrowse, hidden: true},
		{path: "sim faults", args: "<control URL> <spec>", short: "change a running simulator's faults", run: cmdSimFaults, hidden: true},
		{path: "bench", short: "the performance benchmark (docs/PERFORMANCE.md)", flags: benchFlags, run: cmdBench},
	}
}

// Main runs the command line and returns the process exit code.
func Main(args []string, assets fs.FS, stdout, stderr io.Writer) int {
	setMemoryLimit() // memory.go
	c := &cli{stdout: stdout, stderr: stderr, assets: assets}
	cmds := commands()
	words := commandWords(args)
	var cmd *command
	for n := len(words); n > 0 && cmd == nil; n-- {
		p := strings.Join(words[:n], " ")
		for _, k := range cmds {
			if k.path == p {
				cmd = k
			}
		}
	}
	fset := pflag.NewFlagSet("rapport", pflag.ContinueOnError)
	fset.SetOutput(io.Discard)
	fset.StringVar(&c.dataDir, "data-dir", "", "where Rapport keeps its data (default "+DefaultDataDir()+")")
	fset.BoolVar(&c.demo, "demo", false, "use the built-in demo tenant (no Microsoft account needed)")
	fset.StringVar(&c.clientID, "client-id", "", "application (client) ID of your Entra app registration (overrides RAPPORT_CLIENT_ID and config.json)")
	fset.StringVar(&c.authority, "authority", "", "sign-in authority: https://login.microsoftonline.com/<tenant>, or just the tenant (overrides RAPPORT_AUTHORITY and config.json)")
	help := fset.BoolP("help", "h", false, "show help")
	version := fset.Bool("version", false, "print the version")
	if cmd != nil && cmd.flags != nil {
		cmd.flags(fset)
	}
	if cmd != nil && hasJSON(cmd.path) {
		fset.BoolVar(&c.jsonOut, "json", false, "machine-readable output")
	}
	if err := fset.Parse(args); err != nil {
		fmt.Fprintf(stderr, "rapport: %v. Run `rapport --help`.\n", err)
		return 2
	}
	if err := checkGlobalFlags(c); err != nil {
		fmt.Fprintf(stderr, "rapport: %v. Run `rapport --help`.\n", err)
		return 2
	}
	if *version {
		fmt.Fprintf(stdout, "rapport %s\n", Version)
		return 0
	}
	if cmd == nil && len(words) > 0 {
		fmt.Fprintf(stderr, "rapport: unknown command %q. Run `rapport --help` for the list.\n", strings.Join(words, " "))
		return 2
	}
	if *help {
		if cmd == nil {
			printUsage(stdout, cmds)
		} else {
			printCommandHelp(stdout, cmd, fset)
		}
		return 0
	}
	if cmd != nil {
		c.lockAs = lockName(cmd.path) // instance.go
	}
	if cmd == nil {
		return runDesktop(c)
	}
	pos := fset.Args()[len(strings.Fields(cmd.path)):]
	if err := cmd.run(c, fset, pos); err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "rapport %s: %s\nUsage: rapport %s %s (see --help)\n", cmd.path, ue.msg, cmd.path, cmd.args)
			return 2
		}
		err = c.storeError(err)
		fmt.Fprintf(stderr, "rapport %s: %s\n", cmd.path, sentence(err))
		var d interface{ DetailLines() []string }
		if errors.As(err, &d) {
			for _, l := range d.DetailLines() {
				fmt.Fprintln(stderr, l)
			}
		}
		return 1
	}
	return 0
}

func hasJSON(path string) bool {
	switch path {
	case "status", "clients", "timeline", "suggestions", "folders", "libraries", "account list", "bench":
		return true
	}
	return false
}

// commandWords returns the leading positional words (flags and their values
// skipped), which name the command.
func commandWords(args []string) []string {
	var words []string
	for i := 0; i < len(args) && len(words) < 2; i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if strings.HasPrefix(a, "-") {
			if valueFlags[a] {
				i++
			}
			continue
		}
		words = append(words, a)
	}
	return words
}

func printUsage(w io.Writer, cmds []*command) {
	fmt.Fprintln(w, "Rapport — your Microsoft 365 client activity, on your laptop.")
	fmt.Fprintln(w, "\nUsage:\n  rapport                 open the desktop app\n  rapport --demo          open it on the built-in demo tenant")
	fmt.Fprintln(w, "  rapport <command> [flags]\n\nCommands:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, k := range cmds {
		if k.hidden {
			continue
		}
		fmt.Fprintf(tw, "  %s %s\t%s\n", k.path, k.args, k.short)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nGlobal flags:\n  --data-dir DIR     where Rapport keeps its data\n  --demo             use the built-in demo tenant\n  --client-id ID     your Entra app registration's application (client) ID\n  --authority URL    https://login.microsoftonline.com/<tenant> (or just the tenant)\n  --version          print the version")
	fmt.Fprintln(w, "\nEnvironment: RAPPORT_CLIENT_ID, RAPPORT_AUTHORITY, RAPPORT_GRAPH_URL, RAPPORT_BROWSER (a browser command; the sign-in URL is its last argument)")
}

func printCommandHelp(w io.Writer, k *command, fset *pflag.FlagSet) {
	fmt.Fprintf(w, "rapport %s %s\n  %s\n\nFlags:\n%s", k.path, k.args, k.short, fset.FlagUsages())
}

// sentence renders an error as one line a user can act on.
func sentence(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

func notYet(c *cli, _ *pflag.FlagSet, _ []string) error {
	return errors.New("this command is not available in this version of Rapport yet")
}

// openFailed is the error of a store that did not open (c.open): the
// command line has already said why, in its own words (storeOpenError).
type openFailed struct{ err error }

func (e *openFailed) Error() string { return e.err.Error() }
func (e *openFailed) Unwrap() error { return e.err }

// storeError words a command's error that met a full disk, a store held
// by another program or a damaged page of an open store. A damaged page
// also leaves the mark a write leaves (store.NoteDamage), so that the next
// command checks the store before using it; the demo's store is made anew
// at each start: nothing to mark. A store that did not open was told by
// storeOpenError already.
func (c *cli) storeError(err error) error {
	var failed *openFailed
	if errors.As(err, &failed) {
		return err
	}
	switch {
	case store.Full(err):
		return fmt.Errorf("the disk is full (%s): free some space, then run the command again", sentence(err))
	case store.Busy(err):
		return fmt.Errorf("another program is using Rapport's store (%s); close it, then try again", sentence(err))
	case c.demo:
		return err
	}
	dataDir := c.dataDir
	if dataDir == "" {
		dataDir = DefaultDataDir()
	}
	if !store.NoteDamage(filepath.Join(dataDir, "rapport.db"), err) {
		return err
	}
	return fmt.Errorf("Rapport's store is damaged (%s): run the command again, which checks the store first", sentence(err))
}

func (c *cli) open(demo bool, opts ...func(*Config)) (*App, error) {
	a, err := c.openApp(demo, opts...)
	if err != nil {
		return nil, &openFailed{err}
	}
	return a, nil
}

func (c *cli) openApp(demo bool, opts ...func(*Config)) (*App, error) {
	level := slog.LevelWarn
	if os.Getenv("RAPPORT_LOG") == "debug" {
		level = slog.LevelDebug
	}
	cfg := Config{DataDir: c.dataDir, Demo: demo, ClientID: c.clientID, Authority: c.authority,
		Log: slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: level}))}
	for _, o := range opts {
		o(&cfg)
	}
	if c.lockAs == "" {
		return New(cfg)
	}
	// A writer: one per data directory (instance.go).
	dataDir := cfg.DataDir
	if dataDir == "" {
		dataDir = DefaultDataDir()
	}
	lock, err := lockDataDir(dataDir, demo, c.lockAs)
	if err != nil {
		return nil, err
	}
	a, err := New(cfg)
	if err != nil {
		lock.release()
		return nil, err
	}
	a.instance = lock
	return a, nil
}

// openInBackground is for the commands that open a window or a browser
// page, which show the store's opening (opening.go).
func openInBackground(cfg *Config) { cfg.OpenInBackground = true }

func (c *cli) printJSON(v any) error {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func cmdClients(c *cli, _ *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return &usageError{fmt.Sprintf("unknown subcommand %q", args[0])}
	}
	a, err := c.open(false)
	if err != nil {
		return err
	}
	defer a.close()
	list, err := a.Clients()
	if err != nil {
		return err
	}
	if c.jsonOut {
		withFigures, err := a.clientsJSON() // cli_insights.go
		if err != nil {
			return err
		}
		return c.printJSON(withFigures)
	}
	if len(list) == 0 {
		fmt.Fprintln(c.stdout, "No clients yet. Add one with `rapport clients add <name> --domain <domain>`.")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CLIENT\tDOMAINS\tITEMS\tLAST CONTACT")
	for _, x := range list {
		last := "—"
		if x.LastContact != nil {
			last = x.LastContact.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", x.Name, strings.Join(x.Domains, ", "), x.Items, last)
	}
	return tw.Flush()
}

func cmdClientsAdd(c *cli, f *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return &usageError{"give the client's name (quote it if it has spaces)"}
	}
	domains, _ := f.GetStringArray("domain")
	a, err := c.open(false)
	if err != nil {
		return err
	}
	defer a.close()
	cl, err := a.AddClient(args[0], domains)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Added client %s (%s)\n", cl.Name, strings.Join(cl.Domains, ", "))
	return nil
}

func cmdTimeline(c *cli, f *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return &usageError{"give the client's name"}
	}
	limit, _ := f.GetInt("limit")
	if limit <= 0 {
		return &usageError{"--limit must be a positive number"}
	}
	a, err := c.open(false)
	if err != nil {
		return err
	}
	defer a.close()
	items, err := a.timelineByName(args[0], limit)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return fmt.Errorf("no client named %q; `rapport clients` lists them", args[0])
		}
		return err
	}
	if c.jsonOut {
		if items == nil {
			items = []model.TimelineItem{}
		}
		return c.printJSON(items)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	for _, it := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", it.At.Local().Format("2006-01-02 15:04"), it.Kind, it.Direction, oneLine(it.Counterpart), oneLine(it.Title))
	}
	return tw.Flush()
}

// oneLine keeps untrusted text from breaking a terminal table: control
// characters (escape sequences included) become spaces, and so do the
// explicit bidi controls, with which a subject such as "Invoice
// \u202Egpj.exe" displays as "Invoice exe.jpg" and reverses the columns
// after it (right-to-left text needs none of them to display right).
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || isBidiControl(r) {
			return ' '
		}
		return r
	}, s)
}

// isBidiControl reports the explicit directional formatting characters:
// embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069) and
// the marks (U+200E, U+200F, U+061C).
func isBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

func cmdServe(c *cli, f *pflag.FlagSet, _ []string) error {
	addr, _ := f.GetString("addr")
	a, err := c.open(c.demo, openInBackground)
	if err != nil {
		return err
	}
	defer a.close()
	b, err := a.serve(addr, c.assets)
	if err != nil {
		return err
	}
	defer b.Close()
	fmt.Fprintln(c.stdout, b.URL())
	ctx, stop := signalContext()
	defer stop()
	a.runScheduler(ctx)
	return nil
}
