package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"rapport/backend/auth"
	"rapport/backend/auth/keyringtest"
	"rapport/backend/graphsim"
	"rapport/backend/model"
	rsync "rapport/backend/sync"
)

// These tests drive the façade's sign-in API with the real MSAL against the
// simulator over TLS, and the real encrypted token cache with its key in the
// (private, test) Secret Service that TestMain starts. They assert what the
// user sees: outcomes, error codes and sentences, stored accounts.

const simClientID = "11111111-2222-3333-4444-555555555555"

// needAppKeychain skips when no Secret Service is reachable (fails in CI).
func needAppKeychain(t *testing.T) {
	t.Helper()
	st := auth.NewEncryptedStore(filepath.Join(t.TempDir(), "probe.bin"))
	err := st.Ready(context.Background())
	if err == nil {
		_ = st.Forget()
		return
	}
	if keyringtest.Required() {
		t.Fatalf("no Secret Service: %v", err)
	}
	t.Skipf("no Secret Service: %v", err)
}

type simApp struct {
	*App
	sim  *graphsim.Server
	dir  string
	logs *syncBuffer
}

type syncBuffer struct {
	mu gosync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startTestSim(t *testing.T) *graphsim.Server {
	t.Helper()
	s, err := graphsim.New(graphsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newSimApp(t *testing.T, s *graphsim.Server, mutate ...func(*Config)) *simApp {
	t.Helper()
	needAppKeychain(t)
	dir := t.TempDir()
	logs := &syncBuffer{}
	cfg := Config{DataDir: dir, ClientID: simClientID, Authority: s.AuthorityURL(), GraphURL: s.GraphURL(),
		HTTPClient: s.HTTPClient(), OpenURL: s.Browse,
		Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	for _, m := range mutate {
		m(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.close()
		if es, ok := a.acc.tokens.(*auth.EncryptedStore); ok {
			_ = es.Forget()
		}
	})
	return &simApp{App: a, sim: s, dir: dir, logs: logs}
}

// syncWait runs a pass, first waiting out the one a sign-in started in the
// background.
func (a *simApp) syncWait(t *testing.T, ctx context.Context) error {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := a.syncAll(ctx, "")
		if !errors.Is(err, ErrSyncRunning) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (a *simApp) messages(t *testing.T, upn string) int {
	t.Helper()
	var n int
	if err := a.st().DB().QueryRow(`SELECT COUNT(*) FROM messages m JOIN accounts a ON a.id=m.account_id WHERE a.upn=?`, upn).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (a *simApp) account(t *testing.T, upn string) AccountView {
	t.Helper()
	views, err := a.Accounts()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range views {
		if strings.EqualFold(v.UPN, upn) {
			return v
		}
	}
	t.Fatalf("no account %s in %+v", upn, views)
	return AccountView{}
}

func mustOK(t *testing.T, o SignInOutcome) AccountView {
	t.Helper()
	if !o.OK || o.Account == nil || o.Error != nil {
		t.Fatalf("outcome %+v (error %+v)", o, o.Error)
	}
	return *o.Account
}

func TestSignInAddsAccountAndIncrementalConsent(t *testing.T) {
	s := startTestSim(t)
	a := newSimApp(t, s)
	v := mustOK(t, a.SignIn(false))
	if v.UPN != s.User().UPN || v.State != model.AccountOK || v.FilesEnabled || v.TenantID != s.User().TenantID {
		t.Fatalf("account %+v", v)
	}
	if !slices.Equal(v.MissingScopes, auth.FileScopes) {
		t.Errorf("missing scopes %v, want %v", v.MissingScopes, auth.FileScopes)
	}
	// The "Allow Rapport to read your OneDrive and SharePoint activity"
	// banner's Re-authorize: incremental consent.
	v = mustOK(t, a.Reauthorize(v.UPN, true))
	if !v.FilesEnabled || len(v.MissingScopes) != 0 {
		t.Fatalf("after re-authorize: %+v", v)
	}
	if got := a.account(t, v.UPN); !got.FilesEnabled {
		t.Errorf("stored account lost the file scopes: %+v", got)
	}
	views, _ := a.Accounts()
	if len(views) != 1 {
		t.Errorf("%d accounts after signing the same account in twice", len(views))
	}
	// JSON names are the UI's contract.
	b, _ := json.Marshal(v)
	for _, k := range []string{`"upn"`, `"displayName"`, `"tenantId"`, `"scopes"`, `"state"`, `"filesEnabled"`, `"missingScopes"`, `"error"`} {
		if !bytes.Contains(b, []byte(k)) {
			t.Errorf("AccountView JSON lacks %s: %s", k, b)
		}
	}
}

func TestSignInErrorsTheUserCanActOn(t *testing.T) {
	cases := []struct {
		fault, code, title string
	}{
		{graphsim.SignInConsentRequired, "consent_required", "Your administrator must approve Rapport"},
		{graphsim.SignInAdminApproval, "consent_required", "Your administrator must approve Rapport"},
		{graphsim.SignInPersonal, "personal_account", "Personal Microsoft accounts are not supported"},
		{graphsim.SignInCancel, "declined", "Permission request declined"},
	}
	for _, c := range cases {
		t.Run(c.fault, func(t *testing.T) {
			s := startTestSim(t)
			a := newSimApp(t, s)
			s.SetFaults(graphsim.Faults{SignIn: c.fault})
			o := a.SignIn(false)
			if o.OK || o.Account != nil || o.Error == nil || o.Error.Code != c.code || o.Error.Title != c.title {
				t.Fatalf("outcome %+v / %+v", o, o.Error)
			}
			if o.Error.Message == "" || o.Error.Action == "" {
				t.Errorf("no message or action: %+v", o.Error)
			}
			if views, _ := a.Accounts(); len(views) != 0 {
				t.Errorf("a refused sign-in stored %+v", views)
			}
			if ids, _ := a.authn().Accounts(context.Background()); len(ids) != 0 {
				t.Errorf("a refused sign-in left tokens for %v", ids)
			}
			if c.code != "consent_required" {
				if o.Error.AdminConsentURL != "" {
					t.Errorf("admin URL on a %s error", c.code)
				}
				return
			}
			checkAdminConsentURL(t, s, o.Error, "organizations")
			// The administrator opens the link and approves; the user
			// signs in again and it works.
			if err := graphsim.CompleteSignIn(context.Background(), s.HTTPClient(), o.Error.AdminConsentURL); err != nil {
				t.Fatalf("admin consent: %v", err)
			}
			mustOK(t, a.SignIn(false))
		})
	}
}

func checkAdminConsentURL(t *testing.T, s *graphsim.Server, ue *UserError, tenant string) {
	t.Helper()
	want := s.URL() + "/" + tenant + "/v2.0/adminconsent?client_id=" + simClientID +
		"&scope=https%3A%2F%2Fgraph.microsoft.com%2FUser.Read%20https%3A%2F%2Fgraph.microsoft.com%2FMail.ReadBasic%20" +
		"https%3A%2F%2Fgraph.microsoft.com%2FCalendars.ReadBasic%20https%3A%2F%2Fgraph.microsoft.com%2FFiles.Read.All%20" +
		"https%3A%2F%2Fgraph.microsoft.com%2FSites.Read.All&redirect_uri=http%3A%2F%2Flocalhost"
	if ue.AdminConsentURL != want {
		t.Errorf("admin consent URL\n got %s\nwant %s", ue.AdminConsentURL, want)
	}
	u, err := url.Parse(ue.AdminConsentURL)
	if err != nil || u.Query().Get("scope") == "" {
		t.Errorf("admin consent URL does not parse: %v", err)
	}
	if !strings.Contains(ue.AdminMessage, ue.AdminConsentURL) || !strings.Contains(ue.AdminMessage, "Files.Read.All") {
		t.Errorf("admin message %q", ue.AdminMessage)
	}
}

// A tenant policy leaves Files.Read.All out of the grant: re-authorize
// "works" but the scope is still missing — say so, with the admin path;
// then the admin approves and the banner goes away.
func TestReauthorizeStillMissingScope(t *testing.T) {
	s := startTestSim(t)
	a := newSimApp(t, s)
	v := mustOK(t, a.SignIn(false))
	s.SetFaults(graphsim.Faults{OmitScopes: []string{"Files.Read.All", "Sites.Read.All"}})
	o := a.Reauthorize(v.UPN, true)
	if o.OK || o.Error == nil || o.Error.Code != "missing_scope" {
		t.Fatalf("outcome %+v / %+v", o, o.Error)
	}
	checkAdminConsentURL(t, s, o.Error, v.TenantID)
	if got := a.account(t, v.UPN); got.State != model.AccountOK || got.FilesEnabled {
		t.Fatalf("account after the partial grant: %+v", got)
	}
	if err := graphsim.CompleteSignIn(context.Background(), s.HTTPClient(), o.Error.AdminConsentURL); err != nil {
		t.Fatal(err)
	}
	if v := mustOK(t, a.Reauthorize(v.UPN, true)); !v.FilesEnabled {
		t.Fatalf("after admin consent: %+v", v)
	}

	// Blocked outright (the 2025 default policy): the mail grant stands, the
	// file scopes are what is missing — the same explanation and admin path,
	// in the account's own tenant.
	b := newSimApp(t, startTestSim(t))
	v = mustOK(t, b.SignIn(false))
	b.sim.SetFaults(graphsim.Faults{BlockUserConsent: auth.FileScopes})
	o = b.Reauthorize(v.UPN, true)
	if o.OK || o.Error == nil || o.Error.Code != "missing_scope" {
		t.Fatalf("blocked: %+v / %+v", o, o.Error)
	}
	checkAdminConsentURL(t, b.sim, o.Error, v.TenantID)
}

// The refresh token dies (90 days idle, revoked): the account shows "Sign
// in again", stops syncing, keeps its data; signing in again fixes it.
func TestExpiredSignInMarksAccount(t *testing.T) {
	s := startTestSim(t)
	a := newSimApp(t, s)
	v := mustOK(t, a.SignIn(false))
	ctx := context.Background()
	if err := a.syncWait(t, ctx); err != nil {
		t.Fatalf("first sync: %v", err)
	}
	kept := a.messages(t, v.UPN)
	if kept == 0 {
		t.Fatal("nothing synced")
	}
	s.ExpireAccessTokens()
	s.ExpireRefreshTokens()
	err := a.syncWait(t, ctx)
	if !errors.Is(err, model.ErrSignInRequired) {
		t.Fatalf("sync with a dead refresh token: %v", err)
	}
	got := a.account(t, v.UPN)
	if got.State != model.AccountSignInRequired || got.Error == "" {
		t.Fatalf("account %+v", got)
	}
	if n := a.messages(t, v.UPN); n != kept {
		t.Errorf("messages %d -> %d: data must be kept", kept, n)
	}
	// The next pass does not even ask for a token.
	before := len(s.Requests())
	if err := a.syncWait(t, ctx); !errors.Is(err, model.ErrSignInRequired) {
		t.Fatalf("second pass: %v", err)
	}
	if len(s.Requests()) != before {
		t.Errorf("a pass over a signed-out account made %d requests", len(s.Requests())-before)
	}
	if !strings.Contains(rsync.Explain(err), "sign in again") {
		t.Errorf("sync says %q", rsync.Explain(err))
	}
	mustOK(t, a.Reauthorize(v.UPN, false))
	if got := a.account(t, v.UPN); got.State != model.AccountOK || got.Error != "" {
		t.Fatalf("after re-authorize: %+v", got)
	}
	if err := a.syncWait(t, ctx); err != nil {
		t.Fatalf("sync after re-authorize: %v", err)
	}
}

// Conditional access asks for MFA: the sync's refresh gets a claims
// challenge, the account asks to sign in again, and Reauthorize passes the
// claims to the browser.
func TestClaimsChallengeReauthorize(t *testing.T) {
	s := startTestSim(t)
	a := newSimApp(t, s)
	v := mustOK(t, a.SignIn(false))
	s.SetFaults(graphsim.Faults{SignIn: graphsim.SignInClaims})
	s.ExpireAccessTokens()
	ctx := context.Background()
	if err := a.syncWait(t, ctx); !errors.Is(err, model.ErrSignInRequired) {
		t.Fatalf("sync under a claims challenge: %v", err)
	}
	acct, err := a.st().AccountByUPN(ctx, v.UPN)
	if err != nil || acct.State != model.AccountSignInRequired || acct.Claims != graphsim.ClaimsChallenge {
		t.Fatalf("stored %+v %v", acct, err)
	}
	mustOK(t, a.Reauthorize(v.UPN, false))
	if err := a.syncWait(t, ctx); err != nil {
		t.Fatalf("sync after answering the challenge: %v", err)
	}
}

func TestCancelSignIn(t *testing.T) {
	s := startTestSim(t)
	a := newSimApp(t, s)
	s.SetFaults(graphsim.Faults{SignIn: graphsim.SignInAbandon})
	done := make(chan SignInOutcome, 1)
	go func() { done <- a.SignIn(false) }()
	deadline := time.Now().Add(10 * time.Second)
	for !a.signInPending() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // the browser has shown the page
	if err := a.CancelSignIn(); err != nil {
		t.Fatal(err)
	}
	select {
	case o := <-done:
		if o.OK || o.Error == nil || o.Error.Code != "cancelled" {
			t.Fatalf("outcome %+v / %+v", o, o.Error)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SignIn did not return after CancelSignIn")
	}
	if views, _ := a.Accounts(); len(views) != 0 {
		t.Errorf("accounts after a cancelled sign-in: %+v", views)
	}
	if entries, _ := os.ReadDir(a.dir); slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Name() == tokenFile }) {
		t.Error("a cancelled sign-in wrote a token cache")
	}
	if err := a.CancelSignIn(); err != nil {
		t.Errorf("cancel with nothing pending: %v", err)
	}
}

// Two accounts side by side; signing one out keeps its data, purging it
// removes its data only.
func TestSeveralAccountsRemoveAndPurge(t *testing.T) {
	s := startTestSim(t)
	a := newSimApp(t, s, func(c *Config) { c.AllowPersonalAccounts = true })
	work := mustOK(t, a.SignIn(false))
	s.SetFaults(graphsim.Faults{SignIn: graphsim.SignInPersonal})
	personal := mustOK(t, a.SignIn(false))
	s.SetFaults(graphsim.Faults{})
	if work.UPN == personal.UPN {
		t.Fatal("the second sign-in is the same account")
	}
	if views, _ := a.Accounts(); len(views) != 2 {
		t.Fatalf("accounts %+v", views)
	}
	ctx := context.Background()
	if err := a.syncWait(t, ctx); err != nil {
		t.Fatalf("sync: %v", err)
	}
	nWork, nPersonal := a.messages(t, work.UPN), a.messages(t, personal.UPN)
	if nWork == 0 || nPersonal == 0 {
		t.Fatalf("synced %d and %d messages", nWork, nPersonal)
	}

	// Sign out: tokens gone, data kept, shown as needing a sign-in.
	if err := a.RemoveAccount(personal.UPN, false); err != nil {
		t.Fatal(err)
	}
	got := a.account(t, personal.UPN)
	if got.State != model.AccountSignInRequired || got.Error != signedOutSentence {
		t.Errorf("signed-out account %+v", got)
	}
	ids, _ := a.authn().Accounts(ctx)
	if len(ids) != 1 {
		t.Errorf("token cache still holds %v", ids)
	}
	if n := a.messages(t, personal.UPN); n != nPersonal {
		t.Errorf("sign-out deleted data: %d -> %d", nPersonal, n)
	}
	// Purge: its rows go, the other account's stay.
	if err := a.RemoveAccount(personal.UPN, true); err != nil {
		t.Fatal(err)
	}
	if views, _ := a.Accounts(); len(views) != 1 || views[0].UPN != work.UPN {
		t.Fatalf("after purge: %+v", views)
	}
	if n := a.messages(t, work.UPN); n != nWork {
		t.Errorf("purging the other account changed this one's messages: %d -> %d", nWork, n)
	}
	var left int
	a.st().DB().QueryRow(`SELECT (SELECT COUNT(*) FROM links WHERE account_id NOT IN (SELECT id FROM accounts)) +
		(SELECT COUNT(*) FROM streams WHERE account_id NOT IN (SELECT id FROM accounts)) +
		(SELECT COUNT(*) FROM participants WHERE account_id NOT IN (SELECT id FROM accounts))`).Scan(&left)
	if left != 0 {
		t.Errorf("%d rows of the purged account remain", left)
	}
	if err := a.RemoveAccount("nobody@example.com", false); err == nil || !strings.Contains(err.Error(), "rapport account list") {
		t.Errorf("unknown account: %v", err)
	}
}

func TestStartDemoFromOnboarding(t *testing.T) {
	s := startTestSim(t)
	a := newSimApp(t, s)
	ch := a.hub.subscribe()
	defer a.hub.unsubscribe(ch)
	if err := a.StartDemo(); err != nil {
		t.Fatal(err)
	}
	st, err := a.Status()
	if err != nil || !st.Demo || len(st.Accounts) != 1 {
		t.Fatalf("status %+v %v", st, err)
	}
	timeout := time.After(10 * time.Second)
	for got := false; !got; {
		select {
		case ev := <-ch:
			if ev.Name == rsync.EventDataChanged && string(ev.Data) == `{"account":"","kinds":["demo"],"clientIds":[]}` {
				got = true
			}
		case <-timeout:
			t.Fatal("no data:changed event with empty clientIds")
		}
	}
	if cl, _ := a.Clients(); len(cl) == 0 {
		t.Error("the demo has no clients")
	}
	if _, err := os.Stat(filepath.Join(a.dir, "demo", "rapport.db")); err != nil {
		t.Errorf("demo store not in <data>/demo: %v", err)
	}
	if _, err := os.Stat(filepath.Join(a.dir, "demo", tokenFile)); err == nil {
		t.Error("the demo wrote a token cache")
	}
	if err := a.StartDemo(); err != nil {
		t.Errorf("StartDemo twice: %v", err)
	}
}

func TestNormalizeAuthority(t *testing.T) {
	good := map[string]string{
		"":                                     "",
		"organizations":                        "https://login.microsoftonline.com/organizations",
		"contoso.onmicrosoft.com":              "https://login.microsoftonline.com/contoso.onmicrosoft.com",
		"72f988bf-86f1-41af-91ab-2d7cd011db47": "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47",
		"https://login.microsoftonline.com/contoso.com/": "https://login.microsoftonline.com/contoso.com",
		"https://127.0.0.1:8765/organizations":           "https://127.0.0.1:8765/organizations",
	}
	for in, want := range good {
		if in == "" {
			continue
		}
		if got, err := NormalizeAuthority(in); err != nil || got != want {
			t.Errorf("NormalizeAuthority(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"garbage!", "http://login.microsoftonline.com/organizations", "https://login.microsoftonline.com/",
		"https://login.microsoftonline.com/a/b", "https://login.microsoftonline.com/organizations?x=1", "not a tenant", "contoso"} {
		if _, err := NormalizeAuthority(bad); err == nil {
			t.Errorf("NormalizeAuthority(%q) accepted", bad)
		} else if !strings.Contains(err.Error(), "login.microsoftonline.com") && !strings.Contains(err.Error(), "https") {
			t.Errorf("error for %q does not say what to use: %v", bad, err)
		}
	}
}

func TestConfigPrecedenceAndSettings(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("RAPPORT_CLIENT_ID", "")
	t.Setenv("RAPPORT_AUTHORITY", "")
	id, err := resolveIdentity(Config{DataDir: dir})
	if err != nil || id.ClientID != DefaultClientID || id.Authority != auth.DefaultAuthority || id.ClientIDSource != sourceDefault {
		t.Fatalf("defaults: %+v %v", id, err)
	}
	a, err := New(Config{DataDir: dir, TokenStore: auth.NewMemoryStore()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	tenant := "72f988bf-86f1-41af-91ab-2d7cd011db47"
	if err := a.SaveSettings(SettingsView{ClientID: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", Authority: tenant, AllowPersonalAccounts: true}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "config.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("config.json: %v %v", fi, err)
	}
	sv, err := a.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if sv.EffectiveAuthority != "https://login.microsoftonline.com/"+tenant || sv.AuthoritySource != sourceConfig ||
		sv.EffectiveClientID != "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" || !sv.AllowPersonalAccounts {
		t.Fatalf("settings %+v", sv)
	}
	if a.authn().Authority() != sv.EffectiveAuthority {
		t.Errorf("saved settings not applied: %s", a.authn().Authority())
	}
	// The environment beats the file, a flag beats both.
	t.Setenv("RAPPORT_AUTHORITY", "contoso.onmicrosoft.com")
	if id, _ := resolveIdentity(Config{DataDir: dir}); id.Authority != "https://login.microsoftonline.com/contoso.onmicrosoft.com" || id.AuthoritySource != sourceEnv {
		t.Errorf("env: %+v", id)
	}
	if id, _ := resolveIdentity(Config{DataDir: dir, Authority: "common"}); id.Authority != "https://login.microsoftonline.com/common" || id.AuthoritySource != sourceFlag {
		t.Errorf("flag: %+v", id)
	}
	t.Setenv("RAPPORT_AUTHORITY", "not a tenant!")
	if _, err := resolveIdentity(Config{DataDir: dir}); err == nil || !strings.Contains(err.Error(), "RAPPORT_AUTHORITY") {
		t.Errorf("garbage env authority: %v", err)
	}
	t.Setenv("RAPPORT_AUTHORITY", "")
	for _, bad := range []SettingsView{{Authority: "http://evil"}, {ClientID: "my app"}} {
		if err := a.SaveSettings(bad); err == nil {
			t.Errorf("SaveSettings(%+v) accepted", bad)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte("{oops"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := resolveIdentity(Config{DataDir: dir}); err == nil || !strings.Contains(err.Error(), "config.json") {
		t.Errorf("broken config.json: %v", err)
	}
}

// No secret the simulator issued may appear in any file of the data
// directory (SQLite, WAL, config.json, the encrypted cache) or in the logs,
// after a sign-in, a refresh, a sync and an error path.
func TestNoTokenLeaks(t *testing.T) {
	s := startTestSim(t)
	a := newSimApp(t, s)
	v := mustOK(t, a.SignIn(false))
	mustOK(t, a.Reauthorize(v.UPN, true))
	ctx := context.Background()
	acct, _ := a.st().AccountByUPN(ctx, v.UPN)
	if _, err := a.authn().Token(ctx, acct.HomeAccountID, true); err != nil {
		t.Fatal(err)
	}
	if err := a.syncWait(t, ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.SaveSettings(SettingsView{ClientID: simClientID, Authority: s.AuthorityURL()}); err != nil {
		t.Fatal(err)
	}
	s.ExpireAccessTokens()
	s.ExpireRefreshTokens()
	if err := a.syncWait(t, ctx); err == nil {
		t.Fatal("sync with dead tokens worked")
	}
	s.SetFaults(graphsim.Faults{SignIn: graphsim.SignInAdminApproval})
	o := a.SignIn(false)
	if o.Error == nil {
		t.Fatal("no error")
	}
	s.SetFaults(graphsim.Faults{})
	outcomeJSON, _ := json.Marshal(o)
	views, _ := a.Accounts()
	viewsJSON, _ := json.Marshal(views)
	status, _ := a.Status()
	statusJSON, _ := json.Marshal(status)
	assertNoIssuedTokens(t, s, a.dir, a.logs.String(), string(outcomeJSON), string(viewsJSON), string(statusJSON))
}

// assertNoIssuedTokens searches every file under dir and each text for
// every token the simulator issued.
func assertNoIssuedTokens(t *testing.T, s *graphsim.Server, dir string, texts ...string) {
	t.Helper()
	issued := s.IssuedTokens()
	if len(issued) < 4 {
		t.Fatalf("the simulator issued only %d secrets; the check would prove nothing", len(issued))
	}
	files := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		for _, tok := range issued {
			if len(tok) >= 8 && bytes.Contains(b, []byte(tok)) {
				t.Errorf("%s contains an issued token", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 2 {
		t.Fatalf("only %d files in the data directory", files)
	}
	for i, text := range texts {
		for _, tok := range issued {
			if len(tok) >= 8 && strings.Contains(text, tok) {
				t.Errorf("text %d contains an issued token", i)
			}
		}
	}
}

func TestSignInOffline(t *testing.T) {
	s := startTestSim(t)
	a := newSimApp(t, s)
	s.Close()
	o := a.SignIn(false)
	if o.OK || o.Error == nil || o.Error.Code != "offline" || o.Error.Title != "You are offline" {
		t.Fatalf("outcome %+v / %+v", o, o.Error)
	}
	if views, _ := a.Accounts(); len(views) != 0 {
		t.Errorf("accounts %+v", views)
	}
}

// Status says an account's folders are still being listed until its first
// discovery is complete (the first-sync bar waits on it,
// frontend/src/lib/firstsync.ts); after a pass it no longer does.
func TestStatusListingEndsWithTheFirstDiscovery(t *testing.T) {
	s := startTestSim(t)
	a := newSimApp(t, s)
	v := mustOK(t, a.SignIn(false))
	if err := a.syncWait(t, context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err := a.Status()
	if err != nil || len(st.Accounts) != 1 || st.Accounts[0].UPN != v.UPN {
		t.Fatalf("status %+v, %v", st, err)
	}
	if st.Accounts[0].Listing {
		t.Error("still listing after a complete pass")
	}
	if b, _ := json.Marshal(st); !bytes.Contains(b, []byte(`"listing":false`)) {
		t.Errorf("Status JSON lacks the listing flag: %s", b)
	}
}
