package insights

import (
	"fmt"
	"time"
)

// calendar buckets instants into the user's days, ISO weeks and months.
type calendar struct {
	loc      *time.Location
	from, to time.Time // the range [from, to)
}

func (c calendar) inRange(t time.Time) bool { return !t.Before(c.from) && t.Before(c.to) }

// day is t's calendar day in the user's zone, "2026-10-25".
func (c calendar) day(t time.Time) string { return t.In(c.loc).Format("2006-01-02") }

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
	var out []Week
	last := c.monday(c.to.Add(-time.Millisecond))
	for m := c.monday(c.from); !m.After(last); m = time.Date(m.Year(), m.Month(), m.Day()+7, 0, 0, 0, 0, c.loc) {
		out = append(out, weekOf(m))
	}
	return out
}

// weekIndex is the index in weeks() of t's week (t in the range).
func (c calendar) weekIndex(t time.Time) int {
	return dayDiff(c.monday(c.from).Format("2006-01-02"), c.monday(t).Format("2006-01-02")) / 7
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
