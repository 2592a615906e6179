package insights

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"rapport/backend/model"
)

// Export is what `rapport export` and the client page's "Export…" write:
// each client's timeline (newest first, upcoming meetings included) and
// figures. The JSON field names are a contract.
type Export struct {
	ExportedAt time.Time      `json:"exportedAt"`
	TimeZone   string         `json:"timeZone"`
	Clients    []ClientExport `json:"clients"`
}

type ClientExport struct {
	Client   model.Client         `json:"client"`
	Contacts []string             `json:"contacts"`
	Figures  Insights             `json:"figures"`
	Timeline []model.TimelineItem `json:"timeline"`
}

// WriteJSON writes the export as indented JSON (times in RFC 3339 UTC).
func WriteJSON(w io.Writer, e Export) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(e)
}

// utf8BOM makes Excel read the file as UTF-8 (without it, "Zoë" turns to
// mojibake on Windows).
const utf8BOM = "\uFEFF"

// Cell makes one text safe for a spreadsheet: valid UTF-8, line breaks as
// LF (Excel shows them inside the cell), and a text that a spreadsheet
// would run as a formula — starting with = + - @, a tab or a carriage
// return — prefixed with an apostrophe, which Excel shows as text and does
// not evaluate (OWASP's CSV injection advice).
func Cell(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	dangerous := s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if dangerous {
		s = "'" + s
	}
	return s
}

// CSVWriter writes RFC 4180 CSV (CRLF line ends, fields quoted when they
// hold a comma, a quote or a line break) for Excel: a UTF-8 byte-order mark
// first, and every text cell through Cell.
type CSVWriter struct {
	w   *csv.Writer
	bom bool
	out io.Writer
}

func NewCSVWriter(w io.Writer) *CSVWriter {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &CSVWriter{w: cw, out: w}
}

// Row writes one record.
func (c *CSVWriter) Row(cells ...string) error {
	if !c.bom {
		c.bom = true
		if _, err := io.WriteString(c.out, utf8BOM); err != nil {
			return err
		}
	}
	rec := make([]string, len(cells))
	for i, v := range cells {
		rec[i] = Cell(v)
	}
	return c.w.Write(rec)
}

// Flush writes buffered records.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// The CSV's two tables, one after the other with an empty row between.
var (
	timelineHeader = []string{"Client", "Date", "Time", "At (UTC)", "Kind", "Direction", "Counterpart", "Title", "End (UTC)", "All day", "Cancelled", "Action", "Path", "Link"}
	figuresHeader  = []string{"Client", "Figure", "Period", "Value", "Unit", "Note"}
)

