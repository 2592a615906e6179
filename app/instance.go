package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// One writer per data directory. Two processes syncing the same store
// would each keep their own throttling gate (8 requests in flight against
// Graph's 4), race each other's rounds and purges, and a second demo would
// delete the first one's database at start. So every process that writes —
// the desktop window, `rapport serve`, `sync`, `account add|reauth|remove`,
// `clients add` — holds an exclusive lock on a file in the data directory
// for as long as it runs (flock on Unix, LockFileEx on Windows: the system
// releases it when the process dies, kill -9 included, so a crash never
// leaves a stale lock). The read-only commands (status, clients, timeline,
// account list, export...) take no lock and may run alongside a writer;
// SQLite serialises their few bookkeeping writes. The demo tenant lives in
// <data>/demo and has a lock of its own, so the demo and a real account can
// be open side by side, but not two demos.

const (
	lockFileName     = "rapport.lock"
	demoLockFileName = "rapport-demo.lock"
)

// InstanceBusyError says another process holds the data directory.
type InstanceBusyError struct {
	DataDir string
	PID     int    // the holder's process id, when it wrote one
	What    string // what it is running ("rapport sync", "the desktop app")
}

func (e *InstanceBusyError) Error() string {
	who := "another Rapport process"
	if e.What != "" {
		who = e.What
	}
	if e.PID > 0 {
		who += fmt.Sprintf(" (process %d)", e.PID)
	}
	return fmt.Sprintf("%s is already using %s; close it first, or give this one another --data-dir", who, e.DataDir)
}

// Desktop says the holder is a desktop window (a second launch focuses it).
func (e *InstanceBusyError) Desktop() bool { return strings.HasPrefix(e.What, "the desktop app") }

// instanceLock is a held lock; release gives it back (the system does too
// when the process ends).
type instanceLock struct {
	f *os.File
}

// lockDataDir takes the writer lock of dataDir (of its demo when demo).
// what says who holds it, for the message the next process shows.
func lockDataDir(dataDir string, demo bool, what string) (*instanceLock, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory %s: %w", dataDir, err)
	}
	name := lockFileName
	if demo {
		name = demoLockFileName
	}
	path := filepath.Join(dataDir, name)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := tryLock(f); err != nil {
		defer f.Close()
		if errors.Is(err, errLocked) {
			busy := &InstanceBusyError{DataDir: dataDir}
			if b, err := os.ReadFile(path); err == nil {
				pid, holder, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
				busy.PID, _ = strconv.Atoi(pid)
				busy.What = holder
			}
			return nil, busy
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// Who holds it, for the message another process shows. Written in
	// place: readers only ever read it while the lock is held by us.
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(fmt.Sprintf("%d %s\n", os.Getpid(), what)), 0)
	return &instanceLock{f: f}, nil
}

func (l *instanceLock) release() {
	if l == nil || l.f == nil {
		return
	}
	_ = l.f.Truncate(0)
	unlock(l.f)
	_ = l.f.Close()
	l.f = nil
}

var errLocked = errors.New("locked by another process")

// readOnlyCommands only read the store (and the simulator commands do not
// open it): they take no lock. Every other command that opens the data
// directory is a writer and holds it — a new command is a writer until it
// is listed here.
var readOnlyCommands = map[string]bool{
	"status": true, "clients": true, "timeline": true, "suggestions": true, "folders": true, "libraries": true,
	"export": true, "account list": true, "bench": true, "sim": true, "sim browse": true, "sim faults": true,
}

// lockName is what a command holds the lock as ("" for a reader).
func lockName(path string) string {
	if readOnlyCommands[path] {
		return ""
	}
	return "rapport " + path
}
