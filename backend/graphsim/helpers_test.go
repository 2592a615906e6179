package graphsim

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"rapport/backend/model"
)

// newMail is a message between the consultant and a Contoso contact.
func newMail(fromName, fromAddr, subject string) model.Message {
	to := model.Recipient{Name: "Megan Bowen", Address: "megan.bowen@contoso.com"}
	if fromAddr == to.Address {
		to = model.Recipient{Name: "Avery Brooks", Address: "avery@adatum.com"}
	}
	return model.Message{
		Subject: subject,
		From:    model.Recipient{Name: fromName, Address: fromAddr},
		To:      []model.Recipient{to},
	}
}

// testAnchor fixes "now" so generated data is the same on every run.
var testAnchor = time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)

// startSim starts a simulator on a free loopback port for one test.
func startSim(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.Anchor.IsZero() {
		opts.Anchor = testAnchor
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// get calls the simulator over HTTPS like a client would.
func get(t *testing.T, s *Server, token, url string, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", url, err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			t.Fatalf("GET %s: body is not a JSON object: %v\n%s", url, err, raw)
		}
	}
	return a
}

// values returns the "value" array of a collection answer.
func (a answer) values(t *testing.T) []map[string]any {
	t.Helper()
	arr, ok := a.body["value"].([]any)
	if !ok {
		t.Fatalf("no value array in %s", a.raw)
	}
	out := make([]map[string]any, len(arr))
	for i, v := range arr {
		out[i] = v.(map[string]any)
	}
	return out
}

func (a answer) str(k string) string {
	s, _ := a.body[k].(string)
	return s
}

// graphErrorCode returns error.code of a Graph error answer.
func (a answer) graphErrorCode() string {
	e, _ := a.body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

// deltaRound is one complete delta round: every page's items, in order.
type deltaRound struct {
	pages     []answer
	items     []map[string]any
	deltaLink string
}

// runRound follows nextLinks from url to the page with a deltaLink,
// checking each page carries exactly one of the two links.
func runRound(t *testing.T, s *Server, token, url string, headers ...string) deltaRound {
	t.Helper()
	var r deltaRound
	for i := 0; ; i++ {
		if i > 10000 {
			t.Fatal("delta round never ended")
		}
		a := get(t, s, token, url, headers...)
		if a.status != http.StatusOK {
			t.Fatalf("GET %s: HTTP %d %s", url, a.status, a.raw)
		}
		r.pages = append(r.pages, a)
		r.items = append(r.items, a.values(t)...)
		next, delta := a.str("@odata.nextLink"), a.str("@odata.deltaLink")
		if (next == "") == (delta == "") {
			t.Fatalf("page must carry exactly one of nextLink/deltaLink: %s", a.raw)
		}
		if delta != "" {
			r.deltaLink = delta
			return r
		}
		url = next
	}
}