// WriteCSV writes the export as CSV: the timeline table (dates and times in
// the export's time zone, instants also in UTC, ISO 8601), an empty row,
// then the figures table (one row per figure and period).
func WriteCSV(w io.Writer, e Export, loc *time.Location) error {
	c := NewCSVWriter(w)
	if err := c.Row(timelineHeader...); err != nil {
		return err
	}
	for _, ce := range e.Clients {
		for _, it := range ce.Timeline {
			date, clock := it.At.In(loc).Format("2006-01-02"), it.At.In(loc).Format("15:04")
			if it.AllDay && it.Date != "" {
				date, clock = it.Date, ""
			}
			end := ""
			if it.End != nil {
				end = it.End.UTC().Format(time.RFC3339)
			}
			if err := c.Row(ce.Client.Name, date, clock, it.At.UTC().Format(time.RFC3339), it.Kind, it.Direction, it.Counterpart,
				it.Title, end, yes(it.AllDay), yes(it.Cancelled), it.Action, it.Path, it.WebLink); err != nil {
				return err
			}
		}
	}
	if err := c.Row(); err != nil { // the empty row between the tables
		return err
	}
	if err := c.Row(figuresHeader...); err != nil {
		return err
	}
	for _, ce := range e.Clients {
		for _, r := range figureRows(ce.Figures) {
			if err := c.Row(append([]string{ce.Client.Name}, r...)...); err != nil {
				return err
			}
		}
	}
	return c.Flush()
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func optNum(v *float64) string {
	if v == nil {
		return ""
	}
	return num(*v)
}

func optTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// figureRows lists the figures as (figure, period, value, unit, note).
func figureRows(in Insights) [][]string {
	period := in.From.Format("2006-01-02") + "/" + in.To.Format("2006-01-02")
	rows := [][]string{
		{"last_contact", "", optTime(in.LastContact), "time", ""},
		{"email_in", period, strconv.Itoa(in.EmailIn), "messages", ""},
		{"email_out", period, strconv.Itoa(in.EmailOut), "messages", ""},
	}
	for _, w := range in.EmailVolume {
		rows = append(rows, []string{"email_in", w.Week.Week, strconv.Itoa(w.In), "messages", "week of " + w.Start})
		rows = append(rows, []string{"email_out", w.Week.Week, strconv.Itoa(w.Out), "messages", "week of " + w.Start})
	}
	for _, l := range []struct {
		name string
		v    Latency
	}{{"my_reply", in.MyReply}, {"their_reply", in.TheirReply}} {
		rows = append(rows,
			[]string{l.name + "_median", period, optNum(l.v.MedianMinutes), "minutes", ""},
			[]string{l.name + "_p90", period, optNum(l.v.P90Minutes), "minutes", ""},
			[]string{l.name + "_count", period, strconv.Itoa(l.v.Count), "messages", ""},
			[]string{l.name + "_unanswered", period, strconv.Itoa(l.v.Unanswered), "messages", ""})
	}
	m := in.Meetings
	since := ""
	if m.DaysSinceLast != nil {
		since = strconv.Itoa(*m.DaysSinceLast)
	}
	next, nextTitle := "", ""
	if m.Next != nil {
		next, nextTitle = m.Next.At.UTC().Format(time.RFC3339), m.Next.Title
	}
	rows = append(rows,
		[]string{"meetings", period, strconv.Itoa(m.Count), "meetings", ""},
		[]string{"meetings_per_30_days", period, num(m.Per30Days), "meetings", ""},
		[]string{"days_since_last_meeting", "", since, "days", ""},
		[]string{"next_meeting", "", next, "time", nextTitle},
		[]string{"meeting_gap_median", period, optNum(m.MedianGapDays), "days", ""},
		[]string{"meeting_hours", period, num(in.MeetingHours), "hours", ""})
	for _, w := range in.MeetingHoursWeekly {
		rows = append(rows, []string{"meeting_hours", w.Week.Week, num(w.Hours), "hours", "week of " + w.Start})
	}
	for _, mo := range in.MeetingHoursMonthly {
		rows = append(rows, []string{"meeting_hours", mo.Month, num(mo.Hours), "hours", "month"})
	}
	rows = append(rows, []string{"file_changes", period, strconv.Itoa(in.Files.Changes), "changes", ""})
	for _, w := range in.Files.Weekly {
		rows = append(rows, []string{"file_changes", w.Week.Week, strconv.Itoa(w.Changes), "changes", "week of " + w.Start})
	}
	if lc := in.Files.LastChange; lc != nil {
		rows = append(rows, []string{"last_file_change", "", lc.At.UTC().Format(time.RFC3339), "time", fmt.Sprintf("%s %s by %s", lc.Name, lc.Action, lc.Actor)})
	}
	gap := optNum(in.UsualGapDays)
	silent := ""
	if in.SilentDays != nil {
		silent = strconv.Itoa(*in.SilentDays)
	}
	rows = append(rows,
		[]string{"usual_gap", period, gap, "days", ""},
		[]string{"silent", "", silent, "days", ""})
	for _, a := range in.Attention {
		rows = append(rows, []string{"attention", "", a.Kind, "", a.Label})
	}
	return rows
}
