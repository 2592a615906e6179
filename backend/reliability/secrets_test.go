package reliability_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"rapport/backend/graphsim"
	"rapport/backend/model"
)

// TestNoSecretsAnywhere is suite 5. The real binary, run with umask 000 so
// that nothing is private by accident, signs in, syncs, refreshes expired
// tokens, fails in every way a user meets (throttling, a forbidden folder,
// a dead refresh token), is killed with SIGKILL mid-sync and dumps its
// goroutines on SIGQUIT (Go's crash output). Then every token string the
// simulator issued — access, refresh and id tokens, authorization codes —
// is searched for in every file of the data directory (the database, its
// WAL and SHM, the encrypted cache, the config), in everything the
// processes printed (debug logging on) and in their temporary directory:
// zero hits. And the data directory is 0700 and every file in it 0600.
func TestNoSecretsAnywhere(t *testing.T) {
	needKeychain(t)
	tn := newTenant(t, graphsim.Options{Seed: 31, Latency: 2 * time.Millisecond})
	tmp := t.TempDir()
	tn.env = append(tn.env, "RAPPORT_LOG=debug", "TMPDIR="+tmp)
	// Every process runs under umask 000: file modes must come from the
	// code, not from the user's shell.
	umask := syscall.Umask(0)
	defer syscall.Umask(umask)

	steps := []string{}
	step := func(name string, args ...string) {
		steps = append(steps, name)
		tn.run(t, 2*time.Minute, args...)
	}
	tn.mustRun(t, "account", "add")
	steps = append(steps, "sign-in")
	tn.mustRun(t, "clients", "add", "Contoso", "--domain", "contoso.com")
	tn.mustRun(t, "sync", "--once")
	steps = append(steps, "sync")

	// Refresh: the access tokens expire; the next sync refreshes silently.
	tn.sim.ExpireAccessTokens()
	tn.mustRun(t, "sync", "--once")
	// Tokens that live under 5 minutes are never cached: every call refreshes.
	tn.sim.SetFaults(graphsim.Faults{AccessTokenLifetime: 2 * time.Minute})
	tn.mustRun(t, "sync", "--once")
	steps = append(steps, "refresh")

	// Errors: throttling, a server error, a forbidden folder, an expired
	// token answer, then a dead refresh token ("sign in again").
	f, err := graphsim.ParseFaults("429/0.2@messages/delta*2,500@calendarView*2,403@mailFolders/*1+3,expired*2+1")
	if err != nil {
		t.Fatal(err)
	}
	tn.sim.SetFaults(f)
	tn.sim.AddMessage("inbox", tnMessage(tn))
	step("errors", "sync", "--once")
	tn.sim.SetFaults(graphsim.Faults{})
	tn.sim.ExpireAccessTokens()
	tn.sim.ExpireRefreshTokens()
	step("dead refresh token", "sync", "--once")
	tn.mustRun(t, "account", "reauth", tn.sim.User().UPN)
	steps = append(steps, "reauth")
	step("status", "status", "--json")
	step("account list", "account", "list", "--json")
	step("timeline", "timeline", "Contoso", "--json")

	// A crash: kill -9 in the middle of a full resync.
	tn.sim.InvalidateDeltaTokens()
	c := tn.start(t, fastPolls, "sync")
	time.Sleep(700 * time.Millisecond)
	c.kill()
	steps = append(steps, "kill -9")
	// Go's crash output: SIGQUIT dumps every goroutine's stack to stderr.
	tn.sim.InvalidateDeltaTokens()
	c = tn.start(t, fastPolls, "sync")
	time.Sleep(900 * time.Millisecond)
	_ = syscall.Kill(c.cmd.Process.Pid, syscall.SIGQUIT)
	c.wait(10 * time.Second)
	steps = append(steps, "SIGQUIT stack dump")
	if !strings.Contains(readLog(t, tn.log), "goroutine ") {
		t.Fatal("the SIGQUIT stack dump is not in the output")
	}
	// A browser bridge session: the page, settings saved (config.json),
	// API calls, Sync now, the event stream — every answer kept for the
	// search.
	serve := tn.start(t, nil, "serve")
	pageURL := waitForLine(t, tn.log, "http://127.0.0.1:")
	u, err := url.Parse(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	base, tok := "http://"+u.Host, u.Query().Get("token")
	answers, err := os.OpenFile(tn.log, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, args string) {
		req, _ := http.NewRequest("POST", base+"/api/call/"+method, strings.NewReader(args))
		req.Header.Set("X-Rapport-Token", tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		fmt.Fprintf(answers, "%s -> %d %s\n", method, resp.StatusCode, b)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", method, resp.StatusCode, b)
		}
	}
	if resp, err := http.Get(pageURL); err == nil {
		resp.Body.Close()
	}
	call("SaveSettings", fmt.Sprintf(`[{"clientId":%q,"authority":%q,"allowPersonalAccounts":false}]`, cliClientID, tn.sim.AuthorityURL()))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	if req, err := http.NewRequestWithContext(ctx, "GET", base+"/api/events?token="+tok, nil); err == nil {
		if resp, err := http.DefaultClient.Do(req); err == nil {
			go func() { _, _ = io.Copy(answers, resp.Body); resp.Body.Close() }()
		}
	}
	call("SyncNow", "[]")
	for _, m := range []string{"Status", "Accounts", "Clients", "Settings"} {
		call(m, "[]")
	}
	<-ctx.Done()
	cancel()
	serve.kill()
	answers.Close()
	steps = append(steps, "serve (settings saved, Sync now, API answers, event stream)")
	if _, err := os.Stat(filepath.Join(tn.data, "config.json")); err != nil {
		t.Fatalf("config.json was not written: %v", err)
	}

	issued := tn.sim.IssuedTokens()
	if len(issued) < 10 {
		t.Fatalf("only %d issued secrets", len(issued))
	}
	needles := secretNeedles(issued)
	roots := map[string]string{"data directory": tn.data, "temporary directory": tmp, "output": tn.log}
	files, bytesScanned := 0, 0
	for what, root := range roots {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Errorf("read %s: %v", p, err)
				return nil
			}
			files++
			bytesScanned += len(b)
			if hit := findSecret(b, needles); hit != "" {
				t.Errorf("%s: %s holds an issued secret (%s…)", what, p, hit[:min(12, len(hit))])
			}
			return nil
		})
	}
	// The scanner itself: a planted token is found.
	if findSecret([]byte("x "+issued[len(issued)-1]+" y"), needles) == "" {
		t.Fatal("the scanner does not find a planted token")
	}

	// Modes, as left after the crash (the WAL and SHM exist then).
	modes := checkModes(t, tn.data)
	for _, name := range []string{"rapport.db", "tokens.bin", "config.json"} {
		if _, ok := modes[name]; !ok {
			t.Errorf("%s missing from the data directory", name)
		}
	}
	figure(t, "steps %s; %d issued secrets (%d search strings) searched in %d files, %d KB: 0 hits; modes under umask 000: %s",
		strings.Join(steps, ", "), len(issued), len(needles), files, bytesScanned/1024, modeSummary(modes))
}

