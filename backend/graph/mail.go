package graph

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	gosync "sync"
	"time"

	"rapport/backend/model"
)

// Me is the signed-in user's profile.
type Me struct {
	ID                string `json:"id"`
	DisplayName       string `json:"displayName"`
	UserPrincipalName string `json:"userPrincipalName"`
	Mail              string `json:"mail"`
}

// Me reads /me.
func (c *Client) Me(ctx context.Context) (Me, error) {
	var me Me
	err := c.get(ctx, "/me?$select=id,displayName,userPrincipalName,mail", nil, &me)
	return me, err
}

// immutableIDs makes message ids survive moves between folders; Graph wants
// it on every request.
var immutableIDs = map[string]string{"Prefer": `IdType="ImmutableId"`}

type folderPage struct {
	Value    []folderJSON `json:"value"`
	NextLink string       `json:"@odata.nextLink"`
}

type folderJSON struct {
	ODataType string `json:"@odata.type"`
	model.MailFolder
}

// MailFolder reads one folder by id or well-known name.
func (c *Client) MailFolder(ctx context.Context, idOrName string) (model.MailFolder, error) {
	var f folderJSON
	err := c.get(ctx, "/me/mailFolders/"+url.PathEscape(idOrName), immutableIDs, &f)
	return f.MailFolder, err
}

// MailFolders lists every mail folder, recursing into child folders and
// skipping search folders (virtual views that would duplicate messages).
// The tree comes back parents before children, siblings in Graph's order.
// The children of all the folders of one level are listed concurrently
// (the gate keeps the mailbox at 4 requests in flight) and pages are asked
// at up to 100 folders, so a discovery costs a few round trips, not one per
// folder.
func (c *Client) MailFolders(ctx context.Context) ([]model.MailFolder, error) {
	type node struct {
		f    model.MailFolder
		kids []*node
		err  error
	}
	list := func(path string) ([]*node, error) {
		var out []*node
		for link := path; link != ""; {
			var p folderPage
			if err := c.get(ctx, link, immutableIDs, &p); err != nil {
				return nil, err
			}
			for _, f := range p.Value {
				if strings.Contains(strings.ToLower(f.ODataType), "mailsearchfolder") {
					continue
				}
				out = append(out, &node{f: f.MailFolder})
			}
			link = p.NextLink
		}
		return out, nil
	}
	var expand func(level []*node, depth int) error
	expand = func(level []*node, depth int) error {
		if depth > 20 {
			return nil
		}
		var wg gosync.WaitGroup
		var next []*node
		for _, n := range level {
			if n.f.ChildFolderCount <= 0 {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				n.kids, n.err = list("/me/mailFolders/" + url.PathEscape(n.f.ID) + "/childFolders?includeHiddenFolders=true&$top=100")
			}()
		}
		wg.Wait()
		for _, n := range level {
			if n.err != nil {
				return n.err
			}
			next = append(next, n.kids...)
		}
		if len(next) == 0 {
			return nil
		}
		return expand(next, depth+1)
	}
	top, err := list("/me/mailFolders?includeHiddenFolders=true&$top=100")
	if err != nil {
		return nil, err
	}
	if err := expand(top, 1); err != nil {
		return nil, err
	}
	var out []model.MailFolder
	var flatten func(ns []*node)
	flatten = func(ns []*node) {
		for _, n := range ns {
			out = append(out, n.f)
			flatten(n.kids)
		}
	}
	flatten(top)
	return out, nil
}

// messageSelect names the metadata fields we store; bodies are never asked
// for (and Mail.ReadBasic could not read them).
const messageSelect = "id,internetMessageId,conversationId,parentFolderId,changeKey,subject,from,sender," +
	"toRecipients,ccRecipients,bccRecipients,sentDateTime,receivedDateTime,isRead,isDraft," +
	"hasAttachments,categories,webLink"

// MessagesDeltaURL is the first request of a full round for one folder.
// since, when set, limits the round to messages received since then.
func MessagesDeltaURL(folderID string, since time.Time) string {
	q := "$select=" + messageSelect
	if !since.IsZero() {
		q += "&$filter=" + url.QueryEscape("receivedDateTime ge "+since.UTC().Format(time.RFC3339))
	}
	return "/me/mailFolders/" + url.PathEscape(folderID) + "/messages/delta?" + q
}

type recipientJSON struct {
	EmailAddress model.Recipient `json:"emailAddress"`
}

