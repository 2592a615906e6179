package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"time"

	"rapport/backend/auth"
	"rapport/backend/graph"
	"rapport/backend/model"
	"rapport/backend/store"
	rsync "rapport/backend/sync"
)

// The account side of the façade: sign-in (interactive, device code,
// incremental consent), the errors a user can act on, account state, sign
// out and purge, and the wiring of the authenticator to the store and the
// sync engine.

// UserError is a failure explained for the user, shown the same way by the
// UI (a panel) and the CLI (one sentence + the action). Code is stable: the
// UI picks its panel by it. No token or raw identity-platform text ever
// appears in it.
type UserError struct {
	Code            string `json:"code"`
	Title           string `json:"title"`
	Message         string `json:"message"`
	Action          string `json:"action"`
	AdminConsentURL string `json:"adminConsentUrl,omitempty"`
	AdminMessage    string `json:"adminMessage,omitempty"`
}

// Error is the command line's sentence: what happened, then what to do.
func (e *UserError) Error() string {
	return strings.TrimSuffix(e.Title, ".") + ". " + e.Action
}

// DetailLines are printed by the command line after the sentence, each on
// its own line (the admin consent URL, to copy).
func (e *UserError) DetailLines() []string {
	if e.AdminConsentURL != "" {
		return []string{e.AdminConsentURL}
	}
	return nil
}

// UserError codes beyond auth's (auth.Code* values pass through).
const (
	codeMissingScope = "missing_scope"
	codeWrongAccount = "wrong_account"
)

// AccountView is one account as the Accounts screen and `account list
// --json` show it.
type AccountView struct {
	UPN         string   `json:"upn"`
	DisplayName string   `json:"displayName"`
	TenantID    string   `json:"tenantId"`
	Scopes      []string `json:"scopes"`
	// State is ok, signin_required or consent_required.
	State string `json:"state"`
	// FilesEnabled: OneDrive and SharePoint scopes are granted.
	FilesEnabled bool `json:"filesEnabled"`
	// MissingScopes are the scopes Rapport can use that this account has
	// not granted (Files.Read.All: the "Allow Rapport to read your OneDrive
	// and SharePoint activity" banner).
	MissingScopes []string `json:"missingScopes"`
	// Error is the sentence for a State other than ok.
	Error string `json:"error"`
}

// SignInOutcome is the answer of SignIn and Reauthorize: the account, or
// the error to show. A re-authorization that worked but still lacks a scope
// has both (OK false, Account set, Error missing_scope).
type SignInOutcome struct {
	OK      bool         `json:"ok"`
	Account *AccountView `json:"account,omitempty"`
	Error   *UserError   `json:"error,omitempty"`
}

// accountState is the App's sign-in bookkeeping.
type accountState struct {
	mu      gosync.Mutex
	pending context.CancelFunc // the interactive sign-in waiting for the browser
	seq     int
	tokens  auth.CacheStore // the token cache of the current data directory
	retired []*store.Store  // stores replaced by StartDemo, closed with the App
}

// signInTimeout bounds the wait for the browser.
const signInTimeout = auth.DefaultSignInTimeout

const authDefaultAuthority = auth.DefaultAuthority

// tokenFile is the encrypted token cache in the data directory.
const tokenFile = "tokens.bin"

// legacyTokenFile is the clear-text cache of early builds: removed on start.
const legacyTokenFile = "tokens.json"

// rootConfig is the configuration of the real (non-demo) data directory.
func (a *App) rootConfig() Config { return a.cfg }

// authn returns the current authenticator (SaveSettings and StartDemo
// replace it).
func (a *App) authn() *auth.Authenticator {
	a.acc.mu.Lock()
	defer a.acc.mu.Unlock()
	return a.auth
}

// st and eng return the current store and sync engine. StartDemo replaces
// both (wire) while the UI, the scheduler and the bridge read them from
// other goroutines: every read goes through the lock. A caller that got the
// old ones finishes its work on them (a replaced store stays open until
// the App closes).
func (a *App) st() *store.Store {
	a.acc.mu.Lock()
	defer a.acc.mu.Unlock()
	return a.store
}

