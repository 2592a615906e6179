package app

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func newTestApp(t *testing.T) *App {
	t.Helper()
	a, err := New(Config{DataDir: t.TempDir(), ClientID: "test", Authority: "https://127.0.0.1:1/organizations", GraphURL: "https://127.0.0.1:1/v1.0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	return a
}

func startBridge(t *testing.T, a *App) (*Bridge, string, string) {
	t.Helper()
	assets := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>Rapport</title>")}}
	b, err := a.serve("127.0.0.1:0", assets)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	u, _ := url.Parse(b.URL())
	return b, "http://" + u.Host, u.Query().Get("token")
}

func TestBridgeRefusesNonLoopback(t *testing.T) {
	a := newTestApp(t)
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:0", "example.com:0", "nonsense"} {
		if b, err := a.serve(addr, nil); err == nil {
			b.Close()
			t.Errorf("Serve(%q) listened; only loopback is allowed", addr)
		}
	}
}

func TestBridgeNeedsTokenHostAndOrigin(t *testing.T) {
	a := newTestApp(t)
	if _, err := a.AddClient("Contoso", []string{"contoso.com"}); err != nil {
		t.Fatal(err)
	}
	_, base, token := startBridge(t, a)
	call := func(mutate func(*http.Request)) (int, string) {
		req, _ := http.NewRequest("POST", base+"/api/call/Clients", strings.NewReader("[]"))
		req.Header.Set("X-Rapport-Token", token)
		mutate(req)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatal("bridge sent a CORS header")
		}
		return resp.StatusCode, string(body)
	}
	if code, body := call(func(*http.Request) {}); code != 200 || !strings.Contains(body, "Contoso") {
		t.Fatalf("authorised call = %d %s", code, body)
	}
	cases := map[string]func(*http.Request){
		"no token":     func(r *http.Request) { r.Header.Del("X-Rapport-Token") },
		"wrong token":  func(r *http.Request) { r.Header.Set("X-Rapport-Token", token[:len(token)-1]+"x") },
		"rebinding":    func(r *http.Request) { r.Host = "attacker.example:" + strings.Split(base, ":")[2] },
		"foreign page": func(r *http.Request) { r.Header.Set("Origin", "https://attacker.example") },
		"null origin":  func(r *http.Request) { r.Header.Set("Origin", "null") },
	}
	for name, m := range cases {
		code, body := call(m)
		if code != 401 && code != 403 {
			t.Errorf("%s: status %d, want 401/403", name, code)
		}
		if strings.Contains(body, "Contoso") {
			t.Errorf("%s: data leaked: %s", name, body)
		}
	}
	if code, _ := call(func(r *http.Request) { r.Header.Del("X-Rapport-Token") }); code != 401 {
		t.Fatalf("no token: %d, want 401", code)
	}
}

func TestBridgeCallsAndErrors(t *testing.T) {
	a := newTestApp(t)
	_, base, token := startBridge(t, a)
	post := func(method, body string) (int, map[string]any, []any) {
		req, _ := http.NewRequest("POST", base+"/api/call/"+method, strings.NewReader(body))
		req.Header.Set("X-Rapport-Token", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var obj map[string]any
		var arr []any
		json.Unmarshal(raw, &obj)
		json.Unmarshal(raw, &arr)
		return resp.StatusCode, obj, arr
	}
	if code, _, arr := post("Clients", "[]"); code != 200 || arr == nil {
		t.Fatalf("Clients on an empty store = %d %v (want an empty JSON array)", code, arr)
	}
	if code, obj, _ := post("Status", ""); code != 200 || obj["accounts"] == nil {
		t.Fatalf("Status = %d %v", code, obj)
	}
	if code, obj, _ := post("Timeline", `["x"]`); code != 400 || obj["error"] == "" {
		t.Fatalf("Timeline with a bad argument = %d %v", code, obj)
	}
	if code, obj, _ := post("DropTables", "[]"); code != 400 || !strings.Contains(obj["error"].(string), "unknown method") {
		t.Fatalf("unknown method = %d %v", code, obj)
	}
	if code, obj, _ := post("OpenURL", `["javascript:alert(1)"]`); code == 200 || obj["error"] == nil {
		t.Fatalf("OpenURL(javascript:) = %d %v; must be refused", code, obj)
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("page served without a script CSP: %q", csp)
	}
}

// Every exported method of App is bound to the window and reachable through
// the bridge, so each must be safe for the UI to call with JSON arguments:
// no contexts, file systems or functions (those belong to unexported,
// command-line-only methods).
func TestBoundMethodsTakeOnlyJSONArguments(t *testing.T) {
	typ := reflect.TypeOf(&App{})
	for i := 0; i < typ.NumMethod(); i++ {
		m := typ.Method(i)
		for j := 1; j < m.Type.NumIn(); j++ {
			switch k := m.Type.In(j).Kind(); k {
			case reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer:
				t.Errorf("bound method %s takes a %s argument; make it unexported or take plain values", m.Name, k)
			}
		}
	}
}
