package auth

import (
	"regexp"
	"strings"
)

const redacted = "[REDACTED]"

var (
	// "access_token":"…", refresh_token=…, and the other OAuth fields that
	// carry secrets, in JSON or form/query encoding. Only the value goes.
	secretFieldRE = regexp.MustCompile(`(?i)("?\b(?:access_token|refresh_token|id_token|client_info|code_verifier|client_secret|client_assertion|assertion|password|device_code|user_code)"?\s*[:=]\s*"?)[^"&\s,;}]*`)
	// An authorization code in a query string or form body (a bare "code"
	// JSON key is left alone: Graph errors use it for their error code).
	codeParamRE = regexp.MustCompile(`([?&]code=)[^&\s"]*`)
	bearerRE    = regexp.MustCompile(`(?i)(bearer\s+)[A-Za-z0-9._~+/\-]+=*`)
	// JWTs and JWEs: base64url JSON header ("eyJ" is `{"`) and 1–4 more
	// dot-separated segments.
	jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]*){1,4}`)
	// Long base64url or base64 runs: refresh tokens ("0.AXkA…"), codes,
	// opaque access tokens.
	longRunRE = regexp.MustCompile(`[A-Za-z0-9_\-]{32,}|[A-Za-z0-9+/]{40,}={0,2}`)
	guidRE    = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// Scrub returns s with anything token-like replaced by [REDACTED], so that
// service messages and error details can be logged. It errs on the side of
// removing too much; GUIDs (tenant, trace and correlation ids) survive, as
// they are what a support request needs.
func Scrub(s string) string {
	s = secretFieldRE.ReplaceAllString(s, "${1}"+redacted)
	s = codeParamRE.ReplaceAllString(s, "${1}"+redacted)
	s = bearerRE.ReplaceAllString(s, "${1}"+redacted)
	s = jwtRE.ReplaceAllString(s, redacted)
	s = longRunRE.ReplaceAllStringFunc(s, func(run string) string {
		if guidRE.MatchString(run) || !looksRandom(run) {
			return run
		}
		return redacted
	})
	return s
}

// looksRandom tells a token (letters and digits mixed) from a long
// hyphenated word such as a package or host name, which has no digits.
func looksRandom(run string) bool {
	return strings.ContainsAny(run, "0123456789") &&
		strings.ContainsAny(strings.ToLower(run), "abcdefghijklmnopqrstuvwxyz")
}
