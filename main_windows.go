//go:build windows

package main

import (
	"os"
	"syscall"
)

// The Windows build is a GUI-subsystem program (no console window when the
// app is opened from the Start menu). For a subcommand typed in a terminal,
// attach to that terminal's console so output and errors are visible.
func init() {
	if len(os.Args) < 2 {
		return
	}
	const attachParentProcess = ^uintptr(0) // (DWORD)-1
	attach := syscall.NewLazyDLL("kernel32.dll").NewProc("AttachConsole")
	if r, _, _ := attach.Call(attachParentProcess); r == 0 {
		return // started from Explorer or a pipe: keep the handles we have
	}
	if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
		if os.Stdout == nil || os.Stdout.Fd() == 0 || os.Stdout.Fd() == ^uintptr(0) {
			os.Stdout = f
		}
		if os.Stderr == nil || os.Stderr.Fd() == 0 || os.Stderr.Fd() == ^uintptr(0) {
			os.Stderr = f
		}
	}
}
