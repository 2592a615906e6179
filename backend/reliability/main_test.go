package reliability_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"rapport/backend/auth/keyringtest"
)

// level is RAPPORT_RELIABILITY: "" skips every suite, "ci" runs the short
// versions, "full" the long ones.
var level = strings.ToLower(strings.TrimSpace(os.Getenv("RAPPORT_RELIABILITY")))

var (
	binPath    string
	keyringErr error
)

func TestMain(m *testing.M) {
	if level == "" {
		os.Exit(m.Run()) // every test skips (see need)
	}
	kr, err := keyringtest.Start()
	if err != nil {
		keyringErr = err
		fmt.Fprintf(os.Stderr, "reliability: keychain tests will fail: %v\n", err)
	}
	dir, err := os.MkdirTemp("", "rapport-reliability-")
	if err != nil {
		panic(err)
	}
	binPath = filepath.Join(dir, "rapport")
	build := exec.Command("go", "build", "-tags", "sqlite_fts5", "-o", binPath, "rapport")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("build rapport: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	kr.Stop()
	os.Exit(code)
}

// need skips a suite unless RAPPORT_RELIABILITY asks for it.
func need(t *testing.T) {
	t.Helper()
	if level == "" {
		t.Skip("set RAPPORT_RELIABILITY=ci (short) or full to run the reliability suites")
	}
}

func needKeychain(t *testing.T) {
	t.Helper()
	need(t)
	if keyringErr != nil {
		t.Fatalf("no Secret Service for the suites that sign in: %v", keyringErr)
	}
}

// scale picks the CI or the full figure; RAPPORT_RELIABILITY_N overrides.
func scale(ci, full int) int {
	if v, err := strconv.Atoi(os.Getenv("RAPPORT_RELIABILITY_N")); err == nil && v > 0 {
		return v
	}
	if level == "full" {
		return full
	}
	return ci
}

// figures collects the numbers a full run reports (docs/RELIABILITY.md):
// each suite logs its own, and they are printed as FIGURE lines.
func figure(t *testing.T, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log("FIGURE " + t.Name() + ": " + line)
	figuresMu.Lock()
	figures = append(figures, t.Name()+": "+line)
	figuresMu.Unlock()
}

var (
	figuresMu sync.Mutex
	figures   []string
)

// child is a rapport process in its own process group, its stdout and
// stderr appended to one log file (which the secrets suite searches).
type child struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func startChild(t *testing.T, env []string, logPath string, args ...string) *child {
	t.Helper()
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatal(err)
	}
	c := &child{cmd: cmd, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		f.Close()
		close(c.done)
	}()
	t.Cleanup(func() { c.kill() })
	return c
}

// kill is kill -9 of the process group, then waits for it.
func (c *child) kill() {
	select {
	case <-c.done:
		return
	default:
	}
	_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
	<-c.done
}

// wait waits for the process to end by itself (up to d) and returns its
// exit code; -1 when it had to be killed.
func (c *child) wait(d time.Duration) int {
	select {
	case <-c.done:
	case <-time.After(d):
		c.kill()
		return -1
	}
	if ee, ok := c.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if c.err != nil {
		return -1
	}
	return 0
}

// runCLI runs one command to its end, output appended to logPath.
func runCLI(t *testing.T, env []string, logPath string, timeout time.Duration, args ...string) int {
	t.Helper()
	return startChild(t, env, logPath, args...).wait(timeout)
}

func readLog(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

// tail is the last n bytes of a log, for failure messages.
func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
