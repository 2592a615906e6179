package insights

import (
	"fmt"
	"sort"
	"time"
)

// calendar buckets instants into the user's days, ISO weeks and months.
// The range's day and week boundaries are computed once (newCalendar): a
// client's page buckets tens of thousands of messages, and converting each
// to local time and back cost more than reading them (issue 7).
type calendar struct {
	loc        *time.Location
	from, to   time.Time   // the range [from, to)
	dayStarts  []time.Time // local midnight of every day the range touches, and of the day after
	dayNames   []string    // "2026-10-25" for each of dayStarts but the last
	weekStarts []time.Time // local midnight of the Monday of every week of weeks()
}

func newCalendar(loc *time.Location, from, to time.Time) calendar {
	c := calendar{loc: loc, from: from, to: to}
	l := from.In(loc)
	last := to.Add(-time.Millisecond)
	for d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc); ; d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc) {
		c.dayStarts = append(c.dayStarts, d)
		if d.After(last) {
			break
		}
		c.dayNames = append(c.dayNames, d.Format("2006-01-02"))
	}
	lastMonday := c.monday(last)
	for m := c.monday(from); !m.After(lastMonday); m = time.Date(m.Year(), m.Month(), m.Day()+7, 0, 0, 0, 0, loc) {
		c.weekStarts = append(c.weekStarts, m)
	}
	return c
}

func (c calendar) inRange(t time.Time) bool { return !t.Before(c.from) && t.Before(c.to) }

// overdue says whether mail at t, still unanswered at the range's end, is
// old enough to need attention (UnansweredAfter).
func (c calendar) overdue(t time.Time) bool { return c.to.Sub(t) > UnansweredAfter }

// day is t's calendar day in the user's zone, "2026-10-25".
func (c calendar) day(t time.Time) string {
	if n := len(c.dayNames); n > 0 && !t.Before(c.dayStarts[0]) && t.Before(c.dayStarts[n]) {
		return c.dayNames[sort.Search(n, func(i int) bool { return c.dayStarts[i+1].After(t) })]
	}
	return t.In(c.loc).Format("2006-01-02")
}

// monday is the start (local midnight) of t's ISO week.
func (c calendar) monday(t time.Time) time.Time {
	l := t.In(c.loc)
	back := (int(l.Weekday()) + 6) % 7 // Monday 0 … Sunday 6
	return time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, c.loc)
}

func weekOf(monday time.Time) Week {
	y, w := monday.ISOWeek()
	return Week{Week: fmt.Sprintf("%04d-W%02d", y, w), Start: monday.Format("2006-01-02")}
}

// weeks lists every ISO week the range touches, oldest first.
func (c calendar) weeks() []Week {
	out := make([]Week, len(c.weekStarts))
	for i, m := range c.weekStarts {
		out[i] = weekOf(m)
	}
	return out
}

// weekIndex is the index in weeks() of t's week (t in the range).
func (c calendar) weekIndex(t time.Time) int {
	return sort.Search(len(c.weekStarts), func(i int) bool { return c.weekStarts[i].After(t) }) - 1
}

// months lists every calendar month the range touches, "2026-09".
func (c calendar) months() []string {
	var out []string
	f, l := c.from.In(c.loc), c.to.Add(-time.Millisecond).In(c.loc)
	for y, m := f.Year(), f.Month(); y < l.Year() || (y == l.Year() && m <= l.Month()); {
		out = append(out, fmt.Sprintf("%04d-%02d", y, int(m)))
		if m++; m > 12 {
			m, y = 1, y+1
		}
	}
	return out
}

func (c calendar) monthIndex(t time.Time) int {
	f, l := c.from.In(c.loc), t.In(c.loc)
	return (l.Year()-f.Year())*12 + int(l.Month()) - int(f.Month())
}

// dayDiff is the number of calendar days from day a to day b ("2006-01-02").
func dayDiff(a, b string) int {
	ta, _ := time.Parse("2006-01-02", a)
	tb, _ := time.Parse("2006-01-02", b)
	return int(tb.Sub(ta).Hours() / 24)
}
