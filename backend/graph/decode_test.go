package graph

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// examplesDir holds Microsoft's documented example responses (shared/ sits
// beside the repository).
const examplesDir = "../../../shared/graph/examples"

func loadExample(t *testing.T, name string, out any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(examplesDir, name))
	if err != nil {
		t.Fatalf("read example %s: %v", name, err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("decode example %s: %v", name, err)
	}
}

// Our decoder must read Microsoft's own documented delta pages, quirks
// included ("isRead": "true" as a string, @removed items).
func TestDecodeDocumentedMessageDeltaPages(t *testing.T) {
	var p1 messagePage
	loadExample(t, "delta-query-messages.1.json", &p1)
	page, err := decodeMessagePage(p1)
	if err != nil {
		t.Fatal(err)
	}
	if page.NextLink == "" || len(page.Items) == 0 {
		t.Fatalf("page 1: %d items, next=%q", len(page.Items), page.NextLink)
	}
	if page.Items[0].Subject == "" || page.Items[0].From.Address == "" {
		t.Fatalf("page 1 first item lost its subject or sender: %+v", page.Items[0])
	}

	var p4 messagePage
	loadExample(t, "delta-query-messages.4.json", &p4)
	page, err = decodeMessagePage(p4)
	if err != nil {
		t.Fatal(err)
	}
	if page.DeltaLink == "" {
		t.Fatal("last page: no deltaLink")
	}
	if len(page.Removed) == 0 {
		t.Fatal("last page: the documented @removed item was not reported as removed")
	}
	for _, m := range page.Items {
		if m.ID == page.Removed[0] {
			t.Fatal("a removed id also came back as an item")
		}
	}
	var read bool
	for _, m := range page.Items {
		read = read || m.IsRead
	}
	if !read {
		t.Fatal(`"isRead": "true" (a string in the docs) was not read as true`)
	}

	var full messagePage
	loadExample(t, "message-delta.1.json", &full)
	page, err = decodeMessagePage(full)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range page.Items {
		if m.ReceivedAt.IsZero() {
			t.Fatalf("message %s: receivedDateTime not parsed", m.ID)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	for in, wantMS := range map[string]int64{"2.128": 2128, "10": 10000, "": 0, "garbage": 0, "-1": 0} {
		if got := parseRetryAfter(in).Milliseconds(); got != wantMS {
			t.Errorf("Retry-After %q = %d ms, want %d", in, got, wantMS)
		}
	}
}

func TestLinksMustStayOnGraphOrigin(t *testing.T) {
	c := New("https://graph.example.test/v1.0", nil, nil, "")
	if _, err := c.resolve("https://evil.example.test/v1.0/me"); err == nil {
		t.Fatal("a nextLink to another host was followed")
	}
	if u, err := c.resolve("https://graph.example.test/v1.0/me/x?$skiptoken=1"); err != nil || u == "" {
		t.Fatalf("same-origin link refused: %v", err)
	}
	if u, _ := c.resolve("/me"); u != "https://graph.example.test/v1.0/me" {
		t.Fatalf("path resolved to %q", u)
	}
}

// decodeBody hands a page's answer straight to the page's own decoding
// (json.go): it must accept and reject exactly what json.Unmarshal does,
// and decode the same values, for every page type.
func TestPagesRejectWhatUnmarshalRejects(t *testing.T) {
	example, err := os.ReadFile(filepath.Join(examplesDir, "delta-query-messages.1.json"))
	if err != nil {
		t.Fatal(err)
	}
	bodies := []string{
		string(example),
		`{"value":[{"id":"a","name":"x","isRead":"true"}],"@odata.nextLink":"https://graph.microsoft.com/v1.0/next"}`,
		" \n{\"value\":[]}\n ",
		`{"value":[{"id":"a","size":"big","start":7,"isRead":[]}]}`, // wrong types: tolerated item by item
		`{"value":[}`, `{"value":[]} trailing`, ``, `   `, `null`, `[1,2]`, `"text"`, `{"value":"x"}`, "{\"value\":[\"\xff\"]}",
	}
	types := map[string]func() any{
		"messagePage":     func() any { return new(messagePage) },
		"messageListPage": func() any { return new(messageListPage) },
		"eventPage":       func() any { return new(eventPage) },
		"drivePage":       func() any { return new(drivePage) },
	}
	for name, fresh := range types {
		if _, ok := fresh().(json.Unmarshaler); !ok {
			t.Fatalf("%s no longer decodes itself: drop it here", name)
		}
		for _, body := range bodies {
			viaBody, viaUnmarshal := fresh(), fresh()
			errBody := decodeBody(strings.NewReader(body), viaBody)
			errUnmarshal := json.Unmarshal([]byte(body), viaUnmarshal)
			if (errBody == nil) != (errUnmarshal == nil) {
				t.Fatalf("%s %q: decodeBody error %v, json.Unmarshal error %v", name, body, errBody, errUnmarshal)
			}
			if errBody == nil && !reflect.DeepEqual(viaBody, viaUnmarshal) {
				t.Fatalf("%s %q: decoded differently:\n%+v\n%+v", name, body, viaBody, viaUnmarshal)
			}
		}
	}
}
