package insights

import (
	"context"
	"sort"
	"time"

	"rapport/backend/model"
)

// ClientOverview is one row of the home screen: the client's name, last
// contact, a weekly-volume sparkline (inbound + outbound per week of the
// range, oldest first), my median reply time, the next meeting and why it
// needs attention (empty: it does not).
type ClientOverview struct {
	ID                   int64             `json:"id"`
	Name                 string            `json:"name"`
	Domains              []string          `json:"domains"`
	LastContact          *time.Time        `json:"lastContact"`
	WeeklyVolume         []int             `json:"weeklyVolume"`
	Weeks                []string          `json:"weeks"` // the ISO week of each sparkline value
	EmailIn              int               `json:"emailIn"`
	EmailOut             int               `json:"emailOut"`
	MyMedianReplyMinutes *float64          `json:"myMedianReplyMinutes"`
	NextMeeting          *MeetingRef       `json:"nextMeeting"`
	Attention            []AttentionReason `json:"attention"`
}

// AttentionItem is one entry of the attention list: a silent client, or
// one thread of a client waiting for the user's reply (Thread set).
type AttentionItem struct {
	ClientID     int64      `json:"clientId"`
	ClientName   string     `json:"clientName"`
	Kind         string     `json:"kind"`  // silent | unanswered
	Label        string     `json:"label"` // "silent 9d", "unanswered 3d"
	SilentDays   int        `json:"silentDays,omitempty"`
	UsualGapDays *float64   `json:"usualGapDays,omitempty"`
	LastContact  *time.Time `json:"lastContact,omitempty"`
	Thread       *Thread    `json:"thread,omitempty"`
}

// Overview summarises each client (in the given order).
// Every client is computed at the same instant.
func Overview(ctx context.Context, src Source, cs []model.Client, o Options) ([]ClientOverview, []Insights, error) {
	o = o.norm()
	out := make([]ClientOverview, 0, len(cs))
	all := make([]Insights, 0, len(cs))
	for _, c := range cs {
		in, err := ForClient(ctx, src, c.ID, c.Name, o)
		if err != nil {
			return nil, nil, err
		}
		ov := ClientOverview{ID: c.ID, Name: c.Name, Domains: c.Domains, LastContact: in.LastContact, EmailIn: in.EmailIn, EmailOut: in.EmailOut,
			MyMedianReplyMinutes: in.MyReply.MedianMinutes, NextMeeting: in.Meetings.Next, Attention: in.Attention,
			WeeklyVolume: make([]int, len(in.EmailVolume)), Weeks: make([]string, len(in.EmailVolume))}
		if ov.Domains == nil {
			ov.Domains = []string{}
		}
		for i, w := range in.EmailVolume {
			ov.WeeklyVolume[i], ov.Weeks[i] = w.In+w.Out, w.Week.Week
		}
		out = append(out, ov)
		all = append(all, in)
	}
	return out, all, nil
}

// AttentionList flattens clients' insights into the attention list:
// threads waiting for a reply first (longest waiting first), then silent
// clients (longest silence first).
func AttentionList(all []Insights) []AttentionItem {
	out := []AttentionItem{}
	for _, in := range all {
		for _, r := range in.Attention {
			if r.Kind != AttentionSilent {
				continue
			}
			out = append(out, AttentionItem{ClientID: in.ClientID, ClientName: in.ClientName, Kind: r.Kind, Label: r.Label,
				SilentDays: r.SilentDays, UsualGapDays: r.UsualGapDays, LastContact: in.LastContact})
		}
		for i := range in.Unanswered {
			t := in.Unanswered[i]
			days := int(in.To.Sub(t.Since).Hours() / 24)
			out = append(out, AttentionItem{ClientID: in.ClientID, ClientName: in.ClientName, Kind: AttentionUnanswered,
				Label: "unanswered " + itoa(days) + "d", LastContact: in.LastContact, Thread: &t})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Thread != nil) != (b.Thread != nil) {
			return a.Thread != nil
		}
		if a.Thread != nil {
			return a.Thread.Since.Before(b.Thread.Since)
		}
		if a.SilentDays != b.SilentDays {
			return a.SilentDays > b.SilentDays
		}
		return a.ClientName < b.ClientName
	})
	return out
}
