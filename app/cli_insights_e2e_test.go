package app_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"rapport/backend/graphsim"
)

// signedInDemo runs the simulator as its own process, signs a data
// directory in to it, adds Contoso and syncs once: the state a user's
// scripts start from.
func signedInDemo(t *testing.T) (env []string, data string) {
	t.Helper()
	needKeychain(t)
	sim := start(t, nil, "sim", "--addr", "127.0.0.1:0", "--scenario", "demo")
	authority := sim.next(t, regexp.MustCompile(`^authority: (https://\S+)$`))[1]
	graphURL := sim.next(t, regexp.MustCompile(`^graph: (https://\S+)$`))[1]
	ca := sim.next(t, regexp.MustCompile(`^ca: (\S+)$`))[1]
	env = []string{"RAPPORT_AUTHORITY=" + authority, "RAPPORT_GRAPH_URL=" + graphURL, "SSL_CERT_FILE=" + ca, "TZ=Europe/Paris"}
	data = t.TempDir()
	add := start(t, env, "--data-dir", data, "account", "add", "--no-browser")
	signInURL := add.next(t, regexp.MustCompile(`(https://\S+)`))[1]
	pem, err := os.ReadFile(ca)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	browser := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := graphsim.CompleteSignIn(ctx, browser, signInURL); err != nil {
		t.Fatalf("complete sign-in: %v", err)
	}
	add.next(t, regexp.MustCompile(`^Signed in as `))
	if err := add.cmd.Wait(); err != nil {
		t.Fatalf("account add exited with %v", err)
	}
	if out, errOut, code := run(t, env, "--data-dir", data, "clients", "add", "Contoso", "--domain", "contoso.com"); code != 0 {
		t.Fatalf("clients add: %d %s %s", code, out, errOut)
	}
	if _, errOut, code := run(t, env, "--data-dir", data, "sync", "--once"); code != 0 {
		t.Fatalf("sync --once exited %d: %s", code, errOut)
	}
	return env, data
}

