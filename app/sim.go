package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"rapport/backend/graphsim"
)

func cmdSim(c *cli, f *pflag.FlagSet, _ []string) error {
	addr, _ := f.GetString("addr")
	scenario, _ := f.GetString("scenario")
	latency, _ := f.GetDuration("latency")
	spec, _ := f.GetString("faults")
	faults, err := graphsim.ParseFaults(spec)
	if err != nil {
		return &usageError{fmt.Sprintf("--faults: %v", err)}
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	sim, err := graphsim.New(graphsim.Options{Scenario: scenario, Latency: latency, Faults: faults, ControlToken: token})
	if err != nil {
		return err
	}
	if err := sim.Start(addr); err != nil {
		return err
	}
	defer sim.Close()
	dir, err := os.MkdirTemp("", "rapport-sim-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ca := filepath.Join(dir, "ca.pem")
	if err := sim.WriteCACert(ca); err != nil {
		return err
	}
	// control: POST a new fault spec while it runs (`rapport sim faults`).
	fmt.Fprintf(c.stdout, "authority: %s\ngraph: %s\nca: %s\ncontrol: %s/_sim/faults?token=%s\n",
		sim.AuthorityURL(), sim.GraphURL(), ca, sim.URL(), token)
	ctx, stop := signalContext()
	defer stop()
	<-ctx.Done()
	return nil
}

// cmdSimBrowse is a scripted browser for a simulator in another process:
// RAPPORT_BROWSER="rapport sim browse" makes `rapport serve` or `account
// add` complete their sign-in with it. It trusts what the default client
// trusts, so run it with SSL_CERT_FILE set to the simulator's ca.pem. Given
// an admin consent URL it approves as the tenant's administrator.
func cmdSimBrowse(c *cli, _ *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return &usageError{"give the sign-in URL"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return graphsim.CompleteSignIn(ctx, http.DefaultClient, args[0])
}

// cmdSimFaults replaces a running simulator's fault spec through the
// control URL `rapport sim` printed ("" = healthy).
func cmdSimFaults(c *cli, _ *pflag.FlagSet, args []string) error {
	if len(args) < 1 || len(args) > 2 {
		return &usageError{"give the control URL that `rapport sim` printed, then the fault spec (empty for none)"}
	}
	u, err := url.Parse(args[0])
	if err != nil || u.Scheme != "https" || !strings.HasSuffix(u.Path, "/_sim/faults") {
		return &usageError{"the control URL looks like https://127.0.0.1:PORT/_sim/faults?token=..."}
	}
	spec := ""
	if len(args) == 2 {
		spec = args[1]
	}
	if _, err := graphsim.ParseFaults(spec); err != nil {
		return &usageError{err.Error()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, args[0], strings.NewReader(spec))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("the simulator could not be reached (%v); is `rapport sim` running, and SSL_CERT_FILE set to its ca.pem?", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("the simulator refused the faults: HTTP %d %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	fmt.Fprintln(c.stdout, "faults set")
	return nil
}
