package watch

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"
)

// These tests use the real file system and wait on the callback, never
// on a sleep.

func newTestWatcher(t *testing.T) (*Watcher, chan string) {
	t.Helper()
	fired := make(chan string, 100)
	w, err := New(func(key string) { fired <- key }, Options{Debounce: 50 * time.Millisecond, MaxDelay: 300 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w, fired
}

func waitFired(t *testing.T, fired chan string, want string, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case k := <-fired:
			if k == want {
				return
			}
		case <-deadline:
			t.Fatalf("no change reported for %s within %v", want, within)
		}
	}
}

func mkdirs(t *testing.T, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A change deep in the tree is reported with its root's key; a directory
// created later is watched too (and what lands in it at once counts).
func TestDeepAndNewDirectories(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "Clients", "Contoso", "Deliverables")
	mkdirs(t, deep)
	w, fired := newTestWatcher(t)
	if err := w.Set([]Root{{Key: "onedrive", Dir: root}}); err != nil {
		t.Fatal(err)
	}
	if n := w.Dirs(); n != 4 {
		t.Fatalf("watching %d directories, want 4", n)
	}
	start := time.Now()
	write(t, filepath.Join(deep, "deck.pptx"), "v2")
	waitFired(t, fired, "onedrive", 2*time.Second)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("reported after %v", d)
	}

	fresh := filepath.Join(root, "Clients", "Fabrikam", "Pilot")
	mkdirs(t, fresh)
	write(t, filepath.Join(fresh, "scope.docx"), "v1")
	waitFired(t, fired, "onedrive", 2*time.Second)
	if n := w.Dirs(); n != 6 {
		t.Fatalf("watching %d directories after two appeared, want 6", n)
	}
	write(t, filepath.Join(fresh, "scope.docx"), "v2")
	waitFired(t, fired, "onedrive", 2*time.Second)
}

// A burst of events is one callback; scratch files are ignored.
func TestBurstIsDebounced(t *testing.T) {
	root := t.TempDir()
	w, fired := newTestWatcher(t)
	if err := w.Set([]Root{{Key: "lib", Dir: root}}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		write(t, filepath.Join(root, "report.docx"), string(rune('a'+i%26)))
	}
	waitFired(t, fired, "lib", 2*time.Second)
	// A scratch file (Office's owner file) alone is not a change; the
	// next real one is.
	write(t, filepath.Join(root, "~$report.docx"), "lock")
	write(t, filepath.Join(root, "notes.txt"), "x")
	waitFired(t, fired, "lib", 2*time.Second)
}

// Set replaces the roots: a root let go reports nothing more.
func TestSetReplacesRoots(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	w, fired := newTestWatcher(t)
	if err := w.Set([]Root{{Key: "a", Dir: a}, {Key: "b", Dir: b}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Set([]Root{{Key: "b", Dir: b}}); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(a, "x"), "1")
	write(t, filepath.Join(b, "y"), "1")
	waitFired(t, fired, "b", 2*time.Second)
	for {
		select {
		case k := <-fired:
			if k == "a" {
				t.Fatal("a root that was let go reported a change")
			}
		default:
			return
		}
	}
}

func TestDetect(t *testing.T) {
	home := t.TempDir()
	mkdirs(t,
		filepath.Join(home, "OneDrive - Adatum", "Clients"),
		filepath.Join(home, "Adatum", "Client Projects - Fabrikam Projects"),
		filepath.Join(home, "Adatum", "not a library"),
		filepath.Join(home, "OneDrive"),
		filepath.Join(home, "Library", "CloudStorage", "OneDrive-Contoso"),
		filepath.Join(home, "Library", "CloudStorage", "OneDrive-Personal"),
		filepath.Join(home, "Library", "CloudStorage", "OneDrive-SharedLibraries-Contoso", "Sales - Documents"),
		filepath.Join(home, "Documents"),
	)
	got := Detect(home)
	var desc []string
	for _, c := range got {
		rel, _ := filepath.Rel(home, c.Dir)
		desc = append(desc, c.Kind+"|"+c.Org+"|"+c.Site+"|"+c.Library+"|"+filepath.ToSlash(rel))
	}
	sort.Strings(desc)
	want := []string{
		"business|Adatum|||OneDrive - Adatum",
		"business|Contoso|||Library/CloudStorage/OneDrive-Contoso",
		"library|Adatum|Client Projects|Fabrikam Projects|Adatum/Client Projects - Fabrikam Projects",
		"library|Contoso|Sales|Documents|Library/CloudStorage/OneDrive-SharedLibraries-Contoso/Sales - Documents",
		"personal||||Library/CloudStorage/OneDrive-Personal",
		"personal||||OneDrive",
	}
	if !reflect.DeepEqual(desc, want) {
		t.Fatalf("Detect:\n%v\nwant:\n%v", desc, want)
	}
}
