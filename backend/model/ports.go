package model

import (
	"context"
	"errors"
)

// TokenSource hands the sync engine a valid Graph access token for an
// account. It is implemented by auth; sync only sees this interface.
type TokenSource interface {
	// Token returns an access token for the account, refreshing silently.
	// force=true skips any cached token (used after a 401).
	Token(ctx context.Context, homeAccountID string, force bool) (string, error)
}

// Sentinel errors users act on. Packages wrap them with %w so callers can
// branch with errors.Is and show the sentence.
var (
	ErrConsentRequired = errors.New("your administrator must approve Rapport before it can read this account")
	ErrSignInRequired  = errors.New("sign in again to continue syncing this account")
	ErrThrottled       = errors.New("Microsoft 365 asked Rapport to slow down")
	ErrResyncRequired  = errors.New("the sync position expired; a full resync is needed")
	ErrNotFound        = errors.New("not found")
	ErrAccessDenied    = errors.New("access denied: Rapport lacks permission for this data")
	ErrOffline         = errors.New("offline: Microsoft 365 cannot be reached")
	// ErrMailboxUnavailable is Graph's MailboxNotEnabledForRESTAPI: an
	// on-premises or unlicensed mailbox, which Graph cannot read.
	ErrMailboxUnavailable = errors.New("this mailbox is on-premises; mail and calendar are unavailable")
)
