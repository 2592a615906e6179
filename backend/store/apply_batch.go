package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
)

// Set-based page writes (issue 7). A page used to cost about a dozen
// statements per item — look up its links, upsert it, delete and insert its
// participants one by one, delete and recompute its links, look its links
// up again — some 1,200 round trips through database/sql and cgo for 100
// messages. Now each table gets one statement per page (multi-row VALUES)
// and the links of the whole page are recomputed by one INSERT … SELECT over
// the page's ids (a JSON array read with json_each), with the same rules
// (rules.go linkSQL) the relink uses.

// pageIDs is the JSON array of a page's item ids, for json_each. Graph's
// ids are plain ASCII and are written as they are, into a string made at
// its size; anything else goes through encoding/json. (Marshal grew a
// buffer and copied it twice: 1.4 MB of the 18.6 a read of the bench's
// biggest client allocated, for the 6,800 conversations it asks about.)
func pageIDs(ids []string) string {
	if ids == nil {
		return "null" // as encoding/json writes it
	}
	n := 2 + len(ids)
	for _, id := range ids {
		if !plainJSON(id) {
			b, _ := json.Marshal(ids)
			return string(b)
		}
		n += len(id) + 2
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(id)
		b.WriteByte('"')
	}
	b.WriteByte(']')
	return b.String()
}

// plainJSON says whether s needs no escaping in a JSON string, as
// encoding/json writes one: printable ASCII other than the quote, the
// backslash and the characters it escapes for HTML (<, >, &).
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// pageSource is a linkSQL source of (kind, account_id, item_id) rows for
// the ids in the JSON array ?2 of account ?1.
func pageSource(kind string) string {
	return `(SELECT '` + kind + `' AS kind, ?1 AS account_id, j.value AS item_id FROM json_each(?2) j) r`
}

// collectLinked adds to clients the clients the page's items are linked to.
func collectLinked(ctx context.Context, tx *sql.Tx, kind string, accountID int64, ids string, clients map[int64]bool) error {
	cs, err := queryColumn[int64](ctx, tx, `SELECT DISTINCT client_id FROM links
		WHERE account_id = ?1 AND kind = '`+kind+`' AND item_id IN (SELECT value FROM json_each(?2))`, accountID, ids)
	for _, c := range cs {
		clients[c] = true
	}
	return err
}

// relinkPage recomputes the links of the page's items from the rules.
func relinkPage(ctx context.Context, tx *sql.Tx, k linkKind, accountID int64, ids string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM links WHERE account_id = ?1 AND kind = '`+k.kind+`'
		AND item_id IN (SELECT value FROM json_each(?2))`, accountID, ids); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, k.linkSQL(pageSource(k.kind), k.at), accountID, ids)
	return err
}

// maxParams stays under SQLite's limit of bound parameters per statement.
const maxParams = 30000

// insertRows inserts rows (each of len(cols) values) with multi-row VALUES
// statements: head is "INSERT INTO t(a, b)", tail an optional ON CONFLICT
// clause.
func insertRows(ctx context.Context, tx *sql.Tx, head, tail string, width int, rows [][]any) error {
	per := max(1, maxParams/width)
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", width), ",") + ")"
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		var q strings.Builder
		q.WriteString(head)
		q.WriteString(" VALUES ")
		args := make([]any, 0, len(chunk)*width)
		for i, r := range chunk {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString(one)
			args = append(args, r...)
		}
		q.WriteString(" ")
		q.WriteString(tail)
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// pageRecords is what a page applies: the last occurrence of each of its
// records (lastOccurrences), and their ids as a JSON array (pageIDs).
func pageRecords[T any](items []T, id func(T) string) ([]T, string) {
	recs := lastOccurrences(items, id)
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = id(r)
	}
	return recs, pageIDs(ids)
}

// lastOccurrences keeps, of items with the same id, the last one (Graph
// may repeat an item in a page; its last state wins), in page order.
func lastOccurrences[T any](items []T, id func(T) string) []T {
	last := make(map[string]int, len(items))
	for i, it := range items {
		last[id(it)] = i
	}
	if len(last) == len(items) {
		return items
	}
	out := make([]T, 0, len(last))
	for i, it := range items {
		if last[id(it)] == i {
			out = append(out, it)
		}
	}
	return out
}

// intsJSON is a JSON array of keys, written straight into a buffer of
// its size (as pageIDs).
func intsJSON(keys []int64) string {
	b := make([]byte, 0, 2+21*len(keys))
	b = append(b, '[')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, k, 10)
	}
	return string(append(b, ']'))
}

// pageIDs1 is pageIDs of one id.
func pageIDs1(id string) string { return pageIDs([]string{id}) }
