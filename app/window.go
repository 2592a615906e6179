package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// windowState is the window's size and position, remembered between runs
// in <data dir>/window.json.
type windowState struct {
	X, Y, Width, Height int
	Maximised           bool
}

func windowStatePath(dataDir string) string { return filepath.Join(dataDir, "window.json") }

func loadWindowState(dataDir string) windowState {
	ws := windowState{Width: 1200, Height: 800, X: -1, Y: -1}
	b, err := os.ReadFile(windowStatePath(dataDir))
	if err != nil {
		return ws
	}
	var saved windowState
	// A damaged file, or a size too small to use, falls back to defaults.
	if json.Unmarshal(b, &saved) == nil && saved.Width >= 400 && saved.Height >= 300 && saved.Width <= 10000 && saved.Height <= 10000 {
		return saved
	}
	return ws
}

func saveWindowState(ctx context.Context, dataDir string) {
	ws := windowState{Maximised: runtime.WindowIsMaximised(ctx)}
	ws.Width, ws.Height = runtime.WindowGetSize(ctx)
	ws.X, ws.Y = runtime.WindowGetPosition(ctx)
	b, err := json.Marshal(ws)
	if err != nil {
		return
	}
	_ = os.MkdirAll(dataDir, 0o700)
	_ = os.WriteFile(windowStatePath(dataDir), b, 0o600)
}

// instanceID names the single-instance lock: one window per data directory,
// so the demo and a real profile can still run side by side.
func instanceID(dataDir string, demo bool) string {
	key := dataDir
	if demo {
		key += "#demo"
	}
	sum := sha256.Sum256([]byte(key))
	return "com.rapport.app." + hex.EncodeToString(sum[:8])
}
