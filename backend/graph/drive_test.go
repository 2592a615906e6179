package graph

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"rapport/backend/model"
)

// Our decoder reads Microsoft's documented drive answers: delta pages
// (a folder, a file, deletions with and without names), token=latest,
// drives and sites.
func TestDecodeDocumentedDrivePages(t *testing.T) {
	var p1 drivePage
	loadExample(t, "driveitem-delta.1.json", &p1)
	if p1.NextLink == "" || len(p1.Value) != 3 {
		t.Fatalf("page 1: %+v", p1)
	}
	folder, file, gone := p1.Value[0].item(), p1.Value[1].item(), p1.Value[2].item()
	if !folder.IsFolder || folder.Deleted || folder.Name != "folder2" || file.IsFolder || file.Name != "file.txt" || !gone.Deleted {
		t.Fatalf("items %+v / %+v / %+v", folder, file, gone)
	}
	var p2 drivePage
	loadExample(t, "driveitem-delta.2.json", &p2)
	if p2.DeltaLink == "" || !p2.Value[0].item().Deleted || !p2.Value[0].item().IsFolder {
		t.Fatalf("page 2: %+v", p2)
	}
	var latest drivePage
	loadExample(t, "driveitem-delta.3.json", &latest)
	if latest.DeltaLink == "" || len(latest.Value) != 0 {
		t.Fatalf("token=latest: %+v", latest)
	}
	var d driveJSON
	loadExample(t, "drive-get.1.json", &d)
	if dr := d.drive(); dr.ID == "" || dr.DriveType != "business" || dr.Owner.Name != "Ryan Gregg" {
		t.Fatalf("drive %+v", dr)
	}
	var ds drivesPage
	loadExample(t, "drive-list.1.json", &ds)
	if len(ds.Value) != 1 || ds.Value[0].drive().Owner.Address != "MeganB@M365x214355.onmicrosoft.com" {
		t.Fatalf("drives %+v", ds)
	}
	for _, f := range []string{"sites-list-followed.1.json", "site-search.1.json"} {
		var sp sitesPage
		loadExample(t, f, &sp)
		if len(sp.Value) != 2 || sp.Value[0].site().Hostname != "contoso.sharepoint.com" || sp.Value[0].site().WebURL == "" {
			t.Fatalf("%s: %+v", f, sp.Value[0].site())
		}
	}
	var site siteJSON
	loadExample(t, "site-get.1.json", &site)
	if s := site.site(); s.DisplayName != "OneDrive Team Site" || s.Hostname != "contoso.sharepoint.com" {
		t.Fatalf("site %+v", s)
	}
}

// A shortcut's remoteItem names the drive and folder to sync; a personal
// drive id comes back canonical; actor, hashes and sizes are read.
func TestDecodeDriveItemDetails(t *testing.T) {
	raw := `{"id":"01AB","name":"Deck.pptx","eTag":"\"{1},2\"","size":1234,"createdDateTime":"2026-10-01T09:00:00Z",
		"lastModifiedDateTime":"2026-10-02T10:00:00Z","createdBy":{"user":{"email":"a@contoso.com","displayName":"A"}},
		"lastModifiedBy":{"application":{"displayName":"Power Automate"}},
		"parentReference":{"driveType":"personal","driveId":"4AA9C3F0B1E7D5C","id":"4AA9C3F0B1E7D5C!101"},
		"file":{"mimeType":"application/pdf","hashes":{"quickXorHash":"abc="}}}`
	var j driveItemJSON
	if err := json.Unmarshal([]byte(raw), &j); err != nil {
		t.Fatal(err)
	}
	it := j.item()
	if it.DriveID != "04aa9c3f0b1e7d5c" || it.ParentID != "4AA9C3F0B1E7D5C!101" || it.Size != 1234 || !it.HasSize ||
		it.QuickXorHash != "abc=" || it.CreatedBy.Address != "a@contoso.com" || it.ModifiedBy.Name != "Power Automate" || it.IsFolder {
		t.Fatalf("item %+v", it)
	}
	sc := `{"id":"01SC","name":"Woodgrove Bank","remoteItem":{"id":"01RF","parentReference":{"driveId":"b!AbC","driveType":"business"},"folder":{"childCount":3}}}`
	j = driveItemJSON{}
	if err := json.Unmarshal([]byte(sc), &j); err != nil {
		t.Fatal(err)
	}
	it = j.item()
	if !it.IsFolder || !it.RemoteIsFolder || it.RemoteID != "01RF" || it.RemoteGraphDriveID != "b!AbC" || it.RemoteDriveID != "b!abc" {
		t.Fatalf("shortcut %+v", it)
	}
	root := `{"id":"01RT","name":"root","root":{},"folder":{"childCount":1},"parentReference":{"driveId":"b!AbC","driveType":"business"}}`
	j = driveItemJSON{}
	if err := json.Unmarshal([]byte(root), &j); err != nil {
		t.Fatal(err)
	}
	if it := j.item(); !it.IsRoot || !it.IsFolder || it.ParentID != "" {
		t.Fatalf("root %+v", it)
	}
}

func TestCanonicalDriveID(t *testing.T) {
	for in, want := range map[string]string{
		"4AA9C3F0B1E7D5C":  "04aa9c3f0b1e7d5c",
		"04aa9c3f0b1e7d5c": "04aa9c3f0b1e7d5c",
		"b!AbC-_x":         "b!abc-_x",
		"":                 "",
	} {
		if got := model.CanonicalDriveID(in); got != want {
			t.Errorf("CanonicalDriveID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseSiteRef(t *testing.T) {
	for in, want := range map[string]SiteRef{
		"https://adatum.sharepoint.com/sites/ClientProjects/Fabrikam%20Projects/Forms/AllItems.aspx": {Hostname: "adatum.sharepoint.com", Path: "/sites/ClientProjects"},
		"adatum.sharepoint.com/teams/Sales": {Hostname: "adatum.sharepoint.com", Path: "/teams/Sales"},
		"https://adatum.sharepoint.com/":    {Hostname: "adatum.sharepoint.com"},
		"adatum.sharepoint.com,2c712604-1370-44e7-a1f5-426573fda80a,2d2244c3-251a-49ea-93a8-39e1c3a060fe": {ID: "adatum.sharepoint.com,2c712604-1370-44e7-a1f5-426573fda80a,2d2244c3-251a-49ea-93a8-39e1c3a060fe"},
	} {
		got, err := ParseSiteRef(in)
		if err != nil || got != want {
			t.Errorf("ParseSiteRef(%q) = %+v %v, want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "not a url", "ftp://x.y/sites/a"} {
		if _, err := ParseSiteRef(bad); err == nil {
			t.Errorf("ParseSiteRef(%q) accepted", bad)
		}
	}
}

// BenchmarkDecodeDrivePage decodes a page of 1,000 drive items (the
// documented example's file item, repeated) the way get() does.
func BenchmarkDecodeDrivePage(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join(examplesDir, "driveitem-delta.1.json"))
	if err != nil {
		b.Fatal(err)
	}
	var doc struct {
		Value []json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		b.Fatal(err)
	}
	items := make([]json.RawMessage, 1000)
	for i := range items {
		items[i] = doc.Value[1]
	}
	body, err := json.Marshal(map[string]any{"@odata.nextLink": "https://graph.microsoft.com/v1.0/next", "value": items})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var p drivePage
		if err := decodeBody(bytes.NewReader(body), &p); err != nil || len(p.Value) != 1000 {
			b.Fatalf("%d items, %v", len(p.Value), err)
		}
	}
}
