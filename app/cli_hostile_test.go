package app

import (
	"strings"
	"testing"
)

// Regression (issue 8, hostile input): `rapport timeline` printed a
// subject's right-to-left override to the terminal, so "Invoice
// \u202Egpj.exe" read "Invoice exe.jpg" and the columns after it were
// reversed. Control characters were already neutralised; now the explicit
// bidi controls are too, while right-to-left text itself is untouched.
func TestOneLineNeutralisesTerminalTricks(t *testing.T) {
	cases := map[string]string{
		"Invoice \u202Egpj.exe":           "Invoice  gpj.exe",
		"a\u2066b\u2069c\u200fd\u061ce":   "a b c d e",
		"Esc\x1b[31mred\x1b[0m\r\nbell\a": "Esc [31mred [0m  bell ",
		"C1\u0085\u009bx":                 "C1  x",
		"שלום עולם — مرحبا":               "שלום עולם — مرحبا",
		"🎉 <img src=x onerror=alert(1)>":  "🎉 <img src=x onerror=alert(1)>",
	}
	for in, want := range cases {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
		for _, r := range oneLine(in) {
			if r < 0x20 || isBidiControl(r) {
				t.Errorf("oneLine(%q) keeps %U", in, r)
			}
		}
	}
	if strings.ContainsRune(oneLine("x\u202ey"), '\u202e') {
		t.Fatal("override kept")
	}
}