func tnMessage(tn *tenant) model.Message {
	return model.Message{Subject: "Token check", From: model.Recipient{Address: "lee.gu@contoso.com"},
		To: []model.Recipient{{Address: tn.sim.User().Mail}}}
}

// secretNeedles are the strings to look for: each issued secret whole,
// and each part of a JWT that is specific to it (the payload and the
// signature; the header is the same for every token).
func secretNeedles(issued []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if len(s) >= 16 && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, tok := range issued {
		add(tok)
		if parts := strings.Split(tok, "."); len(parts) == 3 {
			add(parts[1])
			add(parts[2])
		}
	}
	return out
}

func findSecret(b []byte, needles []string) string {
	for _, n := range needles {
		if bytes.Contains(b, []byte(n)) {
			return n
		}
	}
	return ""
}

// checkModes: the directory is 0700 and every file in it 0600 (or
// stricter); it returns each file's mode by name.
func checkModes(t *testing.T, dir string) map[string]fs.FileMode {
	t.Helper()
	out := map[string]fs.FileMode{}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return nil // gone meanwhile (a temporary file)
		}
		rel, _ := filepath.Rel(dir, p)
		mode := info.Mode().Perm()
		if d.IsDir() {
			if mode != 0o700 {
				t.Errorf("directory %s has mode %o, want 700", rel, mode)
			}
			return nil
		}
		out[rel] = mode
		if mode&0o077 != 0 {
			t.Errorf("%s has mode %o: readable by others (want 600)", rel, mode)
		}
		return nil
	})
	return out
}

func modeSummary(m map[string]fs.FileMode) string {
	names := keys(m)
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s %o", n, m[n]))
	}
	return strings.Join(parts, ", ")
}

// waitForLine waits for a line containing s in a log file and returns the
// first whitespace-separated word of it that contains s.
func waitForLine(t *testing.T, path, s string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(readLog(t, path), "\n") {
			for _, w := range strings.Fields(line) {
				if strings.Contains(w, s) {
					return w
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no line with %q in %s", s, path)
	return ""
}
