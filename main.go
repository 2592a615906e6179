// Command rapport is the Rapport desktop app and its command line: with no
// subcommand it opens the window, with one it runs headless (see README).
package main

import (
	"embed"
	"io/fs"
	"os"

	"rapport/app"
)

//go:embed all:frontend/dist
var assets embed.FS

func main() {
	dist, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		panic(err) // the embed path is fixed at compile time
	}
	os.Exit(app.Main(os.Args[1:], dist, os.Stdout, os.Stderr))
}
