package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"rapport/backend/insights"
	"rapport/backend/model"
)

// ExportFile is an export ready to download: the UI saves Content under
// Name with type MIME.
type ExportFile struct {
	Name    string `json:"name"`
	MIME    string `json:"mime"`
	Content string `json:"content"`
}

// Export formats.
const (
	formatCSV  = "csv"
	formatJSON = "json"
)

func checkFormat(format string) (string, error) {
	switch f := strings.ToLower(strings.TrimSpace(format)); f {
	case formatCSV, formatJSON:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q: use csv or json", format)
}

// ExportClient exports a client's timeline and figures (last 90 days) as
// CSV (for Excel: UTF-8 with a byte-order mark, ISO dates, formula-safe
// cells) or JSON, for the client page's "Export…".
func (a *App) ExportClient(clientID int64, format string) (ExportFile, error) {
	if err := needClient(clientID); err != nil {
		return ExportFile{}, err
	}
	f, err := checkFormat(format)
	if err != nil {
		return ExportFile{}, err
	}
	c, err := a.st().Client(a.ctx, clientID)
	if err != nil {
		return ExportFile{}, err
	}
	var buf bytes.Buffer
	if err := a.writeExport(&buf, []model.Client{c}, f); err != nil {
		return ExportFile{}, err
	}
	return ExportFile{Name: exportName(c.Name, f, time.Now()), MIME: exportMIME(f), Content: buf.String()}, nil
}

func exportMIME(f string) string {
	if f == formatCSV {
		return "text/csv;charset=utf-8"
	}
	return "application/json"
}

var unsafeName = regexp.MustCompile(`[^\p{L}\p{N}._ -]+`)

// exportName is "Contoso-2026-11-04.csv": the client's name made safe for
// every file system.
func exportName(client, format string, now time.Time) string {
	base := strings.Trim(unsafeName.ReplaceAllString(client, "_"), " ._-")
	if base == "" {
		base = "export"
	}
	if len(base) > 80 {
		base = base[:80]
	}
	return fmt.Sprintf("%s-%s.%s", base, now.Format("2006-01-02"), format)
}

// writeExport writes the clients' timelines and figures in format.
func (a *App) writeExport(w io.Writer, cs []model.Client, format string) error {
	o, err := insightOptions(0)
	if err != nil {
		return err
	}
	e := insights.Export{ExportedAt: o.Now.UTC().Truncate(time.Second), TimeZone: o.Loc.String(), Clients: []insights.ClientExport{}}
	for _, c := range cs {
		ce, err := a.clientExport(c, o)
		if err != nil {
			return err
		}
		e.Clients = append(e.Clients, ce)
	}
	if format == formatCSV {
		return insights.WriteCSV(w, e, o.Loc)
	}
	return insights.WriteJSON(w, e)
}

// clientExport gathers one client's figures and whole timeline: upcoming
// meetings (latest first) then the past, newest first.
func (a *App) clientExport(c model.Client, o insights.Options) (insights.ClientExport, error) {
	ce := insights.ClientExport{Client: c, Timeline: []model.TimelineItem{}}
	if ce.Client.Domains == nil {
		ce.Client.Domains = []string{}
	}
	var err error
	if ce.Contacts, err = a.st().ClientContacts(a.ctx, c.ID); err != nil {
		return ce, err
	}
	if ce.Figures, err = insights.ForClient(a.ctx, a.st(), c.ID, c.Name, o); err != nil {
		return ce, err
	}
	up, err := a.st().Upcoming(a.ctx, c.ID, 1000)
	if err != nil {
		return ce, err
	}
	for i := len(up) - 1; i >= 0; i-- {
		ce.Timeline = append(ce.Timeline, up[i])
	}
	cursor := ""
	for {
		p, err := a.st().Timeline(a.ctx, c.ID, cursor, 1000)
		if err != nil {
			return ce, err
		}
		ce.Timeline = append(ce.Timeline, p.Items...)
		if p.Cursor == "" {
			return ce, nil
		}
		cursor = p.Cursor
	}
}

// exportClients resolves the command line's --client (all clients when "").
func (a *App) exportClients(name string) ([]model.Client, error) {
	if name != "" {
		c, err := a.st().ClientByName(a.ctx, name)
		if err != nil {
			if errors.Is(err, model.ErrNotFound) {
				return nil, fmt.Errorf("no client named %q; `rapport clients` lists them", name)
			}
			return nil, err
		}
		if c, err = a.st().Client(a.ctx, c.ID); err != nil {
			return nil, err
		}
		return []model.Client{c}, nil
	}
	list, err := a.st().Clients(a.ctx)
	if err != nil {
		return nil, err
	}
	out := make([]model.Client, 0, len(list))
	for _, c := range list {
		out = append(out, c.Client)
	}
	return out, nil
}
