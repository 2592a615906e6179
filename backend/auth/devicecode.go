package auth

import (
	"context"
	"time"
)

// DeviceCodePrompt is what the user must see to finish a device-code
// sign-in: open VerificationURL on any device and type UserCode.
type DeviceCodePrompt struct {
	UserCode        string
	VerificationURL string
	Message         string // Entra ID's own sentence saying the above
	ExpiresOn       time.Time
}

// SignInWithDeviceCode signs in without a local browser (a remote shell, a
// machine where the loopback redirect is blocked): show is called once with
// the code to enter, then the call polls until the user finishes, the code
// expires (about 15 minutes) or ctx ends. The account policy and errors are
// those of SignIn.
func (a *Authenticator) SignInWithDeviceCode(ctx context.Context, scopes []string, show func(DeviceCodePrompt)) (SignInResult, error) {
	if err := a.Ready(ctx); err != nil {
		return SignInResult{}, err
	}
	dc, err := a.client.AcquireTokenByDeviceCode(ctx, requestScopes(scopes))
	if err != nil {
		return SignInResult{}, classify(ctx, opInteractive, err)
	}
	if show != nil {
		show(DeviceCodePrompt{
			UserCode:        dc.Result.UserCode,
			VerificationURL: dc.Result.VerificationURL,
			Message:         dc.Result.Message,
			ExpiresOn:       dc.Result.ExpiresOn,
		})
	}
	res, err := dc.AuthenticationResult(ctx)
	if err != nil {
		return SignInResult{}, classify(ctx, opInteractive, err)
	}
	return a.accept(ctx, res)
}
