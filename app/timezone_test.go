package app

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Figures name their zone as the user knows it ("Europe/Paris"), not Go's
// "Local". Run in a child process: the zone is read once per process.
func TestInsightsNameTheTimeZone(t *testing.T) {
	if os.Getenv("RAPPORT_TZ_CHILD") == "1" {
		o, err := insightOptions(0)
		if err != nil {
			t.Fatal(err)
		}
		os.Stdout.WriteString("zone=" + o.Loc.String() + "\n")
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestInsightsNameTheTimeZone$", "-test.v")
	cmd.Env = append(os.Environ(), "RAPPORT_TZ_CHILD=1", "TZ=Europe/Paris")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(string(out), "zone=Europe/Paris\n") {
		t.Fatalf("zone not named:\n%s", out)
	}
}
