package auth

import (
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"runtime"
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

func launch(path string, args []string) error {
	cmd := exec.Command(path, args...)
	// No Stdout/Stderr: the launcher's chatter goes to the null device.
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
