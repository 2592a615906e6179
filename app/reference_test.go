package app

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the README's command-line block")

const readmePath = "../README.md"

// readmeBlock finds the fenced block under "## Command line".
func readmeBlock(t *testing.T, readme string) (start, end int) {
	t.Helper()
	h := strings.Index(readme, "## Command line")
	if h < 0 {
		t.Fatal(`README has no "## Command line" section`)
	}
	open := strings.Index(readme[h:], "```\n")
	if open < 0 {
		t.Fatal("README's command-line section has no code block")
	}
	start = h + open + len("```\n")
	closing := strings.Index(readme[start:], "```")
	if closing < 0 {
		t.Fatal("README's command-line block is not closed")
	}
	return start, start + closing
}

// The README documents exactly the commands and flags the binary has.
func TestReadmeCommandReference(t *testing.T) {
	raw, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	start, end := readmeBlock(t, readme)
	want := commandReference()
	if *update {
		readme = readme[:start] + want + readme[end:]
		if err := os.WriteFile(readmePath, []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got := readme[start:end]; got != want {
		t.Fatalf("README's command-line block is out of date; run `go test ./app -run TestReadmeCommandReference -update`.\nwant:\n%s\ngot:\n%s", want, got)
	}
	// And every command `rapport --help` lists is in it.
	var help bytes.Buffer
	if code := Main([]string{"--help"}, nil, &help, &help); code != 0 {
		t.Fatalf("--help exited %d", code)
	}
	for _, k := range commands() {
		if k.hidden {
			continue
		}
		if !strings.Contains(help.String(), "  "+k.path+" ") {
			t.Errorf("--help does not list %q", k.path)
		}
		if !strings.Contains(readme[start:end], "rapport "+k.path) {
			t.Errorf("README does not document %q", k.path)
		}
	}
}
