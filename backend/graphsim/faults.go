package graphsim

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Scripted sign-in outcomes for Faults.SignIn.
const (
	SignInOK              = ""
	SignInConsentRequired = "consent_required" // AADSTS65001 on the browser leg
	SignInAdminApproval   = "admin_approval"   // AADSTS90094: tenant requires an admin to approve
	SignInCancel          = "cancel"           // AADSTS65004: the user declined
	SignInPersonal        = "personal"         // a personal Microsoft account signs in (tid 9188040d-…)
	// SignInClaims plays conditional access asking for MFA: a refresh token
	// obtained without answering the claims challenge is refused with
	// interaction_required and a "claims" value; an interactive sign-in that
	// carries those claims yields tokens that refresh again.
	SignInClaims = "claims"
	// SignInAbandon plays a user who closes the browser tab: the sign-in
	// page never posts back, so the client waits until it gives up.
	SignInAbandon = "abandon"
)

// Faults scripts what goes wrong. The zero value is a healthy service.
type Faults struct {
	// SignIn selects the outcome of interactive and device-code sign-ins.
	SignIn string
	// BlockUserConsent lists scopes the tenant's consent policy keeps users
	// from granting (as Microsoft's 2025 default policy does for
	// Mail.ReadBasic and friends): asking for one not granted before fails
	// with AADSTS65001, on /authorize and on refresh.
	BlockUserConsent []string
	// AccessTokenLifetime overrides the 1 hour lifetime. Under 5 minutes,
	// MSAL never caches the token, so every silent call refreshes.
	AccessTokenLifetime time.Duration
	// OmitScopes lists scopes the tenant silently leaves out of a grant: the
	// sign-in succeeds but the token response's "scope" lacks them (unless an
	// administrator consented to them), as when a tenant policy filters what
	// users may grant.
	OmitScopes []string
	// SignInDelay holds the sign-in page this long before answering: a slow
	// browser or a user taking their time.
	SignInDelay time.Duration
	// DeviceCodeManual makes device codes wait for ApproveDeviceCode or the
	// /devicelogin page instead of approving themselves.
	DeviceCodeManual bool
	// DeviceCodeExpire makes device codes expire before anyone enters them:
	// the first poll answers expired_token.
	DeviceCodeExpire bool
	// Graph are failures injected into Graph requests, first match wins.
	Graph []FaultRule
	// Random fails a share of the other Graph requests (faults_random.go).
	Random *RandomFaults
}

// Fault kinds for FaultRule.Kind.
const (
	FaultStatus   = "status"   // answer Status (429, 503...) with Graph's error body
	FaultDrop     = "drop"     // close the connection without an answer
	FaultTruncate = "truncate" // send the headers and half the body, then close
	FaultResync   = "resync"   // 410 SyncStateNotFound
	FaultExpired  = "expired"  // 401 InvalidAuthenticationToken, token expired
	FaultOnPrem   = "onprem"   // 404 MailboxNotEnabledForRESTAPI: an on-premises mailbox
)

// FaultRule injects one kind of failure into matching Graph requests.
type FaultRule struct {
	Path       string // substring of the request path, case-insensitive; "" = every Graph request
	Kind       string // one of the Fault* kinds; "" means FaultStatus
	Status     int    // for FaultStatus
	RetryAfter string // Retry-After header value ("2", "0.5"); "" sends none
	Times      int    // how many requests to fail; 0 = all of them
	Skip       int    // let this many matching requests through first

	name string // what the request log records; "" = the kind
}

// label is what RequestRecord.Fault says about this rule.
func (f *FaultRule) label() string {
	if f.name != "" {
		return f.name
	}
	return f.kind()
}

func (f *FaultRule) kind() string {
	if f.Kind == "" {
		return FaultStatus
	}
	return f.Kind
}

// SetFaults replaces the fault script; rule counters start again.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	s.fired = map[int]int{}
}

// matchFault picks the rule that fires for this request, if any, and counts
// it. Callers hold s.mu. fired counts every match (skipped ones included).
func (s *Server) matchFault(path string) *FaultRule {
	lp := strings.ToLower(path)
	for i := range s.faults.Graph {
		rule := &s.faults.Graph[i]
		if rule.Path != "" && !strings.Contains(lp, strings.ToLower(rule.Path)) {
			continue
		}
		n := s.fired[i]
		if rule.Times > 0 && n >= rule.Skip+rule.Times {
			continue
		}
		s.fired[i] = n + 1
		if n < rule.Skip {
			return nil
		}
		return rule
	}
	return nil
}

var statusCodes = map[int][2]string{
	http.StatusTooManyRequests:     {"TooManyRequests", "Please retry again later."},
	http.StatusForbidden:           {"ErrorAccessDenied", "Access is denied. Check credentials and try again."},
	http.StatusServiceUnavailable:  {"ServiceUnavailable", "The service is temporarily unavailable. Please retry later."},
	http.StatusGatewayTimeout:      {"GatewayTimeout", "The gateway did not receive a timely response from the service."},
	http.StatusInternalServerError: {"InternalServerError", "An internal server error occurred."},
	http.StatusBadGateway:          {"BadGateway", "The service received an invalid response."},
}

