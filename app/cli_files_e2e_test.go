package app_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// The file commands as a user's shell runs them (the built binary against
// the simulator): sign in with --files, sync, list libraries and folders,
// add a SharePoint site's libraries, map and unmap folders, and see the
// timeline follow.

type folderJSON struct {
	Path       string `json:"path"`
	ClientName string `json:"clientName"`
	Origin     string `json:"origin"`
	Suppressed bool   `json:"suppressed"`
	FileCount  int    `json:"fileCount"`
	Shortcut   bool   `json:"shortcut"`
}

type foldersJSON struct {
	Drives []struct {
		Account string       `json:"account"`
		DriveID string       `json:"driveId"`
		Drive   string       `json:"drive"`
		Kind    string       `json:"kind"`
		Root    *folderJSON  `json:"root"`
		Folders []folderJSON `json:"folders"`
	} `json:"drives"`
	Suggestions []struct {
		DriveName  string `json:"driveName"`
		Path       string `json:"path"`
		ClientName string `json:"clientName"`
	} `json:"suggestions"`
}

func (e *cliEnv) folders(t *testing.T) (foldersJSON, map[string]folderJSON) {
	t.Helper()
	out, errOut, code := e.run(t, "folders", "--json")
	if code != 0 {
		t.Fatalf("folders --json: %d %s", code, errOut)
	}
	var v foldersJSON
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("folders --json is not JSON: %v\n%s", err, out)
	}
	byPath := map[string]folderJSON{}
	for _, d := range v.Drives {
		if d.Root != nil {
			byPath[d.Drive+":"] = *d.Root
		}
		for _, f := range d.Folders {
			byPath[d.Drive+":"+f.Path] = f
		}
	}
	return v, byPath
}

