package app

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"rapport/backend/auth"
)

// The `rapport account ...` commands. They call the same flows as the
// window's Sign in / Re-authorize / Remove buttons, and print the same
// UserError: one sentence with the action on stderr (the admin consent URL
// on its own line after it), exit code 1.

// checkGlobalFlags validates --client-id and --authority before anything
// runs (a mistake there is a usage error: exit 2).
func checkGlobalFlags(c *cli) error {
	if c.clientID != "" {
		if err := checkClientID(c.clientID); err != nil {
			return fmt.Errorf("--client-id: %w", err)
		}
	}
	if c.authority != "" {
		norm, err := NormalizeAuthority(c.authority)
		if err != nil {
			return fmt.Errorf("--authority: %w", err)
		}
		c.authority = norm
	}
	return nil
}

// openForSignIn opens the App with the browser choice of --no-browser.
func (c *cli) openForSignIn(noBrowser bool) (*App, error) {
	return c.open(c.demo, func(cfg *Config) {
		if noBrowser {
			cfg.OpenURL = func(u string) error {
				fmt.Fprintf(c.stdout, "To sign in, open this URL in a browser: %s\n", u)
				return nil
			}
		}
	})
}

func cmdAccountAdd(c *cli, f *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return &usageError{"takes no arguments"}
	}
	noBrowser, _ := f.GetBool("no-browser")
	device, _ := f.GetBool("device-code")
	files, _ := f.GetBool("files")
	if device && noBrowser {
		return &usageError{"use either --device-code or --no-browser"}
	}
	a, err := c.openForSignIn(noBrowser)
	if err != nil {
		return err
	}
	defer a.close()
	ctx, stop := signalContext()
	defer stop()
	ctx, done := a.beginSignIn(ctx)
	defer done()
	if device {
		acct, err := a.signInDevice(ctx, files, func(p auth.DeviceCodePrompt) {
			fmt.Fprintf(c.stdout, "Open this page on any device: %s\n", p.VerificationURL)
			fmt.Fprintf(c.stdout, "Enter this code: %s\n", p.UserCode)
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Signed in as %s\n", acct.UPN)
		return nil
	}
	r := a.signInFlow(ctx, wantScopes(nil, files), signInRequest{files: files})
	return c.reportSignIn(r)
}

// reportSignIn prints a flow's account and returns its error.
func (c *cli) reportSignIn(r signInResult) error {
	if r.ok {
		fmt.Fprintf(c.stdout, "Signed in as %s\n", r.acct.UPN)
	}
	if r.err != nil {
		return r.err
	}
	return nil
}

func cmdAccountReauth(c *cli, f *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return &usageError{"give the account's user name (UPN), as `rapport account list` shows it"}
	}
	noBrowser, _ := f.GetBool("no-browser")
	files, _ := f.GetBool("files")
	a, err := c.openForSignIn(noBrowser)
	if err != nil {
		return err
	}
	defer a.close()
	ctx, stop := signalContext()
	defer stop()
	ctx, done := a.beginSignIn(ctx)
	defer done()
	return c.reportSignIn(a.reauthorize(ctx, args[0], files))
}

func cmdAccountList(c *cli, _ *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return &usageError{"takes no arguments"}
	}
	a, err := c.open(false)
	if err != nil {
		return err
	}
	defer a.close()
	accts, err := a.Accounts()
	if err != nil {
		return err
	}
	if c.jsonOut {
		return c.printJSON(accts)
	}
	if len(accts) == 0 {
		fmt.Fprintln(c.stdout, "No account yet. Sign in with `rapport account add`.")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	for _, x := range accts {
		files := "files: off"
		if x.FilesEnabled {
			files = "files: on"
		}
		state := x.State
		if x.Error != "" {
			state += " — " + x.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", x.UPN, oneLine(x.DisplayName), files, state)
	}
	return tw.Flush()
}

func cmdAccountRemove(c *cli, f *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return &usageError{"give the account's user name (UPN), as `rapport account list` shows it"}
	}
	purge, _ := f.GetBool("purge")
	a, err := c.open(false)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.RemoveAccount(args[0], purge); err != nil {
		return err
	}
	if purge {
		fmt.Fprintf(c.stdout, "Removed %s and its synced data.\n", strings.TrimSpace(args[0]))
	} else {
		fmt.Fprintf(c.stdout, "Signed out of %s; its data is kept (`rapport account remove %s --purge` deletes it).\n",
			strings.TrimSpace(args[0]), strings.TrimSpace(args[0]))
	}
	return nil
}
