package store

import (
	"encoding/json"
	"testing"
)

// pageIDs writes plain ids itself and must write exactly what
// encoding/json writes, for every id (json_each reads it back).
func TestPageIDsMatchesEncodingJSON(t *testing.T) {
	for _, ids := range [][]string{
		nil,
		{},
		{"AAMkAGI2TG93AAA="},
		{"AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A", "01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K", "b!xYz_1-2.3~4"},
		{"plain", `with "quote"`, `back\slash`},
		{"<m2@contoso.com>", "a&b", "tab\there", "nl\n", "del\x7f"},
		{"Übersicht", "日本", "bad\xffutf8"},
	} {
		want, _ := json.Marshal(ids)
		if got := pageIDs(ids); got != string(want) {
			t.Errorf("pageIDs(%q) = %s, want %s", ids, got, want)
		}
	}
}
