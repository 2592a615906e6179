package app_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"rapport/backend/graphsim"
)

// The `rapport account` commands as a user's shell runs them: the built
// binary against a simulator over TLS (trusted through SSL_CERT_FILE), the
// browser being `rapport sim browse` (RAPPORT_BROWSER), the token cache key
// in the test Secret Service. Asserted: exit codes, the stderr sentence,
// the stored accounts, and that no issued token shows up anywhere.

const cliClientID = "11111111-2222-3333-4444-555555555555"

type cliEnv struct {
	sim  *graphsim.Server
	env  []string
	data string
	out  strings.Builder // every stdout and stderr, for the leak check
}

func newCLIEnv(t *testing.T) *cliEnv {
	t.Helper()
	needKeychain(t)
	s, err := graphsim.New(graphsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := s.WriteCACert(ca); err != nil {
		t.Fatal(err)
	}
	return &cliEnv{sim: s, data: t.TempDir(), env: []string{
		"RAPPORT_AUTHORITY=" + s.AuthorityURL(), "RAPPORT_GRAPH_URL=" + s.GraphURL(), "SSL_CERT_FILE=" + ca,
		"RAPPORT_CLIENT_ID=" + cliClientID, "RAPPORT_BROWSER=" + binPath + " sim browse",
	}}
}

func (e *cliEnv) run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	out, errOut, code := run(t, e.env, append([]string{"--data-dir", e.data}, args...)...)
	e.out.WriteString(out + errOut)
	return out, errOut, code
}

type listedAccount struct {
	UPN           string   `json:"upn"`
	State         string   `json:"state"`
	FilesEnabled  bool     `json:"filesEnabled"`
	MissingScopes []string `json:"missingScopes"`
	Error         string   `json:"error"`
}

func (e *cliEnv) list(t *testing.T) []listedAccount {
	t.Helper()
	out, errOut, code := e.run(t, "account", "list", "--json")
	if code != 0 {
		t.Fatalf("account list: %d %s", code, errOut)
	}
	var accts []listedAccount
	if err := json.Unmarshal([]byte(out), &accts); err != nil {
		t.Fatalf("account list --json: %v\n%s", err, out)
	}
	return accts
}

// mustFail checks a failing command: exit code, nothing on stdout, the
// sentence on stderr's first line.
func (e *cliEnv) mustFail(t *testing.T, wantCode int, sentence string, args ...string) []string {
	t.Helper()
	out, errOut, code := e.run(t, args...)
	lines := strings.Split(strings.TrimRight(errOut, "\n"), "\n")
	if code != wantCode || !strings.Contains(lines[0], sentence) || strings.Contains(errOut, "goroutine") {
		t.Fatalf("%v: exit %d (want %d), stderr %q (want %q)", args, code, wantCode, errOut, sentence)
	}
	if strings.Contains(out, "Signed in") {
		t.Errorf("%v: stdout %q", args, out)
	}
	return lines
}