func (a *App) eng() *rsync.Engine {
	a.acc.mu.Lock()
	defer a.acc.mu.Unlock()
	return a.engine
}

// wire opens the store in dataDir and builds the authenticator and the sync
// engine on it. Used by New, and by StartDemo to switch to the demo tenant.
func (a *App) wire(dataDir string, progress store.OpenProgress) error {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory %s: %w", dataDir, err)
	}
	var tokens auth.CacheStore
	switch {
	case a.demo != nil:
		// Demo tokens are worthless, and the demo must run without a
		// keychain (a fresh machine, CI).
		tokens = auth.NewMemoryStore()
	case a.cfg.TokenStore != nil:
		tokens = a.cfg.TokenStore
	default:
		tokens = auth.NewEncryptedStore(filepath.Join(dataDir, tokenFile))
		if err := os.Remove(filepath.Join(dataDir, legacyTokenFile)); err == nil {
			a.log.Warn("removed the unencrypted token cache of an earlier version; sign in again")
		}
	}
	au, err := a.newAuthenticator(tokens)
	if err != nil {
		return err
	}
	st, err := store.OpenWithProgress(a.ctx, filepath.Join(dataDir, "rapport.db"), progress)
	if err != nil {
		return err
	}
	engine := rsync.New(rsync.Options{
		Store: st, GraphURL: a.cfg.GraphURL, HTTPClient: a.http, Tokens: accountTokens{a},
		Emit: a.emit, Log: a.log,
	})
	a.acc.mu.Lock()
	if a.store != nil {
		a.acc.retired = append(a.acc.retired, a.store)
	}
	a.store, a.auth, a.engine, a.acc.tokens = st, au, engine, tokens
	a.acc.mu.Unlock()
	return nil
}

// newAuthenticator builds the MSAL wrapper from the resolved configuration
// (the simulator's authority in the demo).
func (a *App) newAuthenticator(tokens auth.CacheStore) (*auth.Authenticator, error) {
	opener := a.cfg.OpenURL
	var id identity
	if a.demo != nil {
		opener = a.demo.sim.Browse
		id = identity{ClientID: DefaultClientID, Authority: a.demo.sim.AuthorityURL()}
	} else {
		var err error
		if id, err = resolveIdentity(a.cfg); err != nil {
			return nil, err
		}
	}
	return auth.New(auth.Config{
		ClientID: id.ClientID, Authority: id.Authority, HTTPClient: a.http,
		Store: tokens, OpenURL: opener, AllowPersonalAccounts: id.AllowPersonal,
	})
}

// rewireAuth applies saved settings: a new authenticator on the same cache.
func (a *App) rewireAuth() error {
	a.acc.mu.Lock()
	tokens := a.acc.tokens
	a.acc.mu.Unlock()
	au, err := a.newAuthenticator(tokens)
	if err != nil {
		return err
	}
	a.acc.mu.Lock()
	a.auth = au
	a.acc.mu.Unlock()
	return nil
}

// closeAccounts closes what wire replaced.
func (a *App) closeAccounts() {
	a.acc.mu.Lock()
	defer a.acc.mu.Unlock()
	a.cancelPendingLocked()
	for _, st := range a.acc.retired {
		st.Close()
	}
	a.acc.retired = nil
}

// ---- bound methods ------------------------------------------------------

// Accounts lists the accounts with their state and scopes.
func (a *App) Accounts() ([]AccountView, error) {
	accts, err := a.st().Accounts(a.ctx)
	if err != nil {
		return nil, err
	}
	out := make([]AccountView, 0, len(accts))
	for _, acct := range accts {
		out = append(out, accountView(acct))
	}
	return out, nil
}

// SignIn signs in to a Microsoft 365 account in the system browser (or the
// RAPPORT_BROWSER command) and adds it, or refreshes it if it is already
// there. files also asks for the OneDrive and SharePoint scopes. It waits
// for the browser for at most 10 minutes; CancelSignIn ends the wait.
func (a *App) SignIn(files bool) SignInOutcome {
	ctx, done := a.beginSignIn(a.ctx)
	defer done()
	return a.afterSignIn(a.outcome(a.signInFlow(ctx, wantScopes(nil, files), signInRequest{files: files})))
}

