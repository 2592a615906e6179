package auth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"rapport/backend/graphsim"
	"rapport/backend/model"
)

// These tests drive the real MSAL public client against the simulator's
// identity endpoints over HTTPS on loopback: discovery, the authorize page
// answering with a form_post to MSAL's localhost listener, the token
// endpoint (authorization code with PKCE, then refresh tokens).

const testClientID = "11111111-2222-3333-4444-555555555555"

func startSim(t *testing.T) *graphsim.Server {
	t.Helper()
	s, err := graphsim.New(graphsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newTestAuth(t *testing.T, s *graphsim.Server, cachePath string, open func(string) error) *Authenticator {
	t.Helper()
	a, err := New(Config{
		ClientID:   testClientID,
		Authority:  s.AuthorityURL(),
		HTTPClient: s.HTTPClient(),
		CachePath:  cachePath,
		OpenURL:    open,
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// noBrowser fails the test if a sign-in page is opened: for flows that must
// stay silent.
func noBrowser(t *testing.T) func(string) error {
	return func(string) error {
		t.Error("a browser was opened during a silent flow")
		return errors.New("no browser in this test")
	}
}

func signIn(t *testing.T, a *Authenticator, scopes []string) SignInResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := a.SignIn(ctx, scopes)
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	return res
}

// signedIn is a simulator, a token cache file and an Authenticator on it
// signed in with the mail scopes.
func signedIn(t *testing.T) (*graphsim.Server, string, *Authenticator, SignInResult) {
	t.Helper()
	s := startSim(t)
	cachePath := filepath.Join(t.TempDir(), "tokens.json")
	a := newTestAuth(t, s, cachePath, s.Browse)
	return s, cachePath, a, signIn(t, a, MailScopes)
}

// assertNoTokens checks that no secret the simulator issued appears in any
// error text or detail the package returned.
func assertNoTokens(t *testing.T, s *graphsim.Server, errs ...error) {
	t.Helper()
	issued := s.IssuedTokens()
	if len(issued) == 0 {
		t.Fatal("the simulator reports no issued tokens; the leak check would prove nothing")
	}
	for _, err := range errs {
		if err == nil {
			continue
		}
		texts := []string{err.Error()}
		var ae *Error
		if errors.As(err, &ae) {
			texts = append(texts, ae.Detail, ae.Msg)
		}
		for _, text := range texts {
			for _, tok := range issued {
				if tok != "" && strings.Contains(text, tok) {
					t.Errorf("error %q contains an issued token", text)
				}
			}
		}
	}
}

func TestSignInInteractive(t *testing.T) {
	s := startSim(t)
	cachePath := filepath.Join(t.TempDir(), "profile", "tokens.json")
	a := newTestAuth(t, s, cachePath, s.Browse)

	res := signIn(t, a, MailScopes)
	user := s.User()
	if res.UPN != user.UPN {
		t.Errorf("UPN %q, want %q", res.UPN, user.UPN)
	}
	if res.HomeAccountID == "" || !strings.EqualFold(res.HomeAccountID, user.HomeAccountID) {
		t.Errorf("HomeAccountID %q, want %q", res.HomeAccountID, user.HomeAccountID)
	}
	if res.TenantID != user.TenantID {
		t.Errorf("TenantID %q, want %q", res.TenantID, user.TenantID)
	}
	for _, want := range MailScopes {
		if !slices.ContainsFunc(res.Scopes, func(g string) bool { return strings.EqualFold(g, want) }) {
			t.Errorf("granted scopes %v lack %s", res.Scopes, want)
		}
	}
	for _, g := range res.Scopes {
		if isOIDC(g) {
			t.Errorf("granted scopes %v include the OpenID scope %s", res.Scopes, g)
		}
	}

	ids, err := a.Accounts(context.Background())
	if err != nil || len(ids) != 1 || ids[0] != res.HomeAccountID {
		t.Fatalf("Accounts = %v, %v", ids, err)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(cachePath)
		if err != nil {
			t.Fatalf("cache file: %v", err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("cache file mode %v, want 0600", fi.Mode().Perm())
		}
		di, _ := os.Stat(filepath.Dir(cachePath))
		if di.Mode().Perm() != 0o700 {
			t.Errorf("cache dir mode %v, want 0700", di.Mode().Perm())
		}
	}
}

func TestTokenPersistsAcrossRuns(t *testing.T) {
	s, cachePath, first, res := signedIn(t)
	ctx := context.Background()
	tok1, err := first.Token(ctx, res.HomeAccountID, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(s.IssuedTokens(), tok1) {
		t.Error("Token did not return a token the simulator issued")
	}

	// A second run: a new Authenticator on the same file, no browser.
	second := newTestAuth(t, s, cachePath, noBrowser(t))
	ids, err := second.Accounts(ctx)
	if err != nil || !slices.Contains(ids, res.HomeAccountID) {
		t.Fatalf("Accounts after restart = %v, %v", ids, err)
	}
	tok2, err := second.Token(ctx, res.HomeAccountID, false)
	if err != nil {
		t.Fatalf("silent Token after restart: %v", err)
	}
	if tok2 != tok1 {
		t.Error("the cached access token was not reused after a restart")
	}
}

func TestTokenForceRefresh(t *testing.T) {
	s, cachePath, a, res := signedIn(t)
	ctx := context.Background()

	cached, err := a.Token(ctx, res.HomeAccountID, false)
	if err != nil {
		t.Fatal(err)
	}
	again, err := a.Token(ctx, res.HomeAccountID, false)
	if err != nil || again != cached {
		t.Fatalf("an unforced Token did not come from the cache (%v)", err)
	}
	fresh, err := a.Token(ctx, res.HomeAccountID, true)
	if err != nil {
		t.Fatalf("forced Token: %v", err)
	}
	if fresh == cached {
		t.Fatal("force=true returned the cached access token")
	}
	if !slices.Contains(s.IssuedTokens(), fresh) {
		t.Error("the forced token was not issued by the simulator")
	}
	// The refreshed token replaced the old one, in memory and on disk.
	if got, _ := a.Token(ctx, res.HomeAccountID, false); got != fresh {
		t.Error("after a forced refresh, Token returned something other than the new token")
	}
	other := newTestAuth(t, s, cachePath, noBrowser(t))
	if got, err := other.Token(ctx, res.HomeAccountID, false); err != nil || got != fresh {
		t.Errorf("the refreshed token was not persisted (%v)", err)
	}
	// The scopes asked for on refresh are the granted ones.
	if got := a.scopesFor(res.HomeAccountID); !slices.Equal(got, res.Scopes) {
		t.Errorf("refresh scopes %v, want the granted %v", got, res.Scopes)
	}
}

func TestSignOut(t *testing.T) {
	s, cachePath, a, res := signedIn(t)
	ctx := context.Background()
	if _, err := a.Token(ctx, res.HomeAccountID, false); err != nil {
		t.Fatal(err)
	}

	if err := a.SignOut(ctx, res.HomeAccountID); err != nil {
		t.Fatalf("SignOut: %v", err)
	}
	ids, err := a.Accounts(ctx)
	if err != nil || len(ids) != 0 {
		t.Fatalf("Accounts after sign-out = %v, %v", ids, err)
	}
	_, tokErr := a.Token(ctx, res.HomeAccountID, false)
	if !errors.Is(tokErr, model.ErrSignInRequired) {
		t.Fatalf("Token after sign-out: %v, want ErrSignInRequired", tokErr)
	}
	// The file no longer holds the account's refresh token either.
	data, _ := os.ReadFile(cachePath)
	for _, tok := range s.IssuedTokens() {
		if strings.Contains(string(data), tok) {
			t.Error("the cache file still holds an issued token after sign-out")
		}
	}
	// And another process sees the sign-out.
	other := newTestAuth(t, s, cachePath, noBrowser(t))
	if ids, _ := other.Accounts(ctx); len(ids) != 0 {
		t.Errorf("another Authenticator still sees %v", ids)
	}
	if err := a.SignOut(ctx, res.HomeAccountID); err != nil {
		t.Errorf("signing out twice: %v", err)
	}
	assertNoTokens(t, s, tokErr)
}

// Replace skips parsing a cache whose bytes MSAL already holds; a change
// made by another process must still reach a running Authenticator.
func TestOtherProcessChangesAreSeen(t *testing.T) {
	s, cachePath, a, res := signedIn(t)
	ctx := context.Background()
	tok, err := a.Token(ctx, res.HomeAccountID, false)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := a.Token(ctx, res.HomeAccountID, false); err != nil || again != tok {
		t.Fatalf("an unchanged cache did not give the cached token again (%v)", err)
	}

	other := newTestAuth(t, s, cachePath, noBrowser(t))
	fresh, err := other.Token(ctx, res.HomeAccountID, true)
	if err != nil || fresh == tok {
		t.Fatalf("the other process's forced refresh: %q, %v", fresh, err)
	}
	if got, err := a.Token(ctx, res.HomeAccountID, false); err != nil || got != fresh {
		t.Errorf("after another process refreshed, Token = %q, %v; want its new token", got, err)
	}

	if err := other.SignOut(ctx, res.HomeAccountID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Token(ctx, res.HomeAccountID, false); !errors.Is(err, model.ErrSignInRequired) {
		t.Errorf("after another process signed out, Token: %v, want ErrSignInRequired", err)
	}
	if ids, err := a.Accounts(ctx); err != nil || len(ids) != 0 {
		t.Errorf("after another process signed out, Accounts = %v, %v", ids, err)
	}
}

func TestSignInAbandonedBrowser(t *testing.T) {
	s := startSim(t)
	cachePath := filepath.Join(t.TempDir(), "tokens.json")
	opened := make(chan string, 1)
	// A browser that shows the page and never comes back.
	a := newTestAuth(t, s, cachePath, func(u string) error { opened <- u; return nil })

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := a.SignIn(ctx, MailScopes)
	elapsed := time.Since(start)

	var ae *Error
	if !errors.As(err, &ae) || ae.Code != CodeTimeout {
		t.Fatalf("got %v, want a timeout *Error", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("errors.Is(err, DeadlineExceeded) = false")
	}
	if elapsed > 3*time.Second {
		t.Errorf("SignIn returned %v after its context ended", elapsed)
	}
	select {
	case u := <-opened:
		if !strings.Contains(u, "code_challenge=") || !strings.Contains(u, "response_mode=form_post") {
			t.Errorf("sign-in URL lacks PKCE or form_post: %s", u)
		}
	default:
		t.Error("the sign-in page was never opened")
	}
	if _, statErr := os.Stat(cachePath); !errors.Is(statErr, os.ErrNotExist) {
		t.Errorf("a cache file was written by an abandoned sign-in (%v)", statErr)
	}
	if ids, _ := a.Accounts(context.Background()); len(ids) != 0 {
		t.Errorf("Accounts = %v after an abandoned sign-in", ids)
	}

	// The user pressing Cancel in the app: the context is canceled.
	cctx, ccancel := context.WithCancel(context.Background())
	b := newTestAuth(t, s, cachePath, func(string) error { ccancel(); return nil })
	_, err = b.SignIn(cctx, MailScopes)
	if !errors.As(err, &ae) || ae.Code != CodeCancelled || !errors.Is(err, context.Canceled) {
		t.Errorf("canceled sign-in: %v", err)
	}
}

func TestOffline(t *testing.T) {
	s := startSim(t)
	a := newTestAuth(t, s, filepath.Join(t.TempDir(), "tokens.json"), s.Browse)
	res := signIn(t, a, MailScopes)
	ctx := context.Background()
	cached, err := a.Token(ctx, res.HomeAccountID, false)
	if err != nil {
		t.Fatal(err)
	}
	issued := s.IssuedTokens()
	_ = s.Close()

	// The cached access token still serves while the service is away...
	if got, err := a.Token(ctx, res.HomeAccountID, false); err != nil || got != cached {
		t.Errorf("cached Token while offline: %v", err)
	}
	// ...but a refresh cannot happen, and says so.
	_, err = a.Token(ctx, res.HomeAccountID, true)
	if !errors.Is(err, model.ErrOffline) {
		t.Fatalf("forced Token while offline: %v, want ErrOffline", err)
	}
	for _, tok := range issued {
		if strings.Contains(err.Error(), tok) {
			t.Error("offline error contains a token")
		}
	}
	// The failed refresh did not lose the account.
	if ids, _ := a.Accounts(ctx); !slices.Contains(ids, res.HomeAccountID) {
		t.Error("the account disappeared after a failed refresh")
	}
}

func TestTokenUnknownAccount(t *testing.T) {
	s := startSim(t)
	a := newTestAuth(t, s, "", noBrowser(t))
	_, err := a.Token(context.Background(), "nobody.nowhere", false)
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != CodeSignInRequired || !errors.Is(err, model.ErrSignInRequired) {
		t.Fatalf("got %v", err)
	}
}

func TestTokenConcurrent(t *testing.T) {
	// The sync engine asks from several streams at once, some forcing a
	// refresh after a 401 while others read the cache.
	s := startSim(t)
	a := newTestAuth(t, s, filepath.Join(t.TempDir(), "tokens.json"), s.Browse)
	res := signIn(t, a, MailScopes)
	ctx := context.Background()
	errs := make(chan error, 16)
	for i := range 16 {
		go func() {
			tok, err := a.Token(ctx, res.HomeAccountID, i%4 == 0)
			if err == nil && tok == "" {
				err = errors.New("empty token")
			}
			errs <- err
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if ids, _ := a.Accounts(ctx); len(ids) != 1 {
		t.Errorf("Accounts = %v", ids)
	}
}
