package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"
)

// runDesktop opens the window. Without a display (an SSH session, a
// container) it says so and serves the same UI to a browser instead.
func runDesktop(c *cli) int {
	if runtime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		fmt.Fprintln(c.stderr, "rapport: no display found; starting the browser UI instead (open the URL below).")
		return c.fallbackServe()
	}
	c.lockAs = "the desktop app"
	a, err := c.open(c.demo, openInBackground)
	if err != nil {
		var busy *InstanceBusyError
		if errors.As(err, &busy) && busy.Desktop() {
			// A second launch: bring the first window forward (Wails hands
			// over and exits this process), without opening the store.
			focusRunningWindow(busy.DataDir, c.demo)
		}
		fmt.Fprintf(c.stderr, "rapport: %s\n", sentence(err))
		return 1
	}
	defer a.close()
	dataDir := a.cfg.DataDir
	ws := loadWindowState(dataDir)
	var startState options.WindowStartState
	if ws.Maximised {
		startState = options.Maximised
	}
	err = wails.Run(&options.App{
		Title:            "Rapport",
		Width:            ws.Width,
		Height:           ws.Height,
		WindowStartState: startState,
		MinWidth:         800,
		MinHeight:        500,
		AssetServer:      &assetserver.Options{Assets: c.assets},
		ErrorFormatter:   func(err error) any { return a.windowError(err).Error() },
		BackgroundColour: &options.RGBA{R: 250, G: 250, B: 250, A: 255},
		OnStartup: func(ctx context.Context) {
			a.wailsCtx = ctx
			go a.runScheduler(ctx)
		},
		OnDomReady: func(ctx context.Context) {
			if ws.X >= 0 && ws.Y >= 0 && !ws.Maximised {
				wruntime.WindowSetPosition(ctx, ws.X, ws.Y)
			}
		},
		OnBeforeClose: func(ctx context.Context) bool {
			saveWindowState(ctx, dataDir)
			return false
		},
		// A second launch for the same data directory focuses this window
		// instead of opening a second writer on the same store.
		SingleInstanceLock: &options.SingleInstanceLock{
			UniqueId: instanceID(dataDir, c.demo),
			OnSecondInstanceLaunch: func(options.SecondInstanceData) {
				if a.wailsCtx != nil {
					wruntime.WindowUnminimise(a.wailsCtx)
					wruntime.WindowShow(a.wailsCtx)
				}
			},
		},
		Bind: []interface{}{a},
	})
	if err != nil {
		fmt.Fprintf(c.stderr, "rapport: the desktop window could not open (%s); starting the browser UI instead.\n", sentence(err))
		a.close()
		return c.fallbackServe()
	}
	return 0
}

func (c *cli) fallbackServe() int {
	return Main(append(serveArgs(c), "serve"), c.assets, c.stdout, c.stderr)
}

func serveArgs(c *cli) []string {
	var args []string
	if c.dataDir != "" {
		args = append(args, "--data-dir", c.dataDir)
	}
	if c.demo {
		args = append(args, "--demo")
	}
	if c.clientID != "" {
		args = append(args, "--client-id", c.clientID)
	}
	if c.authority != "" {
		args = append(args, "--authority", c.authority)
	}
	return args
}

// focusRunningWindow asks the window already open on dataDir to come
// forward, through Wails' single-instance lock: when it answers, Wails
// exits this process. If it cannot (no session bus), a hidden window
// starts and quits at once, and the caller says why it stops.
func focusRunningWindow(dataDir string, demo bool) {
	_ = wails.Run(&options.App{
		Title:       "Rapport",
		StartHidden: true,
		SingleInstanceLock: &options.SingleInstanceLock{
			UniqueId:               instanceID(dataDir, demo),
			OnSecondInstanceLaunch: func(options.SecondInstanceData) {},
		},
		OnStartup: func(ctx context.Context) { wruntime.Quit(ctx) },
	})
}