func TestCLIAccountLifecycle(t *testing.T) {
	e := newCLIEnv(t)
	upn := e.sim.User().UPN
	if out, errOut, code := e.run(t, "account", "add"); code != 0 || !strings.Contains(out, "Signed in as "+upn) {
		t.Fatalf("account add: %d %q %q", code, out, errOut)
	}
	accts := e.list(t)
	if len(accts) != 1 || accts[0].UPN != upn || accts[0].State != "ok" || accts[0].FilesEnabled || len(accts[0].MissingScopes) != 2 {
		t.Fatalf("list %+v", accts)
	}
	if out, errOut, code := e.run(t, "account", "reauth", upn, "--files"); code != 0 || !strings.Contains(out, "Signed in as "+upn) {
		t.Fatalf("reauth --files: %d %q %q", code, out, errOut)
	}
	if accts := e.list(t); !accts[0].FilesEnabled || len(accts[0].MissingScopes) != 0 {
		t.Fatalf("after reauth --files: %+v", accts)
	}
	if _, errOut, code := e.run(t, "sync", "--once"); code != 0 {
		t.Fatalf("sync: %d %s", code, errOut)
	}

	// The administrator has to approve: the sentence, then the link alone.
	e.sim.SetFaults(graphsim.Faults{SignIn: graphsim.SignInAdminApproval})
	lines := e.mustFail(t, 1, "rapport account add: Your administrator must approve Rapport. Send your administrator the link below", "account", "add")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], e.sim.URL()+"/organizations/v2.0/adminconsent?client_id="+cliClientID+"&scope=") {
		t.Fatalf("stderr lines %q", lines)
	}
	// The admin approves through that link; signing in works again.
	if _, errOut, code := e.run(t, "sim", "browse", lines[1]); code != 0 {
		t.Fatalf("sim browse <admin consent>: %d %s", code, errOut)
	}
	if _, errOut, code := e.run(t, "account", "add"); code != 0 {
		t.Fatalf("account add after admin consent: %d %s", code, errOut)
	}

	e.sim.SetFaults(graphsim.Faults{SignIn: graphsim.SignInPersonal})
	e.mustFail(t, 1, "Personal Microsoft accounts are not supported. Sign in with your work or school account.", "account", "add")
	e.sim.SetFaults(graphsim.Faults{})
	if accts := e.list(t); len(accts) != 1 {
		t.Fatalf("a refused personal account was stored: %+v", accts)
	}

	// The refresh token dies: sync says to sign in again, the account
	// shows it, reauth fixes it.
	e.sim.ExpireAccessTokens()
	e.sim.ExpireRefreshTokens()
	e.mustFail(t, 1, "sign in again", "sync", "--once")
	if accts := e.list(t); accts[0].State != "signin_required" || accts[0].Error == "" {
		t.Fatalf("after the refresh token died: %+v", accts)
	}
	if _, errOut, code := e.run(t, "account", "reauth", upn); code != 0 {
		t.Fatalf("reauth: %d %s", code, errOut)
	}
	if accts := e.list(t); accts[0].State != "ok" {
		t.Fatalf("after reauth: %+v", accts)
	}

	// Sign out keeps the account (and data) as signed out; --purge removes it.
	if out, _, code := e.run(t, "account", "remove", upn); code != 0 || !strings.Contains(out, "data is kept") {
		t.Fatalf("remove: %d %q", code, out)
	}
	if accts := e.list(t); len(accts) != 1 || accts[0].State != "signin_required" {
		t.Fatalf("after sign-out: %+v", accts)
	}
	if out, _, code := e.run(t, "account", "remove", upn, "--purge"); code != 0 || !strings.Contains(out, "Removed") {
		t.Fatalf("remove --purge: %d %q", code, out)
	}
	if accts := e.list(t); len(accts) != 0 {
		t.Fatalf("after purge: %+v", accts)
	}
	e.mustFail(t, 1, "there is no account", "account", "remove", "nobody@example.com")
	e.mustFail(t, 2, "give the account's user name", "account", "reauth")
	e.mustFail(t, 2, "--authority", "--authority", "not a tenant!", "account", "list")
	e.mustFail(t, 2, "--client-id", "--client-id", "my-app", "account", "list")

	// Device code: the URL and the code, one line each, then the result.
	out, errOut, code := e.run(t, "account", "add", "--device-code")
	if code != 0 {
		t.Fatalf("--device-code: %d %s", code, errOut)
	}
	if !regexp.MustCompile(`(?m)^Open this page on any device: https://\S+/devicelogin$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^Enter this code: [A-Z0-9]{6,}$`).MatchString(out) || !strings.Contains(out, "Signed in as "+upn) {
		t.Fatalf("device code output %q", out)
	}
	e.sim.SetFaults(graphsim.Faults{DeviceCodeExpire: true})
	e.mustFail(t, 1, "Sign-in timed out", "account", "add", "--device-code")
	e.sim.SetFaults(graphsim.Faults{})

	assertNoLeak(t, e)
}

func TestCLIKeychainUnavailable(t *testing.T) {
	e := newCLIEnv(t)
	e.env = append(e.env, "DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	e.mustFail(t, 1, "The system keychain is not available. No Secret Service is running: install and unlock gnome-keyring or KWallet", "account", "add")
	if _, err := os.Stat(filepath.Join(e.data, "tokens.bin")); err == nil {
		t.Error("a token cache was written without a keychain")
	}
}

// assertNoLeak: no issued secret in any file of the data directory nor in
// anything the commands printed.
func assertNoLeak(t *testing.T, e *cliEnv) {
	t.Helper()
	issued := e.sim.IssuedTokens()
	if len(issued) < 10 {
		t.Fatalf("only %d issued secrets", len(issued))
	}
	printed := e.out.String()
	// A device code's user code is made to be shown: it is the one issued
	// string the command line prints (and useless without the device code).
	shown := map[string]bool{}
	for _, m := range regexp.MustCompile(`Enter this code: (\S+)`).FindAllStringSubmatch(printed, -1) {
		shown[m[1]] = true
	}
	files := 0
	filepath.WalkDir(e.data, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		files++
		for _, tok := range issued {
			if len(tok) >= 8 && bytes.Contains(b, []byte(tok)) {
				t.Errorf("%s contains an issued token", p)
			}
		}
		return nil
	})
	for _, tok := range issued {
		if len(tok) >= 8 && !shown[tok] && strings.Contains(printed, tok) {
			t.Errorf("the command line printed an issued token")
		}
	}
	if files < 2 {
		t.Errorf("only %d files checked", files)
	}
}