type messageJSON struct {
	ID                string          `json:"id"`
	Removed           *removedMark    `json:"@removed"`
	ParentFolderID    string          `json:"parentFolderId"`
	ConversationID    string          `json:"conversationId"`
	InternetMessageID string          `json:"internetMessageId"`
	Subject           string          `json:"subject"`
	From              *recipientJSON  `json:"from"`
	Sender            *recipientJSON  `json:"sender"`
	To                []recipientJSON `json:"toRecipients"`
	Cc                []recipientJSON `json:"ccRecipients"`
	Bcc               []recipientJSON `json:"bccRecipients"`
	SentAt            flexTime        `json:"sentDateTime"`
	ReceivedAt        flexTime        `json:"receivedDateTime"`
	IsRead            flexBool        `json:"isRead"`
	IsDraft           flexBool        `json:"isDraft"`
	HasAttachments    flexBool        `json:"hasAttachments"`
	Categories        []string        `json:"categories"`
	WebLink           string          `json:"webLink"`
	ChangeKey         string          `json:"changeKey"`
}

type messagePage struct {
	Value     []messageJSON `json:"value"`
	NextLink  string        `json:"@odata.nextLink"`
	DeltaLink string        `json:"@odata.deltaLink"`
	notes     []string      // items only partly read (tolerant.go)
}

// MessagesDelta fetches one delta page: link is a stored next/delta link or
// the URL from MessagesDeltaURL.
func (c *Client) MessagesDelta(ctx context.Context, link string) (model.Page[model.Message], error) {
	headers := map[string]string{"Prefer": fmt.Sprintf(`IdType="ImmutableId", odata.maxpagesize=%d`, c.PageSize)}
	var p messagePage
	if err := c.get(ctx, link, headers, &p); err != nil {
		return model.Page[model.Message]{}, err
	}
	c.logNotes(p.notes)
	return decodeMessagePage(p)
}

func decodeMessagePage(p messagePage) (model.Page[model.Message], error) {
	out := model.Page[model.Message]{NextLink: p.NextLink, DeltaLink: p.DeltaLink}
	if out.NextLink == "" && out.DeltaLink == "" {
		return out, fmt.Errorf("graph: delta page without nextLink or deltaLink")
	}
	for _, j := range p.Value {
		if j.ID == "" {
			continue
		}
		if j.Removed != nil {
			out.Removed = append(out.Removed, j.ID)
			continue
		}
		m := model.Message{
			ID: j.ID, ParentFolderID: j.ParentFolderID, ConversationID: j.ConversationID,
			InternetMessageID: j.InternetMessageID, Subject: j.Subject,
			SentAt: j.SentAt.Time, ReceivedAt: j.ReceivedAt.Time, IsRead: bool(j.IsRead), IsDraft: bool(j.IsDraft),
			HasAttachments: bool(j.HasAttachments), Categories: j.Categories, WebLink: j.WebLink, ChangeKey: j.ChangeKey,
		}
		switch {
		case j.From != nil:
			m.From = j.From.EmailAddress
		case j.Sender != nil:
			m.From = j.Sender.EmailAddress
		}
		m.To, m.Cc, m.Bcc = recipients(j.To), recipients(j.Cc), recipients(j.Bcc)
		out.Items = append(out.Items, m)
	}
	return out, nil
}

func recipients(rs []recipientJSON) []model.Recipient {
	if len(rs) == 0 {
		return nil
	}
	out := make([]model.Recipient, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.EmailAddress)
	}
	return out
}

// MessagesListURL lists one folder's messages received in [from, to), newest
// first, with their count: the bounded, resumable backfill behind "Load
// older history". A plain list (not delta) is used so the existing delta
// stream of the folder keeps its token: its window is fixed in the token.
func MessagesListURL(folderID string, from, to time.Time, pageSize int) string {
	if pageSize <= 0 || pageSize > 1000 {
		pageSize = 100
	}
	filter := "receivedDateTime ge " + from.UTC().Format(time.RFC3339) + " and receivedDateTime lt " + to.UTC().Format(time.RFC3339)
	return "/me/mailFolders/" + url.PathEscape(folderID) + "/messages?$select=" + messageSelect +
		"&$filter=" + url.QueryEscape(filter) + "&$orderby=" + url.QueryEscape("receivedDateTime desc") +
		fmt.Sprintf("&$top=%d&$count=true", pageSize)
}

type messageListPage struct {
	Count    *int          `json:"@odata.count"`
	Value    []messageJSON `json:"value"`
	NextLink string        `json:"@odata.nextLink"`
	notes    []string
}

// ListMessages fetches one page of a plain message list. count is the
// list's @odata.count (-1 when the page carries none). The page has a
// NextLink or, on the last page, neither link.
func (c *Client) ListMessages(ctx context.Context, link string) (page model.Page[model.Message], count int, err error) {
	var p messageListPage
	if err := c.get(ctx, link, immutableIDs, &p); err != nil {
		return page, -1, err
	}
	c.logNotes(p.notes)
	// Reuse the delta decoder; a list page has no deltaLink, so give it a
	// placeholder and take it away again.
	page, err = decodeMessagePage(messagePage{Value: p.Value, NextLink: p.NextLink, DeltaLink: "list"})
	if page.DeltaLink == "list" {
		page.DeltaLink = ""
	}
	count = -1
	if p.Count != nil {
		count = *p.Count
	}
	return page, count, err
}
