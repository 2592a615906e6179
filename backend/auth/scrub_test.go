package auth

import (
	"strings"
	"testing"
)

func TestScrub(t *testing.T) {
	cases := []struct {
		in   string
		gone []string // must not survive
		keep []string // must survive
	}{
		{`{"token_type":"Bearer","access_token":"` + fakeJWT + `","refresh_token":"` + fakeRT + `","expires_in":3599}`,
			[]string{fakeJWT, fakeRT, "eyJ"}, []string{`"token_type":"Bearer"`, `"expires_in":3599`, `"access_token":"[REDACTED]"`}},
		{"grant_type=refresh_token&refresh_token=" + fakeRT + "&client_id=abc",
			[]string{fakeRT}, []string{"grant_type=refresh_token", "client_id=abc"}},
		{"POST /token?code=0.AXkAshort&state=1 code_verifier=abcdef",
			[]string{"0.AXkAshort", "abcdef"}, []string{"state=1"}},
		{"Authorization: Bearer " + fakeJWT, []string{fakeJWT}, []string{"Authorization: Bearer"}},
		{"token " + fakeJWT + " in text", []string{fakeJWT}, []string{"token ", " in text"}},
		// An opaque token with no field name: a long base64url run.
		{"opaque 3q2-7wAbCdEf0123456789_AbCdEf0123456789xyz end", []string{"3q2-7wAbCdEf0123456789_AbCdEf0123456789xyz"}, []string{"opaque", "end"}},
		// What support needs stays: AADSTS numbers, GUIDs, home account ids,
		// host names and long words.
		{"AADSTS700082: expired. Trace ID: 0b7e3c1a-1111-2222-3333-444455556666 account 00000000-0000-0000-0000-000000000001.9188040d-6c67-4c5b-b112-36a304b66dad at login.microsoftonline.com via microsoft-authentication-library-for-go",
			nil, []string{"AADSTS700082", "0b7e3c1a-1111-2222-3333-444455556666", "00000000-0000-0000-0000-000000000001.9188040d-6c67-4c5b-b112-36a304b66dad", "login.microsoftonline.com", "microsoft-authentication-library-for-go"}},
		{`{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired."}}`,
			nil, []string{`"code":"InvalidAuthenticationToken"`}},
	}
	for _, c := range cases {
		got := Scrub(c.in)
		for _, g := range c.gone {
			if strings.Contains(got, g) {
				t.Errorf("Scrub(%q) = %q: still holds %q", c.in, got, g)
			}
		}
		for _, k := range c.keep {
			if !strings.Contains(got, k) {
				t.Errorf("Scrub(%q) = %q: lost %q", c.in, got, k)
			}
		}
	}
	if Scrub("") != "" {
		t.Error("Scrub of empty string")
	}
}
