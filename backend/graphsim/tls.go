package graphsim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"time"
)

// newSelfSignedCert makes a fresh ECDSA certificate for the loopback names.
// It is its own CA, so a client trusts the simulator by adding exactly this
// certificate to its roots (HTTPClient, or SSL_CERT_FILE for another process)
// and nothing else on the machine is affected.
func newSelfSignedCert() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("graphsim: key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "Rapport Microsoft 365 simulator", Organization: []string{"graphsim"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("graphsim: certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pemBytes, nil
}

// CACertPEM is the simulator's certificate in PEM form (nil before Start).
func (s *Server) CACertPEM() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.certPEM...)
}

// WriteCACert writes the certificate to path, for a separate process to trust
// through SSL_CERT_FILE.
func (s *Server) WriteCACert(path string) error {
	pemBytes := s.CACertPEM()
	if len(pemBytes) == 0 {
		return fmt.Errorf("graphsim: not started")
	}
	return os.WriteFile(path, pemBytes, 0o644)
}

// HTTPClient trusts the system roots plus the simulator's certificate. It
// also speaks plain http, which the sign-in browser needs to reach MSAL's
// http://localhost listener. After Start it is one shared client, so
// connections are reused like a real client's.
func (s *Server) HTTPClient() *http.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil {
		return s.client
	}
	c := newTrustingClient(s.certPEM)
	if s.certPEM != nil {
		s.client = c
	}
	return c
}

func newTrustingClient(certPEM []byte) *http.Client {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	pool.AppendCertsFromPEM(certPEM)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// quietLog drops net/http's server log lines: injected drops and clients
// hanging up are expected here, not news.
func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