func TestCLIFoldersAndMappings(t *testing.T) {
	e := newCLIEnv(t)
	if out, errOut, code := e.run(t, "account", "add", "--files"); code != 0 || !strings.Contains(out, "Signed in as") {
		t.Fatalf("account add --files: %d %q %q", code, out, errOut)
	}
	for _, c := range [][]string{{"Contoso", "contoso.com"}, {"Fabrikam", "fabrikam.com"}, {"Northwind Traders", "northwindtraders.com"}} {
		if _, errOut, code := e.run(t, "clients", "add", c[0], "--domain", c[1]); code != 0 {
			t.Fatalf("clients add %s: %s", c[0], errOut)
		}
	}
	if _, errOut, code := e.run(t, "sync", "--once"); code != 0 {
		t.Fatalf("sync --once: %d %s", code, errOut)
	}
	out, errOut, code := e.run(t, "libraries", "add", "https://adatum.sharepoint.com/sites/ClientProjects")
	if code != 0 || !strings.Contains(out, "Added Documents, Fabrikam Projects from Client Projects") {
		t.Fatalf("libraries add: %d %q %q", code, out, errOut)
	}
	if _, errOut, code := e.run(t, "sync", "--once"); code != 0 {
		t.Fatalf("sync --once: %d %s", code, errOut)
	}
	out, _, code = e.run(t, "libraries", "--json")
	var libs []struct {
		Name, Kind, State string
		Items             int
	}
	if code != 0 || json.Unmarshal([]byte(out), &libs) != nil || len(libs) != 4 {
		t.Fatalf("libraries --json: %d %s", code, out)
	}
	for _, l := range libs {
		if l.State != "ok" || l.Items == 0 {
			t.Fatalf("library %+v", l)
		}
	}

	ov, byPath := e.folders(t)
	if f := byPath["OneDrive:Clients/Contoso"]; f.ClientName != "Contoso" || f.Origin != "auto" || f.FileCount == 0 {
		t.Fatalf("Clients/Contoso %+v", f)
	}
	sug := map[string]string{}
	for _, s := range ov.Suggestions {
		sug[s.DriveName+":"+s.Path] = s.ClientName
	}
	if sug["OneDrive:Archive/Contoso Ltd"] != "Contoso" || sug["Fabrikam Projects:"] != "Fabrikam" {
		t.Fatalf("suggestions %v", sug)
	}

	// Map the library (its root) and a OneDrive folder; the timeline follows.
	if out, errOut, code := e.run(t, "clients", "map-folder", "Fabrikam Projects:", "Fabrikam"); code != 0 || !strings.HasPrefix(out, "Mapped Fabrikam Projects: to Fabrikam") {
		t.Fatalf("map-folder library: %d %q %q", code, out, errOut)
	}
	if out, errOut, code := e.run(t, "clients", "map-folder", "onedrive:archive/contoso ltd", "contoso"); code != 0 || !strings.Contains(out, "to Contoso (2 files)") {
		t.Fatalf("map-folder: %d %q %q", code, out, errOut)
	}
	out, _, code = e.run(t, "timeline", "Fabrikam", "--json", "--limit", "1000")
	var tl []struct {
		Kind, Title, Action, Path, Counterpart string
	}
	if code != 0 || json.Unmarshal([]byte(out), &tl) != nil {
		t.Fatalf("timeline: %d %s", code, out)
	}
	files := 0
	for _, it := range tl {
		if it.Kind == "file" {
			files++
			if it.Title == "" || it.Action == "" || it.Path == "" || it.Counterpart == "" {
				t.Fatalf("file row %+v", it)
			}
		}
	}
	if files < 7 {
		t.Fatalf("Fabrikam's timeline has %d file rows", files)
	}
	_, byPath = e.folders(t)
	if f := byPath["OneDrive:Archive/Contoso Ltd"]; f.Origin != "manual" || f.ClientName != "Contoso" {
		t.Fatalf("Archive/Contoso Ltd %+v", f)
	}
	if f := byPath["Fabrikam Projects:Retail analytics pilot"]; f.Origin != "inherited" || f.ClientName != "Fabrikam" {
		t.Fatalf("a folder of the mapped library %+v", f)
	}

	// Unmap the automatic one: it stays unmapped (suppressed).
	if out, errOut, code := e.run(t, "clients", "unmap-folder", "onedrive:Clients/Contoso"); code != 0 || !strings.Contains(out, "belongs to no client") {
		t.Fatalf("unmap-folder: %d %q %q", code, out, errOut)
	}
	if _, errOut, code := e.run(t, "sync", "--once"); code != 0 {
		t.Fatalf("sync --once: %d %s", code, errOut)
	}
	_, byPath = e.folders(t)
	if f := byPath["OneDrive:Clients/Contoso"]; f.Origin != "none" || !f.Suppressed || f.ClientName != "" {
		t.Fatalf("unmapped Clients/Contoso %+v", f)
	}

	// Mistakes: one sentence on stderr, nothing on stdout.
	for _, c := range []struct {
		code int
		args []string
		want string
	}{
		{1, []string{"clients", "map-folder", "onedrive:Clients/Nope", "Contoso"}, `no folder "Clients/Nope" in OneDrive`},
		{1, []string{"clients", "map-folder", "dropbox:Clients", "Contoso"}, `no synced drive "dropbox"`},
		{1, []string{"clients", "map-folder", "onedrive:Clients/Tailspin", "Nobody"}, `no client named "Nobody"`},
		{2, []string{"clients", "map-folder", "Contoso"}, "give the folder as <drive>:<path> and the client's name"},
		{2, []string{"clients", "unmap-folder", "Clients/Contoso"}, "is not <drive>:<path>"},
		{1, []string{"libraries", "add", "not a url"}, "is not a SharePoint site URL"},
		{1, []string{"libraries", "add", "https://adatum.sharepoint.com/sites/Nope"}, "no SharePoint site at"},
	} {
		out, errOut, code := e.run(t, c.args...)
		if code != c.code || out != "" || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
			t.Errorf("%v: %d stdout %q stderr %q", c.args, code, out, errOut)
		}
	}
	// The human-readable lists work too.
	if out, _, code := e.run(t, "folders"); code != 0 || !strings.Contains(out, "Clients/Contoso") || !regexp.MustCompile(`Archive/Contoso Ltd\s+Contoso\s+manual`).MatchString(out) {
		t.Fatalf("folders: %d %s", code, out)
	}
	if out, _, code := e.run(t, "libraries"); code != 0 || !strings.Contains(out, "Fabrikam Projects") {
		t.Fatalf("libraries: %d %s", code, out)
	}
}
