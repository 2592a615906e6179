// Package auth signs a consultant in to Microsoft 365 and hands out Graph
// access tokens. It wraps MSAL Go's public client: interactive sign-in (auth
// code + PKCE in the system browser) or a device code, a token cache kept in
// a CacheStore, silent refresh for the sync engine (model.TokenSource), the
// personal-account policy, and the translation of MSAL's failures into a few
// errors a user can act on. MSAL's own error strings never leave this
// package: some of them embed raw token responses.
package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"rapport/backend/model"
)

// DefaultAuthority accepts work and school accounts from any tenant. Entra ID
// enforces that on its side only; SignIn checks the tenant too.
const DefaultAuthority = "https://login.microsoftonline.com/organizations"

// PersonalTenantID is the tenant of every personal Microsoft account
// (outlook.com, hotmail.com, live.com).
const PersonalTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"

// MailScopes are the delegated Graph scopes for mail and calendar metadata.
// Never add offline_access, openid or profile: MSAL adds them itself, and an
// explicit offline_access fails with "declined scopes are present".
var MailScopes = []string{"User.Read", "Mail.ReadBasic", "Calendars.ReadBasic"}

// FileScopes are requested (with MailScopes) when the user turns on
// OneDrive and SharePoint activity.
var FileScopes = []string{"Files.Read.All", "Sites.Read.All"}

// DefaultSignInTimeout bounds an interactive sign-in whose context has no
// deadline: MSAL waits for the browser for as long as the context lives, and
// a closed browser tab never reports back.
const DefaultSignInTimeout = 10 * time.Minute

// Config configures an Authenticator.
type Config struct {
	ClientID   string
	Authority  string       // default DefaultAuthority
	HTTPClient *http.Client // nil -> http.DefaultClient
	// CachePath is the token cache file, written 0600 atomically in a 0700
	// directory. Empty (and no Store) keeps tokens in memory only.
	CachePath string
	// Store overrides CachePath with another CacheStore (the encrypted one).
	Store CacheStore
	// OpenURL shows the sign-in page; nil opens the system browser.
	OpenURL               func(url string) error
	AllowPersonalAccounts bool
}

// Authenticator is safe for concurrent use.
type Authenticator struct {
	cfg    Config
	client public.Client
	cache  *tokenCache

	mu sync.Mutex
	// scopes remembers, per account, the scopes of its last successful token,
	// for when the cache holds no access token to read them from.
	scopes map[string][]string
}

// New builds an Authenticator. It does no I/O: the cache is read on first use.
func New(cfg Config) (*Authenticator, error) {
	if strings.TrimSpace(cfg.ClientID) == "" {
		return nil, errors.New("auth: a client id is required")
	}
	if cfg.Authority == "" {
		cfg.Authority = DefaultAuthority
	}
	u, err := url.Parse(cfg.Authority)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("auth: authority %q must be an https URL", cfg.Authority)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	store := cfg.Store
	switch {
	case store != nil:
	case cfg.CachePath != "":
		store = NewFileStore(cfg.CachePath)
	default:
		store = &memStore{}
	}
	tc := newTokenCache(store)
	opts := []public.Option{
		public.WithAuthority(cfg.Authority),
		public.WithHTTPClient(cfg.HTTPClient),
		public.WithCache(tc),
	}
	// Instance discovery asks login.microsoftonline.com which hosts are
	// Microsoft's; any other host (the simulator, a sovereign cloud given by
	// URL) would fail it or leak a request to the public cloud.
	if !strings.EqualFold(u.Hostname(), "login.microsoftonline.com") {
		opts = append(opts, public.WithInstanceDiscovery(false))
	}
	client, err := public.New(cfg.ClientID, opts...)
	if err != nil {
		return nil, fmt.Errorf("auth: %v", Scrub(err.Error()))
	}
	return &Authenticator{cfg: cfg, client: client, cache: tc, scopes: map[string][]string{}}, nil
}

// SignInResult describes the account a sign-in produced.
type SignInResult struct {
	HomeAccountID string // "<object id>.<tenant id>": the key for Token and SignOut
	UPN           string
	DisplayName   string
	TenantID      string
	// Scopes are the resource scopes Entra ID granted (the token response's
	// "scope"), without the OpenID ones (openid, profile, email,
	// offline_access), which every sign-in has.
	Scopes []string
}

// SignInOptions refine an interactive sign-in.
type SignInOptions struct {
	// Claims answers a claims challenge (conditional access, MFA): the
	// Claims of the *Error a previous request failed with.
	Claims string
	// LoginHint pre-fills the account (re-authorizing a known account).
	LoginHint string
}

