package watch

import (
	"os"
	"path/filepath"
	"strings"
)

// Candidate is a folder the OneDrive client syncs, found in its usual
// places:
//
//	~/OneDrive - <Org>                      a work OneDrive (Windows)
//	~/OneDrive                              a personal OneDrive
//	~/<Org>/<Site> - <Library>              a SharePoint library (Windows)
//	~/Library/CloudStorage/OneDrive-<Org>   a work OneDrive (macOS)
//	~/Library/CloudStorage/OneDrive-Personal
//	~/Library/CloudStorage/OneDrive-SharedLibraries-<Org>/<Site> - <Library>
type Candidate struct {
	Dir     string
	Kind    string // business | personal | library
	Org     string // "Adatum" (business and library)
	Site    string // libraries: the site's name as the folder shows it
	Library string // libraries: the library's name
}

// Candidate kinds.
const (
	KindBusiness = "business"
	KindPersonal = "personal"
	KindLibrary  = "library"
)

// Detect lists the OneDrive client's folders under home.
func Detect(home string) []Candidate {
	var out []Candidate
	isDir := func(p string) bool {
		fi, err := os.Stat(p)
		return err == nil && fi.IsDir()
	}
	libraries := func(dir, org string) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for _, e := range entries {
			site, lib, ok := strings.Cut(e.Name(), " - ")
			if ok && isDir(filepath.Join(dir, e.Name())) && site != "" && lib != "" {
				out = append(out, Candidate{Dir: filepath.Join(dir, e.Name()), Kind: KindLibrary, Org: org, Site: site, Library: lib})
			}
		}
	}
	if entries, err := os.ReadDir(home); err == nil {
		for _, e := range entries {
			name, dir := e.Name(), filepath.Join(home, e.Name())
			switch {
			case name == "OneDrive" && isDir(dir):
				out = append(out, Candidate{Dir: dir, Kind: KindPersonal})
			case strings.HasPrefix(name, "OneDrive - ") && isDir(dir):
				org := strings.TrimPrefix(name, "OneDrive - ")
				out = append(out, Candidate{Dir: dir, Kind: KindBusiness, Org: org})
				libraries(filepath.Join(home, org), org)
			}
		}
	}
	cloud := filepath.Join(home, "Library", "CloudStorage")
	if entries, err := os.ReadDir(cloud); err == nil {
		for _, e := range entries {
			name, dir := e.Name(), filepath.Join(cloud, e.Name())
			switch {
			case !isDir(dir):
			case name == "OneDrive-Personal":
				out = append(out, Candidate{Dir: dir, Kind: KindPersonal})
			case strings.HasPrefix(name, "OneDrive-SharedLibraries-"):
				libraries(dir, strings.TrimPrefix(name, "OneDrive-SharedLibraries-"))
			case strings.HasPrefix(name, "OneDrive-"):
				out = append(out, Candidate{Dir: dir, Kind: KindBusiness, Org: strings.TrimPrefix(name, "OneDrive-")})
			}
		}
	}
	return out
}
