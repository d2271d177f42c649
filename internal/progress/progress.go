// Package progress shows a byte-count progress bar on stderr while inputs are
// read, and nothing at all when stderr is not a terminal.
package progress

import (
	"io"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// Bar counts bytes read. A nil *Bar is valid and does nothing.
type Bar struct {
	p   *mpb.Progress
	bar *mpb.Bar
}

// New starts a bar of total bytes on w when enabled; otherwise it returns nil.
func New(w io.Writer, enabled bool, label string, total int64) *Bar {
	if !enabled || total <= 0 {
		return nil
	}
	p := mpb.New(mpb.WithOutput(w), mpb.WithWidth(40))
	bar := p.AddBar(total,
		mpb.PrependDecorators(decor.Name(label+" "), decor.CountersKibiByte("% .1f / % .1f")),
		mpb.AppendDecorators(decor.Percentage()),
		mpb.BarRemoveOnComplete(),
	)
	return &Bar{p: p, bar: bar}
}

// Add records n more bytes; safe for concurrent use.
func (b *Bar) Add(n int64) {
	if b != nil {
		b.bar.IncrInt64(n)
	}
}

// Done completes the bar and waits for it to be cleared.
func (b *Bar) Done() {
	if b == nil {
		return
	}
	b.bar.SetTotal(-1, true)
	b.p.Wait()
}
