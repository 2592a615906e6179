// Package insights defines the per-client figures of DESIGN §5 — email
// volume, reply latency both ways, meeting cadence and hours, file
// activity, last contact — and the attention list, precisely enough that a
// user can check each number by hand against the timeline. The store
// supplies facts (store/insights.go); the arithmetic, and every choice
// about calendars and time zones, is here.
//
// Definitions (range = [now − days×24 h, now); weeks are ISO weeks and
// months calendar months in the user's time zone; "day" is a calendar day
// there, so a DST change never makes a day of 23 or 25 hours count oddly):
//
//   - A message is counted once however many of the user's accounts hold a
//     copy (same internet message id); its instant is the earliest copy's.
//     "Mine" is mail sent from any of the user's accounts.
//   - Inbound client mail: linked to the client, not mine, and its sender
//     belongs to the client (a contact of it, or on its domain) — or the
//     user linked it by hand. Outbound: linked, mine, and a recipient
//     belongs to the client (or linked by hand).
//   - Email volume: inbound and outbound messages per week of their instant.
//   - My reply latency: for each inbound message at t in the range, in
//     conversation C, the first message of mine in C after t (from any
//     account, at any time — also after the range; a message the user
//     sent, whoever it went to, or the client's mail from one of the
//     user's addresses); latency = its instant − t. No such message:
//     unanswered, never a latency. Their reply
//     latency mirrors it: for each outbound message, the first inbound
//     client message in C after it. Median: the middle value, or the mean
//     of the two middle values; p90: the nearest-rank value, the
//     ⌈0.9·n⌉-th smallest.
//   - Meetings: events linked to the client (one per iCalUID and start
//     across accounts), cancelled ones left out. Count in the range, per
//     30 days = count × 30 / days; days since the last one started (up to
//     now, any time); the next scheduled one; median gap = the median of
//     the day differences between consecutive distinct meeting days in
//     the range.
//   - Meeting hours: end − start (real elapsed time) of those meetings
//     that started in the range, all-day events excluded, per week and per
//     month of their start.
//   - File activity: changes (issue 5's file_activity rows linked to the
//     client) per week; the last change, with who made it.
//   - Last contact: the newest linked mail, or the newest meeting that has
//     started (at any time up to now). Contact days: the days of linked
//     mail and started meetings in the range.
//   - Attention: silent — the days since the last contact day exceed twice
//     the usual gap (the median of the day differences between consecutive
//     contact days in the range; at least two contact days needed), or
//     there was contact once but none in the whole range; unanswered —
//     inbound client mail in the range with no reply of mine, more than 48
//     hours old, grouped by conversation (the thread to open).
package insights

import (
	"context"
	"errors"
	"math"
	"sort"
	"strconv"
	"sync"
	"time"

	"rapport/backend/store"
)

// DefaultDays is the default range.
const DefaultDays = 90

// UnansweredAfter is how old unanswered inbound mail must be to need
// attention.
const UnansweredAfter = 48 * time.Hour

// Options fix the moment and the calendar the figures are computed in.
type Options struct {
	Now  time.Time      // the end of the range (zero: time.Now())
	Days int            // the range's length in days (0: DefaultDays)
	Loc  *time.Location // the user's time zone (nil: time.Local)
	// Details is how many unanswered threads, oldest first, get their
	// conversation id, subject, sender and link (0: all; negative:
	// none). A client's page shows three, the home screen none; the
	// attention list and the exports show every one.
	Details int
}

func (o Options) norm() Options {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Days <= 0 {
		o.Days = DefaultDays
	}
	if o.Days > 3660 {
		o.Days = 3660
	}
	if o.Loc == nil {
		o.Loc = time.Local
	}
	return o
}

