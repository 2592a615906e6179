package app_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"rapport/backend/auth/keyringtest"
	"rapport/backend/graphsim"
)

var binPath string

// TestMain builds the real binary once: these tests run the command line
// exactly as a user's script does, as separate processes.
func TestMain(m *testing.M) {
	// The real app keeps its token cache key in the OS keychain: give the
	// tests (and the binaries they start) a private, unlocked Secret Service.
	kr, err := keyringtest.Start()
	if err != nil {
		keyringErr = err
		fmt.Fprintf(os.Stderr, "keychain tests will be skipped: %v\n", err)
	}
	dir, err := os.MkdirTemp("", "rapport-cli-")
	if err != nil {
		panic(err)
	}
	binPath = filepath.Join(dir, "rapport")
	build := exec.Command("go", "build", "-tags", "sqlite_fts5", "-o", binPath, "rapport")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("build rapport: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	kr.Stop()
	os.Exit(code)
}

// keyringErr is why no Secret Service could be started for the tests.
var keyringErr error

// needKeychain skips a test that signs in for real when no Secret Service
// could be started — except in CI, where the keychain path must be tested.
func needKeychain(t *testing.T) {
	t.Helper()
	if keyringErr != nil {
		if keyringtest.Required() {
			t.Fatalf("no Secret Service for the keychain tests: %v", keyringErr)
		}
		t.Skipf("no Secret Service: %v", keyringErr)
	}
}

type proc struct {
	cmd   *exec.Cmd
	lines chan string
}

func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, lines: make(chan string, 100)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		cmd.Wait()
	})
	return p
}

// next waits for the next stdout line matching re.
func (p *proc) next(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("process ended before printing a line matching %s", re)
			}
			if m := re.FindStringSubmatch(l); m != nil {
				return m
			}
		case <-timeout:
			t.Fatalf("no line matching %s within 60s", re)
		}
	}
}

