package graphsim

import (
	"fmt"
	"os"
	"path/filepath"
)

// MirrorDrive writes a drive's tree into dir the way the OneDrive client
// keeps a synced copy: a directory per folder and a small file per file
// (content is a placeholder; times are the items' modification times), so
// a test can change a "locally synced" file and watch Rapport pick the
// change up. Shortcuts are left out.
func (s *Server) MirrorDrive(driveID, dir string) error {
	items, err := s.DriveItems(driveID, "")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, it := range items { // parents come before children: sorted by path
		if it.Root || it.Shortcut {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(it.Path))
		if it.Folder {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(fmt.Sprintf("%s %s\n", it.Name, it.QuickXorHash)), 0o644); err != nil {
			return err
		}
		if !it.Modified.IsZero() {
			_ = os.Chtimes(p, it.Modified, it.Modified)
		}
	}
	return nil
}
