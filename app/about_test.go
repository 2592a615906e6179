package app

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// The About dialog names the build and the folder the user would back up or
// delete; in the demo, the demo's own folder (never the real one).
func TestAboutNamesVersionAndDataFolder(t *testing.T) {
	old := Version
	Version = "v1.2.3-4-gabcdef"
	t.Cleanup(func() { Version = old })

	dir := t.TempDir()
	a, err := New(Config{DataDir: dir, ClientID: "test", Authority: "https://127.0.0.1:1/organizations", GraphURL: "https://127.0.0.1:1/v1.0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	out, err := a.dispatch("About", nil) // as the window and the browser call it
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out)
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["name"] != "Rapport" || got["version"] != "v1.2.3-4-gabcdef" || got["dataDir"] != dir || got["demo"] != false || got["platform"] == "" {
		t.Fatalf("About() = %v", got)
	}

	demo, err := New(Config{DataDir: t.TempDir(), Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(demo.close)
	if d := demo.About(); !d.Demo || filepath.Base(d.DataDir) != "demo" {
		t.Fatalf("demo About() = %+v", d)
	}
}
