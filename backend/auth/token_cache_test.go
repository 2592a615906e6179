package auth

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"rapport/backend/model"
)

// sampleCache is a cache in MSAL's unified schema holding two accounts.
const sampleCache = `{
 "AccessToken": {
  "a-old": {"home_account_id":"uid-a.tid","credential_type":"AccessToken","secret":"at-a-old","target":"User.Read Mail.ReadBasic Calendars.ReadBasic Files.Read.All profile openid","cached_at":"1700000000"},
  "a-new": {"home_account_id":"UID-A.tid","credential_type":"AccessToken","secret":"at-a-new","target":"User.Read Mail.ReadBasic Calendars.ReadBasic openid profile email","cached_at":"1700000500"},
  "b":     {"home_account_id":"uid-b.tid","credential_type":"AccessToken","secret":"at-b","target":"User.Read","cached_at":"1700000100"}
 },
 "RefreshToken": {"a": {"home_account_id":"uid-a.tid","secret":"rt-a"}},
 "Account": {"a": {"home_account_id":"uid-a.tid"}},
 "Extra": {"kept":true}
}`

func TestDropAccessTokens(t *testing.T) {
	out, err := dropAccessTokens([]byte(sampleCache), []string{"uid-a.tid"})
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, gone := range []string{"at-a-old", "at-a-new"} {
		if strings.Contains(s, gone) {
			t.Errorf("%s survived", gone)
		}
	}
	for _, kept := range []string{"at-b", "rt-a", `"Account"`, `"Extra"`} {
		if !strings.Contains(s, kept) {
			t.Errorf("%s was lost", kept)
		}
	}
	if !json.Valid(out) {
		t.Error("invalid JSON")
	}
	same, err := dropAccessTokens([]byte(sampleCache), []string{"nobody"})
	if err != nil || string(same) != sampleCache {
		t.Error("an unrelated account changed the bytes")
	}
}

func TestGrantedScopes(t *testing.T) {
	// The newest access token wins (a later sign-in with fewer scopes), and
	// the OpenID scopes are dropped.
	got := grantedScopes([]byte(sampleCache), "uid-a.tid")
	if want := []string{"User.Read", "Mail.ReadBasic", "Calendars.ReadBasic"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := grantedScopes([]byte(sampleCache), "nobody"); got != nil {
		t.Errorf("unknown account: %v", got)
	}
	if got := grantedScopes(nil, "uid-a.tid"); got != nil {
		t.Errorf("empty cache: %v", got)
	}
}

func TestFileStore(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "profile", "rapport")
	path := filepath.Join(dir, "tokens.json")
	fs := NewFileStore(path)

	b, err := fs.Load(ctx)
	if err != nil || b != nil {
		t.Fatalf("missing file: %q, %v", b, err)
	}
	if err := fs.Save(ctx, []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := fs.Save(ctx, []byte(`{"a":2}`)); err != nil {
		t.Fatal(err)
	}
	b, err = fs.Load(ctx)
	if err != nil || string(b) != `{"a":2}` {
		t.Fatalf("reload: %q, %v", b, err)
	}
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(path)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
		}
		di, _ := os.Stat(dir)
		if di.Mode().Perm() != 0o700 {
			t.Errorf("dir mode %v, want 0700", di.Mode().Perm())
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}

	// A file left world-readable (by hand, by an old version) is tightened
	// by the next write, since the write replaces it.
	if runtime.GOOS != "windows" {
		_ = os.Chmod(path, 0o644)
		if err := fs.Save(ctx, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("mode after rewrite %v", fi.Mode().Perm())
		}
	}
}

func TestCorruptCacheIsEmpty(t *testing.T) {
	ctx := context.Background()
	a, err := New(Config{ClientID: "11111111-2222-3333-4444-555555555555", Store: &memStore{data: []byte(`{"Account": {`)}})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := a.Accounts(ctx)
	if err != nil || len(ids) != 0 {
		t.Fatalf("Accounts on a corrupt cache = %v, %v; want empty", ids, err)
	}
	if _, err := a.Token(ctx, "x.y", false); !errors.Is(err, model.ErrSignInRequired) {
		t.Errorf("Token on a corrupt cache: %v", err)
	}
}
