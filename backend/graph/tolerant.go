package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
)

// One malformed item must not poison a page. encoding/json reports a value
// of the wrong type (a number where a subject should be, an object for a
// flag) as an error for the whole document, which get() would treat as an
// unreadable answer and retry forever: the stream would be stuck on that
// page for good. So a page that fails that way is decoded again item by
// item; the items that still fail are kept with what could be read (when
// their id could) or skipped, each with a note the client logs. Nothing
// but the id goes into a note: subjects and names are private.

// decodeItems decodes the "value" array of page b item by item into items
// (a pointer to a slice), and returns a note per item that failed. ids
// reads an item's id, "" when unknown.
func decodeItems[T any](b []byte, items *[]T, kind string, id func(*T) string) ([]string, error) {
	var raw struct {
		Value []json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err // not even an array of values: the page is broken
	}
	var notes []string
	out := make([]T, 0, len(raw.Value))
	for _, r := range raw.Value {
		var it T
		err := json.Unmarshal(r, &it)
		if err == nil {
			out = append(out, it)
			continue
		}
		var te *json.UnmarshalTypeError
		switch key := id(&it); {
		case key != "" && errors.As(err, &te):
			notes = append(notes, fmt.Sprintf("%s %s: %s has the wrong type (%s); kept without it", kind, key, te.Field, te.Value))
			out = append(out, it)
		case key != "":
			notes = append(notes, fmt.Sprintf("%s %s: unreadable (%s); skipped", kind, key, shortErr(err)))
		default:
			notes = append(notes, fmt.Sprintf("a %s without a readable id was skipped (%s)", kind, shortErr(err)))
		}
	}
	*items = out
	return notes, nil
}

func shortErr(err error) string {
	s := err.Error()
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// isTypeError says the document was well-formed JSON with a value of the
// wrong type somewhere: the case decodeItems rescues.
func isTypeError(err error) bool {
	var te *json.UnmarshalTypeError
	return errors.As(err, &te)
}

func (p *messagePage) UnmarshalJSON(b []byte) error {
	type plain messagePage
	err := json.Unmarshal(b, (*plain)(p))
	if err == nil || !isTypeError(err) {
		return err
	}
	p.notes, err = decodeItems(b, &p.Value, "message", func(m *messageJSON) string { return m.ID })
	return err
}

func (p *messageListPage) UnmarshalJSON(b []byte) error {
	type plain messageListPage
	err := json.Unmarshal(b, (*plain)(p))
	if err == nil || !isTypeError(err) {
		return err
	}
	p.notes, err = decodeItems(b, &p.Value, "message", func(m *messageJSON) string { return m.ID })
	return err
}

func (p *eventPage) UnmarshalJSON(b []byte) error {
	type plain eventPage
	err := json.Unmarshal(b, (*plain)(p))
	if err == nil || !isTypeError(err) {
		return err
	}
	p.notes, err = decodeItems(b, &p.Value, "event", func(e *eventJSON) string { return e.ID })
	return err
}

func (p *drivePage) UnmarshalJSON(b []byte) error {
	type plain drivePage
	err := json.Unmarshal(b, (*plain)(p))
	if err == nil || !isTypeError(err) {
		return err
	}
	p.notes, err = decodeItems(b, &p.Value, "drive item", func(j *driveItemJSON) string { return j.ID })
	return err
}

// removedMark is the @removed annotation: that it is there is what
// counts, whatever it holds ({"reason":"deleted"}, {"reason":"changed"}).
type removedMark struct{}

func (*removedMark) UnmarshalJSON([]byte) error { return nil }

// logNotes reports what a page's decoding had to leave out.
func (c *Client) logNotes(notes []string) {
	if c.Log == nil {
		return
	}
	for _, n := range notes {
		c.Log.Warn("Graph sent an item Rapport cannot fully read", slog.String("detail", n))
	}
}