// afterSignIn starts a sync pass once an account was added or fixed, so the
// first pages land while the user looks at the screen.
func (a *App) afterSignIn(o SignInOutcome) SignInOutcome {
	if o.Account != nil && o.Account.State == model.AccountOK {
		_ = a.SyncNow()
	}
	return o
}

// CancelSignIn ends a pending SignIn or Reauthorize: it returns with the
// "cancelled" error and nothing is stored.
func (a *App) CancelSignIn() error {
	a.acc.mu.Lock()
	defer a.acc.mu.Unlock()
	a.cancelPendingLocked()
	return nil
}

// Reauthorize signs an account in again (after "Sign in again", or to add
// scopes: files asks for Files.Read.All and Sites.Read.All too, by
// incremental consent). A pending claims challenge is answered.
func (a *App) Reauthorize(upn string, files bool) SignInOutcome {
	ctx, done := a.beginSignIn(a.ctx)
	defer done()
	return a.afterSignIn(a.outcome(a.reauthorize(ctx, upn, files)))
}

// RemoveAccount signs an account out: its tokens leave the cache and it
// stops syncing, its synced data stays (shown as "signed out"). purge also
// deletes the account and all its synced data, in one transaction.
func (a *App) RemoveAccount(upn string, purge bool) error {
	ctx := a.ctx
	acct, err := a.st().AccountByUPN(ctx, strings.TrimSpace(upn))
	if errors.Is(err, model.ErrNotFound) {
		return fmt.Errorf("there is no account %q; `rapport account list` shows them", upn)
	}
	if err != nil {
		return err
	}
	if err := a.authn().SignOut(ctx, acct.HomeAccountID); err != nil {
		return fmt.Errorf("could not remove the sign-in of %s: %w", acct.UPN, err)
	}
	if purge {
		clientIDs, err := a.st().PurgeAccount(ctx, acct.ID)
		if err != nil {
			return fmt.Errorf("delete the data of %s: %w", acct.UPN, err)
		}
		if clientIDs == nil {
			clientIDs = []int64{}
		}
		a.emit(rsync.EventDataChanged, rsync.DataChanged{Account: acct.UPN, Kinds: []string{"accounts", model.KindMail}, ClientIDs: clientIDs})
	} else if _, err := a.st().SetAccountState(ctx, acct.ID, model.AccountSignInRequired, signedOutSentence, ""); err != nil {
		return err
	}
	a.emitAccounts(acct.UPN)
	return nil
}

const signedOutSentence = "Signed out: sign in again to resume syncing. Its data is kept."

// ---- sign-in flows ------------------------------------------------------

// beginSignIn starts the one interactive sign-in the App waits for: a new
// one supersedes (cancels) the previous, whose browser tab was probably
// closed.
func (a *App) beginSignIn(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithTimeout(parent, signInTimeout)
	a.acc.mu.Lock()
	a.cancelPendingLocked()
	a.acc.seq++
	mine := a.acc.seq
	a.acc.pending = cancel
	a.acc.mu.Unlock()
	return ctx, func() {
		a.acc.mu.Lock()
		if a.acc.seq == mine {
			a.acc.pending = nil
		}
		a.acc.mu.Unlock()
		cancel()
	}
}

func (a *App) cancelPendingLocked() {
	if a.acc.pending != nil {
		a.acc.pending()
		a.acc.pending = nil
	}
}

func (a *App) signInPending() bool {
	a.acc.mu.Lock()
	defer a.acc.mu.Unlock()
	return a.acc.pending != nil
}

// signInRequest says what a flow is for, to explain its failures.
type signInRequest struct {
	files    bool           // the user asked for the file scopes
	existing *model.Account // re-authorizing this account
	device   func(auth.DeviceCodePrompt)
}

// signInResult is a flow's account or failure, before it is turned into a
// SignInOutcome or a CLI error.
type signInResult struct {
	acct model.Account
	ok   bool // acct is set
	err  *UserError
}

