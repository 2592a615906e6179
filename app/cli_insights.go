package app

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"rapport/backend/insights"
	"rapport/backend/model"
)

// clientJSON is one entry of `rapport clients --json`: the client summary
// with its contacts and figures (additive fields; see insights.Insights).
type clientJSON struct {
	model.ClientSummary
	Contacts []string          `json:"contacts"`
	Figures  insights.Insights `json:"figures"`
}

// clientsJSON lists the clients with their figures over the last 90 days.
func (a *App) clientsJSON() ([]clientJSON, error) {
	list, err := a.st().Clients(a.ctx)
	if err != nil {
		return nil, err
	}
	o, err := insightOptions(0)
	if err != nil {
		return nil, err
	}
	out := make([]clientJSON, 0, len(list))
	for _, c := range list {
		cj := clientJSON{ClientSummary: c}
		if cj.Contacts, err = a.st().ClientContacts(a.ctx, c.ID); err != nil {
			return nil, err
		}
		if cj.Figures, err = insights.ForClient(a.ctx, a.st(), c.ID, c.Name, o); err != nil {
			return nil, err
		}
		out = append(out, cj)
	}
	return out, nil
}

func cmdSuggestions(c *cli, _ *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", args[0])}
	}
	a, err := c.open(false)
	if err != nil {
		return err
	}
	defer a.close()
	list, err := a.Suggestions()
	if err != nil {
		return err
	}
	if c.jsonOut {
		return c.printJSON(list)
	}
	if len(list) == 0 {
		fmt.Fprintln(c.stdout, "No suggestions: every external domain you write to with two-way contact is a client's (or was dismissed).")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DOMAIN\tPROPOSED NAME\tMESSAGES\tSENT\tRECEIVED\tMEETINGS\tLAST CONTACT")
	for _, s := range list {
		last := "—"
		if !s.LastContact.IsZero() {
			last = s.LastContact.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\n", oneLine(s.Domain), oneLine(s.ProposedName), s.Messages, s.Sent, s.Received, s.Meetings, last)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, "\nAdd one with `rapport clients add <name> --domain <domain>`.")
	return nil
}

func cmdExport(c *cli, f *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q (quote a client name with spaces: --client \"Name\")", args[0])}
	}
	name, _ := f.GetString("client")
	format, _ := f.GetString("format")
	out, _ := f.GetString("out")
	if format == "" && out != "" {
		format = strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
	}
	if format == "" {
		return &usageError{"give --format csv or --format json"}
	}
	format, err := checkFormat(format)
	if err != nil {
		return &usageError{err.Error()}
	}
	a, err := c.open(false)
	if err != nil {
		return err
	}
	defer a.close()
	cs, err := a.exportClients(name)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := a.writeExport(&buf, cs, format); err != nil {
		return err
	}
	if out == "" {
		_, err := c.stdout.Write(buf.Bytes())
		return err
	}
	// Exports hold private mail metadata: readable by the user only.
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	fmt.Fprintf(c.stdout, "Exported %d client(s) to %s\n", len(cs), out)
	return nil
}