// Insights are one client's figures over a range. JSON field names are a
// contract with the UI and `rapport clients --json`/`export`.
type Insights struct {
	ClientID    int64      `json:"clientId"`
	ClientName  string     `json:"clientName"`
	From        time.Time  `json:"from"`
	To          time.Time  `json:"to"`
	Days        int        `json:"days"`
	TimeZone    string     `json:"timeZone"`
	LastContact *time.Time `json:"lastContact"`

	EmailVolume []WeekVolume `json:"emailVolume"` // every week of the range, empty weeks as zero
	EmailIn     int          `json:"emailIn"`
	EmailOut    int          `json:"emailOut"`

	MyReply       Latency       `json:"myReply"`
	TheirReply    Latency       `json:"theirReply"`
	MyReplyWeekly []WeekLatency `json:"myReplyWeekly"` // by the week of the inbound message

	Meetings            Cadence      `json:"meetings"`
	MeetingHours        float64      `json:"meetingHours"`
	MeetingHoursWeekly  []WeekHours  `json:"meetingHoursWeekly"`
	MeetingHoursMonthly []MonthHours `json:"meetingHoursMonthly"`

	Files FileActivity `json:"files"`

	ContactDays  int      `json:"contactDays"`
	UsualGapDays *float64 `json:"usualGapDays"`
	SilentDays   *int     `json:"silentDays"` // days since the last contact day (nil: never)

	Attention  []AttentionReason `json:"attention"`
	Unanswered []Thread          `json:"unanswered"` // inbound mail unanswered for more than 48 h, per thread
}

// Week names an ISO week: "2026-W40", starting Monday "2026-09-28".
type Week struct {
	Week  string `json:"week"`
	Start string `json:"start"`
}

type WeekVolume struct {
	Week
	In  int `json:"in"`
	Out int `json:"out"`
}

type WeekLatency struct {
	Week
	Count         int      `json:"count"`
	MedianMinutes *float64 `json:"medianMinutes"`
}

type WeekHours struct {
	Week
	Hours float64 `json:"hours"`
}

type MonthHours struct {
	Month string  `json:"month"` // "2026-09"
	Hours float64 `json:"hours"`
}

type WeekCount struct {
	Week
	Changes int `json:"changes"`
}

// Latency is one direction's reply times over the range.
type Latency struct {
	Count         int      `json:"count"`      // answered messages
	Unanswered    int      `json:"unanswered"` // messages with no reply (not in the latency)
	MedianMinutes *float64 `json:"medianMinutes"`
	P90Minutes    *float64 `json:"p90Minutes"`
}

// Cadence is the meeting rhythm.
type Cadence struct {
	Count         int         `json:"count"`     // in the range
	Per30Days     float64     `json:"per30Days"` // count × 30 / days
	Last          *time.Time  `json:"last"`
	DaysSinceLast *int        `json:"daysSinceLast"`
	Next          *MeetingRef `json:"next"`
	MedianGapDays *float64    `json:"medianGapDays"`
}

// MeetingRef points at one meeting.
type MeetingRef struct {
	At      time.Time `json:"at"`
	End     time.Time `json:"end"`
	AllDay  bool      `json:"allDay"`
	Title   string    `json:"title"`
	ItemID  string    `json:"itemId"`
	WebLink string    `json:"webLink,omitempty"`
}

// FileActivity is the client's file changes.
type FileActivity struct {
	Changes    int         `json:"changes"` // in the range
	Weekly     []WeekCount `json:"weekly"`
	LastChange *FileChange `json:"lastChange"`
}

type FileChange struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Name   string    `json:"name"`
	Path   string    `json:"path"`
}

// Attention kinds.
const (
	AttentionSilent     = "silent"
	AttentionUnanswered = "unanswered"
)

// AttentionReason is why a client is on the attention list, in the two
// words the sidebar shows (Label) and the numbers behind them.
type AttentionReason struct {
	Kind         string     `json:"kind"`  // silent | unanswered
	Label        string     `json:"label"` // "silent 9d", "2 unanswered"
	SilentDays   int        `json:"silentDays,omitempty"`
	UsualGapDays *float64   `json:"usualGapDays,omitempty"`
	Threads      int        `json:"threads,omitempty"`
	Since        *time.Time `json:"since,omitempty"` // the oldest unanswered message
}

// Thread is a conversation whose inbound client mail waits for a reply.
type Thread struct {
	Conversation string    `json:"conversationId"` // Conversation, Subject, From, WebLink: see Options.Details
	ItemID       string    `json:"itemId"`         // the newest unanswered message: open it
	AccountID    int64     `json:"-"`
	Subject      string    `json:"subject"`
	From         string    `json:"from"`
	At           time.Time `json:"at"`    // the newest unanswered message
	Since        time.Time `json:"since"` // the oldest unanswered message
	Count        int       `json:"count"` // unanswered messages in the thread
	WebLink      string    `json:"webLink,omitempty"`
}

