package app

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"reflect"
	"strings"
	"time"
	"unicode"
)

// contentSecurityPolicy forbids inline script and any foreign origin: mail
// subjects and file names are untrusted text.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// Bridge serves the UI and the façade's methods to a browser on loopback.
// Every API call needs the per-run token; requests whose Host or Origin is
// not this loopback address are refused (DNS rebinding, foreign pages).
type Bridge struct {
	app    *App
	token  string
	ln     net.Listener
	srv    *http.Server
	assets fs.FS
	port   string
}

// serve starts the bridge on a loopback address ("127.0.0.1:0" picks a port).
func (a *App) serve(addr string, assets fs.FS) (*Bridge, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--addr %q: expected host:port such as 127.0.0.1:0", addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("--addr %q: the browser UI only listens on loopback (127.0.0.1) so nobody else on the network can reach your data", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		ln.Close()
		return nil, err
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	b := &Bridge{app: a, token: base64.RawURLEncoding.EncodeToString(raw), ln: ln, assets: assets, port: port}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/call/{method}", b.guard(b.call))
	mux.HandleFunc("GET /api/events", b.guard(b.events))
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "unknown API call")
	})
	mux.HandleFunc("/", b.static)
	b.srv = &http.Server{Handler: b.checkHost(mux), ReadHeaderTimeout: 10 * time.Second}
	go b.srv.Serve(ln)
	return b, nil
}

// URL is the address to open, token included.
func (b *Bridge) URL() string { return fmt.Sprintf("http://127.0.0.1:%s/?token=%s", b.port, b.token) }

// close stops the server.
func (b *Bridge) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return b.srv.Shutdown(ctx)
}

func (b *Bridge) allowedHost(h string) bool {
	for _, name := range []string{"127.0.0.1", "localhost", "[::1]"} {
		if h == name+":"+b.port {
			return true
		}
	}
	return false
}

// checkHost refuses requests addressed to another host name (a DNS
// rebinding page resolving its own name to 127.0.0.1) or sent by a page of
// another origin.
func (b *Bridge) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !b.allowedHost(r.Host) {
			writeError(w, http.StatusForbidden, "this address is not allowed")
			return
		}
		if o := r.Header.Get("Origin"); o != "" && !(strings.HasPrefix(o, "http://") && b.allowedHost(strings.TrimPrefix(o, "http://"))) {
			writeError(w, http.StatusForbidden, "requests from other web pages are not allowed")
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
		next.ServeHTTP(w, r)
	})
}

func (b *Bridge) guard(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("X-Rapport-Token")
		if got == "" {
			got = r.URL.Query().Get("token")
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(b.token)) != 1 {
			writeError(w, http.StatusUnauthorized, "missing or wrong access token: open the link that `rapport serve` printed")
			return
		}
		next(w, r)
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// call dispatches POST /api/call/{method} with a JSON array of arguments.
func (b *Bridge) call(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "could not read the request")
		return
	}
	var args []json.RawMessage
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &args); err != nil {
			writeError(w, http.StatusBadRequest, "the request body must be a JSON array of arguments")
			return
		}
	}
	result, err := b.app.dispatch(r.PathValue("method"), args)
	if err != nil {
		status := http.StatusInternalServerError
		var ae *argError
		if errors.As(err, &ae) {
			status = http.StatusBadRequest
		}
		writeError(w, status, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(result)
}

// events streams the façade's events as server-sent events.
func (b *Bridge) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	ch := b.app.hub.subscribe()
	defer b.app.hub.unsubscribe(ch)
	fmt.Fprint(w, ": connected\n\n")
	fl.Flush()
	ping := time.NewTicker(25 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-b.app.ctx.Done():
			return
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
		case ev := <-ch:
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.Name, ev.Data)
		}
		fl.Flush()
	}
}

// static serves the built frontend.
func (b *Bridge) static(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	if b.assets == nil {
		http.Error(w, "the UI was not built into this binary", http.StatusNotFound)
		return
	}
	p := strings.TrimPrefix(r.URL.Path, "/")
	if p == "" {
		p = "index.html"
	}
	if _, err := fs.Stat(b.assets, p); err != nil {
		p = "index.html"
	}
	if p == "index.html" {
		w.Header().Set("Cache-Control", "no-store")
	}
	http.ServeFileFS(w, r, b.assets, p)
}

// argError is a malformed argument from a caller.
type argError struct{ msg string }

func (e *argError) Error() string { return e.msg }

var errorType = reflect.TypeOf((*error)(nil)).Elem()

// dispatch calls the exported method of App with that name — exactly the
// set Wails binds for the window, so the browser and the window can never
// drift apart. Arguments are decoded into the method's parameter types.
func (a *App) dispatch(method string, args []json.RawMessage) (any, error) {
	m := reflect.ValueOf(a).MethodByName(method)
	if !m.IsValid() || method == "" || !unicode.IsUpper(rune(method[0])) {
		return nil, &argError{fmt.Sprintf("unknown method %q", method)}
	}
	// Before the store is open only the window's opening screen calls
	// (opening.go); anything else waits for the attempt running and is
	// answered only if it opened the store.
	if !openingMethods[method] && !a.storeReady() {
		return nil, a.notOpenError()
	}
	t := m.Type()
	if len(args) != t.NumIn() {
		return nil, &argError{fmt.Sprintf("%s takes %d arguments, got %d", method, t.NumIn(), len(args))}
	}
	in := make([]reflect.Value, t.NumIn())
	for i := range in {
		p := reflect.New(t.In(i))
		if err := json.Unmarshal(args[i], p.Interface()); err != nil {
			return nil, &argError{fmt.Sprintf("argument %d of %s has the wrong type", i+1, method)}
		}
		in[i] = p.Elem()
	}
	out := m.Call(in)
	var result any
	for _, v := range out {
		if v.Type() == errorType {
			if !v.IsNil() {
				return nil, a.windowError(v.Interface().(error))
			}
			continue
		}
		result = v.Interface()
	}
	return result, nil
}
