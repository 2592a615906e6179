package store

import (
	"fmt"
	"strings"

	"rapport/backend/model"
)

// TimelineFilter narrows a client's timeline: Kinds keeps only those kinds
// (mail, meeting, file; empty: all) and Direction keeps only mail in that
// direction (in, out; "": any — meetings and files have no direction, so a
// direction filter leaves mail only).
type TimelineFilter struct {
	Kinds     []string `json:"kinds"`
	Direction string   `json:"direction"`
}

// sql returns the filter as " AND ..." conditions over timelineSelect's
// aliases (l links, m messages) with their arguments.
func (f TimelineFilter) sql() (string, []any, error) {
	var b strings.Builder
	var args []any
	if len(f.Kinds) > 0 {
		seen := map[string]bool{}
		var marks []string
		for _, k := range f.Kinds {
			k = strings.ToLower(strings.TrimSpace(k))
			switch k {
			case model.KindMail, model.KindMeeting, model.KindFile:
			default:
				return "", nil, fmt.Errorf("unknown kind %q: use mail, meeting or file", k)
			}
			if !seen[k] {
				seen[k] = true
				marks = append(marks, "?")
				args = append(args, k)
			}
		}
		b.WriteString(" AND l.kind IN (" + strings.Join(marks, ", ") + ")")
	}
	switch d := strings.ToLower(strings.TrimSpace(f.Direction)); d {
	case "", "all", "any":
	case model.DirectionIn, model.DirectionOut:
		b.WriteString(" AND l.kind = 'mail' AND m.direction = ?")
		args = append(args, d)
	default:
		return "", nil, fmt.Errorf("unknown direction %q: use in or out", f.Direction)
	}
	return b.String(), args, nil
}