// SignIn runs an interactive sign-in in the browser (auth code with PKCE;
// MSAL listens on http://localhost:<random port> for the form_post reply).
// It returns when the browser reports back or ctx ends; a context without a
// deadline gets DefaultSignInTimeout. Nothing is cached unless it succeeds.
func (a *Authenticator) SignIn(ctx context.Context, scopes []string) (SignInResult, error) {
	return a.SignInWithOptions(ctx, scopes, SignInOptions{})
}

// SignInWithOptions is SignIn with a claims challenge or a login hint.
func (a *Authenticator) SignInWithOptions(ctx context.Context, scopes []string, o SignInOptions) (SignInResult, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultSignInTimeout)
		defer cancel()
	}
	if err := a.Ready(ctx); err != nil {
		return SignInResult{}, err
	}
	opts := []public.AcquireInteractiveOption{public.WithOpenURL(a.openURL)}
	if o.Claims != "" {
		opts = append(opts, public.WithClaims(o.Claims))
	}
	if o.LoginHint != "" {
		opts = append(opts, public.WithLoginHint(o.LoginHint))
	}
	res, err := a.client.AcquireTokenInteractive(ctx, requestScopes(scopes), opts...)
	if err != nil {
		return SignInResult{}, classify(ctx, opInteractive, err)
	}
	return a.accept(ctx, res)
}

// Ready checks that the token cache can be written (the keychain answers),
// so a sign-in fails before the browser opens rather than after.
func (a *Authenticator) Ready(ctx context.Context) error {
	r, ok := a.cache.store.(interface{ Ready(context.Context) error })
	if !ok {
		return nil
	}
	if err := r.Ready(ctx); err != nil {
		return classify(ctx, opCache, err)
	}
	return nil
}

// Authority is the configured authority URL.
func (a *Authenticator) Authority() string { return a.cfg.Authority }

// ClientID is the configured application (client) id.
func (a *Authenticator) ClientID() string { return a.cfg.ClientID }

func (a *Authenticator) openURL(u string) error {
	open := a.cfg.OpenURL
	if open == nil {
		open = openSystemBrowser
	}
	if err := open(u); err != nil {
		return browserError{err}
	}
	return nil
}

// accept applies the account policy to a fresh sign-in and describes it.
func (a *Authenticator) accept(ctx context.Context, res public.AuthResult) (SignInResult, error) {
	if res.Account.HomeAccountID == "" {
		// No client_info and no id_token: MSAL could not key the tokens to
		// an account, so they could never be refreshed.
		return SignInResult{}, &Error{Code: CodeSignInFailed,
			Msg: "sign-in failed: Microsoft did not identify the account"}
	}
	tenant := tenantOf(res)
	if strings.EqualFold(tenant, PersonalTenantID) && !a.cfg.AllowPersonalAccounts {
		// The refusal must not leave the tokens behind; the caller's ctx may
		// be about to end, so the clean-up gets its own short one.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = a.client.RemoveAccount(cctx, res.Account)
		return SignInResult{}, &Error{Code: CodePersonalAccount,
			Msg: "personal Microsoft accounts are not supported; sign in with a work or school account"}
	}
	granted := resourceScopes(res.GrantedScopes)
	a.remember(res.Account.HomeAccountID, granted)
	return SignInResult{
		HomeAccountID: res.Account.HomeAccountID,
		UPN:           firstNonEmpty(res.IDToken.PreferredUsername, res.IDToken.UPN, res.IDToken.Email, res.Account.PreferredUsername),
		DisplayName:   res.IDToken.Name,
		TenantID:      tenant,
		Scopes:        granted,
	}, nil
}

// tenantOf reads the tenant from the id token, else from the home account id
// ("<oid>.<tid>"). The account's Realm is the authority's tenant segment
// ("organizations"), not the user's tenant.
func tenantOf(res public.AuthResult) string {
	if res.IDToken.TenantID != "" {
		return res.IDToken.TenantID
	}
	if i := strings.LastIndexByte(res.Account.HomeAccountID, '.'); i >= 0 {
		return res.Account.HomeAccountID[i+1:]
	}
	return ""
}