// Source is what the figures are computed from (the store).
type Source interface {
	ClientMailFacts(ctx context.Context, clientID int64, from, to time.Time) ([]store.MailFact, error)
	SentInConversations(ctx context.Context, convs []int64, after time.Time) ([]store.SentFact, error)
	MailDetails(ctx context.Context, refs []store.MailRef) (map[store.MailRef]store.MailDetail, error)
	ClientMeetingFacts(ctx context.Context, clientID int64) ([]store.MeetingFact, error)
	ClientFileFacts(ctx context.Context, clientID int64, from, to time.Time) ([]time.Time, *store.FileFact, error)
	ClientLastContact(ctx context.Context, clientID int64, now time.Time) (*time.Time, error)
}

// ForClient computes a client's insights.
func ForClient(ctx context.Context, src Source, clientID int64, name string, o Options) (Insights, error) {
	o = o.norm()
	to := o.Now
	from := to.Add(-time.Duration(o.Days) * 24 * time.Hour)
	in := Insights{ClientID: clientID, ClientName: name, From: from.UTC(), To: to.UTC(), Days: o.Days, TimeZone: o.Loc.String(),
		Attention: []AttentionReason{}, Unanswered: []Thread{}}
	// The mail facts are most of the reading; the meetings, files and last
	// contact are read meanwhile, on another of the store's connections.
	var (
		meetings []store.MeetingFact
		files    []time.Time
		lastFile *store.FileFact
		others   error
		wg       sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if meetings, others = src.ClientMeetingFacts(ctx, clientID); others != nil {
			return
		}
		if files, lastFile, others = src.ClientFileFacts(ctx, clientID, from, to); others != nil {
			return
		}
		in.LastContact, others = src.ClientLastContact(ctx, clientID, to)
	}()
	cal := newCalendar(o.Loc, from, to)
	mail, err := src.ClientMailFacts(ctx, clientID, from, to)
	var (
		th       threads
		msgs     []message
		details  map[store.MailRef]store.MailDetail
		detailed error
	)
	if err == nil {
		msgs = dedupeMail(mail)
		th = byThread(msgs)
		if o.Details == 0 {
			// The mail unanswered by the client's timeline alone can only
			// shrink once the user's other sent mail is in (an answer to
			// a third party answers too): every one's subject is read
			// meanwhile.
			wg.Add(1)
			go func(waiting []*message) {
				defer wg.Done()
				details, detailed = src.MailDetails(ctx, mailRefs(waiting, func(m *message) (int64, string) { return m.AccountID, m.ItemID }))
			}(unanswered(cal, msgs, th))
		}
		err = addSent(ctx, src, cal, msgs, th)
	}
	wg.Wait()
	if err = errors.Join(err, others, detailed); err != nil {
		return in, err
	}
	waiting := in.computeMail(cal, msgs, th)
	contact := in.computeMeetings(cal, dedupeMeetings(meetings))
	in.computeFiles(cal, files, lastFile)
	in.computeAttention(cal, msgs, waiting, contact)
	shown := in.Unanswered
	if o.Details != 0 {
		// Only the oldest threads are shown, if any: their details, read
		// now, are a few probes (3,400 of them took ~30 ms of CPU for the
		// bench's biggest client).
		shown = shown[:max(0, min(o.Details, len(shown)))]
		if len(shown) > 0 {
			if details, err = src.MailDetails(ctx, mailRefs(shown, func(t Thread) (int64, string) { return t.AccountID, t.ItemID })); err != nil {
				return in, err
			}
		}
	}
	for i := range shown {
		t := &shown[i]
		d := details[store.MailRef{AccountID: t.AccountID, ItemID: t.ItemID}]
		t.Subject, t.From, t.WebLink, t.Conversation = d.Subject, d.From, d.WebLink, d.Conversation
	}
	return in, nil
}

