// Package watch turns a change in a locally synced copy of a OneDrive or
// SharePoint library into an immediate delta of the drive it mirrors: the
// OneDrive client uploads a saved file within seconds, and polling alone
// would show it a minute later. It watches every directory of each root
// with fsnotify (Linux watches are not recursive), adds new directories as
// they appear, and calls back once per burst of events, debounced.
package watch

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Root is a directory tree to watch and the key the callback gets for it
// (which drive it mirrors is the caller's business).
type Root struct {
	Key string
	Dir string
}

// Options tune the debounce. Zero fields take the defaults.
type Options struct {
	// Debounce is the quiet time that ends a burst of events (300 ms): a
	// save is several events (temporary file, rename, attributes).
	Debounce time.Duration
	// MaxDelay fires a burst that does not end this long after its first
	// event (1 s), so a long copy still triggers a delta early.
	MaxDelay time.Duration
	// MaxDirs bounds how many directories are watched (inotify's
	// per-user limit is often 8192); deeper ones are left out (20000).
	MaxDirs int
	Log     *slog.Logger
}

// Watcher watches roots and reports changes per root key.
type Watcher struct {
	o        Options
	fw       *fsnotify.Watcher
	onChange func(key string)

	mu      gosync.Mutex
	roots   map[string]string // root dir -> key
	dirs    map[string]bool   // watched directories
	pending map[string]*burst
	closed  bool
	done    chan struct{}
}

type burst struct {
	first time.Time
	timer *time.Timer
}

// New starts a watcher with no roots; onChange is called (from the
// watcher's own goroutine or a timer's) with the key of a root that
// changed.
func New(onChange func(key string), o Options) (*Watcher, error) {
	if o.Debounce <= 0 {
		o.Debounce = 300 * time.Millisecond
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = time.Second
	}
	if o.MaxDirs <= 0 {
		o.MaxDirs = 20000
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &Watcher{o: o, fw: fw, onChange: onChange, roots: map[string]string{}, dirs: map[string]bool{},
		pending: map[string]*burst{}, done: make(chan struct{})}
	go w.loop()
	return w, nil
}

// Set replaces the watched roots: new ones are added with every
// directory beneath them, roots no longer listed are let go.
func (w *Watcher) Set(roots []Root) error {
	want := map[string]string{}
	for _, r := range roots {
		dir, err := filepath.Abs(r.Dir)
		if err != nil || r.Dir == "" {
			continue
		}
		want[filepath.Clean(dir)] = r.Key
	}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return errors.New("watch: closed")
	}
	var added []string
	for dir, key := range want {
		if _, ok := w.roots[dir]; !ok {
			added = append(added, dir)
		}
		w.roots[dir] = key
	}
	for dir := range w.roots {
		if _, ok := want[dir]; !ok {
			delete(w.roots, dir)
			for d := range w.dirs {
				if d == dir || strings.HasPrefix(d, dir+string(filepath.Separator)) {
					_ = w.fw.Remove(d)
					delete(w.dirs, d)
				}
			}
		}
	}
	w.mu.Unlock()
	var errs []error
	for _, dir := range added {
		if err := w.addTree(dir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Dirs is how many directories are being watched.
func (w *Watcher) Dirs() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.dirs)
}

// Close stops watching. Pending callbacks are dropped.
func (w *Watcher) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	for _, b := range w.pending {
		b.timer.Stop()
	}
	w.mu.Unlock()
	err := w.fw.Close()
	<-w.done
	return err
}

// addTree watches dir and every directory beneath it.
func (w *Watcher) addTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // a directory that vanished or cannot be read
		}
		if !d.IsDir() {
			return nil
		}
		if p != dir && ignored(d.Name()) {
			return filepath.SkipDir
		}
		w.mu.Lock()
		if w.closed || w.dirs[p] || len(w.dirs) >= w.o.MaxDirs {
			full := len(w.dirs) >= w.o.MaxDirs
			w.mu.Unlock()
			if full {
				w.o.Log.Warn("watch: too many directories; deeper changes wait for the next poll", "limit", w.o.MaxDirs)
				return filepath.SkipAll
			}
			return nil
		}
		w.dirs[p] = true
		w.mu.Unlock()
		if err := w.fw.Add(p); err != nil {
			w.mu.Lock()
			delete(w.dirs, p)
			w.mu.Unlock()
			if p == dir {
				return err
			}
		}
		return nil
	})
}

// ignored names are the OneDrive client's and Office's scratch files and
// folders, whose churn says nothing about the drive.
func ignored(name string) bool {
	l := strings.ToLower(name)
	return strings.HasPrefix(l, "~$") || strings.HasPrefix(l, ".~") || strings.HasSuffix(l, ".tmp") ||
		l == ".ds_store" || l == "desktop.ini" || l == "thumbs.db" || l == ".849c9593-d756-4e56-8d6e-42412f2a707b"
}

// keyFor finds the root a path lies under.
func (w *Watcher) keyFor(p string) (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for dir, key := range w.roots {
		if p == dir || strings.HasPrefix(p, dir+string(filepath.Separator)) {
			return key, true
		}
	}
	return "", false
}

func (w *Watcher) loop() {
	defer close(w.done)
	for {
		select {
		case ev, ok := <-w.fw.Events:
			if !ok {
				return
			}
			w.handle(ev)
		case err, ok := <-w.fw.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: every root may have changed.
				w.mu.Lock()
				var keys []string
				for _, k := range w.roots {
					keys = append(keys, k)
				}
				w.mu.Unlock()
				for _, k := range keys {
					w.schedule(k)
				}
				continue
			}
			w.o.Log.Debug("watch error", "error", err)
		}
	}
}

func (w *Watcher) handle(ev fsnotify.Event) {
	if ev.Op == fsnotify.Chmod || ignored(filepath.Base(ev.Name)) {
		return
	}
	key, ok := w.keyFor(ev.Name)
	if !ok {
		return
	}
	if ev.Op.Has(fsnotify.Create) {
		if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
			// A new directory: watch it and what it already holds (files
			// may land in it before its watch is in place).
			_ = w.addTree(ev.Name)
		}
	}
	if ev.Op.Has(fsnotify.Remove) || ev.Op.Has(fsnotify.Rename) {
		w.mu.Lock()
		if w.dirs[ev.Name] {
			delete(w.dirs, ev.Name)
			_ = w.fw.Remove(ev.Name)
		}
		w.mu.Unlock()
	}
	w.schedule(key)
}

// schedule fires key after Debounce of quiet, or MaxDelay after the
// burst's first event, whichever is sooner.
func (w *Watcher) schedule(key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	now := time.Now()
	b := w.pending[key]
	if b == nil {
		b = &burst{first: now}
		b.timer = time.AfterFunc(w.o.Debounce, func() { w.fire(key) })
		w.pending[key] = b
		return
	}
	wait := min(w.o.Debounce, b.first.Add(w.o.MaxDelay).Sub(now))
	b.timer.Reset(max(wait, 0))
}

func (w *Watcher) fire(key string) {
	w.mu.Lock()
	delete(w.pending, key)
	closed := w.closed
	w.mu.Unlock()
	if !closed {
		w.onChange(key)
	}
}
