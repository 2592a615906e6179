package app

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"rapport/backend/model"
	"rapport/backend/store"
)

// The command line of issue 5: `rapport folders`, `rapport libraries`,
// `rapport libraries add`, `rapport clients map-folder` and `rapport
// clients unmap-folder`. They read and write through the same store calls
// as the Folders screen.

// FoldersOverview is `rapport folders --json`: every synced drive with its
// top two levels of folders and every mapped folder, then the suggested
// mappings. Field names are a contract.
type FoldersOverview struct {
	Drives      []DriveFolders           `json:"drives"`
	Suggestions []model.FolderSuggestion `json:"suggestions"`
}

// DriveFolders is one drive of FoldersOverview.
type DriveFolders struct {
	Account string `json:"account"`
	DriveID string `json:"driveId"`
	Drive   string `json:"drive"` // its name: "OneDrive", "Fabrikam Projects"
	Kind    string `json:"kind"`  // onedrive | library | shortcut
	// Root is the drive's root folder (a shared folder's top).
	Root    *model.FolderNode  `json:"root"`
	Folders []model.FolderNode `json:"folders"`
}

// foldersOverview gathers FoldersOverview from the store (offline).
func (a *App) foldersOverview() (FoldersOverview, error) {
	out := FoldersOverview{Drives: []DriveFolders{}}
	libs, err := a.Libraries("")
	if err != nil {
		return out, err
	}
	accts, err := a.st().Accounts(a.ctx)
	if err != nil {
		return out, err
	}
	byUPN := map[string]model.Account{}
	for _, acct := range accts {
		byUPN[acct.UPN] = acct
	}
	// Every mapped folder, whatever its depth.
	mapped := map[string][]model.FolderNode{}
	names, err := a.st().ClientNames(a.ctx)
	if err != nil {
		return out, err
	}
	for id := range names {
		fs, err := a.st().ClientFolders(a.ctx, id)
		if err != nil {
			return out, err
		}
		for _, f := range fs {
			mapped[f.Account+"|"+f.DriveID] = append(mapped[f.Account+"|"+f.DriveID], f.FolderNode)
		}
	}
	for _, l := range libs {
		acct := byUPN[l.Account]
		d := DriveFolders{Account: l.Account, DriveID: l.DriveID, Drive: l.Name, Kind: l.Kind, Root: l.Root, Folders: []model.FolderNode{}}
		seen := map[string]bool{}
		add := func(n model.FolderNode) {
			if !seen[n.DriveID+"|"+n.ID] {
				seen[n.DriveID+"|"+n.ID] = true
				d.Folders = append(d.Folders, n)
			}
		}
		if l.Root != nil {
			top, err := a.st().FolderNodes(a.ctx, acct, l.DriveID, l.Root.ID)
			if err != nil {
				return out, err
			}
			for _, n := range top {
				add(n)
				if !n.HasChildren {
					continue
				}
				kids, err := a.st().FolderNodes(a.ctx, acct, n.DriveID, n.ID)
				if err != nil {
					return out, err
				}
				for _, k := range kids {
					if n.Shortcut {
						k.Path = n.Path + strings.TrimPrefix(k.Path, n.Path)
					}
					add(k)
				}
			}
		}
		for _, n := range mapped[l.Account+"|"+l.DriveID] {
			if l.Root == nil || n.ID != l.Root.ID {
				add(n)
			}
		}
		sort.SliceStable(d.Folders, func(i, j int) bool { return d.Folders[i].Path < d.Folders[j].Path })
		out.Drives = append(out.Drives, d)
	}
	if out.Suggestions, err = a.FolderSuggestions(); err != nil {
		return out, err
	}
	return out, nil
}

