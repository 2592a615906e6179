package app

import (
	"errors"
	"time"

	"rapport/backend/insights"
	"rapport/backend/model"
)

// maxInsightDays bounds the range a caller can ask for (ten years).
const maxInsightDays = 3650

// pageThreads is how many unanswered threads a client's page names (it
// shows three, then "and N more"): only theirs are read in full.
const pageThreads = 10

func insightOptions(days int) (insights.Options, error) {
	if days < 0 || days > maxInsightDays {
		return insights.Options{}, errors.New("the range must be between 1 and 3650 days")
	}
	return insights.Options{Now: time.Now(), Days: days, Loc: localZone()}, nil
}

// ClientInsights returns a client's figures over the last days (0: 90):
// email volume per week, reply latency both ways, meeting cadence and
// hours, file activity, last contact and why it needs attention
// (definitions: backend/insights).
func (a *App) ClientInsights(clientID int64, days int) (insights.Insights, error) {
	if err := needClient(clientID); err != nil {
		return insights.Insights{}, err
	}
	o, err := insightOptions(days)
	if err != nil {
		return insights.Insights{}, err
	}
	c, err := a.st().Client(a.ctx, clientID)
	if err != nil {
		return insights.Insights{}, err
	}
	o.Details = pageThreads
	return insights.ForClient(a.ctx, a.st(), c.ID, c.Name, o)
}

// Overview is the home screen: every client with its last contact, weekly
// volume sparkline (last 90 days), my median reply time, next meeting and
// attention badges, most recently contacted first.
func (a *App) Overview() ([]insights.ClientOverview, error) {
	ov, _, err := a.overview(0, -1) // no thread is named there
	return ov, err
}

// Attention is the attention list: threads waiting for the user's reply for
// more than 48 hours (longest first, each with the message to open), then
// clients silent for more than twice their usual gap.
func (a *App) Attention() ([]insights.AttentionItem, error) {
	_, all, err := a.overview(0, 0)
	if err != nil {
		return nil, err
	}
	return insights.AttentionList(all), nil
}

// overview computes every client's insights, in the client list's order,
// with the details of so many unanswered threads each (insights.Options).
func (a *App) overview(days, details int) ([]insights.ClientOverview, []insights.Insights, error) {
	o, err := insightOptions(days)
	if err != nil {
		return nil, nil, err
	}
	o.Details = details
	list, err := a.st().Clients(a.ctx)
	if err != nil {
		return nil, nil, err
	}
	cs := make([]model.Client, len(list))
	for i, c := range list {
		cs[i] = c.Client
	}
	return insights.Overview(a.ctx, a.st(), cs, o)
}
