package app

import (
	"errors"
	"path/filepath"
	"strings"
)

// SettingsView is the Settings screen: the sign-in configuration and where
// each value comes from. The UI sends it back to SaveSettings as it got it;
// only clientId, authority and allowPersonalAccounts are written.
type SettingsView struct {
	ClientID              string `json:"clientId"`  // "" = Rapport's own registration
	Authority             string `json:"authority"` // "" = the default (any work or school account)
	AllowPersonalAccounts bool   `json:"allowPersonalAccounts"`

	// Read-only. EffectiveClientID/EffectiveAuthority are what sign-in
	// uses now; *Source says what set them: "flag", "env", "config" or
	// "default" — a flag or an environment variable wins over the file, so
	// the screen shows that saving there changes nothing until it is unset.
	EffectiveClientID  string `json:"effectiveClientId"`
	EffectiveAuthority string `json:"effectiveAuthority"`
	ClientIDSource     string `json:"clientIdSource"`
	AuthoritySource    string `json:"authoritySource"`
	DefaultClientID    string `json:"defaultClientId"`
	DefaultAuthority   string `json:"defaultAuthority"`
	ConfigPath         string `json:"configPath"`
	DataDir            string `json:"dataDir"`
	Demo               bool   `json:"demo"`
}

// Settings returns the sign-in configuration.
func (a *App) Settings() (SettingsView, error) {
	id, err := resolveIdentity(a.rootConfig())
	if err != nil {
		return SettingsView{}, err
	}
	dir, _ := filepath.Abs(a.cfg.DataDir)
	return SettingsView{
		ClientID:              id.File.ClientID,
		Authority:             id.File.Authority,
		AllowPersonalAccounts: id.AllowPersonal,
		EffectiveClientID:     id.ClientID,
		EffectiveAuthority:    id.Authority,
		ClientIDSource:        id.ClientIDSource,
		AuthoritySource:       id.AuthoritySource,
		DefaultClientID:       DefaultClientID,
		DefaultAuthority:      authDefaultAuthority,
		ConfigPath:            configPath(dir),
		DataDir:               dir,
		Demo:                  a.demo != nil,
	}, nil
}

// SaveSettings checks and writes config.json (0600) in the data directory,
// then applies it to the next sign-in. An empty client id or authority means
// the default.
func (a *App) SaveSettings(s SettingsView) error {
	fc := fileConfig{
		ClientID:              strings.TrimSpace(s.ClientID),
		Authority:             strings.TrimSpace(s.Authority),
		AllowPersonalAccounts: s.AllowPersonalAccounts,
	}
	if strings.EqualFold(fc.ClientID, DefaultClientID) {
		fc.ClientID = ""
	}
	if fc.ClientID != "" {
		if err := checkClientID(fc.ClientID); err != nil {
			return err
		}
	}
	if fc.Authority != "" {
		norm, err := NormalizeAuthority(fc.Authority)
		if err != nil {
			return err
		}
		fc.Authority = norm
		if norm == authDefaultAuthority {
			fc.Authority = ""
		}
	}
	if a.signInPending() {
		return errors.New("finish or cancel the sign-in in progress before changing these settings")
	}
	if err := writeConfigFile(a.cfg.DataDir, fc); err != nil {
		return err
	}
	if a.demo != nil {
		return nil // the demo tenant keeps its own identity platform
	}
	return a.rewireAuth()
}
