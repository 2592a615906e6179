package auth

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// launchGrace is how long openSystemBrowser waits for the launcher to fail.
// Launchers that hand the URL to a running browser exit at once; some start
// the browser in the foreground and only return when it closes, so a
// launcher still running after this long is taken as success.
const launchGrace = 3 * time.Second

// openSystemBrowser shows url in the user's default browser. It is ours
// rather than github.com/pkg/browser (MSAL's default) because that one
// copies the launcher's output to our stdout, which would garble the
// command line's output, and waits for the launcher to exit.
func openSystemBrowser(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		// Only web pages: the URL is passed to a shell-like launcher.
		return errors.New("refusing to open a non-web URL")
	}
	if custom := strings.TrimSpace(os.Getenv(BrowserEnv)); custom != "" {
		argv, err := splitCommand(custom)
		if err != nil || len(argv) == 0 {
			return fmt.Errorf("%s: %v", BrowserEnv, err)
		}
		path, err := exec.LookPath(argv[0])
		if err != nil {
			return fmt.Errorf("%s: %w", BrowserEnv, err)
		}
		return launchWith(path, append(argv[1:], rawURL), os.Stderr)
	}
	var candidates [][]string
	switch runtime.GOOS {
	case "windows":
		// rundll32 takes the URL verbatim; "cmd /c start" would need
		// escaping for the '&' in the query string.
		candidates = [][]string{{"rundll32", "url.dll,FileProtocolHandler", rawURL}}
	case "darwin":
		candidates = [][]string{{"open", rawURL}}
	default:
		candidates = [][]string{{"xdg-open", rawURL}, {"x-www-browser", rawURL}, {"www-browser", rawURL}}
	}
	var errs []error
	for _, argv := range candidates {
		path, err := exec.LookPath(argv[0])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := launch(path, argv[1:]); err != nil {
			errs = append(errs, err)
			continue
		}
		return nil
	}
	return fmt.Errorf("no browser could be started: %w", errors.Join(errs...))
}

// BrowserEnv names the environment variable that replaces the system
// browser: a command line (words split like a shell's, quotes allowed) run
// with the sign-in URL as its last argument. For a browser that is not the
// default one, a remote session, or a test's scripted browser
// (RAPPORT_BROWSER="rapport sim browse").
const BrowserEnv = "RAPPORT_BROWSER"

func launch(path string, args []string) error { return launchWith(path, args, nil) }

func launchWith(path string, args []string, stderr io.Writer) error {
	cmd := exec.Command(path, args...)
	// No Stdout: the launcher's chatter must not garble the command line's
	// output. Stderr only for a command the user chose.
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }() // also reaps the process
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	case <-time.After(launchGrace):
		return nil
	}
}

// splitCommand splits a command line into words: blanks separate words,
// single quotes keep everything literal, double quotes keep blanks, a
// backslash escapes the next character (outside single quotes).
func splitCommand(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\\':
			escaped, inWord = true, true
		case quote == '"':
			if r == '"' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 || escaped {
		return nil, errors.New("unterminated quote or escape")
	}
	if inWord {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return nil, errors.New("empty command")
	}
	return words, nil
}