func cmdFolders(c *cli, _ *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", args[0])}
	}
	a, err := c.open(false)
	if err != nil {
		return err
	}
	defer a.close()
	ov, err := a.foldersOverview()
	if err != nil {
		return err
	}
	if c.jsonOut {
		return c.printJSON(ov)
	}
	if len(ov.Drives) == 0 {
		fmt.Fprintln(c.stdout, "No drives synced yet. Enable OneDrive and SharePoint with `rapport account reauth <upn> --files`, then `rapport sync --once`.")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	for _, d := range ov.Drives {
		fmt.Fprintf(tw, "%s — %s (%s)\n", d.Account, oneLine(d.Drive), d.Kind)
		fmt.Fprintln(tw, "  FOLDER\tCLIENT\tHOW\tFILES\tLAST CHANGE")
		rows := d.Folders
		if d.Root != nil {
			root := *d.Root
			root.Path = "/"
			rows = append([]model.FolderNode{root}, rows...)
		}
		for _, n := range rows {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\n", oneLine(n.Path), orDash(oneLine(n.ClientName)), how(n), n.FileCount, when(n.LastChange))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(ov.Suggestions) > 0 {
		fmt.Fprintln(c.stdout, "\nSuggested mappings:")
		for _, s := range ov.Suggestions {
			fmt.Fprintf(c.stdout, "  %s:%s → %s (%s): rapport clients map-folder %q %q\n", oneLine(s.DriveName), oneLine(s.Path),
				oneLine(s.ClientName), s.Reason, driveArg(s.DriveName, s.Path), s.ClientName)
		}
	}
	return nil
}

func driveArg(drive, path string) string {
	if strings.EqualFold(drive, "OneDrive") {
		drive = "onedrive"
	}
	return drive + ":" + path
}

func how(n model.FolderNode) string {
	switch {
	case n.Origin == model.OriginInherited && n.MappedPath != "":
		return "from " + n.MappedPath
	case n.Suppressed && n.Origin == model.OriginNone:
		return "unmapped"
	}
	return n.Origin
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func when(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.Local().Format("2006-01-02 15:04")
}

func cmdLibraries(c *cli, _ *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return &usageError{fmt.Sprintf("unknown subcommand %q", args[0])}
	}
	a, err := c.open(false)
	if err != nil {
		return err
	}
	defer a.close()
	libs, err := a.Libraries("")
	if err != nil {
		return err
	}
	if c.jsonOut {
		return c.printJSON(libs)
	}
	if len(libs) == 0 {
		fmt.Fprintln(c.stdout, "No drives synced yet. Enable OneDrive and SharePoint with `rapport account reauth <upn> --files`; add a SharePoint library with `rapport libraries add <site URL>`.")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tDRIVE\tKIND\tSITE\tITEMS\tLAST SYNC\tSTATE\tLOCAL FOLDER")
	for _, l := range libs {
		state := l.State
		if l.Error != "" {
			state = l.Error
		}
		local := orDash(l.LocalPath)
		if l.LocalPathAuto {
			local += " (detected)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", l.Account, oneLine(l.Name), l.Kind, orDash(oneLine(l.SiteName)), l.Items,
			when(l.LastSync), oneLine(state), local)
	}
	return tw.Flush()
}

func cmdLibrariesAdd(c *cli, f *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return &usageError{"give the site's URL (https://<tenant>.sharepoint.com/sites/<name>) or its id"}
	}
	upn, _ := f.GetString("account")
	a, err := c.open(false)
	if err != nil {
		return err
	}
	defer a.close()
	site, names, err := a.addLibrary(upn, args[0], nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Added %s from %s; they sync with the next `rapport sync`.\n", strings.Join(names, ", "), site)
	return nil
}

// parseFolderArg splits "<drive>:<path>".
func parseFolderArg(s string) (drive, path string, err error) {
	drive, path, ok := strings.Cut(s, ":")
	if !ok || strings.TrimSpace(drive) == "" {
		return "", "", &usageError{fmt.Sprintf("%q is not <drive>:<path> (e.g. onedrive:Clients/Contoso, or a library's name)", s)}
	}
	return strings.TrimSpace(drive), strings.Trim(strings.TrimSpace(path), "/"), nil
}

// resolveFolderArg finds the drive and folder "<drive>:<path>" names:
// drive is "onedrive", a library's (or shared folder's) name or a drive
// id, in the account given or the only one that has it.
func (a *App) resolveFolderArg(upn, arg string) (model.Account, string, string, error) {
	driveName, path, err := parseFolderArg(arg)
	if err != nil {
		return model.Account{}, "", "", err
	}
	var accts []model.Account
	if upn != "" {
		acct, err := a.fileAccount(upn)
		if err != nil {
			return model.Account{}, "", "", err
		}
		accts = []model.Account{acct}
	} else if accts, err = a.st().Accounts(a.ctx); err != nil {
		return model.Account{}, "", "", err
	}
	type hit struct {
		acct model.Account
		row  store.DriveRow
	}
	var hits []hit
	for _, acct := range accts {
		rows, err := a.st().Drives(a.ctx, acct.ID)
		if err != nil {
			return model.Account{}, "", "", err
		}
		for _, r := range rows {
			if strings.EqualFold(driveName, "onedrive") && r.Origin == model.DriveOneDrive ||
				strings.EqualFold(driveName, r.Name) && r.Origin != model.DriveOneDrive ||
				model.CanonicalDriveID(driveName) == r.ID {
				hits = append(hits, hit{acct, r})
			}
		}
	}
	switch {
	case len(hits) == 0:
		return model.Account{}, "", "", fmt.Errorf("no synced drive %q: use onedrive, a library's name or a drive id (`rapport libraries` lists them)", driveName)
	case len(hits) > 1:
		return model.Account{}, "", "", fmt.Errorf("%q names a drive in several places: say which account with --account <upn>, or give the drive id from `rapport libraries --json`", driveName)
	}
	h := hits[0]
	drive, folder, err := a.st().ResolveFolderPath(a.ctx, h.acct.ID, h.row.ID, h.row.RootID, path)
	if errors.Is(err, model.ErrNotFound) {
		return model.Account{}, "", "", fmt.Errorf("no folder %q in %s (%s); `rapport folders` lists them", path, h.row.Name, h.acct.UPN)
	}
	return h.acct, drive, folder, err
}

func cmdMapFolder(c *cli, f *pflag.FlagSet, args []string) error {
	if len(args) != 2 {
		return &usageError{"give the folder as <drive>:<path> and the client's name"}
	}
	if _, _, err := parseFolderArg(args[0]); err != nil {
		return err
	}
	upn, _ := f.GetString("account")
	a, err := c.open(false)
	if err != nil {
		return err
	}
	defer a.close()
	acct, drive, folder, err := a.resolveFolderArg(upn, args[0])
	if err != nil {
		return err
	}
	cl, err := a.st().ClientByName(a.ctx, args[1])
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return fmt.Errorf("no client named %q; add it with `rapport clients add %q` first", args[1], args[1])
		}
		return err
	}
	if err := a.MapFolder(acct.UPN, drive, folder, cl.ID); err != nil {
		return err
	}
	n, err := a.st().FolderNode(a.ctx, acct, drive, folder)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Mapped %s to %s (%d files).\n", oneLine(args[0]), oneLine(cl.Name), n.FileCount)
	return nil
}

func cmdUnmapFolder(c *cli, f *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return &usageError{"give the folder as <drive>:<path>"}
	}
	if _, _, err := parseFolderArg(args[0]); err != nil {
		return err
	}
	upn, _ := f.GetString("account")
	a, err := c.open(false)
	if err != nil {
		return err
	}
	defer a.close()
	acct, drive, folder, err := a.resolveFolderArg(upn, args[0])
	if err != nil {
		return err
	}
	if err := a.UnmapFolder(acct.UPN, drive, folder); err != nil {
		return err
	}
	n, err := a.st().FolderNode(a.ctx, acct, drive, folder)
	if err != nil {
		return err
	}
	if n.ClientID != 0 {
		fmt.Fprintf(c.stdout, "Unmapped %s; it now follows %s (%s).\n", oneLine(args[0]), n.MappedPath, oneLine(n.ClientName))
		return nil
	}
	fmt.Fprintf(c.stdout, "Unmapped %s; it belongs to no client and will not be mapped by its name again.\n", oneLine(args[0]))
	return nil
}