// apply answers the request with the fault. It returns false for a
// truncation, which needs the real answer to cut.
func (f *FaultRule) apply(w http.ResponseWriter, r *http.Request) bool {
	switch f.kind() {
	case FaultDrop:
		panic(http.ErrAbortHandler) // net/http closes the connection without answering
	case FaultSlow, FaultReset, FaultNonJSON:
		_, answered := f.applyMore(w, r)
		return answered
	case FaultTruncate:
		return false
	case FaultResync:
		writeSyncStateNotFound(w, r)
	case FaultExpired:
		writeGraphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
	case FaultOnPrem:
		writeGraphError(w, r, http.StatusNotFound, "MailboxNotEnabledForRESTAPI", "REST API is not yet supported for this mailbox.")
	default:
		status := f.Status
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		cm, ok := statusCodes[status]
		if !ok {
			cm = [2]string{"UnknownError", http.StatusText(status)}
		}
		var inner object
		if status == http.StatusTooManyRequests {
			// As throttling.1.json documents it.
			inner = object{{"code", "429"}, {"message", "Please retry after"}, {"status", "429"}}
		}
		writeGraphErrorInner(w, r, status, cm[0], cm[1], inner)
	}
	return true
}

// truncatingWriter buffers an answer so flushHalf can send its headers with
// the full Content-Length and only half the body, then drop the connection:
// the client sees an unexpected EOF mid-body.
type truncatingWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (t *truncatingWriter) Header() http.Header { return t.header }
func (t *truncatingWriter) WriteHeader(code int) {
	if t.status == 0 {
		t.status = code
	}
}
func (t *truncatingWriter) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	return t.body.Write(b)
}

func (t *truncatingWriter) flushHalf(w http.ResponseWriter) {
	for k, v := range t.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(t.body.Len()))
	if t.status == 0 {
		t.status = http.StatusOK
	}
	w.WriteHeader(t.status)
	_, _ = w.Write(t.body.Bytes()[:t.body.Len()/2])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	panic(http.ErrAbortHandler)
}

var ruleRe = regexp.MustCompile(`^([a-z]+|\d{3})(?:/([0-9.]+))?(?:@([^*+]+))?(?:\*(\d+))?(?:\+(\d+))?$`)

// ParseFaults reads the `rapport sim --faults` spec: comma-separated items,
// each either an option or a Graph rule.
//
//	options: signin=consent_required|admin_approval|cancel|personal|claims|abandon
//	         block=Mail.ReadBasic (repeatable: users may not consent to it)
//	         omit=Files.Read.All (repeatable: left out of the grant)
//	         tokenlife=2m  signindelay=3s  devicecode=manual|expire
//	         random=0.1 seed=7 randomkinds=429|429f|503|reset|truncate|slow|resync|expired|nonjson slowfor=3s
//	rules:   KIND[/RETRYAFTER][@PATH][*TIMES][+SKIP]
//	         KIND is a status code (429, 503...) or drop|truncate|resync|expired|onprem|slow|reset|nonjson
//	         (for slow, RETRYAFTER is how many seconds the answer stalls)
//
// Example: "429/2@messages/delta*3,drop@mailFolders*1+2,signin=personal".
func ParseFaults(spec string) (Faults, error) {
	var f Faults
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if k, v, ok := strings.Cut(item, "="); ok {
			if handled, err := parseRandomOption(&f, strings.ToLower(k), v); handled {
				if err != nil {
					return Faults{}, err
				}
				continue
			}
			switch strings.ToLower(k) {
			case "signin":
				if v == "ok" {
					v = SignInOK
				}
				switch v {
				case SignInOK, SignInConsentRequired, SignInAdminApproval, SignInCancel, SignInPersonal, SignInClaims, SignInAbandon:
					f.SignIn = v
				default:
					return Faults{}, fmt.Errorf("graphsim: unknown signin outcome %q (want consent_required, admin_approval, cancel, personal, claims or abandon)", v)
				}
			case "block":
				f.BlockUserConsent = append(f.BlockUserConsent, v)
			case "omit":
				f.OmitScopes = append(f.OmitScopes, v)
			case "signindelay":
				d, err := time.ParseDuration(v)
				if err != nil {
					return Faults{}, fmt.Errorf("graphsim: signindelay %q: %w", v, err)
				}
				f.SignInDelay = d
			case "tokenlife":
				d, err := time.ParseDuration(v)
				if err != nil {
					return Faults{}, fmt.Errorf("graphsim: tokenlife %q: %w", v, err)
				}
				f.AccessTokenLifetime = d
			case "devicecode":
				switch v {
				case "manual":
					f.DeviceCodeManual = true
				case "expire":
					f.DeviceCodeExpire = true
				case "auto", "":
				default:
					return Faults{}, fmt.Errorf("graphsim: devicecode %q (want manual or expire)", v)
				}
			default:
				return Faults{}, fmt.Errorf("graphsim: unknown fault option %q", k)
			}
			continue
		}
		m := ruleRe.FindStringSubmatch(strings.ToLower(item))
		if m == nil {
			return Faults{}, fmt.Errorf("graphsim: cannot read fault %q (want KIND[/RETRYAFTER][@PATH][*TIMES][+SKIP])", item)
		}
		rule := FaultRule{RetryAfter: m[2], Path: m[3]}
		if code, err := strconv.Atoi(m[1]); err == nil {
			rule.Kind, rule.Status = FaultStatus, code
		} else {
			switch m[1] {
			case FaultDrop, FaultTruncate, FaultResync, FaultExpired, FaultOnPrem, FaultSlow, FaultReset, FaultNonJSON:
				rule.Kind = m[1]
			default:
				return Faults{}, fmt.Errorf("graphsim: unknown fault kind %q", m[1])
			}
		}
		if m[4] != "" {
			rule.Times, _ = strconv.Atoi(m[4])
		}
		if m[5] != "" {
			rule.Skip, _ = strconv.Atoi(m[5])
		}
		f.Graph = append(f.Graph, rule)
	}
	return f, nil
}
