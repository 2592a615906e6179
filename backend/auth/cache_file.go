package auth

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// CacheStore keeps the serialized MSAL token cache somewhere durable. It sees
// only opaque bytes, so an implementation that encrypts them (a key from the
// OS keychain, AES-GCM on disk) can replace FileStore without touching the
// MSAL side (tokenCache) or the Authenticator.
type CacheStore interface {
	// Load returns the stored bytes, or (nil, nil) when nothing is stored yet.
	Load(ctx context.Context) ([]byte, error)
	// Save replaces the stored bytes. It must be atomic: a crash or a
	// concurrent Load sees either the old cache or the new one, never a mix.
	Save(ctx context.Context, data []byte) error
}

// FileStore is a CacheStore that keeps the cache as a plain file readable by
// the owner only (0600, parent directory created 0700). It holds refresh
// tokens in clear text, so the app never uses it: it uses EncryptedStore.
// Tests use it to look inside the cache.
type FileStore struct {
	Path string

	// mu serializes writers inside this process; the rename makes each write
	// atomic for readers in other processes (the CLI and the window may run
	// side by side).
	mu sync.Mutex
}

// NewFileStore returns a FileStore for path.
func NewFileStore(path string) *FileStore { return &FileStore{Path: path} }

// Load reads the cache file. A missing file is an empty cache, not an error,
// so a first run and a signed-out user look the same.
func (f *FileStore) Load(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read token cache: %w", err)
	}
	return b, nil
}

// Save writes data to a temporary file in the same directory and renames it
// over the cache, so the file is never seen half-written and never exists
// with a wider mode than 0600, even for an instant.
func (f *FileStore) Save(ctx context.Context, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return writeFileAtomic(f.Path, data)
}

// writeFileAtomic writes data to a temporary file in the same directory and
// renames it over path, so the file is never seen half-written and never
// exists with a wider mode than 0600, even for an instant.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create token cache directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = os.Remove(tmpName)
		}
	}()
	// CreateTemp already uses 0600; Chmod makes it explicit and survives a
	// future change of that default.
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	// Sync before rename: otherwise a power cut can leave a renamed but empty
	// file, which would silently sign the user out.
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	ok = true
	return nil
}

// memStore keeps the cache in memory only: used when Config names no cache
// file (tests, the demo), so every code path still goes through tokenCache.
type memStore struct {
	mu   sync.Mutex
	data []byte
}

func (m *memStore) Load(ctx context.Context) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.data...), ctx.Err()
}

func (m *memStore) Save(ctx context.Context, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data = append([]byte(nil), data...)
	return nil
}
