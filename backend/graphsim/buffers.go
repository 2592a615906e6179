package graphsim

import (
	"io"
	"sync"
)

// Answers are rendered into recycled byte slices. A heavy sync renders
// ~1,000 answers of up to a megabyte (1,000 drive items a page), and each
// used to grow a new slice from nothing and then be copied into another
// (heldAnswer's): about a third of the bench's allocations, whose collection
// the in-process simulator made the measured engine pay for (issue 7,
// docs/PERFORMANCE.md §39).
var answerBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledAnswer bounds what the pool keeps: a rare huge answer is left
// to the collector rather than held for good.
const maxPooledAnswer = 4 << 20

func takeBuffer() *[]byte { return answerBuffers.Get().(*[]byte) }

// giveBuffer returns b to the pool; the caller must not use it afterwards.
func giveBuffer(b *[]byte) {
	if cap(*b) > maxPooledAnswer {
		return
	}
	*b = (*b)[:0]
	answerBuffers.Put(b)
}

// writeEncoded writes v as JSON to w: straight into a held answer's body,
// else through a recycled buffer (writers do not keep the slice they are
// given: io.Writer's contract).
func writeEncoded(w io.Writer, v any) {
	if a, ok := w.(*heldAnswer); ok {
		a.appendBody(func(b []byte) []byte { return appendJSON(b, v) })
		return
	}
	b := takeBuffer()
	*b = appendJSON((*b)[:0], v)
	_, _ = w.Write(*b)
	giveBuffer(b)
}
