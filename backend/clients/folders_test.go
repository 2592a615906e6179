package clients

import "testing"

func TestFolderKey(t *testing.T) {
	for _, c := range [][2]string{
		{"Northwind Traders", "northwind  TRADERS"},
		{"Café Müller", "cafe muller"},
		{"CONTÓSO", "contoso"},
		{" Contoso\t", "Con toso"},
	} {
		if FolderKey(c[0]) != FolderKey(c[1]) {
			t.Errorf("%q and %q differ: %q %q", c[0], c[1], FolderKey(c[0]), FolderKey(c[1]))
		}
	}
	if FolderKey("Contoso") == FolderKey("Contoso Ltd") {
		t.Error("a company form made an exact match")
	}
}

func TestNearMatch(t *testing.T) {
	for _, c := range []struct {
		folder, client string
		want           bool
		reason         string
	}{
		{"Contoso Ltd", "Contoso", true, ReasonCompanyForm},
		{"Contoso", "Contoso GmbH", true, ReasonCompanyForm},
		{"Tailspin", "Tailspin Toys", true, ReasonPrefix},
		{"Fabrikam Projects", "Fabrikam", true, ReasonPrefix},
		{"Contosso", "Contoso", true, ReasonSpelling},
		{"Contoso", "Contoso", false, ""},   // equal: mapped, not suggested
		{"contoso", "CONTOSO", false, ""},   // equal too
		{"Tai", "Tailspin Toys", false, ""}, // too short to mean anything
		{"Archive", "Adventure Works", false, ""},
		{"Invoices", "Woodgrove Bank", false, ""},
		{"Ltd", "Contoso Ltd", false, ""},
	} {
		ok, reason := NearMatch(c.folder, c.client)
		if ok != c.want || reason != c.reason {
			t.Errorf("NearMatch(%q, %q) = %v %q, want %v %q", c.folder, c.client, ok, reason, c.want, c.reason)
		}
	}
	m := NewMatcher(map[int64]string{1: "Contoso", 2: "Tailspin Toys"})
	if id, _, ok := m.Suggest("Contoso Ltd", 0); !ok || id != 1 {
		t.Fatalf("Suggest: %d %v", id, ok)
	}
	if _, _, ok := m.Suggest("Contoso Ltd", 1); ok {
		t.Fatal("suggested the client the folder already belongs to")
	}
}

func TestFolderClientKeysDropsCollisions(t *testing.T) {
	keys := FolderClientKeys(map[int64]string{1: "Café", 2: "Cafe", 3: "Contoso"})
	if _, ok := keys["cafe"]; ok || keys["contoso"] != 3 || len(keys) != 1 {
		t.Fatalf("keys %v", keys)
	}
}
