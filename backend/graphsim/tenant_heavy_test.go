package graphsim

import (
	"reflect"
	"testing"
)

func TestHeavyTenantShape(t *testing.T) {
	for name, size := range HeavySizes {
		if name == "heavy" && testing.Short() {
			continue
		}
		s, err := New(Options{Scenario: name, Anchor: testAnchor})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(s.Messages()); n != size.Messages {
			t.Errorf("%s: %d messages, want %d", name, n, size.Messages)
		}
		if n := len(s.Events()); n != size.Events {
			t.Errorf("%s: %d events, want %d", name, n, size.Events)
		}
		if n := len(s.DemoClients()); n != size.Clients {
			t.Errorf("%s: %d clients, want %d", name, n, size.Clients)
		}
		holding := map[string]int{}
		for _, m := range s.Messages() {
			holding[m.ParentFolderID]++
		}
		if len(holding) != size.MailFolders {
			t.Errorf("%s: mail in %d folders, want %d", name, len(holding), size.MailFolders)
		}
		window := testAnchor.AddDate(0, 0, -90)
		for _, m := range s.Messages() {
			if m.ReceivedAt.Before(window) || m.ReceivedAt.After(testAnchor) {
				t.Fatalf("%s: message received %v, outside the 90 days before %v", name, m.ReceivedAt, testAnchor)
			}
		}
	}
}

func TestHeavyIsDeterministic(t *testing.T) {
	a, _ := New(Options{Scenario: "small", Seed: 3, Anchor: testAnchor})
	b, _ := New(Options{Scenario: "small", Seed: 3, Anchor: testAnchor})
	if !reflect.DeepEqual(a.Messages(), b.Messages()) || !reflect.DeepEqual(a.Events(), b.Events()) {
		t.Fatal("same seed and anchor gave different tenants")
	}
}

func TestHeavyDrivesShape(t *testing.T) {
	size := HeavySizes["small"]
	s, err := New(Options{Scenario: "small", Anchor: testAnchor})
	if err != nil {
		t.Fatal(err)
	}
	items, err := s.DriveItems(s.MyDriveID(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != size.OneDrive+1 { // and the root
		t.Fatalf("OneDrive has %d items, want %d and the root", len(items), size.OneDrive)
	}
	libs := 0
	for _, st := range s.Sites() {
		if !st.Followed {
			continue
		}
		libs++
	}
	if libs != size.Libraries {
		t.Fatalf("%d followed sites, want %d", libs, size.Libraries)
	}
	for _, d := range s.Drives() {
		if d.DriveType != "documentLibrary" {
			continue
		}
		items, err := s.DriveItems(d.ID, "")
		if err != nil || len(items) != size.LibraryItems+1 {
			t.Fatalf("library %s has %d items (%v), want %d and the root", d.Name, len(items), err, size.LibraryItems)
		}
	}
}
