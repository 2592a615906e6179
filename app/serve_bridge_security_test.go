package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// Suite 6 of issue 8: the browser bridge of `rapport serve`, attacked from
// every side a local web page or a neighbour could: no token, a wrong or
// truncated one, a DNS-rebinding Host, a foreign or null Origin, a CORS
// preflight, the event stream, the static files, path tricks. Every attempt
// must fail (0 successes) and no answer may carry a CORS header or data.

func TestBridgeAttacksAllFail(t *testing.T) {
	a := newTestApp(t)
	if _, err := a.AddClient("Contoso", []string{"contoso.com"}); err != nil {
		t.Fatal(err)
	}
	assets := fstest.MapFS{
		"index.html":      {Data: []byte("<!doctype html><title>Rapport</title><script type=module src=/assets/app.js></script>")},
		"assets/app.js":   {Data: []byte("console.log('app')")},
		"favicon.svg":     {Data: []byte("<svg/>")},
		"secret/.gitkeep": {Data: []byte("")},
	}
	b, err := a.serve("127.0.0.1:0", assets)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	port := b.port
	base := "http://127.0.0.1:" + port
	token := b.token

	type attempt struct {
		name   string
		method string
		path   string
		host   string // "" = the real one
		header map[string]string
	}
	good := map[string]string{"X-Rapport-Token": token}
	wrong := token[:len(token)-1] + "A"
	if wrong == token {
		wrong = token[:len(token)-1] + "B"
	}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{"X-Rapport-Token": token}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	var attempts []attempt
	for _, ep := range []struct{ method, path string }{
		{"POST", "/api/call/Clients"}, {"POST", "/api/call/Status"}, {"GET", "/api/events"}, {"POST", "/api/call/OpenURL"},
	} {
		attempts = append(attempts,
			attempt{"no token", ep.method, ep.path, "", nil},
			attempt{"wrong token", ep.method, ep.path, "", map[string]string{"X-Rapport-Token": wrong}},
			attempt{"truncated token", ep.method, ep.path, "", map[string]string{"X-Rapport-Token": token[:8]}},
			attempt{"token with a suffix", ep.method, ep.path, "", map[string]string{"X-Rapport-Token": token + "x"}},
			attempt{"empty token", ep.method, ep.path + "?token=", "", nil},
			attempt{"DNS rebinding", ep.method, ep.path, "attacker.example:" + port, good},
			attempt{"rebinding to a loopback name", ep.method, ep.path, "localhost.attacker.example:" + port, good},
			attempt{"rebinding via nip.io", ep.method, ep.path, "127.0.0.1.nip.io:" + port, good},
			attempt{"Host without port", ep.method, ep.path, "127.0.0.1", good},
			attempt{"Host with another port", ep.method, ep.path, "127.0.0.1:1", good},
			attempt{"foreign Origin", ep.method, ep.path, "", with(map[string]string{"Origin": "https://attacker.example"})},
			attempt{"null Origin", ep.method, ep.path, "", with(map[string]string{"Origin": "null"})},
			attempt{"Origin on another port", ep.method, ep.path, "", with(map[string]string{"Origin": "http://127.0.0.1:1"})},
			attempt{"https Origin on our port", ep.method, ep.path, "", with(map[string]string{"Origin": "https://127.0.0.1:" + port})},
			attempt{"Origin of a look-alike", ep.method, ep.path, "", with(map[string]string{"Origin": "http://127.0.0.1:" + port + ".attacker.example"})},
			attempt{"CORS preflight", "OPTIONS", ep.path, "", map[string]string{"Origin": "https://attacker.example",
				"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-rapport-token"}},
		)
	}
	// The page itself, from a rebinding host or a foreign page.
	attempts = append(attempts,
		attempt{"page via rebinding", "GET", "/", "attacker.example:" + port, nil},
		attempt{"page from a foreign Origin", "GET", "/", "", map[string]string{"Origin": "https://attacker.example"}},
		attempt{"call with GET", "GET", "/api/call/Clients", "", good},
		attempt{"token in the query of a call, from a foreign page", "POST", "/api/call/Clients?token=" + token, "", map[string]string{"Origin": "https://attacker.example"}},
	)

	client := &http.Client{Timeout: 5 * time.Second}
	successes := 0
	for _, at := range attempts {
		req, err := http.NewRequest(at.method, base+at.path, strings.NewReader("[]"))
		if err != nil {
			t.Fatal(err)
		}
		if at.path == "/api/call/OpenURL" {
			req.Body = io.NopCloser(strings.NewReader(`["https://example.com/"]`))
		}
		if at.host != "" {
			req.Host = at.host
		}
		for k, v := range at.header {
			req.Header.Set(k, v)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		resp, err := client.Do(req.WithContext(ctx))
		if err != nil {
			cancel()
			t.Fatalf("%s %s (%s): %v", at.method, at.path, at.name, err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		cancel()
		for k := range resp.Header {
			if strings.HasPrefix(strings.ToLower(k), "access-control-") {
				t.Errorf("%s %s (%s): CORS header %s", at.method, at.path, at.name, k)
			}
		}
		ok := resp.StatusCode >= 200 && resp.StatusCode < 300
		if ok || strings.Contains(string(body), "Contoso") || strings.Contains(string(body), token) {
			successes++
			t.Errorf("%s %s (%s): %d %.200q", at.method, at.path, at.name, resp.StatusCode, body)
		}
	}
	t.Logf("FIGURE bridge: %d attacks, %d successes", len(attempts), successes)

	// The legitimate calls still work: the call, the stream, the page.
	req, _ := http.NewRequest("POST", base+"/api/call/Clients", strings.NewReader("[]"))
	req.Header.Set("X-Rapport-Token", token)
	req.Header.Set("Origin", base)
	resp, err := client.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the legitimate call failed: %v %v", resp, err)
	}
	resp.Body.Close()
	sse, err := http.NewRequest("GET", base+"/api/events?token="+token, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	resp, err = http.DefaultClient.Do(sse.WithContext(ctx))
	if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("the event stream with the token: %v %v", resp, err)
	}
	if line, _ := bufio.NewReader(resp.Body).ReadString('\n'); !strings.HasPrefix(line, ": connected") {
		t.Fatalf("event stream began %q", line)
	}
	resp.Body.Close()
}

// The static files are the built UI and nothing else: served without the
// token (the page must load before it can read it), so they must hold no
// data, no token, and no path may reach outside the assets.
func TestBridgeStaticFilesLeakNothing(t *testing.T) {
	a := newTestApp(t)
	if _, err := a.AddClient("Contoso", []string{"contoso.com"}); err != nil {
		t.Fatal(err)
	}
	_, base, token := startBridge(t, a)
	for _, p := range []string{"/", "/index.html", "/clients/1", "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
		"/..%2f..%2fetc%2fpasswd", "/api", "/api/", "/api/call", "/api/events/", "//etc/passwd", "/.git/config", "/rapport.db"} {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatalf("GET %s: %v", p, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		s := string(body)
		if strings.Contains(s, "root:") || strings.Contains(s, "Contoso") || strings.Contains(s, token) || strings.Contains(s, "SQLite format") {
			t.Errorf("GET %s leaked: %.200q", p, s)
		}
		if resp.StatusCode == 200 && !strings.Contains(s, "<title>Rapport</title>") {
			t.Errorf("GET %s served something other than the UI: %.200q", p, s)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); resp.StatusCode == 200 && !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("GET %s without the CSP", p)
		}
	}
}

// The bridge listens on loopback only — also when asked for every
// interface by name or through IPv6 — and nothing answers on the
// machine's other addresses.
func TestBridgeListensOnLoopbackOnly(t *testing.T) {
	a := newTestApp(t)
	for _, addr := range []string{"0.0.0.0:0", "[::]:0", ":0", "192.0.2.1:0", "example.com:0", "nonsense", "127.0.0.1.nip.io:0"} {
		if b, err := a.serve(addr, nil); err == nil {
			b.Close()
			t.Errorf("serve(%q) listened; only loopback is allowed", addr)
		}
	}
	b, err := a.serve("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if ip := b.ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		t.Fatalf("listening on %v", ip)
	}
	addrs, _ := net.InterfaceAddrs()
	for _, ad := range addrs {
		ipn, ok := ad.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.To4() == nil {
			continue
		}
		c, err := net.DialTimeout("tcp", fmt.Sprintf("%s:%s", ipn.IP, b.port), 500*time.Millisecond)
		if err == nil {
			c.Close()
			t.Errorf("the bridge answers on %s", ipn.IP)
		}
	}
}

// Regression (issue 8, suite 3): OpenURL took any string starting with
// "https://", so "https://outlook.office365.com@attacker.example/" — which
// reads as Outlook — opened the attacker's page. Links with a user name,
// without a host, or with spaces or control characters are refused now.
func TestOpenURLRefusesAllButPlainHTTPS(t *testing.T) {
	a := newTestApp(t)
	t.Setenv("RAPPORT_BROWSER", "true") // a browser that opens nothing
	for _, u := range []string{"javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "http://example.com/",
		"file:///etc/passwd", "https:/x", "https://", "https://outlook.office365.com@attacker.example/",
		"https://user:pass@example.com/", "https://example.com/ x", "https://example.com/\n", "https://example.com\\@attacker.example/",
		"//example.com", " https://example.com/", "vbscript:x", ""} {
		if err := a.OpenURL(u); err == nil {
			t.Errorf("OpenURL(%q) accepted", u)
		}
	}
	for _, u := range []string{"https://outlook.office365.com/owa/?ItemID=AAk%2Bx%3D&exvsurl=1&viewmodel=ReadMessageItem", "HTTPS://example.com/"} {
		if err := a.OpenURL(u); err != nil {
			t.Errorf("OpenURL(%q): %v", u, err)
		}
	}
}