// mailRefs names the messages of list.
func mailRefs[T any](list []T, ref func(T) (int64, string)) []store.MailRef {
	refs := make([]store.MailRef, len(list))
	for i, v := range list {
		refs[i].AccountID, refs[i].ItemID = ref(v)
	}
	return refs
}

// addSent adds to th the user's sent messages, linked or not, in the
// conversations of the range's inbound client mail, after the range
// starts: a reply is the first message the user sent in the conversation,
// whoever it went to (DESIGN §5). They are not the client's mail (not
// Linked): they count only as replies.
func addSent(ctx context.Context, src Source, cal calendar, msgs []message, th threads) error {
	var convs []int64
	var asked []*thread
	for i := range msgs {
		m := &msgs[i]
		if !inbound(m) || !cal.inRange(m.At) || m.ConvKey == 0 {
			continue
		}
		if t := th.byConv[m.ConvKey]; !t.asked {
			t.asked = true
			convs, asked = append(convs, m.ConvKey), append(asked, t)
		}
	}
	sent, err := src.SentInConversations(ctx, convs, cal.from)
	if err != nil {
		return err
	}
	return th.addSent(asked, sent)
}

// message is a deduplicated message: the store's fact, merged with its
// copies in place (dedupeMail), not copied — the bench's biggest client
// has 20,000 of them (issue 7, PERFORMANCE.md §37).
type message = store.MailFact

func inbound(m *message) bool  { return m.Linked && !m.Mine && (m.SenderIsClient || m.Manual) }
func outbound(m *message) bool { return m.Linked && m.Mine && (m.ToClient || m.Manual) }
func mine(m *message) bool     { return m.Mine }

// msgKey is what makes two copies one message: the internet message id's
// key, else (imid 0) the account and item.
type msgKey struct {
	imid    int64
	account int64
	item    string
}

func messageKey(m *message) msgKey {
	if m.IMIDKey != 0 {
		return msgKey{imid: m.IMIDKey}
	}
	return msgKey{account: m.AccountID, item: m.ItemID}
}

// dedupeMail merges the copies of one message held by several accounts,
// in place: facts is reused for the result.
func dedupeMail(facts []store.MailFact) []message {
	idx := make(map[msgKey]int, len(facts))
	out := facts[:0]
	for _, f := range facts { // f is a copy, and out never grows past it
		key := messageKey(&f)
		i, ok := idx[key]
		if !ok {
			idx[key] = len(out)
			out = append(out, f)
			continue
		}
		m := &out[i]
		if f.At.Before(m.At) {
			m.At = f.At
		}
		if f.Linked && !m.Linked {
			m.AccountID, m.ItemID = f.AccountID, f.ItemID
		}
		if m.ConvKey == 0 {
			m.ConvKey = f.ConvKey
		}
		m.Mine = m.Mine || f.Mine
		m.Linked = m.Linked || f.Linked
		m.SenderIsClient = m.SenderIsClient || f.SenderIsClient
		m.ToClient = m.ToClient || f.ToClient
		m.Manual = m.Manual || f.Manual
	}
	// The store lists facts by instant, and a message's first copy is then
	// its earliest: usually nothing to sort.
	less := func(i, j int) bool { return out[i].At.Before(out[j].At) }
	if !sort.SliceIsSorted(out, less) {
		sort.SliceStable(out, less)
	}
	return out
}

// computeMail fills volume and latencies; it returns the range's inbound
// client mail with no reply, oldest first.
func (in *Insights) computeMail(cal calendar, msgs []message, th threads) (waiting []*message) {
	weeks := cal.weeks()
	vol := make([]WeekVolume, len(weeks))
	lat := make([][]float64, len(weeks))
	for i, w := range weeks {
		vol[i].Week = w
	}
	var my, theirs []float64
	for i := range msgs {
		m := &msgs[i]
		if !cal.inRange(m.At) {
			continue
		}
		w := cal.weekIndex(m.At)
		switch {
		case inbound(m):
			vol[w].In++
			in.EmailIn++
			if r, ok := th.myReply(m); ok {
				mins := r.Sub(m.At).Minutes()
				my = append(my, mins)
				lat[w] = append(lat[w], mins)
			} else {
				in.MyReply.Unanswered++
				waiting = append(waiting, m)
			}
		case outbound(m):
			vol[w].Out++
			in.EmailOut++
			if r, ok := th.theirReply(m); ok {
				theirs = append(theirs, r.Sub(m.At).Minutes())
			} else {
				in.TheirReply.Unanswered++
			}
		}
	}
	in.EmailVolume = vol
	in.MyReply.Count, in.MyReply.MedianMinutes, in.MyReply.P90Minutes = len(my), Median(my), P90(my)
	in.TheirReply.Count, in.TheirReply.MedianMinutes, in.TheirReply.P90Minutes = len(theirs), Median(theirs), P90(theirs)
	in.MyReplyWeekly = make([]WeekLatency, len(weeks))
	for i, w := range weeks {
		in.MyReplyWeekly[i] = WeekLatency{Week: w, Count: len(lat[i]), MedianMinutes: Median(lat[i])}
	}
	return waiting
}

