package auth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rapport/backend/auth/keyringtest"
)

// These tests use the real OS keychain: a private gnome-keyring behind a
// private D-Bus session that TestMain starts (keyringtest), the way the
// app's Secret Service is reached on a Linux desktop.

var keyringErr error

func TestMain(m *testing.M) {
	if os.Getenv("RAPPORT_KEYRING_CHILD") != "" {
		// A child process of TestKeychainUnavailableRealBus: keep the
		// broken bus address it was given.
		os.Exit(m.Run())
	}
	s, err := keyringtest.Start()
	keyringErr = err
	code := m.Run()
	s.Stop()
	os.Exit(code)
}

func needKeychain(t *testing.T) {
	t.Helper()
	if keyringErr != nil {
		if keyringtest.Required() {
			t.Fatalf("no Secret Service for the keychain tests: %v", keyringErr)
		}
		t.Skipf("no Secret Service: %v", keyringErr)
	}
}

func newTestEncryptedStore(t *testing.T, dir string) *EncryptedStore {
	t.Helper()
	s := NewEncryptedStore(filepath.Join(dir, "tokens.bin"))
	t.Cleanup(func() { _ = s.Forget() })
	return s
}

func TestEncryptedStoreRealKeychain(t *testing.T) {
	needKeychain(t)
	ctx := context.Background()
	dir := t.TempDir()
	s := newTestEncryptedStore(t, dir)
	if got, err := s.Load(ctx); err != nil || got != nil {
		t.Fatalf("empty store: %q, %v", got, err)
	}
	secret := []byte(`{"RefreshToken":{"k":{"secret":"1.AsecretRefreshToken0123456789"}}}`)
	if err := s.Save(ctx, secret); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(s.Path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("secretRefreshToken")) || bytes.Contains(raw, []byte("RefreshToken")) {
		t.Fatal("the cache file holds clear text")
	}
	if fi, _ := os.Stat(s.Path); fi.Mode().Perm() != 0o600 {
		t.Errorf("cache file mode %v, want 0600", fi.Mode().Perm())
	}
	// The key is in the keychain, under Rapport, and nowhere on disk.
	key, err := SystemKeyring().Get(KeychainService, s.User)
	if err != nil || len(key) != 44 {
		t.Fatalf("keychain entry: %d chars, %v", len(key), err)
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if b, _ := os.ReadFile(p); !d.IsDir() && bytes.Contains(b, []byte(key)) {
			t.Errorf("%s holds the key", p)
		}
		return nil
	})

	// Another process (a new store on the same file) reads it back.
	again := NewEncryptedStore(s.Path)
	if got, err := again.Load(ctx); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("reload: %q, %v", got, err)
	}
	// Each save uses a fresh nonce.
	if err := s.Save(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if raw2, _ := os.ReadFile(s.Path); bytes.Equal(raw, raw2) {
		t.Error("two saves of the same cache wrote identical bytes: nonce reused")
	}

	// The key deleted from the keychain: the cache reads as empty (sign in
	// again), and the next save makes a new key.
	if err := SystemKeyring().Delete(KeychainService, s.User); err != nil {
		t.Fatal(err)
	}
	fresh := NewEncryptedStore(s.Path)
	if got, err := fresh.Load(ctx); err != nil || got != nil {
		t.Fatalf("without its key: %q, %v; want an empty cache", got, err)
	}
	if err := fresh.Save(ctx, []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	if got, err := fresh.Load(ctx); err != nil || string(got) != `{"a":1}` {
		t.Fatalf("after a new key: %q, %v", got, err)
	}
	// Another data directory's key cannot open it: empty, no crash.
	other := newTestEncryptedStore(t, t.TempDir())
	other.Path = s.Path
	if got, err := other.Load(ctx); err != nil || got != nil {
		t.Fatalf("wrong key: %q, %v", got, err)
	}
	// A damaged file: empty.
	if err := os.WriteFile(s.Path, []byte("RAPPORT-TC1\ngarbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := fresh.Load(ctx); err != nil || got != nil {
		t.Fatalf("damaged file: %q, %v", got, err)
	}
}

// The real MSAL cache through the encrypted store: a sign-in survives a
// restart, and the file on disk holds none of the issued secrets.
func TestEncryptedStoreWithMSAL(t *testing.T) {
	needKeychain(t)
	s := startSim(t)
	dir := t.TempDir()
	store := newTestEncryptedStore(t, dir)
	a, err := New(Config{ClientID: testClientID, Authority: s.AuthorityURL(), HTTPClient: s.HTTPClient(), Store: store, OpenURL: s.Browse})
	if err != nil {
		t.Fatal(err)
	}
	res := signIn(t, a, MailScopes)
	b, err := New(Config{ClientID: testClientID, Authority: s.AuthorityURL(), HTTPClient: s.HTTPClient(),
		Store: NewEncryptedStore(store.Path), OpenURL: noBrowser(t)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Token(context.Background(), res.HomeAccountID, true); err != nil {
		t.Fatalf("token after a restart: %v", err)
	}
	raw, err := os.ReadFile(store.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range s.IssuedTokens() {
		if bytes.Contains(raw, []byte(tok)) {
			t.Fatal("an issued token is readable in the cache file")
		}
	}
}

// fakeKeyring is a keychain that fails like an absent Secret Service.
type fakeKeyring struct{ err error }

func (f fakeKeyring) Get(string, string) (string, error) { return "", f.err }
func (f fakeKeyring) Set(string, string, string) error   { return f.err }
func (f fakeKeyring) Delete(string, string) error        { return f.err }

func TestKeychainUnavailable(t *testing.T) {
	s := startSim(t)
	dir := t.TempDir()
	store := NewEncryptedStore(filepath.Join(dir, "tokens.bin"))
	store.Keyring = fakeKeyring{errors.New(`exec: "dbus-launch": executable file not found in $PATH`)}
	opened := false
	a, err := New(Config{ClientID: testClientID, Authority: s.AuthorityURL(), HTTPClient: s.HTTPClient(), Store: store,
		OpenURL: func(string) error { opened = true; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = a.SignIn(ctx, MailScopes)
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != CodeKeychain || !errors.Is(err, ErrKeychainUnavailable) {
		t.Fatalf("got %v, want a keychain_unavailable error", err)
	}
	if !strings.Contains(ae.Msg, "no Secret Service is running: install and unlock gnome-keyring or KWallet") {
		t.Errorf("message %q does not name the fix", ae.Msg)
	}
	if opened {
		t.Error("the browser opened although the sign-in could never be saved")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written without a keychain: %v", entries)
	}
	// Never a clear-text fallback: Save fails too.
	if err := store.Save(ctx, []byte(`{"x":1}`)); !errors.Is(err, ErrKeychainUnavailable) {
		t.Errorf("Save without a keychain: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written without a keychain: %v", entries)
	}
}

// The same through the real go-keyring with a session bus that does not
// exist, in a child process (go-keyring connects to the bus once per
// process).
func TestKeychainUnavailableRealBus(t *testing.T) {
	if os.Getenv("RAPPORT_KEYRING_CHILD") != "" {
		store := NewEncryptedStore(filepath.Join(t.TempDir(), "tokens.bin"))
		err := store.Save(context.Background(), []byte(`{"x":1}`))
		var ae *Error
		if !errors.As(err, &ae) {
			t.Fatalf("Save: %v", err)
		}
		fmt.Printf("CODE=%s\nMSG=%s\n", ae.Code, ae.Msg)
		if _, err := os.Stat(store.Path); err == nil {
			t.Fatal("a cache file was written")
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestKeychainUnavailableRealBus$", "-test.count=1")
	cmd.Env = append(os.Environ(), "RAPPORT_KEYRING_CHILD=1", "DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "CODE="+CodeKeychain) ||
		!strings.Contains(string(out), "no Secret Service is running: install and unlock gnome-keyring or KWallet") {
		t.Fatalf("child output:\n%s", out)
	}
}
