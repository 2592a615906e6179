package app

import (
	"encoding/json"
	gosync "sync"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// emit sends an event to the desktop window (when there is one) and to every
// browser connected to the bridge.
func (a *App) emit(name string, payload any) {
	if a.wailsCtx != nil {
		runtime.EventsEmit(a.wailsCtx, name, payload)
	}
	a.hub.publish(name, payload)
}

type event struct {
	Name string
	Data []byte
}

// hub fans events out to the bridge's server-sent-event subscribers.
type hub struct {
	mu   gosync.Mutex
	subs map[chan event]bool
}

func newHub() *hub { return &hub{subs: map[chan event]bool{}} }

func (h *hub) subscribe() chan event {
	ch := make(chan event, 64)
	h.mu.Lock()
	h.subs[ch] = true
	h.mu.Unlock()
	return ch
}

func (h *hub) unsubscribe(ch chan event) {
	h.mu.Lock()
	delete(h.subs, ch)
	h.mu.Unlock()
}

func (h *hub) publish(name string, payload any) {
	data, err := json.Marshal(payload)
	if err != nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- event{Name: name, Data: data}:
		default: // a slow browser misses an event; the next one refreshes it
		}
	}
}
