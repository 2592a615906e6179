package auth

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/zalando/go-keyring"
)

// KeychainService is the service name Rapport's secrets carry in the OS
// keychain (Secret Service on Linux, Keychain on macOS, Credential Manager
// on Windows).
const KeychainService = "Rapport"

// ErrKeyNotFound is what a Keyring returns when it holds no such secret.
var ErrKeyNotFound = keyring.ErrNotFound

// Keyring is the part of the OS keychain EncryptedStore needs. SystemKeyring
// is the real one; tests may inject another.
type Keyring interface {
	// Get returns the secret, or ErrKeyNotFound.
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

type systemKeyring struct{}

func (systemKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (systemKeyring) Set(service, user, secret string) error {
	return keyring.Set(service, user, secret)
}
func (systemKeyring) Delete(service, user string) error { return keyring.Delete(service, user) }

// SystemKeyring is the OS keychain, through github.com/zalando/go-keyring.
func SystemKeyring() Keyring { return systemKeyring{} }

// EncryptedStore is the CacheStore the app uses: the MSAL cache sealed with
// AES-256-GCM in a 0600 file, under a random 32-byte key that lives only in
// the OS keychain. The cache itself (3–10 KB) cannot go into the keychain:
// Windows and macOS cap a secret at 2.5–3 KB.
//
// There is no fallback: if the keychain cannot be reached, Load and Save
// fail with a CodeKeychain *Error naming the fix, and nothing is written in
// clear. A file that the key in the keychain cannot open (the key was
// deleted, the file copied from another machine) is an empty cache: the user
// signs in again and the next Save replaces it.
type EncryptedStore struct {
	Path    string
	Service string // keychain service, KeychainService by default
	User    string // keychain account name of the key
	Keyring Keyring

	mu  sync.Mutex
	key []byte // cached after the first keychain read
}

// NewEncryptedStore keeps the cache at path, with its key in the system
// keychain under an account name derived from the cache's directory, so
// several data directories (profiles, tests) never share or clobber a key.
func NewEncryptedStore(path string) *EncryptedStore {
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		dir = filepath.Dir(path)
	}
	sum := sha256.Sum256([]byte(dir))
	return &EncryptedStore{
		Path:    path,
		Service: KeychainService,
		User:    "token-cache-key:" + hex.EncodeToString(sum[:8]),
		Keyring: SystemKeyring(),
	}
}

// cacheMagic starts every sealed file; it is also the GCM additional data,
// so a file of another format or version never decrypts by accident.
var cacheMagic = []byte("RAPPORT-TC1\n")

const keySize = 32

// Load implements CacheStore.
func (s *EncryptedStore) Load(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sealed, err := os.ReadFile(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read token cache: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key, err := s.getKey(false)
	if errors.Is(err, ErrKeyNotFound) {
		return nil, nil // the key is gone: the sealed cache is unreadable
	}
	if err != nil {
		return nil, err
	}
	if plain, ok := openCache(key, sealed); ok {
		return plain, nil
	}
	// Another process may have replaced the key (it found none and made
	// one): read it again before giving up on the file.
	if key, err = s.getKey(true); err == nil {
		if plain, ok := openCache(key, sealed); ok {
			return plain, nil
		}
	} else if !errors.Is(err, ErrKeyNotFound) {
		return nil, err
	}
	return nil, nil
}

// Save implements CacheStore: seal with a fresh nonce, write atomically.
func (s *EncryptedStore) Save(ctx context.Context, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key, err := s.keyForWrite()
	if err != nil {
		return err
	}
	sealed, err := sealCache(key, data)
	if err != nil {
		return err
	}
	return writeFileAtomic(s.Path, sealed)
}

// Ready makes sure the keychain answers and holds a key, without touching
// the cache file: called before a sign-in, so that a missing Secret Service
// is reported before the user goes through the browser for nothing.
func (s *EncryptedStore) Ready(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.keyForWrite()
	return err
}

// Forget deletes the cache file and its key from the keychain.
func (s *EncryptedStore) Forget() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.key = nil
	err := s.Keyring.Delete(s.Service, s.User)
	if err != nil && !errors.Is(err, ErrKeyNotFound) {
		return keychainError(err)
	}
	if err := os.Remove(s.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// getKey returns the key (from memory unless refresh), ErrKeyNotFound, or
// a CodeKeychain *Error. Callers hold s.mu.
func (s *EncryptedStore) getKey(refresh bool) ([]byte, error) {
	if s.key != nil && !refresh {
		return s.key, nil
	}
	enc, err := s.Keyring.Get(s.Service, s.User)
	if errors.Is(err, ErrKeyNotFound) {
		s.key = nil
		return nil, ErrKeyNotFound
	}
	if err != nil {
		return nil, keychainError(err)
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(key) != keySize {
		// Not ours, or damaged: as good as missing.
		s.key = nil
		return nil, ErrKeyNotFound
	}
	s.key = key
	return key, nil
}

// keyForWrite returns the key, creating one in the keychain if there is
// none. Callers hold s.mu.
func (s *EncryptedStore) keyForWrite() ([]byte, error) {
	key, err := s.getKey(false)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, ErrKeyNotFound) {
		return nil, err
	}
	key = make([]byte, keySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := s.Keyring.Set(s.Service, s.User, base64.StdEncoding.EncodeToString(key)); err != nil {
		return nil, keychainError(err)
	}
	// Read it back: if another process stored its own key at the same
	// moment, both must end up using the one the keychain kept.
	return s.getKey(true)
}

func sealCache(key, plain []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := append([]byte{}, cacheMagic...)
	out = append(out, nonce...)
	return gcm.Seal(out, nonce, plain, cacheMagic), nil
}

func openCache(key, sealed []byte) ([]byte, bool) {
	if len(sealed) < len(cacheMagic) || string(sealed[:len(cacheMagic)]) != string(cacheMagic) {
		return nil, false
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, false
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, false
	}
	rest := sealed[len(cacheMagic):]
	if len(rest) < gcm.NonceSize() {
		return nil, false
	}
	plain, err := gcm.Open(nil, rest[:gcm.NonceSize()], rest[gcm.NonceSize():], cacheMagic)
	return plain, err == nil
}

// keychainError says what to install or unlock, per system.
func keychainError(err error) *Error {
	var msg string
	switch runtime.GOOS {
	case "darwin":
		msg = "the macOS keychain could not be used: unlock your login keychain (Keychain Access) and allow Rapport to use it, then try again"
	case "windows":
		msg = "Windows Credential Manager could not be used: sign in to Windows with your own user account (not a temporary profile), then try again"
	default:
		msg = "no Secret Service is running: install and unlock gnome-keyring or KWallet, then try again"
	}
	return &Error{Code: CodeKeychain, Msg: msg, Detail: Scrub(firstLine(err.Error())), Err: ErrKeychainUnavailable}
}

// ErrKeychainUnavailable is matched by errors.Is on a CodeKeychain *Error.
var ErrKeychainUnavailable = errors.New("the system keychain is unavailable")

// NewMemoryStore keeps the cache in memory only (the demo tenant, tests):
// nothing touches the disk or the keychain.
func NewMemoryStore() CacheStore { return &memStore{} }