func run(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// TestHeadlessSequence is the README's headless walk-through, verbatim:
// the simulator as its own process, sign-in with --no-browser, a client,
// one sync, status and timeline as JSON.
func TestHeadlessSequence(t *testing.T) {
	needKeychain(t)
	sim := start(t, nil, "sim", "--addr", "127.0.0.1:0", "--scenario", "demo")
	authority := sim.next(t, regexp.MustCompile(`^authority: (https://\S+)$`))[1]
	graphURL := sim.next(t, regexp.MustCompile(`^graph: (https://\S+)$`))[1]
	ca := sim.next(t, regexp.MustCompile(`^ca: (\S+)$`))[1]
	env := []string{"RAPPORT_AUTHORITY=" + authority, "RAPPORT_GRAPH_URL=" + graphURL, "SSL_CERT_FILE=" + ca}
	data := t.TempDir()

	add := start(t, env, "--data-dir", data, "account", "add", "--no-browser")
	signInURL := add.next(t, regexp.MustCompile(`(https://\S+)`))[1]
	// The "browser": trusts the simulator's CA and submits its form_post.
	pem, err := os.ReadFile(ca)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	browser := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := graphsim.CompleteSignIn(ctx, browser, signInURL); err != nil {
		t.Fatalf("complete sign-in: %v", err)
	}
	signed := add.next(t, regexp.MustCompile(`^Signed in as (\S+)$`))[1]
	if !strings.Contains(signed, "@") {
		t.Fatalf("signed in as %q", signed)
	}
	if err := add.cmd.Wait(); err != nil {
		t.Fatalf("account add exited with %v", err)
	}

	if out, errOut, code := run(t, env, "--data-dir", data, "clients", "add", "Contoso", "--domain", "contoso.com"); code != 0 {
		t.Fatalf("clients add: %d %s %s", code, out, errOut)
	}
	if _, errOut, code := run(t, env, "--data-dir", data, "sync", "--once"); code != 0 {
		t.Fatalf("sync --once exited %d: %s", code, errOut)
	}

	out, _, code := run(t, env, "--data-dir", data, "status", "--json")
	if code != 0 {
		t.Fatalf("status exited %d", code)
	}
	var status struct {
		Accounts []struct {
			UPN     string `json:"upn"`
			Streams []struct {
				Kind  string `json:"kind"`
				Items int    `json:"items"`
				Error string `json:"error"`
			} `json:"streams"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal([]byte(out), &status); err != nil {
		t.Fatalf("status --json is not JSON: %v\n%s", err, out)
	}
	if len(status.Accounts) != 1 || status.Accounts[0].UPN != signed || len(status.Accounts[0].Streams) < 2 {
		t.Fatalf("status = %s", out)
	}
	items := 0
	for _, s := range status.Accounts[0].Streams {
		if (s.Kind != "mail" && s.Kind != "calendar") || s.Error != "" {
			t.Fatalf("stream %+v", s)
		}
		items += s.Items
	}
	if items == 0 {
		t.Fatal("status reports no synced items")
	}

	out, _, code = run(t, env, "--data-dir", data, "timeline", "Contoso", "--json", "--limit", "20")
	if code != 0 {
		t.Fatalf("timeline exited %d", code)
	}
	var tl []struct {
		Kind        string    `json:"kind"`
		At          time.Time `json:"at"`
		Direction   string    `json:"direction"`
		Counterpart string    `json:"counterpart"`
		Title       string    `json:"title"`
	}
	if err := json.Unmarshal([]byte(out), &tl); err != nil {
		t.Fatalf("timeline --json: %v\n%s", err, out)
	}
	if len(tl) == 0 || len(tl) > 20 {
		t.Fatalf("timeline has %d items, want 1..20", len(tl))
	}
	for i, it := range tl {
		badKind := it.Kind != "meeting" && (it.Kind != "mail" || (it.Direction != "in" && it.Direction != "out"))
		if badKind || it.Title == "" || it.Counterpart == "" {
			t.Fatalf("item %d: %+v", i, it)
		}
		if i > 0 && it.At.After(tl[i-1].At) {
			t.Fatal("timeline not newest first")
		}
	}
}

// A damaged store stops every command with what to do, and is left as
// it was; a store from a newer Rapport says so.
func TestADamagedStoreIsExplainedOnTheCommandLine(t *testing.T) {
	data := t.TempDir()
	path := filepath.Join(data, "rapport.db")
	junk := strings.Repeat("Not an SQLite database: a file a disk tool rewrote.\n", 200)
	if err := os.WriteFile(path, []byte(junk), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"clients"}, {"status", "--json"}, {"timeline", "Contoso"}} {
		out, errOut, code := run(t, nil, append([]string{"--data-dir", data}, args...)...)
		if code != 1 || out != "" {
			t.Errorf("%v on a damaged store: exit %d, stdout %q", args, code, out)
		}
		for _, want := range []string{"damaged", path, "Start afresh", "file is not a database"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("%v on a damaged store: stderr %q lacks %q", args, errOut, want)
			}
		}
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != junk {
		t.Fatalf("the damaged store was changed: %v", err)
	}
}

// The copy of what the user made beside the store is written by the
// commands that change it (they hold the data directory's writer lock),
// never by a reader, which may run beside the window writing it.
func TestOnlyWritersWriteTheCopyOfWhatTheUserMade(t *testing.T) {
	data := t.TempDir()
	copyPath := filepath.Join(data, "rapport.db.keep")
	if _, errOut, code := run(t, nil, "--data-dir", data, "clients", "add", "Contoso", "--domain", "contoso.com"); code != 0 {
		t.Fatalf("clients add: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(copyPath); err != nil {
		t.Fatalf("clients add wrote no copy: %v", err)
	}
	if err := os.Remove(copyPath); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"clients"}, {"status", "--json"}} {
		if _, errOut, code := run(t, nil, append([]string{"--data-dir", data}, args...)...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		if _, err := os.Stat(copyPath); !os.IsNotExist(err) {
			t.Fatalf("%v, a reader, wrote the copy: %v", args, err)
		}
	}
}

// A damaged page met by a command that reads it: the command says so and
// leaves the mark, and the next command checks the store first and
// refuses it with the window's way out.
func TestADamagedPageMetOnTheCommandLineIsCheckedByTheNextCommand(t *testing.T) {
	data := t.TempDir()
	path := filepath.Join(data, "rapport.db")
	for _, name := range []string{"Contoso", "Fabrikam"} {
		if _, errOut, code := run(t, nil, "--data-dir", data, "clients", "add", name, "--domain", strings.ToLower(name)+".com"); code != 0 {
			t.Fatalf("clients add %s: exit %d: %s", name, code, errOut)
		}
	}
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	var root, size int64
	err = db.QueryRow(`SELECT rootpage FROM sqlite_master WHERE name = 'clients'`).Scan(&root)
	if err == nil {
		err = db.QueryRow(`PRAGMA page_size`).Scan(&size)
	}
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteAt([]byte(strings.Repeat("\xff", int(size))), (root-1)*size)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}

	out, errOut, code := run(t, nil, "--data-dir", data, "clients")
	if code != 1 || out != "" || !strings.Contains(errOut, "Rapport's store is damaged (") || !strings.Contains(errOut, "run the command again") {
		t.Fatalf("clients on a damaged page: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, err := os.Stat(path + ".check"); err != nil {
		t.Fatalf("the command left no mark: %v", err)
	}
	_, errOut, code = run(t, nil, "--data-dir", data, "status")
	if code != 1 || !strings.Contains(errOut, "Start afresh") || !strings.Contains(errOut, path) {
		t.Fatalf("the next command: exit %d, stderr %q", code, errOut)
	}
}

func TestUsageErrorsAreOneSentence(t *testing.T) {
	data := t.TempDir()
	for _, args := range [][]string{
		{"--data-dir", data, "timeline"},
		{"--data-dir", data, "timeline", "Nobody", "--json"},
		{"--data-dir", data, "clients", "add", "Gmail Inc", "--domain", "gmail.com"},
		{"--data-dir", data, "frobnicate"},
		{"--data-dir", data, "sync", "--once"},
	} {
		out, errOut, code := run(t, nil, args...)
		if code == 0 {
			t.Errorf("%v exited 0", args)
		}
		if out != "" {
			t.Errorf("%v printed to stdout on error: %q", args, out)
		}
		if strings.TrimSpace(errOut) == "" || strings.Contains(errOut, "goroutine") {
			t.Errorf("%v: stderr %q", args, errOut)
		}
	}
	out, _, code := run(t, nil, "--help")
	if code != 0 || !strings.Contains(out, "timeline") || !strings.Contains(out, "account add") {
		t.Fatalf("--help = %d %q", code, out)
	}
}
