package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"rapport/backend/auth"
	"rapport/backend/graph"
)

// DefaultClientID is Rapport's public client registration. Organisations
// that register their own app set RAPPORT_CLIENT_ID, --client-id or
// config.json (see the README).
const DefaultClientID = "5b5d5d3c-6f3e-4c1e-9a3a-7a5c2f0e7d11"

// Config is what the command line and environment decide.
type Config struct {
	DataDir string
	Demo    bool
	// ClientID and Authority override the environment and config.json
	// (the --client-id and --authority flags); "" lets them decide.
	ClientID  string
	Authority string
	// AllowPersonalAccounts lets personal Microsoft accounts sign in; it is
	// on when this or config.json's allowPersonalAccounts says so.
	AllowPersonalAccounts bool
	GraphURL              string
	OpenURL               func(string) error // how to show the sign-in page (nil: RAPPORT_BROWSER or the system browser)
	// HTTPClient talks to the identity platform and Graph (nil: the default
	// client, which trusts the system roots and SSL_CERT_FILE).
	HTTPClient *http.Client
	// TokenStore overrides where the token cache lives (nil: encrypted in
	// the data directory under a key in the OS keychain; the demo keeps it
	// in memory).
	TokenStore auth.CacheStore
	Log        *slog.Logger
	// OpenInBackground: New returns at once and opens the store behind
	// the window, which shows its state (opening.go). Not for the demo.
	OpenInBackground bool
}

func (c Config) withDefaults() Config {
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir()
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

// Where a setting came from, for the Settings screen ("set by
// RAPPORT_CLIENT_ID" cannot be changed there).
const (
	sourceFlag    = "flag"
	sourceEnv     = "env"
	sourceConfig  = "config"
	sourceDefault = "default"
)

// configFileName is the settings file in the data directory.
const configFileName = "config.json"

// fileConfig is config.json. Empty fields mean "the default".
type fileConfig struct {
	ClientID              string `json:"clientId,omitempty"`
	Authority             string `json:"authority,omitempty"`
	AllowPersonalAccounts bool   `json:"allowPersonalAccounts,omitempty"`
}

// identity is the resolved sign-in configuration.
type identity struct {
	ClientID, Authority             string
	AllowPersonal                   bool
	ClientIDSource, AuthoritySource string
	File                            fileConfig // what config.json holds
}

func configPath(dataDir string) string { return filepath.Join(dataDir, configFileName) }

// readConfigFile reads config.json; a missing file is the zero config.
func readConfigFile(dataDir string) (fileConfig, error) {
	var fc fileConfig
	b, err := os.ReadFile(configPath(dataDir))
	if errors.Is(err, fs.ErrNotExist) {
		return fc, nil
	}
	if err != nil {
		return fc, fmt.Errorf("read %s: %w", configPath(dataDir), err)
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		return fc, fmt.Errorf("%s is not valid JSON (%v): fix it or delete it to use the defaults", configPath(dataDir), err)
	}
	return fc, nil
}

// writeConfigFile replaces config.json atomically, readable by the owner
// only.
func writeConfigFile(dataDir string, fc fileConfig) error {
	b, err := json.MarshalIndent(fc, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dataDir, ".config.*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), configPath(dataDir))
}

// resolveIdentity picks the client id and authority from, in order, the
// flags (cfg), the environment, config.json in the data directory and the
// defaults, and checks them.
func resolveIdentity(cfg Config) (identity, error) {
	fc, err := readConfigFile(cfg.DataDir)
	if err != nil {
		return identity{}, err
	}
	id := identity{File: fc, AllowPersonal: cfg.AllowPersonalAccounts || fc.AllowPersonalAccounts}
	switch {
	case cfg.ClientID != "":
		id.ClientID, id.ClientIDSource = cfg.ClientID, sourceFlag
	case os.Getenv("RAPPORT_CLIENT_ID") != "":
		id.ClientID, id.ClientIDSource = os.Getenv("RAPPORT_CLIENT_ID"), sourceEnv
		if err := checkClientID(id.ClientID); err != nil {
			return id, fmt.Errorf("RAPPORT_CLIENT_ID: %w", err)
		}
	case fc.ClientID != "":
		id.ClientID, id.ClientIDSource = fc.ClientID, sourceConfig
		if err := checkClientID(id.ClientID); err != nil {
			return id, fmt.Errorf("%s: clientId: %w", configPath(cfg.DataDir), err)
		}
	default:
		id.ClientID, id.ClientIDSource = DefaultClientID, sourceDefault
	}
	var raw, where string
	switch {
	case cfg.Authority != "":
		raw, where, id.AuthoritySource = cfg.Authority, "--authority", sourceFlag
	case os.Getenv("RAPPORT_AUTHORITY") != "":
		raw, where, id.AuthoritySource = os.Getenv("RAPPORT_AUTHORITY"), "RAPPORT_AUTHORITY", sourceEnv
	case fc.Authority != "":
		raw, where, id.AuthoritySource = fc.Authority, configPath(cfg.DataDir)+": authority", sourceConfig
	default:
		raw, id.AuthoritySource = auth.DefaultAuthority, sourceDefault
	}
	a, err := NormalizeAuthority(raw)
	if err != nil {
		return id, fmt.Errorf("%s: %w", where, err)
	}
	id.Authority = a
	return id, nil
}

var (
	guidRE   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	domainRE = regexp.MustCompile(`^(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
)

// checkClientID accepts an Entra application (client) id: a GUID.
func checkClientID(s string) error {
	if !guidRE.MatchString(strings.TrimSpace(s)) {
		return fmt.Errorf("client id %q is not an application (client) ID: copy the GUID from the app's Overview page in Microsoft Entra", s)
	}
	return nil
}

const microsoftLogin = "https://login.microsoftonline.com"

// NormalizeAuthority accepts an authority URL (https://host/<tenant>) or a
// bare tenant — organizations, common, consumers, a tenant ID (GUID) or a
// verified domain (contoso.onmicrosoft.com, contoso.com) — and returns the
// authority URL MSAL takes. Anything else is an error that says what to use.
func NormalizeAuthority(s string) (string, error) {
	in := strings.TrimSpace(s)
	bad := fmt.Errorf("authority %q is not valid: use https://login.microsoftonline.com/<tenant>, where <tenant> is organizations, your tenant ID (a GUID) or your domain (such as contoso.onmicrosoft.com)", s)
	if in == "" {
		return "", bad
	}
	if !strings.Contains(in, "://") {
		t := strings.Trim(in, "/")
		if !validTenant(t) {
			return "", bad
		}
		return microsoftLogin + "/" + t, nil
	}
	u, err := url.Parse(in)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", bad
	}
	if u.Scheme != "https" {
		return "", fmt.Errorf("authority %q must use https", s)
	}
	seg := strings.Trim(u.Path, "/")
	if strings.Contains(seg, "/") || !validTenant(seg) {
		return "", bad
	}
	return "https://" + u.Host + "/" + seg, nil
}

func validTenant(t string) bool {
	switch strings.ToLower(t) {
	case "organizations", "common", "consumers":
		return true
	}
	return guidRE.MatchString(t) || (len(t) <= 253 && domainRE.MatchString(t))
}

// authorityTenant is the tenant segment of an authority URL when it names
// one tenant ("" for organizations, common and consumers).
func authorityTenant(authority string) string {
	u, err := url.Parse(authority)
	if err != nil {
		return ""
	}
	t := strings.Trim(u.Path, "/")
	switch strings.ToLower(t) {
	case "", "organizations", "common", "consumers":
		return ""
	}
	return t
}