// meeting is a deduplicated event.
type meeting struct {
	store.MeetingFact
}

func dedupeMeetings(facts []store.MeetingFact) []meeting {
	idx := map[string]int{}
	var out []meeting
	for _, f := range facts {
		key := f.ICalUID + "\x00" + f.Start.String()
		if f.ICalUID == "" {
			key = f.ItemID
		}
		if i, ok := idx[key]; ok {
			out[i].Cancelled = out[i].Cancelled || f.Cancelled
			continue
		}
		idx[key] = len(out)
		out = append(out, meeting{f})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// computeMeetings fills cadence and hours; it returns the contact days the
// meetings give (started, in the range).
func (in *Insights) computeMeetings(cal calendar, ms []meeting) map[string]bool {
	weeks := cal.weeks()
	months := cal.months()
	wh := make([]WeekHours, len(weeks))
	for i, w := range weeks {
		wh[i].Week = w
	}
	mh := make([]MonthHours, len(months))
	for i, m := range months {
		mh[i].Month = m
	}
	days := map[string]bool{}
	var dayList []string
	var lastDay string
	for _, m := range ms {
		if m.Cancelled {
			continue
		}
		if !m.Start.After(cal.to) {
			t := m.Start
			in.Meetings.Last = &t
			lastDay = cal.day(t)
			if m.AllDay && m.StartDate != "" {
				lastDay = m.StartDate
			}
		}
		if m.Start.After(cal.to) && in.Meetings.Next == nil {
			in.Meetings.Next = &MeetingRef{At: m.Start, End: m.End, AllDay: m.AllDay, Title: m.Subject, ItemID: m.ItemID, WebLink: m.WebLink}
		}
		if !cal.inRange(m.Start) {
			continue
		}
		in.Meetings.Count++
		d := cal.day(m.Start)
		if m.AllDay && m.StartDate != "" {
			d = m.StartDate // an all-day event has no time zone: its date is its day
		}
		if !days[d] {
			days[d] = true
			dayList = append(dayList, d)
		}
		if m.AllDay {
			continue
		}
		h := m.End.Sub(m.Start).Hours()
		wh[cal.weekIndex(m.Start)].Hours += h
		mh[cal.monthIndex(m.Start)].Hours += h
		in.MeetingHours += h
	}
	in.Meetings.Per30Days = float64(in.Meetings.Count) * 30 / float64(in.Days)
	if in.Meetings.Last != nil {
		n := dayDiff(lastDay, cal.day(cal.to))
		in.Meetings.DaysSinceLast = &n
	}
	in.Meetings.MedianGapDays = Median(gaps(dayList))
	in.MeetingHoursWeekly, in.MeetingHoursMonthly = wh, mh
	return days
}

func (in *Insights) computeFiles(cal calendar, files []time.Time, last *store.FileFact) {
	weeks := cal.weeks()
	wc := make([]WeekCount, len(weeks))
	for i, w := range weeks {
		wc[i].Week = w
	}
	for _, at := range files {
		if !cal.inRange(at) {
			continue
		}
		wc[cal.weekIndex(at)].Changes++
		in.Files.Changes++
	}
	in.Files.Weekly = wc
	if last != nil {
		in.Files.LastChange = &FileChange{At: last.At, Actor: last.Actor, Action: last.Action, Name: last.Name, Path: last.Path}
	}
}

func (in *Insights) computeAttention(cal calendar, msgs []message, waiting []*message, meetingDays map[string]bool) {
	days := map[string]bool{}
	for d := range meetingDays {
		days[d] = true
	}
	for _, m := range msgs {
		if m.Linked && cal.inRange(m.At) {
			days[cal.day(m.At)] = true
		}
	}
	var list []string
	for d := range days {
		list = append(list, d)
	}
	sort.Strings(list)
	in.ContactDays = len(list)
	in.UsualGapDays = Median(gaps(list))
	if in.LastContact != nil {
		n := dayDiff(cal.day(*in.LastContact), cal.day(cal.to))
		in.SilentDays = &n
		switch {
		case in.UsualGapDays != nil && float64(n) > 2**in.UsualGapDays:
			in.Attention = append(in.Attention, AttentionReason{Kind: AttentionSilent, Label: "silent " + itoa(n) + "d", SilentDays: n, UsualGapDays: in.UsualGapDays})
		case in.LastContact.Before(cal.from):
			in.Attention = append(in.Attention, AttentionReason{Kind: AttentionSilent, Label: "silent " + itoa(n) + "d", SilentDays: n})
		}
	}
	// Unanswered inbound mail older than 48 h, one entry per thread: the
	// threads are numbered first, so the list is made once at its size.
	type threadKey struct {
		conv int64  // the conversation's key, else 0 and
		msg  msgKey // the message (a thread of its own)
	}
	idx := make(map[threadKey]int, len(waiting))
	thread := make([]int, len(waiting))
	for j, m := range waiting {
		if !cal.overdue(m.At) {
			thread[j] = -1
			continue
		}
		key := threadKey{conv: m.ConvKey}
		if key.conv == 0 {
			key.msg = messageKey(m)
		}
		i, ok := idx[key]
		if !ok {
			i = len(idx)
			idx[key] = i
		}
		thread[j] = i
	}
	in.Unanswered = make([]Thread, len(idx))
	for j, m := range waiting {
		if thread[j] < 0 {
			continue
		}
		t := &in.Unanswered[thread[j]]
		if t.Count == 0 {
			t.Since = m.At
		}
		t.Count++
		t.ItemID, t.AccountID, t.At = m.ItemID, m.AccountID, m.At
	}
	sort.SliceStable(in.Unanswered, func(i, j int) bool { return in.Unanswered[i].Since.Before(in.Unanswered[j].Since) })
	if n := len(in.Unanswered); n > 0 {
		since := in.Unanswered[0].Since
		in.Attention = append(in.Attention, AttentionReason{Kind: AttentionUnanswered, Label: itoa(n) + " unanswered", Threads: n, Since: &since})
	}
}

// unanswered lists the inbound client mail of the range, more than 48 h
// old, with no message of the user's after it in its conversation.
func unanswered(cal calendar, msgs []message, th threads) []*message {
	var out []*message
	for i := range msgs {
		m := &msgs[i]
		if !inbound(m) || !cal.inRange(m.At) || !cal.overdue(m.At) {
			continue
		}
		if _, ok := th.myReply(m); !ok {
			out = append(out, m)
		}
	}
	return out
}

// gaps returns the day differences between consecutive sorted days.
func gaps(days []string) []float64 {
	sort.Strings(days)
	var out []float64
	for i := 1; i < len(days); i++ {
		out = append(out, float64(dayDiff(days[i-1], days[i])))
	}
	return out
}

// Median is the middle value of vs, or the mean of the two middle values
// (nil for none). vs is sorted in place.
func Median(vs []float64) *float64 {
	if len(vs) == 0 {
		return nil
	}
	sort.Float64s(vs)
	n := len(vs)
	m := vs[n/2]
	if n%2 == 0 {
		m = (vs[n/2-1] + vs[n/2]) / 2
	}
	return &m
}

// P90 is the nearest-rank 90th percentile: the ⌈0.9·n⌉-th smallest value.
func P90(vs []float64) *float64 {
	if len(vs) == 0 {
		return nil
	}
	sort.Float64s(vs)
	rank := int(math.Ceil(0.9 * float64(len(vs))))
	v := vs[rank-1]
	return &v
}

func itoa(n int) string { return strconv.Itoa(n) }
