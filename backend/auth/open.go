package auth

// OpenBrowser opens an https URL in the user's default browser (the same
// launcher the interactive sign-in uses).
func OpenBrowser(rawURL string) error { return openSystemBrowser(rawURL) }
