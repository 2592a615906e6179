package graphsim

import (
	"io"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestParseFaults(t *testing.T) {
	f, err := ParseFaults("429/2@messages/delta*3, drop@mailFolders*1+2, resync, signin=personal, block=Mail.ReadBasic, tokenlife=2m, devicecode=manual")
	if err != nil {
		t.Fatal(err)
	}
	want := Faults{
		SignIn: SignInPersonal, BlockUserConsent: []string{"Mail.ReadBasic"}, AccessTokenLifetime: 2 * time.Minute, DeviceCodeManual: true,
		Graph: []FaultRule{
			{Kind: FaultStatus, Status: 429, RetryAfter: "2", Path: "messages/delta", Times: 3},
			{Kind: FaultDrop, Path: "mailfolders", Times: 1, Skip: 2},
			{Kind: FaultResync},
		},
	}
	if !reflect.DeepEqual(f, want) {
		t.Fatalf("got  %+v\nwant %+v", f, want)
	}
	for _, bad := range []string{"teapot", "signin=maybe", "tokenlife=soon", "429@"} {
		if _, err := ParseFaults(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestFaultRulesFireAsScripted(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken()
	g := s.GraphURL()
	s.SetFaults(Faults{Graph: []FaultRule{{Path: "/messages/delta", Status: 503, RetryAfter: "1", Times: 2, Skip: 1}}})
	u := g + "/me/mailFolders/inbox/messages/delta"
	var got []int
	for i := 0; i < 5; i++ {
		got = append(got, get(t, s, tok, u).status)
	}
	if !reflect.DeepEqual(got, []int{200, 503, 503, 200, 200}) {
		t.Fatalf("statuses %v", got)
	}
	if a := get(t, s, tok, g+"/me"); a.status != http.StatusOK {
		t.Fatal("a rule for one path hit another")
	}

	s.SetFaults(Faults{Graph: []FaultRule{{Kind: FaultResync, Times: 1}}})
	if a := get(t, s, tok, u); a.status != http.StatusGone || a.graphErrorCode() != "SyncStateNotFound" {
		t.Fatalf("resync fault: %d %s", a.status, a.raw)
	}
	s.SetFaults(Faults{Graph: []FaultRule{{Kind: FaultExpired, Times: 1}}})
	if a := get(t, s, tok, u); a.status != http.StatusUnauthorized || a.graphErrorCode() != "InvalidAuthenticationToken" {
		t.Fatalf("expired fault: %d %s", a.status, a.raw)
	}

	// A dropped connection and a truncated body are transport errors.
	for _, kind := range []string{FaultDrop, FaultTruncate} {
		s.SetFaults(Faults{Graph: []FaultRule{{Kind: kind, Times: 1}}})
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := s.HTTPClient().Do(req)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err == nil {
			t.Fatalf("%s: the client saw a complete answer", kind)
		}
		if a := get(t, s, tok, u); a.status != http.StatusOK {
			t.Fatalf("after one %s: %d", kind, a.status)
		}
	}
	var faults []string
	for _, r := range s.Requests() {
		if r.Fault != "" {
			faults = append(faults, r.Fault)
		}
	}
	if !reflect.DeepEqual(faults, []string{"status", "status", "resync", "expired", "drop", "truncate"}) {
		t.Fatalf("recorded faults %v", faults)
	}
}

func TestMailboxConcurrencyLimit(t *testing.T) {
	s := startSim(t, Options{Latency: 150 * time.Millisecond})
	tok := s.MintAccessToken()
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = get(t, s, tok, s.GraphURL()+"/me/mailFolders/inbox").status
		}()
	}
	wg.Wait()
	ok, throttled := 0, 0
	for _, st := range statuses {
		switch st {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			throttled++
		}
	}
	if ok > 4 || throttled == 0 || ok+throttled != 8 {
		t.Fatalf("8 concurrent mailbox requests: %d ok, %d throttled; Outlook allows 4", ok, throttled)
	}
}

func TestRequestsAndLatency(t *testing.T) {
	s := startSim(t, Options{Latency: 50 * time.Millisecond})
	tok := s.MintAccessToken()
	start := time.Now()
	a := get(t, s, tok, s.GraphURL()+"/me?$select=displayName,mail")
	if time.Since(start) < 50*time.Millisecond {
		t.Fatal("latency not applied")
	}
	if a.status != http.StatusOK || len(a.body) != 3 || a.str("mail") != s.User().Mail {
		t.Fatalf("$select on /me: %s", a.raw)
	}
	reqs := s.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/v1.0/me" || reqs[0].Status != 200 || reqs[0].Method != "GET" || reqs[0].Query == "" {
		t.Fatalf("requests %+v", reqs)
	}
	path := t.TempDir() + "/ca.pem"
	if err := s.WriteCACert(path); err != nil {
		t.Fatal(err)
	}
}
