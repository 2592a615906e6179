package app

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// localZone is the computer's time zone under its IANA name
// ("Europe/Paris"), so that figures and exports say which zone their weeks
// and months are in; Go calls it "Local". Where no name can be found (a
// Windows zone, no /etc/localtime link) it stays time.Local.
var localZone = sync.OnceValue(func() *time.Location {
	name := strings.TrimPrefix(os.Getenv("TZ"), ":")
	if name == "" {
		if target, err := filepath.EvalSymlinks("/etc/localtime"); err == nil {
			if _, after, ok := strings.Cut(target, "zoneinfo/"); ok {
				name = after
			}
		}
	}
	if name == "" || name == "Local" {
		return time.Local
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.Local
	}
	return loc
})
