package graph

import (
	"bytes"
	"strings"
	"time"
)

// flexTime accepts Graph's date-time strings with or without a zone
// ("2026-11-20T14:02:11Z", "2026-11-20T14:02:11.0000000"); values without an
// offset are UTC, as Graph documents. Unparseable values become zero rather
// than failing the whole page.
type flexTime struct{ time.Time }

func (t *flexTime) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05"} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return nil
}

// flexBool accepts true/false and the string forms Microsoft's own examples
// sometimes show ("isRead": "true").
type flexBool bool

func (v *flexBool) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	*v = flexBool(strings.EqualFold(s, "true"))
	return nil
}
