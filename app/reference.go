package app

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// commandReference renders the command table as the README's "Command
// line" block: one line per visible command with its arguments and flags.
// The README is checked against it (reference_test.go), so the two can
// never drift; `go test ./app -run TestReadmeCommandReference -update`
// rewrites the README block.
func commandReference() string {
	var b strings.Builder
	b.WriteString("rapport                         open the desktop app\n")
	b.WriteString("rapport --demo                  open it on the built-in demo tenant\n")
	for _, k := range commands() {
		if k.hidden {
			continue
		}
		line := "rapport " + k.path
		if k.args != "" {
			line += " " + k.args
		}
		fs := pflag.NewFlagSet(k.path, pflag.ContinueOnError)
		fs.SortFlags = false
		if k.flags != nil {
			k.flags(fs)
		}
		fs.VisitAll(func(f *pflag.Flag) {
			if f.Value.Type() == "bool" {
				line += fmt.Sprintf(" [--%s]", f.Name)
			} else {
				line += fmt.Sprintf(" [--%s %s]", f.Name, strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_")))
			}
		})
		if hasJSON(k.path) {
			line += " [--json]"
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("global: --demo, --data-dir DIR, --client-id ID, --authority URL, --version, --help\n")
	b.WriteString("env:    RAPPORT_CLIENT_ID, RAPPORT_AUTHORITY, RAPPORT_GRAPH_URL, RAPPORT_BROWSER\n")
	return b.String()
}
