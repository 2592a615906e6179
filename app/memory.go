package app

import (
	"os"
	"runtime/debug"
)

// softMemoryLimit is the heap Rapport aims to stay under. It is a desktop
// app that lives all day next to a browser and Office: past this, the
// garbage collector runs more often (the first sync's decoded pages are
// short-lived garbage) instead of letting the heap double after each
// collection. A soft limit: the live heap may exceed it, the GC then paces
// as usual. GOMEMLIMIT (Go's own setting) overrides it.
const softMemoryLimit = 128 << 20

func setMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
}
