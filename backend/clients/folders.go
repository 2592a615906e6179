package clients

import (
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Folder rules (DESIGN §4 rule 3): a folder whose name equals a client's
// name — ignoring case, accents and whitespace — is mapped to that client
// automatically; a name that is merely close ("Contoso Ltd" for client
// "Contoso", "Tailspin" for "Tailspin Toys") is only suggested.

// fold lower-cases s and strips its accents ("Café Müller" -> "cafe muller").
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// FolderKey is the form in which folder and client names are compared for
// auto-link: case-, accent- and whitespace-insensitive ("Northwind
// Traders", "northwind  traders" and "NÖRTHWIND TRADERS" share one key).
func FolderKey(name string) string {
	f := fold(name)
	var b strings.Builder
	for _, r := range f {
		if !unicode.IsSpace(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// legalSuffixes are company-form words that do not tell two names apart.
var legalSuffixes = map[string]bool{
	"ltd": true, "limited": true, "inc": true, "incorporated": true, "llc": true, "llp": true, "plc": true,
	"gmbh": true, "ag": true, "sa": true, "sas": true, "sarl": true, "bv": true, "nv": true, "srl": true,
	"spa": true, "pty": true, "corp": true, "corporation": true, "co": true, "company": true,
}

// words splits a folded name into letter/digit words, company forms dropped.
func words(name string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(fold(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !legalSuffixes[w] {
			out = append(out, w)
		}
	}
	return out
}

// Reasons a near match is offered (FolderSuggestion.Reason).
const (
	ReasonCompanyForm = "same name apart from a company form" // "Contoso Ltd" / "Contoso"
	ReasonPrefix      = "one name starts with the other"      // "Tailspin" / "Tailspin Toys"
	ReasonSpelling    = "names differ by a letter or two"     // "Contosso" / "Contoso"
)

// NearMatch says whether a folder name is close to a client's name without
// being equal to it (equal names are mapped automatically, not suggested),
// and why. It errs on the side of fewer suggestions: a shared word must be
// at least four letters long to count.
func NearMatch(folder, client string) (bool, string) {
	return nearMatch(nameOf(folder), nameOf(client))
}

// name is a name prepared for matching.
type name struct {
	key    string   // FolderKey
	words  []string // words, company forms dropped
	joined string
}

func nameOf(s string) name {
	w := words(s)
	return name{key: FolderKey(s), words: w, joined: strings.Join(w, "")}
}

func nearMatch(f, c name) (bool, string) {
	if f.key == c.key || f.key == "" || c.key == "" || len(f.words) == 0 || len(c.words) == 0 {
		return false, ""
	}
	if f.joined == c.joined {
		return true, ReasonCompanyForm
	}
	short, long := f.words, c.words
	if len(short) > len(long) {
		short, long = long, short
	}
	prefix := true
	for i := range short {
		if short[i] != long[i] {
			prefix = false
			break
		}
	}
	if prefix && len([]rune(strings.Join(short, ""))) >= 4 {
		return true, ReasonPrefix
	}
	fr, cr := []rune(f.joined), []rune(c.joined)
	n := min(len(fr), len(cr))
	if d := len(fr) - len(cr); d > 2 || d < -2 || n < 5 {
		return false, "" // too different in length for a typo
	}
	if d := levenshtein(f.joined, c.joined); (n >= 5 && d <= 1) || (n >= 8 && d <= 2) {
		return true, ReasonSpelling
	}
	return false, ""
}

// Matcher finds the client a folder name nearly matches, with the
// clients' names prepared once (a drive can hold many folders).
type Matcher struct {
	ids   []int64
	names []name
	raw   []string
}

// NewMatcher prepares the clients' names (id -> name).
func NewMatcher(clients map[int64]string) *Matcher {
	m := &Matcher{}
	for id := range clients {
		m.ids = append(m.ids, id)
	}
	sort.Slice(m.ids, func(i, j int) bool { return m.ids[i] < m.ids[j] })
	for _, id := range m.ids {
		m.names = append(m.names, nameOf(clients[id]))
		m.raw = append(m.raw, clients[id])
	}
	return m
}

// Suggest returns the first client (by id) whose name the folder's nearly
// matches, skipping except (the client it already belongs to).
func (m *Matcher) Suggest(folder string, except int64) (int64, string, bool) {
	f := nameOf(folder)
	for i, c := range m.names {
		if m.ids[i] == except {
			continue
		}
		if ok, reason := nearMatch(f, c); ok {
			return m.ids[i], reason, true
		}
	}
	return 0, "", false
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// FolderClientKeys maps each client's FolderKey to its id, leaving out keys
// two clients share (names differing only by accents): such a folder is
// nobody's automatically.
func FolderClientKeys(clients map[int64]string) map[string]int64 {
	out := map[string]int64{}
	dup := map[string]bool{}
	for id, name := range clients {
		k := FolderKey(name)
		if k == "" {
			continue
		}
		if _, ok := out[k]; ok {
			dup[k] = true
		}
		out[k] = id
	}
	for k := range dup {
		delete(out, k)
	}
	return out
}
