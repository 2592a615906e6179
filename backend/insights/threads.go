package insights

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"rapport/backend/store"
)

// threads indexes the client's messages by conversation, for the reply
// figures: "the first message of mine in C after t" and "the first inbound
// client message in C after t". A thread holds indices into the messages
// (sorted by instant), not copies, and the user's sent mail that is not
// the client's (addSent) in a list of its own: the bench's biggest client
// has 20,000 messages in 6,800 threads, and copying and re-inserting whole
// messages was a tenth of its page (issue 7).
type threads struct {
	msgs   []message
	byConv map[int64]*thread // by conversation key
}

type thread struct {
	msgs  []int32     // indices into threads.msgs, by instant
	sent  []time.Time // the user's other sent mail in it, by instant
	asked bool        // its sent mail was asked for (addSent)
}

// byThread indexes msgs (sorted by instant).
func byThread(msgs []message) threads {
	th := threads{msgs: msgs, byConv: make(map[int64]*thread, len(msgs)/2)}
	for i, m := range msgs {
		if m.ConvKey == 0 {
			continue
		}
		t := th.byConv[m.ConvKey]
		if t == nil {
			t = &thread{}
			th.byConv[m.ConvKey] = t
		}
		t.msgs = append(t.msgs, int32(i))
	}
	return th
}

// addSent adds the user's sent messages in the threads asked about
// (Source.SentInConversations: a fact's Conv is its thread's index in
// asked). A copy of a message already in the thread may come back: it
// changes no first-after answer.
func (th threads) addSent(asked []*thread, sent []store.SentFact) error {
	var touched []*thread
	for _, f := range sent {
		if f.Conv < 0 || f.Conv >= len(asked) {
			return fmt.Errorf("insights: sent mail of conversation %d of %d asked about", f.Conv, len(asked))
		}
		t := asked[f.Conv]
		if len(t.sent) == 0 {
			touched = append(touched, t)
		}
		t.sent = append(t.sent, f.At)
	}
	for _, t := range touched {
		if !slices.IsSortedFunc(t.sent, time.Time.Compare) {
			slices.SortFunc(t.sent, time.Time.Compare)
		}
	}
	return nil
}

// firstAfter returns the instant of the first message of the conversation
// keyed conv strictly after t that satisfies ok; with sent, the user's
// other sent mail counts too.
func (th threads) firstAfter(conv int64, t time.Time, ok func(*message) bool, sent bool) (time.Time, bool) {
	c := th.byConv[conv]
	if conv == 0 || c == nil {
		return time.Time{}, false
	}
	var first time.Time
	found := false
	for i := sort.Search(len(c.msgs), func(i int) bool { return th.msgs[c.msgs[i]].At.After(t) }); i < len(c.msgs); i++ {
		if m := &th.msgs[c.msgs[i]]; ok(m) {
			first, found = m.At, true
			break
		}
	}
	if sent {
		if i := sort.Search(len(c.sent), func(i int) bool { return c.sent[i].After(t) }); i < len(c.sent) && (!found || c.sent[i].Before(first)) {
			first, found = c.sent[i], true
		}
	}
	return first, found
}

// myReply is the instant of the user's first message in m's conversation
// after m.
func (th threads) myReply(m *message) (time.Time, bool) {
	return th.firstAfter(m.ConvKey, m.At, mine, true)
}

// theirReply is the instant of the first inbound client message in m's
// conversation after m.
func (th threads) theirReply(m *message) (time.Time, bool) {
	return th.firstAfter(m.ConvKey, m.At, inbound, false)
}
