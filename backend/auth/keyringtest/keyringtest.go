// Package keyringtest gives tests a real, unlocked Secret Service: a private
// D-Bus session bus with its own gnome-keyring-daemon, in a temporary home,
// so tests of the keychain path never touch a developer's own keyring and
// run the same under `make test`, a bare `go test` and CI.
//
// It is for tests only; nothing in the app imports it.
package keyringtest

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/godbus/dbus/v5"
)

// Session is a running private Secret Service.
type Session struct {
	// Env are the variables a child process needs to reach it.
	Env  []string
	dir  string
	bus  *exec.Cmd
	keyr *exec.Cmd
}

// Start launches dbus-daemon and gnome-keyring-daemon (unlocked) and points
// this process's DBUS_SESSION_BUS_ADDRESS at them. Call it from TestMain
// before anything talks to D-Bus: go-keyring's session connection is made
// once per process. It returns an error when the programs are missing
// (apt-get install dbus gnome-keyring).
func Start() (*Session, error) {
	if runtime.GOOS != "linux" {
		return nil, errors.New("keyringtest: only on Linux")
	}
	for _, p := range []string{"dbus-daemon", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(p); err != nil {
			return nil, fmt.Errorf("keyringtest: %s not installed (apt-get install dbus gnome-keyring)", p)
		}
	}
	dir, err := os.MkdirTemp("", "rapport-keyring-")
	if err != nil {
		return nil, err
	}
	s := &Session{dir: dir}
	ok := false
	defer func() {
		if !ok {
			s.Stop()
		}
	}()
	run := filepath.Join(dir, "run")
	if err := os.MkdirAll(run, 0o700); err != nil {
		return nil, err
	}
	busPath := filepath.Join(dir, "bus")
	s.bus = exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1",
		"--address=unix:path="+busPath)
	s.bus.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := s.bus.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.bus.Start(); err != nil {
		return nil, fmt.Errorf("keyringtest: dbus-daemon: %w", err)
	}
	addrCh := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		addrCh <- strings.TrimSpace(line)
	}()
	var addr string
	select {
	case addr = <-addrCh:
	case <-time.After(10 * time.Second):
		return nil, errors.New("keyringtest: dbus-daemon printed no address")
	}
	if addr == "" {
		return nil, errors.New("keyringtest: dbus-daemon printed no address")
	}
	s.Env = []string{
		"DBUS_SESSION_BUS_ADDRESS=" + addr,
		"XDG_RUNTIME_DIR=" + run,
	}
	env := append(os.Environ(), s.Env...)
	env = append(env, "HOME="+dir, "XDG_DATA_HOME="+filepath.Join(dir, "share"), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
	s.keyr = exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	s.keyr.Env = env
	s.keyr.Stdin = strings.NewReader("rapport-test")
	s.keyr.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.keyr.Start(); err != nil {
		return nil, fmt.Errorf("keyringtest: gnome-keyring-daemon: %w", err)
	}
	if err := waitForSecrets(addr); err != nil {
		return nil, err
	}
	for _, kv := range s.Env {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	ok = true
	return s, nil
}

// waitForSecrets waits until the keyring daemon owns the Secret Service
// name, so the first client does not auto-start a second, locked one.
func waitForSecrets(addr string) error {
	conn, err := dbus.Connect(addr)
	if err != nil {
		return fmt.Errorf("keyringtest: connect to the test bus: %w", err)
	}
	defer conn.Close()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		var has bool
		err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.freedesktop.secrets").Store(&has)
		if err == nil && has {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("keyringtest: gnome-keyring-daemon did not start the Secret Service")
}

// Stop ends both daemons and removes their files.
func (s *Session) Stop() {
	if s == nil {
		return
	}
	for _, c := range []*exec.Cmd{s.keyr, s.bus} {
		if c != nil && c.Process != nil {
			_ = syscall.Kill(-c.Process.Pid, syscall.SIGTERM)
			_ = c.Wait()
		}
	}
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
}

// Required reports whether tests must fail rather than skip when no Secret
// Service can be started: in CI (CI=true) the keychain path is always tested.
func Required() bool { return os.Getenv("CI") == "true" || os.Getenv("RAPPORT_REQUIRE_KEYRING") == "1" }
