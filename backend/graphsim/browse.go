package graphsim

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// A scripted browser for the interactive sign-in: it does what a real
// browser does with AAD's answer — load the authorize URL, then let the
// auto-submitting form POST its fields to the redirect URI (MSAL's
// http://localhost listener). It parses only the simple page the
// simulator writes, which is also the shape AAD writes.

var (
	formRe   = regexp.MustCompile(`(?is)<form\b[^>]*\baction="([^"]*)"[^>]*>(.*?)</form>`)
	methodRe = regexp.MustCompile(`(?is)<form\b[^>]*\bmethod="([^"]*)"`)
	inputRe  = regexp.MustCompile(`(?is)<input\b[^>]*>`)
	attrRe   = regexp.MustCompile(`(?is)\b(name|value|type)="([^"]*)"`)
	errorRe  = regexp.MustCompile(`(?is)<div id="error">(.*?)</div>`)
	// abandonedRe marks a page the scripted user walks away from
	// (Faults.SignIn = SignInAbandon).
	abandonedRe = regexp.MustCompile(`(?is)<div id="abandoned">`)
)

// Browse completes the sign-in at authURL with HTTPClient(). Its signature
// fits public.WithOpenURL.
func (s *Server) Browse(authURL string) error {
	return CompleteSignIn(context.Background(), s.HTTPClient(), authURL)
}

// CompleteSignIn is Browse for a simulator in another process: c must trust
// the simulator's certificate. Given an admin-consent URL
// (/{tenant}/v2.0/adminconsent), it approves as the tenant's administrator
// and stops at the redirect, which goes to a listener nobody runs. A page
// the scripted user abandons (SignInAbandon) ends it without error and
// without an answer to the app, like a closed tab.
func CompleteSignIn(ctx context.Context, c *http.Client, authURL string) error {
	if u, err := url.Parse(authURL); err == nil && strings.HasSuffix(u.Path, "/v2.0/adminconsent") {
		return approveAdminConsent(ctx, c, authURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("graphsim browser: %w", err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("graphsim browser: %w", err)
	}
	page := string(body)
	if abandonedRe.MatchString(page) {
		return nil
	}
	if m := errorRe.FindStringSubmatch(page); m != nil {
		return errors.New("graphsim browser: sign-in page says: " + html.UnescapeString(m[1]))
	}
	fm := formRe.FindStringSubmatch(page)
	if fm == nil {
		return fmt.Errorf("graphsim browser: no form in the sign-in answer (HTTP %d)", resp.StatusCode)
	}
	if mm := methodRe.FindStringSubmatch(page); mm != nil && !strings.EqualFold(mm[1], "post") {
		return fmt.Errorf("graphsim browser: form method %q, want POST", mm[1])
	}
	action := html.UnescapeString(fm[1])
	fields := url.Values{}
	for _, in := range inputRe.FindAllString(fm[2], -1) {
		attrs := map[string]string{}
		for _, a := range attrRe.FindAllStringSubmatch(in, -1) {
			attrs[strings.ToLower(a[1])] = html.UnescapeString(a[2])
		}
		if attrs["type"] == "hidden" && attrs["name"] != "" {
			fields.Add(attrs["name"], attrs["value"])
		}
	}
	post, err := http.NewRequestWithContext(ctx, http.MethodPost, action, strings.NewReader(fields.Encode()))
	if err != nil {
		return err
	}
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	presp, err := c.Do(post)
	if err != nil {
		return fmt.Errorf("graphsim browser: posting to %s: %w", action, err)
	}
	_, _ = io.Copy(io.Discard, presp.Body)
	presp.Body.Close()
	if presp.StatusCode >= 400 {
		return fmt.Errorf("graphsim browser: %s answered HTTP %d", action, presp.StatusCode)
	}
	return nil
}

func approveAdminConsent(ctx context.Context, c *http.Client, consentURL string) error {
	nc := *c
	nc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, consentURL, nil)
	if err != nil {
		return err
	}
	resp, err := nc.Do(req)
	if err != nil {
		return fmt.Errorf("graphsim browser: %w", err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if m := errorRe.FindStringSubmatch(string(body)); m != nil {
		return errors.New("graphsim browser: admin consent page says: " + html.UnescapeString(m[1]))
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Query().Get("admin_consent") != "True" {
		return fmt.Errorf("graphsim browser: admin consent answered HTTP %d", resp.StatusCode)
	}
	return nil
}