// The demo tenant's mail, through the command line: suggestions, export
// and clients --json as a script sees them.
func TestCLISuggestionsExportClients(t *testing.T) {
	env, data := signedInDemo(t)
	cli := func(args ...string) (string, string, int) {
		t.Helper()
		return run(t, env, append([]string{"--data-dir", data}, args...)...)
	}

	// Suggestions: two-way external domains without a client.
	out, errOut, code := cli("suggestions", "--json")
	if code != 0 {
		t.Fatalf("suggestions --json exited %d: %s", code, errOut)
	}
	var sugg []struct {
		Domain       string    `json:"domain"`
		ProposedName string    `json:"proposedName"`
		Messages     int       `json:"messages"`
		Meetings     int       `json:"meetings"`
		Sent         int       `json:"sent"`
		Received     int       `json:"received"`
		LastContact  time.Time `json:"lastContact"`
	}
	if err := json.Unmarshal([]byte(out), &sugg); err != nil {
		t.Fatalf("suggestions --json: %v\n%s", err, out)
	}
	got := map[string]int{}
	for i, s := range sugg {
		got[s.Domain] = i
		if s.Messages+s.Meetings == 0 || s.LastContact.IsZero() || s.ProposedName == "" {
			t.Errorf("suggestion %+v", s)
		}
	}
	// Litware's Kim wrote and was answered: a prospect. The demo's other
	// clients (not added here) are suggested too.
	for _, want := range []string{"litwareinc.com", "fabrikam.com", "northwindtraders.com"} {
		if _, ok := got[want]; !ok {
			t.Errorf("%s not suggested: %s", want, out)
		}
	}
	if i, ok := got["litwareinc.com"]; ok && (sugg[i].ProposedName != "Litware Inc" || sugg[i].Sent == 0 || sugg[i].Received == 0) {
		t.Errorf("litware = %+v", sugg[i])
	}
	// Cold inbound, role and no-reply senders, public providers, the
	// user's own organisation and existing clients: never.
	for _, never := range []string{"fourthcoffee.com", "relecloud.com", "proseware.com", "wideworldimporters.com", "gmail.com",
		"outlook.com", "yahoo.com", "adatum.com", "contoso.com", "bestoffers-now.biz"} {
		if _, ok := got[never]; ok {
			t.Errorf("%s suggested", never)
		}
	}
	if out, _, code := cli("suggestions"); code != 0 || !strings.Contains(out, "litwareinc.com") || !strings.Contains(out, "Litware Inc") {
		t.Errorf("suggestions (text) = %d %q", code, out)
	}

	// clients --json carries the figures.
	out, _, code = cli("clients", "--json")
	if code != 0 {
		t.Fatalf("clients --json exited %d", code)
	}
	var cl []struct {
		Name    string   `json:"name"`
		Domains []string `json:"domains"`
		Items   int      `json:"items"`
		Figures struct {
			Days        int `json:"days"`
			EmailIn     int `json:"emailIn"`
			EmailOut    int `json:"emailOut"`
			EmailVolume []struct {
				Week string `json:"week"`
				In   int    `json:"in"`
				Out  int    `json:"out"`
			} `json:"emailVolume"`
			MyReply struct {
				Count         int      `json:"count"`
				MedianMinutes *float64 `json:"medianMinutes"`
			} `json:"myReply"`
			Meetings struct {
				Count int `json:"count"`
			} `json:"meetings"`
			LastContact *time.Time `json:"lastContact"`
		} `json:"figures"`
	}
	if err := json.Unmarshal([]byte(out), &cl); err != nil || len(cl) != 1 {
		t.Fatalf("clients --json: %v\n%s", err, out)
	}
	fig := cl[0].Figures
	sum := 0
	for _, w := range fig.EmailVolume {
		sum += w.In + w.Out
	}
	if cl[0].Name != "Contoso" || fig.Days != 90 || len(fig.EmailVolume) < 13 || fig.EmailIn == 0 || fig.EmailOut == 0 ||
		sum != fig.EmailIn+fig.EmailOut || fig.MyReply.Count == 0 || fig.MyReply.MedianMinutes == nil || fig.LastContact == nil {
		t.Errorf("Contoso figures = %+v", fig)
	}

	// Export as CSV to stdout: every timeline row is in it.
	out, errOut, code = cli("export", "--client", "contoso", "--format", "csv")
	if code != 0 {
		t.Fatalf("export csv exited %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "\uFEFF") {
		t.Fatal("CSV export has no byte-order mark")
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\uFEFF")))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV export: %v", err)
	}
	rows := map[string]bool{}
	for _, rec := range recs[1:] {
		if rec[0] == "Client" {
			break // the figures table
		}
		rows[rec[3]+"|"+rec[4]+"|"+rec[7]] = true
		if rec[0] != "Contoso" {
			t.Fatalf("row of another client: %q", rec)
		}
	}
	tlOut, _, code := cli("timeline", "Contoso", "--json", "--limit", "100000")
	if code != 0 {
		t.Fatalf("timeline exited %d", code)
	}
	var tl []struct {
		Kind  string    `json:"kind"`
		At    time.Time `json:"at"`
		Title string    `json:"title"`
	}
	if err := json.Unmarshal([]byte(tlOut), &tl); err != nil || len(tl) == 0 {
		t.Fatalf("timeline: %v", err)
	}
	for _, it := range tl {
		title := it.Title
		if title != "" && strings.ContainsRune("=+-@", rune(title[0])) {
			title = "'" + title
		}
		if !rows[it.At.UTC().Format(time.RFC3339)+"|"+it.Kind+"|"+title] {
			t.Errorf("timeline item %+v missing from the CSV", it)
		}
	}
	if len(rows) < len(tl) {
		t.Errorf("CSV has %d rows, timeline %d", len(rows), len(tl))
	}

	// Every client as JSON into a file (private: 0600).
	file := filepath.Join(t.TempDir(), "all.json")
	if out, errOut, code := cli("export", "--out", file); code != 0 || !strings.Contains(out, file) {
		t.Fatalf("export --out = %d %q %q", code, out, errOut)
	}
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v %v", fi, err)
	}
	raw, _ := os.ReadFile(file)
	var ex struct {
		Clients []struct {
			Client struct {
				Name string `json:"name"`
			} `json:"client"`
			Timeline []json.RawMessage `json:"timeline"`
			Figures  struct {
				EmailVolume []json.RawMessage `json:"emailVolume"`
			} `json:"figures"`
		} `json:"clients"`
	}
	if err := json.Unmarshal(raw, &ex); err != nil || len(ex.Clients) != 1 || len(ex.Clients[0].Timeline) < len(tl) || len(ex.Clients[0].Figures.EmailVolume) == 0 {
		t.Fatalf("JSON export: %v %s", err, raw[:min(len(raw), 500)])
	}

	// Mistakes: one sentence, non-zero exit, nothing on stdout.
	for _, args := range [][]string{
		{"export", "--format", "xml"},
		{"export"},
		{"export", "--client", "Nobody", "--format", "csv"},
		{"suggestions", "extra"},
	} {
		out, errOut, code := cli(args...)
		if code == 0 || out != "" || strings.TrimSpace(errOut) == "" {
			t.Errorf("%v = %d %q %q", args, code, out, errOut)
		}
	}
}
