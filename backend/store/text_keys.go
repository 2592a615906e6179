package store

import (
	"crypto/sha256"
	"encoding/binary"
)

// A mail link keeps its message's conversation id and internet message id
// as 64-bit keys, not as text, and messages_sent finds the user's sent
// mail by the conversation's key (migration 015). A client's page reads
// both for each of its messages in 90 days, and probes the sent mail of
// each of its conversations: copying Exchange's long ids out of
// SQLite and comparing them was a third of that read (the bench's
// biggest client at 1,000,000 items: the mail scan ~30 → ~19 ms, the
// sent-mail probes ~13 → ~9 ms; PERFORMANCE.md §56). The text stays in
// messages, the truth; the keys only say which messages share a thread
// and which are copies of one message.
//
// textKey is the first 8 bytes of the id's SHA-256, 0 for no id. A key
// shared by two ids would merge their threads or their copies in the
// figures (never in what is stored): with a million ids, a chance of
// about 1 in 37 million by accident, and a sender who sets a message's
// internet id cannot aim at another message's key (a 64-bit second
// preimage), which FNV-style hashes would let it do.
func textKey(id string) int64 {
	if id == "" {
		return 0
	}
	h := sha256.Sum256([]byte(id))
	k := int64(binary.BigEndian.Uint64(h[:8]))
	if k == 0 {
		k = 1 // 0 means "no id"
	}
	return k
}

// textKeySQL is textKey's name in SQL: every connection has it
// (store.go's connect hook), so the links' SQL and the migration compute
// the same keys as Go.
const textKeySQL = "text_key"
