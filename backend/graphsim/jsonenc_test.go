package graphsim

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// stdJSON is what encoding/json writes with HTML escaping off, the
// reference appendJSON must match byte for byte.
func stdJSON(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// The simulator's own encoder writes what encoding/json writes: strings
// with every escape (control characters, quotes, U+2028, invalid UTF-8,
// "<" and "&" left literal as Graph does), nested objects and lists, and
// the types it hands to the fallback.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	strs := []string{"", "plain", `quote " and \ backslash`, "<id@host> & co", "tab\tnl\ncr\rbs\bff\f",
		"\x00\x01\x1f\x7f", "line\u2028para\u2029", "bad \xff\xfe utf8 \xe2\x82", "émoji 🙂 ünïcode", "</script>"}
	for i := 0; i < 200; i++ { // random bytes, mostly invalid UTF-8 and control characters
		b := make([]byte, rand.IntN(12))
		for j := range b {
			b[j] = byte(rand.IntN(256))
		}
		strs = append(strs, string(b))
	}
	for _, s := range strs {
		if got, want := appendJSON(nil, s), stdJSON(t, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	}
	v := object{
		{"id", "01ABC"}, {"n", 42}, {"big", int64(1) << 40}, {"ok", true}, {"none", nil},
		{"child", object{{"a", []string{"x", "<y>"}}, {"b", []any{1, "two", false, nil, object{{"c", 3.5}}}}}},
		{"list", []object{{{"k", "v"}}, {}}}, {"nilList", []object(nil)}, {"noStrings", []string(nil)},
		{"raw", json.RawMessage(`{"already":"json"}`)}, {"map", map[string]any{"z": 1, "a": "&"}},
		{"float", 0.1}, {"uint", uint8(7)},
	}
	if got, want := encodeJSON(v), stdJSONFields(t, v); !bytes.Equal(got, want) {
		t.Fatalf("object:\n got %s\nwant %s", got, want)
	}
}

// stdJSONFields renders an object field by field with encoding/json (the
// old implementation), as the reference for objects.
func stdJSONFields(t *testing.T, o object) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(stdJSON(t, f.k))
		b.WriteByte(':')
		switch x := f.v.(type) {
		case object:
			b.Write(stdJSONFields(t, x))
		case []object:
			if x == nil {
				b.WriteString("null")
				break
			}
			b.WriteByte('[')
			for j, e := range x {
				if j > 0 {
					b.WriteByte(',')
				}
				b.Write(stdJSONFields(t, e))
			}
			b.WriteByte(']')
		default:
			b.Write(stdJSON(t, x))
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}