func (a *App) outcome(r signInResult) SignInOutcome {
	var out SignInOutcome
	if r.ok {
		v := accountView(r.acct)
		out.Account = &v
	}
	out.Error = r.err
	out.OK = r.ok && r.err == nil
	return out
}

// signIn is the command line's and the demo's way in.
func (a *App) signIn(ctx context.Context, scopes []string) (model.Account, error) {
	r := a.signInFlow(ctx, scopes, signInRequest{files: hasFileScopes(scopes)})
	if r.err != nil {
		return r.acct, r.err
	}
	return r.acct, nil
}

// signInDevice signs in with a device code (the CLI's --device-code).
func (a *App) signInDevice(ctx context.Context, files bool, show func(auth.DeviceCodePrompt)) (model.Account, error) {
	r := a.signInFlow(ctx, wantScopes(nil, files), signInRequest{files: files, device: show})
	if r.err != nil {
		return r.acct, r.err
	}
	return r.acct, nil
}

// reauthorize signs upn in again with the scopes it has plus, with files,
// the file scopes.
func (a *App) reauthorize(ctx context.Context, upn string, files bool) signInResult {
	acct, err := a.st().AccountByUPN(ctx, strings.TrimSpace(upn))
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return signInResult{err: &UserError{Code: auth.CodeSignInFailed, Title: "There is no account " + upn,
				Message: "Rapport has no account with that name.", Action: "Check the name with `rapport account list`, or add it with Sign in."}}
		}
		return signInResult{err: a.userError(err, signInRequest{})}
	}
	files = files || hasFileScopes(acct.Scopes)
	return a.signInFlow(ctx, wantScopes(acct.Scopes, files), signInRequest{files: files, existing: &acct})
}

// signInFlow runs one sign-in end to end: the browser (or device code), a
// claims-challenge retry, the profile read, the store. Nothing is stored
// unless all of it works; tokens of a refused or failed sign-in are removed.
func (a *App) signInFlow(ctx context.Context, scopes []string, req signInRequest) signInResult {
	au := a.authn()
	opts := auth.SignInOptions{}
	if req.existing != nil {
		opts.Claims, opts.LoginHint = req.existing.Claims, req.existing.UPN
	}
	run := func(o auth.SignInOptions) (auth.SignInResult, error) {
		if req.device != nil {
			return au.SignInWithDeviceCode(ctx, scopes, req.device)
		}
		return au.SignInWithOptions(ctx, scopes, o)
	}
	res, err := run(opts)
	var ae *auth.Error
	if err != nil && errors.As(err, &ae) && ae.Claims != "" && opts.Claims == "" && req.device == nil {
		// Conditional access asked for more (MFA): go through the browser
		// once more carrying its claims.
		opts.Claims = ae.Claims
		res, err = run(opts)
	}
	if err != nil {
		return signInResult{err: a.userError(err, req)}
	}
	if req.existing != nil && !strings.EqualFold(res.HomeAccountID, req.existing.HomeAccountID) &&
		!strings.EqualFold(res.UPN, req.existing.UPN) {
		a.forgetUnknown(ctx, res.HomeAccountID)
		return signInResult{err: &UserError{Code: codeWrongAccount,
			Title:   "You signed in with another account",
			Message: fmt.Sprintf("Rapport asked to sign in %s again, but the browser signed in %s. Nothing was changed.", req.existing.UPN, res.UPN),
			Action:  "Sign in again and pick " + req.existing.UPN + " in the browser."}}
	}
	acct, err := a.accountFromSignIn(ctx, res)
	if err != nil {
		a.forgetUnknown(ctx, res.HomeAccountID)
		return signInResult{err: a.userError(err, req)}
	}
	a.emitAccounts(acct.UPN)
	r := signInResult{acct: acct, ok: true}
	if req.files && !hasFileScopes(acct.Scopes) {
		r.err = a.missingScopeError(acct.TenantID, missing(acct.Scopes, auth.FileScopes))
	}
	return r
}