// Token returns an access token for the account, from the cache or by
// redeeming its refresh token. It asks for the scopes the account was last
// granted (so a refresh keeps OneDrive access once it was given), MailScopes
// if none are known. force=true skips the cached access token and always
// redeems the refresh token: use it after Graph answered 401 to a token the
// cache still considers valid (revoked, or its claims changed).
//
// Errors: ErrSignInRequired when there is no saved sign-in or the refresh
// token no longer works; ErrConsentRequired when consent was withdrawn;
// ErrOffline when the identity platform cannot be reached.
func (a *Authenticator) Token(ctx context.Context, homeAccountID string, force bool) (string, error) {
	return a.TokenForScopes(ctx, homeAccountID, nil, force)
}

var _ model.TokenSource = (*Authenticator)(nil)

// TokenForScopes is Token for explicit scopes (nil: the account's last
// granted ones).
func (a *Authenticator) TokenForScopes(ctx context.Context, homeAccountID string, scopes []string, force bool) (string, error) {
	acct, ok, err := a.account(ctx, homeAccountID)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", &Error{Code: CodeSignInRequired, Msg: model.ErrSignInRequired.Error(),
			Detail: "no saved sign-in for this account", Err: model.ErrSignInRequired}
	}
	if len(scopes) == 0 {
		scopes = a.scopesFor(homeAccountID)
	} else {
		scopes = requestScopes(scopes)
	}
	if force {
		restore := a.cache.hideAccessTokens(homeAccountID)
		defer restore()
	}
	res, err := a.client.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(acct))
	if err != nil {
		return "", classify(ctx, opSilent, err)
	}
	a.remember(homeAccountID, resourceScopes(res.GrantedScopes))
	return res.AccessToken, nil
}

// SignOut forgets the account: its access, refresh and id tokens leave the
// cache. Signing out an unknown account is not an error.
func (a *Authenticator) SignOut(ctx context.Context, homeAccountID string) error {
	acct, ok, err := a.account(ctx, homeAccountID)
	if err != nil || !ok {
		return err
	}
	if err := a.client.RemoveAccount(ctx, acct); err != nil {
		return classify(ctx, opCache, err)
	}
	a.mu.Lock()
	delete(a.scopes, strings.ToLower(homeAccountID))
	a.mu.Unlock()
	return nil
}

// Accounts lists the home account ids that have a saved sign-in.
func (a *Authenticator) Accounts(ctx context.Context) ([]string, error) {
	accts, err := a.client.Accounts(ctx)
	if err != nil {
		return nil, classify(ctx, opCache, err)
	}
	ids := make([]string, 0, len(accts))
	for _, acct := range accts {
		ids = append(ids, acct.HomeAccountID)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// account finds the MSAL account for a home account id. MSAL's public
// client has no lookup by id, only the full list.
func (a *Authenticator) account(ctx context.Context, homeAccountID string) (public.Account, bool, error) {
	accts, err := a.client.Accounts(ctx)
	if err != nil {
		return public.Account{}, false, classify(ctx, opCache, err)
	}
	for _, acct := range accts {
		if strings.EqualFold(acct.HomeAccountID, homeAccountID) {
			return acct, true, nil
		}
	}
	return public.Account{}, false, nil
}

// scopesFor picks the scopes a silent request asks for: those of the
// account's newest cached access token (the cache is shared with other
// processes, so it knows about a sign-in made elsewhere), else what this
// process last got, else MailScopes.
func (a *Authenticator) scopesFor(homeAccountID string) []string {
	if s := grantedScopes(a.cache.lastLoaded(), homeAccountID); len(s) > 0 {
		return s
	}
	a.mu.Lock()
	s := a.scopes[strings.ToLower(homeAccountID)]
	a.mu.Unlock()
	if len(s) > 0 {
		return s
	}
	return slices.Clone(MailScopes)
}

func (a *Authenticator) remember(homeAccountID string, scopes []string) {
	if len(scopes) == 0 {
		return
	}
	a.mu.Lock()
	a.scopes[strings.ToLower(homeAccountID)] = scopes
	a.mu.Unlock()
}

// oidcScopes are added by MSAL to every request and granted to every
// sign-in; they say nothing about Graph access.
var oidcScopes = []string{"openid", "profile", "offline_access", "email"}

func isOIDC(s string) bool {
	return slices.ContainsFunc(oidcScopes, func(o string) bool { return strings.EqualFold(o, s) })
}

// resourceScopes drops the OpenID scopes and duplicates.
func resourceScopes(scopes []string) []string {
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		s = strings.TrimSpace(s)
		if s == "" || isOIDC(s) || slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, s) }) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// requestScopes is what to ask MSAL for: resource scopes only, MailScopes
// when none are given.
func requestScopes(scopes []string) []string {
	if s := resourceScopes(scopes); len(s) > 0 {
		return s
	}
	return slices.Clone(MailScopes)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
