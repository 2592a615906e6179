package app

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"rapport/backend/auth"
	"rapport/backend/graph"
)

// DefaultClientID is Rapport's public client registration. Organisations
// that register their own app set RAPPORT_CLIENT_ID (see the README).
const DefaultClientID = "5b5d5d3c-6f3e-4c1e-9a3a-7a5c2f0e7d11"

// Config is what the command line and environment decide.
type Config struct {
	DataDir   string
	Demo      bool
	ClientID  string
	Authority string
	GraphURL  string
	OpenURL   func(string) error // how to show the sign-in page (nil: system browser)
	Log       *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir()
	}
	if c.ClientID == "" {
		c.ClientID = envOr("RAPPORT_CLIENT_ID", DefaultClientID)
	}
	if c.Authority == "" {
		c.Authority = envOr("RAPPORT_AUTHORITY", auth.DefaultAuthority)
	}
	if c.GraphURL == "" {
		c.GraphURL = envOr("RAPPORT_GRAPH_URL", graph.DefaultBaseURL)
	}
	if c.Log == nil {
		c.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c
}

// DefaultDataDir is os.UserConfigDir()/Rapport.
func DefaultDataDir() string {
	base, err := os.UserConfigDir()
	if err != nil {
		base = "."
	}
	return filepath.Join(base, "Rapport")
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
