package insights_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"rapport/backend/insights"
	"rapport/backend/model"
)

func sampleExport() insights.Export {
	at := time.Date(2026, 10, 25, 22, 30, 0, 0, time.UTC)
	end := at.Add(time.Hour)
	return insights.Export{
		ExportedAt: at,
		TimeZone:   "Europe/Paris",
		Clients: []insights.ClientExport{{
			Client: model.Client{ID: 1, Name: "Zoë & Co, \"Ltd\"", Domains: []string{"zoe.fr"}},
			Timeline: []model.TimelineItem{
				{Kind: "mail", At: at, Direction: "in", Counterpart: "Zoë Ürban", Title: "=HYPERLINK(\"http://evil\",\"click\")", ItemID: "m1"},
				{Kind: "mail", At: at, Direction: "out", Counterpart: "+33 1 23", Title: "-2+3", ItemID: "m2"},
				{Kind: "meeting", At: at, End: &end, Counterpart: "@boss", Title: "Line one\r\nline two, with \"quotes\"", ItemID: "e1"},
				{Kind: "meeting", At: at, AllDay: true, Date: "2026-10-26", Title: "\tTabbed", ItemID: "e2"},
				{Kind: "file", At: at, Counterpart: "Lee Gu", Title: "SOW.docx", Action: "renamed", Path: "Clients/Zoë/SOW.docx", ItemID: "7"},
			},
		}},
	}
}

func TestCSVForExcel(t *testing.T) {
	var buf bytes.Buffer
	paris, _ := time.LoadLocation("Europe/Paris")
	if err := insights.WriteCSV(&buf, sampleExport(), paris); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	if !strings.HasPrefix(raw, "\xEF\xBB\xBF") {
		t.Fatal("no UTF-8 byte-order mark: Excel would misread non-ASCII text")
	}
	if !utf8.ValidString(raw) || !strings.Contains(raw, "Zoë Ürban") {
		t.Fatal("non-ASCII text not written as UTF-8")
	}
	if !strings.HasSuffix(raw, "\r\n") || strings.Count(raw, "\n") != strings.Count(raw, "\r\n") /* line breaks inside quoted cells too */ {
		t.Errorf("line ends are not CRLF (RFC 4180)")
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\xEF\xBB\xBF")))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("not RFC 4180: %v\n%s", err, raw)
	}
	header := strings.Join(recs[0], "|")
	if header != "Client|Date|Time|At (UTC)|Kind|Direction|Counterpart|Title|End (UTC)|All day|Cancelled|Action|Path|Link" {
		t.Fatalf("header = %s", header)
	}
	row := recs[1]
	// ISO dates in the export's zone (22:30 UTC is 23:30 CET), the instant in UTC.
	if row[0] != `Zoë & Co, "Ltd"` || row[1] != "2026-10-25" || row[2] != "23:30" || row[3] != "2026-10-25T22:30:00Z" {
		t.Errorf("row 1 = %q", row)
	}
	// Formula injection: = + - @ and tab get an apostrophe.
	for _, c := range []struct {
		got, want string
	}{
		{recs[1][7], `'=HYPERLINK("http://evil","click")`},
		{recs[2][6], "'+33 1 23"},
		{recs[2][7], "'-2+3"},
		{recs[3][6], "'@boss"},
		{recs[3][7], "Line one\nline two, with \"quotes\""},
		{recs[4][7], "'\tTabbed"},
		{recs[4][1] + "|" + recs[4][2], "2026-10-26|"}, // all-day: its date, no time
		{recs[3][8], "2026-10-25T23:30:00Z"},
		{strings.Join(recs[5][4:13], "|"), "file||Lee Gu|SOW.docx||||renamed|Clients/Zoë/SOW.docx"},
	} {
		if c.got != c.want {
			t.Errorf("cell %q, want %q", c.got, c.want)
		}
	}
	// The empty row, then the figures table.
	if len(recs[6]) != 6 || strings.Join(recs[6], "|") != "Client|Figure|Period|Value|Unit|Note" {
		t.Errorf("figures header = %q (the reader skips the empty row)", recs[6])
	}
	if !strings.Contains(raw, "\r\n\r\nClient,Figure,") {
		t.Error("no empty row between the tables")
	}
}

func TestJSONExport(t *testing.T) {
	var buf bytes.Buffer
	if err := insights.WriteJSON(&buf, sampleExport()); err != nil {
		t.Fatal(err)
	}
	var back struct {
		ExportedAt time.Time `json:"exportedAt"`
		Clients    []struct {
			Client   model.Client         `json:"client"`
			Timeline []model.TimelineItem `json:"timeline"`
			Figures  map[string]any       `json:"figures"`
		} `json:"clients"`
	}
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || len(back.Clients) != 1 || len(back.Clients[0].Timeline) != 5 ||
		back.Clients[0].Timeline[0].Title != `=HYPERLINK("http://evil","click")` {
		t.Fatalf("JSON export = %v %+v", err, back)
	}
	if !strings.Contains(buf.String(), `"exportedAt": "2026-10-25T22:30:00Z"`) {
		t.Error("times are not RFC 3339 UTC")
	}
}

// FuzzCSV: whatever the cells hold, the output is valid UTF-8 with a BOM,
// parses back (RFC 4180) to exactly Cell() of each input, and no cell a
// spreadsheet reads starts with a formula character.
func FuzzCSV(f *testing.F) {
	for _, seed := range [][2]string{
		{"plain", "text"},
		{"=1+2", "+SUM(A1)"},
		{"-1", "@cmd"},
		{"\tTab", "\rCR"},
		{"a,b", `say "hi"`},
		{"line\nbreak", "crlf\r\nbreak"},
		{"Zoë 日本語 🎉", "‮rtl"},
		{"\xff\xfe invalid", ""},
		{" leading space", "trailing "},
		{`"`, `""`},
		{"=cmd|' /C calc'!A0", "'already quoted"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		var buf bytes.Buffer
		w := insights.NewCSVWriter(&buf)
		if err := w.Row(a, b); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if !strings.HasPrefix(out, "\uFEFF") || !utf8.ValidString(out) {
			t.Fatalf("output %q lacks the BOM or is not UTF-8", out)
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\uFEFF")))
		rec, err := r.Read()
		if err != nil {
			t.Fatalf("output %q does not parse: %v", out, err)
		}
		want := []string{insights.Cell(a), insights.Cell(b)}
		if len(rec) != 2 || rec[0] != want[0] || rec[1] != want[1] {
			t.Fatalf("round trip of %q, %q = %q, want %q", a, b, rec, want)
		}
		for _, c := range rec {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Fatalf("cell %q would run as a formula", c)
			}
		}
	})
}