// forgetUnknown removes the tokens of a sign-in that produced no stored
// account, unless they belong to an account Rapport already has.
func (a *App) forgetUnknown(ctx context.Context, homeAccountID string) {
	if _, err := a.st().AccountByHomeID(ctx, homeAccountID); err == nil {
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = a.authn().SignOut(cctx, homeAccountID)
}

// accountFromSignIn completes a sign-in: reads the profile and stores the
// account (identity only; tokens stay in the auth cache). Storing it clears
// a signin_required state.
func (a *App) accountFromSignIn(ctx context.Context, res auth.SignInResult) (model.Account, error) {
	gc := graph.New(a.cfg.GraphURL, a.http, a.authn(), res.HomeAccountID)
	me, err := gc.Me(ctx)
	if err != nil {
		return model.Account{}, fmt.Errorf("read your profile: %w", err)
	}
	upn := me.UserPrincipalName
	if upn == "" {
		upn = res.UPN
	}
	return a.st().UpsertAccount(ctx, model.Account{
		UPN: upn, DisplayName: me.DisplayName, Mail: me.Mail, TenantID: res.TenantID,
		HomeAccountID: res.HomeAccountID, Scopes: res.Scopes,
	})
}

func (a *App) emitAccounts(upn string) {
	a.emit("accounts:changed", map[string]string{"upn": upn})
}

// ---- account state from token failures ----------------------------------

// accountTokens is the sync engine's token source: the authenticator, plus
// the bookkeeping of its failures — an account whose refresh token died or
// whose consent was withdrawn is marked, stops syncing (syncAll skips it)
// and shows "Sign in again" until a sign-in clears it. Its data stays.
type accountTokens struct{ a *App }

func (t accountTokens) Token(ctx context.Context, homeAccountID string, force bool) (string, error) {
	tok, err := t.a.authn().Token(ctx, homeAccountID, force)
	if err != nil {
		t.a.noteTokenError(ctx, homeAccountID, err)
	}
	return tok, err
}

var _ model.TokenSource = accountTokens{}

func (a *App) noteTokenError(ctx context.Context, homeAccountID string, err error) {
	var ae *auth.Error
	if !errors.As(err, &ae) {
		return
	}
	var state, msg string
	switch ae.Code {
	case auth.CodeSignInRequired:
		state, msg = model.AccountSignInRequired, "Microsoft asks you to sign in again (the sign-in expired or was revoked). Its data is kept."
	case auth.CodeConsentRequired:
		state, msg = model.AccountConsentRequired, "Rapport's permissions for this account were withdrawn or need an administrator's approval. Its data is kept."
	default:
		return
	}
	sctx := context.WithoutCancel(ctx)
	acct, lerr := a.st().AccountByHomeID(sctx, homeAccountID)
	if lerr != nil {
		return
	}
	if changed, _ := a.st().SetAccountState(sctx, acct.ID, state, msg, ae.Claims); changed {
		a.log.Info("account needs the user", "account", acct.UPN, "state", state)
		a.emitAccounts(acct.UPN)
	}
}

// accountBlocked is why syncAll skips an account (nil: it may sync).
func accountBlocked(acct model.Account) error {
	switch acct.State {
	case model.AccountSignInRequired:
		return model.ErrSignInRequired
	case model.AccountConsentRequired:
		return model.ErrConsentRequired
	}
	return nil
}

// ---- views and errors -----------------------------------------------------

// allScopes are the scopes Rapport can use.
func allScopes() []string { return append(slices.Clone(auth.MailScopes), auth.FileScopes...) }

// wantScopes is what to ask for: what the account has, MailScopes, and
// with files the file scopes.
func wantScopes(have []string, files bool) []string {
	out := slices.Clone(auth.MailScopes)
	if files {
		out = append(out, auth.FileScopes...)
	}
	for _, s := range have {
		if !containsFold(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

func missing(have, want []string) []string {
	out := []string{}
	for _, w := range want {
		if !containsFold(have, w) {
			out = append(out, w)
		}
	}
	return out
}

func hasFileScopes(scopes []string) bool { return len(missing(scopes, auth.FileScopes)) == 0 }

func accountView(acct model.Account) AccountView {
	state := acct.State
	if state == "" {
		state = model.AccountOK
	}
	scopes := acct.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return AccountView{
		UPN: acct.UPN, DisplayName: acct.DisplayName, TenantID: acct.TenantID, Scopes: scopes,
		State: state, FilesEnabled: hasFileScopes(acct.Scopes), MissingScopes: missing(acct.Scopes, allScopes()),
		Error: acct.StateError,
	}
}

// userError explains a sign-in failure. Only auth's clean sentences and
// fixed text reach it; anything else is scrubbed.
func (a *App) userError(err error, req signInRequest) *UserError {
	var ue *UserError
	if errors.As(err, &ue) {
		return ue
	}
	tenant := ""
	if req.existing != nil {
		tenant = req.existing.TenantID
	}
	var ae *auth.Error
	if !errors.As(err, &ae) {
		msg := auth.Scrub(sentence(err))
		if errors.Is(err, model.ErrOffline) {
			return offlineError()
		}
		return &UserError{Code: auth.CodeSignInFailed, Title: "Sign-in did not work",
			Message: "Rapport could not finish adding the account: " + msg + ".", Action: "Try again."}
	}
	switch ae.Code {
	case auth.CodeConsentRequired:
		if len(ae.Declined) > 0 {
			return a.missingScopeError(tenant, ae.Declined)
		}
		// Re-authorizing an account that already reads mail, to add files:
		// the consent that is missing can only be the file scopes' (tenant
		// policy blocks user consent for them).
		if req.existing != nil && req.files && !hasFileScopes(req.existing.Scopes) {
			return a.missingScopeError(tenant, missing(req.existing.Scopes, auth.FileScopes))
		}
		u := a.adminConsentURL(tenant)
		return &UserError{Code: auth.CodeConsentRequired,
			Title: "Your administrator must approve Rapport",
			Message: "Since 2025, most Microsoft 365 organisations let only an administrator approve apps that read mail, " +
				"calendars or files, so your organisation's policy stopped this sign-in. An administrator approves Rapport " +
				"once for everyone; nothing was saved meanwhile.",
			Action:          "Send your administrator the link below, then sign in again once they have approved Rapport.",
			AdminConsentURL: u, AdminMessage: a.adminMessage(u)}
	case auth.CodePersonalAccount:
		return &UserError{Code: auth.CodePersonalAccount,
			Title:   "Personal Microsoft accounts are not supported",
			Message: "Rapport works with work or school Microsoft 365 accounts. The account you signed in with is a personal one (outlook.com, hotmail.com, live.com), so it was not added.",
			Action:  "Sign in with your work or school account."}
	case auth.CodeSignInRequired:
		return &UserError{Code: auth.CodeSignInRequired, Title: "Sign in again",
			Message: "Microsoft needs you to sign in again: the sign-in expired, was revoked, or your organisation now asks for more (such as multi-factor authentication). Local data is kept.",
			Action:  "Sign in again."}
	case auth.CodeTimeout:
		msg := "The browser was closed or nobody finished signing in within 10 minutes. Nothing was saved."
		if req.device != nil {
			msg = "The code expired before it was entered. Nothing was saved."
		}
		return &UserError{Code: auth.CodeTimeout, Title: "Sign-in timed out", Message: msg,
			Action: "Start the sign-in again and finish it in your browser."}
	case auth.CodeCancelled:
		return &UserError{Code: auth.CodeCancelled, Title: "Sign-in cancelled", Message: "Nothing was saved.",
			Action: "Sign in whenever you are ready."}
	case auth.CodeOffline, auth.CodeUnavailable:
		return offlineError()
	case auth.CodeKeychain:
		return &UserError{Code: auth.CodeKeychain, Title: "The system keychain is not available",
			Message: "Rapport keeps your sign-in encrypted under a key in the system keychain and never stores it unprotected, so it cannot sign in without one.",
			Action:  upperFirst(ae.Msg) + "."}
	case auth.CodeDeclined:
		return &UserError{Code: auth.CodeDeclined, Title: "Permission request declined",
			Message: "Rapport cannot read your mail and calendar metadata without the permissions it asked for. Nothing was saved.",
			Action:  "Sign in again and accept the permission request."}
	case auth.CodeMisconfigured:
		return &UserError{Code: auth.CodeMisconfigured, Title: "Rapport's app registration does not allow this sign-in",
			Message: "Microsoft refused the client id or redirect settings Rapport signed in with.",
			Action:  "Check the client id in Settings and the registration steps in the README (redirect URI http://localhost, \"Allow public client flows\")."}
	case auth.CodeBlocked:
		return &UserError{Code: auth.CodeBlocked, Title: "Your organisation blocked this sign-in",
			Message: "A sign-in policy of your organisation (conditional access, app assignment) does not let this account use Rapport.",
			Action:  "Ask your administrator to allow Rapport for your account."}
	case auth.CodeNoBrowser:
		return &UserError{Code: auth.CodeNoBrowser, Title: "No web browser could be opened",
			Message: "Rapport signs in through your web browser and could not start one.",
			Action:  "Set RAPPORT_BROWSER to your browser's command, or run `rapport account add --no-browser` and open the link yourself."}
	case auth.CodeThrottled:
		return &UserError{Code: auth.CodeThrottled, Title: "Microsoft asked Rapport to slow down",
			Message: "The sign-in service is busy.", Action: "Wait a minute and try again."}
	}
	return &UserError{Code: auth.CodeSignInFailed, Title: "Sign-in did not work",
		Message: upperFirst(ae.Msg) + ".", Action: "Try again; if it keeps failing, check Settings and the README's troubleshooting section."}
}

func offlineError() *UserError {
	return &UserError{Code: auth.CodeOffline, Title: "You are offline",
		Message: "Rapport could not reach Microsoft's sign-in service. Nothing was saved.",
		Action:  "Check your internet connection and try again."}
}

func (a *App) missingScopeError(tenant string, scopes []string) *UserError {
	u := a.adminConsentURL(tenant)
	return &UserError{Code: codeMissingScope,
		Title: "Your organisation did not grant access to OneDrive and SharePoint",
		Message: "You allowed Rapport to read file activity, but Microsoft's answer still lacks " + strings.Join(scopes, " and ") +
			": your organisation's policy lets only an administrator grant it. Mail and calendar keep working.",
		Action:          "Send your administrator the link below; once they approve, use Re-authorize again.",
		AdminConsentURL: u, AdminMessage: a.adminMessage(u)}
}

// adminConsentURL is the tenant's admin-consent link for every scope
// Rapport can use, on the configured authority's host (the simulator's in
// tests). tenant "" means the authority's tenant, else "organizations".
func (a *App) adminConsentURL(tenant string) string {
	au := a.authn()
	authority := au.Authority()
	if tenant == "" {
		tenant = authorityTenant(authority)
	}
	if tenant == "" {
		tenant = "organizations"
	}
	base := "https://login.microsoftonline.com"
	if u, err := url.Parse(authority); err == nil && u.Host != "" {
		base = u.Scheme + "://" + u.Host
	}
	var scopes []string
	for _, s := range allScopes() {
		scopes = append(scopes, "https://graph.microsoft.com/"+s)
	}
	q := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	return base + "/" + url.PathEscape(tenant) + "/v2.0/adminconsent?client_id=" + q(au.ClientID()) +
		"&scope=" + q(strings.Join(scopes, " ")) + "&redirect_uri=" + q("http://localhost")
}

// adminMessage is a note the user can paste into a mail to their admin.
func (a *App) adminMessage(consentURL string) string {
	return "Hello,\n\n" +
		"I would like to use Rapport, a desktop app that shows my client activity from Microsoft 365 on my laptop. " +
		"Our organisation's consent policy needs an administrator to approve it once for everyone.\n\n" +
		"It asks only for read-only, delegated permissions: User.Read, Mail.ReadBasic and Calendars.ReadBasic " +
		"(mail and meeting metadata; never message bodies or attachments), and Files.Read.All and Sites.Read.All " +
		"(OneDrive and SharePoint file activity). It writes nothing, and no data leaves my laptop except its calls to Microsoft Graph.\n\n" +
		"To review and approve it, please open this link and sign in as an administrator:\n" + consentURL + "\n\n" +
		"Application (client) ID: " + a.authn().ClientID() + "\n\nThank you!"
}

func upperFirst(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
