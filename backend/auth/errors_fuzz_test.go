package auth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzAADError feeds the identity platform's error decoder (issue 8,
// suite 4) whatever a token endpoint, a proxy or a hostile network might
// answer: as MSAL hands it over (a CallErr with the body in the response
// and in the message) and as a browser-reported failure (the description
// alone). It must never panic, always give a sentence, and — with a
// refresh token and a JWT planted in the description — never let either
// reach the error's text or its detail.
func FuzzAADError(f *testing.F) {
	seeds := []string{
		`{"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired due to inactivity.","error_codes":[700082]}`,
		`{"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented. Trace ID: 0b7e3c1a-1111-2222-3333-444455556666","error_codes":[65001],"suberror":"consent_required"}`,
		`{"error":"interaction_required","error_description":"AADSTS50076: MFA","error_codes":[50076],"claims":"{\"access_token\":{\"capolids\":{\"essential\":true}}}"}`,
		`{"error":"temporarily_unavailable","error_description":"AADSTS90033"}`,
		`{"error":"expired_token","error_codes":[70019]}`,
		`{"error":"authorization_pending"}`,
		`token response failed because declined scopes are present: Mail.ReadBasic,Files.Read.All`,
		`AADSTS90094: Admin consent is required &#39;x&#39; &lt;b&gt;`,
		`<html><body>Proxy error</body></html>`,
		`{"error_codes":["x"],"error":5}`, ``,
	}
	if b, err := os.ReadFile("../../../shared/graph/examples/errors.1.json"); err == nil {
		seeds = append(seeds, string(b))
	}
	for _, s := range seeds {
		f.Add(s, 400, false)
		f.Add(s, 503, true)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, body string, status int, silent bool) {
		if status < 100 || status > 999 {
			return
		}
		o := opInteractive
		if silent {
			o = opSilent
		}
		check := func(err error, planted bool) {
			got := classify(ctx, o, err)
			var ae *Error
			if !errors.As(got, &ae) {
				t.Fatalf("classify gave %T", got)
			}
			if ae.Msg == "" || ae.Code == "" {
				t.Fatalf("no sentence or code: %+v", ae)
			}
			text := ae.Error() + "\n" + ae.Detail
			if utf8.ValidString(body) && !utf8.ValidString(text) {
				t.Fatalf("invalid UTF-8 out of valid input: %q", text)
			}
			if planted {
				for _, secret := range []string{fakeRT, fakeJWT} {
					if strings.Contains(text, secret) {
						t.Fatalf("a planted secret leaked into %q", text)
					}
				}
			}
		}
		check(callErr(status, body), false)
		check(errors.New(body), false)
		desc := fmt.Sprintf("%s refresh_token=%s %s Bearer %s", body, fakeRT, fakeJWT, fakeRT)
		planted := fmt.Sprintf(`{"error":"invalid_grant","error_description":%q,"error_codes":[50173]}`, desc)
		check(callErr(status, planted), true)
		check(errors.New(desc), true)
	})
}

// FuzzScrub: whatever surrounds them, a JWT and a refresh token do not
// survive Scrub, and Scrub never grows a line without bound.
func FuzzScrub(f *testing.F) {
	for _, s := range []string{"", "x", `"access_token":"`, "refresh_token=", "Bearer", "eyJ", "code=", "&", "\n", "AADSTS700082"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, before, after string) {
		for _, secret := range []string{fakeRT, fakeJWT} {
			in := before + " " + secret + " " + after
			out := Scrub(in)
			if strings.Contains(out, secret) {
				t.Fatalf("Scrub(%q) kept the secret: %q", in, out)
			}
			if len(out) > len(in)+len(redacted)*(1+strings.Count(in, "=")+strings.Count(in, ":")+strings.Count(in, " ")) {
				t.Fatalf("Scrub grew %d -> %d bytes", len(in), len(out))
			}
		}
	})
}
