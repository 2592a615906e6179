package app

import (
	"path/filepath"
	"runtime"
)

// AboutInfo is what the About dialog shows: which build this is and where
// its data lives (so a user can back it up or delete it).
type AboutInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"` // git describe, stamped at build time
	// Platform is GOOS/GOARCH ("linux/amd64").
	Platform string `json:"platform"`
	// DataDir is the folder this session reads and writes: the demo's own
	// folder in demo mode (rebuilt at every start), else the real one.
	DataDir string `json:"dataDir"`
	Demo    bool   `json:"demo"`
}

// About describes this build and its data folder.
func (a *App) About() AboutInfo {
	info := AboutInfo{Name: "Rapport", Version: Version, Platform: runtime.GOOS + "/" + runtime.GOARCH, DataDir: a.cfg.DataDir}
	if a.demo != nil {
		info.Demo = true
		info.DataDir = filepath.Join(a.cfg.DataDir, "demo")
	}
	return info
}
