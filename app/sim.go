package app

import (
	"fmt"
	"os"
	"path/filepath"

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
	sim, err := graphsim.New(graphsim.Options{Scenario: scenario, Latency: latency, Faults: faults})
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
	fmt.Fprintf(c.stdout, "authority: %s\ngraph: %s\nca: %s\n", sim.AuthorityURL(), sim.GraphURL(), ca)
	ctx, stop := signalContext()
	defer stop()
	<-ctx.Done()
	return nil
}
