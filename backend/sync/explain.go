package sync

import (
	"context"
	"errors"

	"rapport/backend/model"
	"rapport/backend/store"
)

// Explain turns a stream failure into the one sentence the status screen
// shows, with the action that fixes it. Raw Graph codes never reach users.
func Explain(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, model.ErrMailboxUnavailable):
		return "This mailbox is on-premises; mail and calendar are unavailable."
	case errors.Is(err, model.ErrSignInRequired):
		return "Rapport must sign in again: run `rapport account reauth` or use Sign in again in the app."
	case errors.Is(err, model.ErrConsentRequired):
		return "Your administrator must approve Rapport before it can read this data."
	case errors.Is(err, model.ErrAccessDenied):
		return "Rapport is not allowed to read this data: re-authorize the account to grant the permission."
	case errors.Is(err, model.ErrThrottled):
		return "Microsoft 365 is throttling requests; Rapport will retry shortly."
	case errors.Is(err, model.ErrOffline):
		return "Offline: Microsoft 365 cannot be reached. Rapport will retry when the network is back."
	case errors.Is(err, model.ErrNotFound):
		return "This folder no longer exists in the mailbox."
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "Sync was interrupted; it resumes where it stopped."
	case store.Damaged(err):
		return StoreDamaged
	case store.Full(err):
		return "The disk is full: Rapport cannot save what it syncs. Free some space; the sync resumes by itself."
	case store.Busy(err):
		return "Another program is using Rapport's store (a backup or a database tool?); the sync resumes once it is done."
	}
	return "Sync failed unexpectedly; Rapport will retry. (" + err.Error() + ")"
}

// StoreDamaged is what a sync or a view says when it met a damaged page of
// the store (store.Damaged): the next start checks it.
const StoreDamaged = "Rapport's store is damaged: quit Rapport and start it again to check it."

// Action names what fixes a stream failure, for the UI's button: one of
// the model.Action* constants ("" for no error).
func Action(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, model.ErrMailboxUnavailable):
		return model.ActionUnavailable
	case errors.Is(err, model.ErrSignInRequired), errors.Is(err, model.ErrAccessDenied):
		return model.ActionReauthorize
	case errors.Is(err, model.ErrConsentRequired):
		return model.ActionAdminConsent
	}
	return model.ActionNone
}
