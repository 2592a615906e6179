package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
)

// tokenCache is the cache.ExportReplace MSAL reads and writes through. MSAL
// calls Replace before every lookup and Export after every token it obtains,
// so the CacheStore is the single source of truth: two Authenticators (or
// two processes) on one store see each other's sign-ins and sign-outs.
//
// It also implements the one cache operation MSAL Go lacks, "forget this
// account's access tokens" (see dropAccessTokens), which Token(force=true)
// needs.
type tokenCache struct {
	store CacheStore

	mu sync.Mutex
	// forget counts in-flight forced refreshes per home account id. While it
	// is non-zero, Replace hides that account's access tokens from MSAL.
	forget map[string]int
	// last is what was last loaded or saved, so that an Export of unchanged
	// bytes (removing an account that is not there) does not rewrite the file.
	last []byte
	// applied is what MSAL's in-memory cache (appliedTo) holds: the bytes
	// last unmarshalled into it or marshalled from it by a successful
	// Export. Replace skips unmarshalling the same bytes again. MSAL calls
	// Replace before every token lookup, and parsing the whole cache was a
	// tenth of the CPU of a sync round with nothing new (PERFORMANCE.md
	// §38); the file is still read every time, so another process's
	// sign-in or sign-out is seen as before.
	applied   []byte
	appliedTo any
}

func newTokenCache(store CacheStore) *tokenCache {
	return &tokenCache{store: store, forget: map[string]int{}}
}

// storeTimeout bounds a cache read or write when MSAL hands us a context
// without a deadline, as cache.ExportReplace asks implementors to do.
const storeTimeout = 30 * time.Second

func withDefaultTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, storeTimeout)
}

// Replace implements cache.ExportReplace.
func (c *tokenCache) Replace(ctx context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	data, err := c.store.Load(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.last = data
	var hide []string
	for id, n := range c.forget {
		if n > 0 {
			hide = append(hide, id)
		}
	}
	c.mu.Unlock()
	if len(data) == 0 {
		// An empty store must still reset MSAL's in-memory copy: the file
		// may have been deleted by a sign-out in another process.
		data = []byte("{}")
	}
	if len(hide) > 0 {
		if stripped, err := dropAccessTokens(data, hide); err == nil {
			data = stripped
		}
	}
	// MSAL may call Replace from several goroutines at once (under its
	// read lock): the check and the unmarshal go together.
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.appliedTo == any(u) && bytes.Equal(c.applied, data) {
		return nil
	}
	c.applied, c.appliedTo = nil, nil
	if err := u.Unmarshal(data); err != nil {
		// An unreadable cache (truncated by a crash of an older version,
		// edited by hand; later: a key lost from the keychain) must not
		// brick sign-in, and MSAL would refuse every call while Replace
		// fails. Treat it as empty: the user signs in again and the next
		// Export overwrites it.
		return u.Unmarshal([]byte("{}"))
	}
	c.applied, c.appliedTo = data, u
	return nil
}

// Export implements cache.ExportReplace.
func (c *tokenCache) Export(ctx context.Context, m cache.Marshaler, _ cache.ExportHints) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	data, err := m.Marshal()
	if err != nil {
		return err
	}
	c.mu.Lock()
	same := bytes.Equal(data, c.last)
	// MSAL's memory holds data whether or not it is saved; until it is,
	// the next Replace must load the store's bytes into it again.
	c.applied, c.appliedTo = nil, nil
	c.mu.Unlock()
	if !same {
		if err := c.store.Save(ctx, data); err != nil {
			return err
		}
	}
	c.mu.Lock()
	c.last = data
	c.applied, c.appliedTo = data, m
	c.mu.Unlock()
	return nil
}

// lastLoaded is the cache as last read from or written to the store.
func (c *tokenCache) lastLoaded() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// hideAccessTokens makes MSAL see no access token for the account until the
// returned func is called. MSAL Go's AcquireTokenSilent has no force-refresh
// option; WithClaims does skip the cached token but also sends a "claims"
// request parameter to Entra ID, which changes what is asked for. Hiding the
// access token makes MSAL take its ordinary path for an expired token: redeem
// the refresh token, then cache (and Export) the new access token.
func (c *tokenCache) hideAccessTokens(homeAccountID string) (restore func()) {
	key := strings.ToLower(homeAccountID)
	c.mu.Lock()
	c.forget[key]++
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		if c.forget[key]--; c.forget[key] <= 0 {
			delete(c.forget, key)
		}
		c.mu.Unlock()
	}
}

// The serialized cache follows MSAL's unified cache schema, which all MSAL
// libraries share ("This cannot be changed without design that includes
// other SDKs", storage.Contract): top-level "AccessToken", "RefreshToken",
// "IdToken", "Account", "AppMetadata" maps of entries, each entry carrying
// "home_account_id". The helpers below touch only that documented surface
// and leave everything else byte for byte as MSAL wrote it.

type cacheEntry struct {
	HomeAccountID string `json:"home_account_id"`
	Target        string `json:"target"`
	// MSAL writes cached_at as a quoted unix time; accept a bare number too.
	CachedAt json.RawMessage `json:"cached_at"`
}

// dropAccessTokens removes the access tokens of the given accounts (home
// account ids, compared case-insensitively as MSAL's keys are lower-cased).
func dropAccessTokens(data []byte, homeAccountIDs []string) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, err
	}
	raw, ok := top["AccessToken"]
	if !ok {
		return data, nil
	}
	var ats map[string]json.RawMessage
	if err := json.Unmarshal(raw, &ats); err != nil {
		return nil, err
	}
	changed := false
	for k, v := range ats {
		var e cacheEntry
		if json.Unmarshal(v, &e) != nil {
			continue
		}
		for _, id := range homeAccountIDs {
			if strings.EqualFold(e.HomeAccountID, id) {
				delete(ats, k)
				changed = true
				break
			}
		}
	}
	if !changed {
		return data, nil
	}
	nb, err := json.Marshal(ats)
	if err != nil {
		return nil, err
	}
	top["AccessToken"] = nb
	return json.Marshal(top)
}

// grantedScopes returns the scopes of the account's most recently cached
// access token: what Entra ID last granted this account, which is what a
// silent request should ask for again. nil when none is cached.
func grantedScopes(data []byte, homeAccountID string) []string {
	var top struct {
		AccessToken map[string]json.RawMessage `json:"AccessToken"`
	}
	if len(data) == 0 || json.Unmarshal(data, &top) != nil {
		return nil
	}
	var best cacheEntry
	var bestAt int64 = -1
	for _, v := range top.AccessToken {
		var e cacheEntry
		if json.Unmarshal(v, &e) != nil || !strings.EqualFold(e.HomeAccountID, homeAccountID) {
			continue
		}
		at, _ := strconv.ParseInt(strings.Trim(string(e.CachedAt), `"`), 10, 64)
		// Same second (a sign-in right after another): the wider grant is
		// the later one, since consent only grows within a sign-in session.
		if at > bestAt || (at == bestAt && len(strings.Fields(e.Target)) > len(strings.Fields(best.Target))) {
			best, bestAt = e, at
		}
	}
	if bestAt < 0 {
		return nil
	}
	return resourceScopes(strings.Fields(best.Target))
}
