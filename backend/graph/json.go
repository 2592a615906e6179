package graph

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"sync"
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

// bodyBuffers recycles the buffers answers are read into, each empty while
// pooled. json.Decoder
// grew a new buffer for every answer, doubling up to its size: over a
// heavy first sync (1,000-item drive pages of about a megabyte) that was
// 440 MB of the engine's allocations, and the collections it caused ran on
// the cores the writer needs (issue 7, docs/PERFORMANCE.md §39).
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBody bounds what the pool keeps.
const maxPooledBody = 8 << 20

// decodeBody reads a whole answer and decodes it into out. Nothing in out
// keeps a slice of the buffer: strings are copied out of it, and the
// pages' tolerant decoding copies the raw items it holds (json.RawMessage).
// A cut or stalled body fails the read, as it failed the decoder.
func decodeBody(r io.Reader, out any) error {
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBody {
			buf.Reset()
			bodyBuffers.Put(buf)
		}
	}()
	if _, err := buf.ReadFrom(r); err != nil {
		return err
	}
	// The pages decode themselves (tolerant.go) with json.Unmarshal, which
	// first checks that the whole answer is valid JSON. Given to
	// json.Unmarshal, a page's answer was also checked by that outer call,
	// then skipped through to find the value's end before the page saw
	// it: three passes over every byte instead of two (~0.5 s of CPU in
	// the heavy first sync; docs/PERFORMANCE.md §41). Every answer type
	// that implements json.Unmarshaler is such a page
	// (TestPagesRejectWhatUnmarshalRejects).
	if u, ok := out.(json.Unmarshaler); ok {
		return u.UnmarshalJSON(buf.Bytes())
	}
	return json.Unmarshal(buf.Bytes(), out)
}
