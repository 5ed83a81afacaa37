package auth

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
)

// The signing algorithms an access token may use (RFC 7518 §3.1, RFC 8037
// §3.1). Each Key has exactly one: the verifier takes the algorithm from
// the key, never from the token.
const (
	AlgHS256 = "HS256" // HMAC SHA-256 with a shared secret
	AlgEdDSA = "EdDSA" // Ed25519
	AlgRS256 = "RS256" // RSASSA-PKCS1-v1_5 SHA-256, which RFC 9068 §4 asks issuers to support
)

// MinRSABits is the smallest RSA modulus accepted (RFC 7518 §3.3, NIST SP
// 800-131A); GenerateKey makes RSABits.
const (
	MinRSABits = 2048
	RSABits    = 3072
)

// Key is one access-token key: an HS256 secret, or an Ed25519 or RSA key
// pair, or only the public half of one (verify-only). Its kid names it in
// token headers and in the JWKS. A Key never prints its material: its
// String is its algorithm and kid.
type Key struct {
	id     string
	alg    string
	secret []byte           // HS256
	signer crypto.Signer    // ed25519.PrivateKey or *rsa.PrivateKey; nil when verify-only
	public crypto.PublicKey // ed25519.PublicKey or *rsa.PublicKey
}

// NewHMACKey returns an HS256 key for secret, which must be at least
// MinSecretLen bytes. Its kid is derived one-way from the secret, so that
// tokens name their key without revealing it: anyone holding a token can
// already test guesses of the secret against its signature, so the kid adds
// no new exposure.
func NewHMACKey(secret []byte) (*Key, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("JWT secret is %d bytes: it must be at least %d", len(secret), MinSecretLen)
	}
	h := sha256.New()
	h.Write([]byte("gqlauth hmac kid"))
	h.Write(secret)
	return &Key{
		id:     base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12]),
		alg:    AlgHS256,
		secret: append([]byte(nil), secret...),
	}, nil
}

// GenerateKey returns a new key pair for alg: AlgEdDSA (Ed25519) or
// AlgRS256 (RSABits bits).
func GenerateKey(alg string) (*Key, error) {
	switch alg {
	case AlgEdDSA:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generate Ed25519 key: %w", err)
		}
		return newAsymmetricKey(priv)
	case AlgRS256:
		priv, err := rsa.GenerateKey(rand.Reader, RSABits)
		if err != nil {
			return nil, fmt.Errorf("generate RSA key: %w", err)
		}
		return newAsymmetricKey(priv)
	}
	return nil, fmt.Errorf("algorithm %q is not one gqlauth generates: want %s or %s", alg, AlgEdDSA, AlgRS256)
}

// ParseKeyPEM reads one PEM-encoded key: a private key (PKCS #8 "PRIVATE
// KEY", or PKCS #1 "RSA PRIVATE KEY" as older OpenSSL writes) that can sign,
// or a public key (PKIX "PUBLIC KEY", or PKCS #1 "RSA PUBLIC KEY") that can
// only verify. Ed25519 and RSA of at least MinRSABits are accepted. Errors
// never contain key material.
func ParseKeyPEM(pemBytes []byte) (*Key, error) {
	block, rest := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("no PEM block found: want a PEM-encoded Ed25519 or RSA key")
	}
	if next, _ := pem.Decode(rest); next != nil {
		return nil, errors.New("more than one PEM block: want one key per file")
	}
	if _, ok := block.Headers["Proc-Type"]; ok {
		return nil, errors.New("the key is encrypted: gqlauth reads unencrypted keys (protect the file instead)")
	}
	var (
		key any
		err error
	)
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "ENCRYPTED PRIVATE KEY":
		return nil, errors.New("the key is encrypted: gqlauth reads unencrypted keys (protect the file instead)")
	default:
		return nil, fmt.Errorf("PEM block %q is not a key gqlauth reads: want PRIVATE KEY or PUBLIC KEY", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("invalid %s: %w", block.Type, err)
	}
	return newAsymmetricKey(key)
}

// newAsymmetricKey wraps a parsed Ed25519 or RSA key, private or public.
func newAsymmetricKey(key any) (*Key, error) {
	k := new(Key)
	switch key := key.(type) {
	case ed25519.PrivateKey:
		k.alg, k.signer, k.public = AlgEdDSA, key, key.Public()
	case ed25519.PublicKey:
		k.alg, k.public = AlgEdDSA, key
	case *rsa.PrivateKey:
		k.alg, k.signer, k.public = AlgRS256, key, &key.PublicKey
	case *rsa.PublicKey:
		k.alg, k.public = AlgRS256, key
	case *ecdsa.PrivateKey, *ecdsa.PublicKey:
		return nil, errors.New("ECDSA keys are not supported: use Ed25519 or RSA")
	case *ecdh.PrivateKey, *ecdh.PublicKey:
		return nil, errors.New("X25519 and ECDH keys cannot sign: use Ed25519 or RSA")
	default:
		return nil, fmt.Errorf("%T keys are not supported: use Ed25519 or RSA", key)
	}
	switch pub := k.public.(type) {
	case ed25519.PublicKey:
		if len(pub) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("Ed25519 public key is %d bytes, want %d", len(pub), ed25519.PublicKeySize)
		}
	case *rsa.PublicKey:
		if bits := pub.N.BitLen(); bits < MinRSABits {
			return nil, fmt.Errorf("RSA key is %d bits: it must be at least %d", bits, MinRSABits)
		}
	}
	k.id = thumbprint(k.public)
	return k, nil
}

// thumbprint is the RFC 7638 JWK thumbprint of pub: base64url SHA-256 of
// the required members of its JWK, in lexicographic order, without
// whitespace. A key's kid is its thumbprint, so the private and public
// files of one pair name the same key, and a kid cannot be claimed by
// another key.
func thumbprint(pub crypto.PublicKey) string {
	var canonical string
	switch pub := pub.(type) {
	case ed25519.PublicKey: // RFC 8037 §2: crv, kty, x
		canonical = `{"crv":"Ed25519","kty":"OKP","x":"` + b64(pub) + `"}`
	case *rsa.PublicKey: // RFC 7638 §3.2: e, kty, n
		canonical = `{"e":"` + b64(big.NewInt(int64(pub.E)).Bytes()) + `","kty":"RSA","n":"` + b64(pub.N.Bytes()) + `"}`
	}
	sum := sha256.Sum256([]byte(canonical))
	return b64(sum[:])
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// ID is the key's kid.
func (k *Key) ID() string { return k.id }

// Alg is the one JWS algorithm the key signs and verifies with.
func (k *Key) Alg() string { return k.alg }

// CanSign reports whether k holds private (or secret) material.
func (k *Key) CanSign() bool { return k.secret != nil || k.signer != nil }

// String names the key without its material.
func (k *Key) String() string { return k.alg + " key " + k.id }

// GoString is String, so that %#v does not print key material either.
func (k *Key) GoString() string { return k.String() }

// signingKey is what jwt's SigningMethod for k.alg signs with.
func (k *Key) signingKey() any {
	if k.secret != nil {
		return k.secret
	}
	return k.signer
}

// verificationKey is what jwt's SigningMethod for k.alg verifies with.
func (k *Key) verificationKey() any {
	if k.secret != nil {
		return k.secret
	}
	return k.public
}

// JWK is a public key as a JSON Web Key (RFC 7517, RFC 7518 §6.3.1 for
// RSA, RFC 8037 §2 for Ed25519). It has no member for private material, so
// no JWK can leak one.
type JWK struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Crv string `json:"crv,omitempty"` // OKP
	X   string `json:"x,omitempty"`   // OKP
	N   string `json:"n,omitempty"`   // RSA
	E   string `json:"e,omitempty"`   // RSA
}

// PublicJWK is k's public key as a JWK, and false for an HS256 key, which
// has no public half and is never published.
func (k *Key) PublicJWK() (JWK, bool) {
	jwk := JWK{Use: "sig", Alg: k.alg, Kid: k.id}
	switch pub := k.public.(type) {
	case ed25519.PublicKey:
		jwk.Kty, jwk.Crv, jwk.X = "OKP", "Ed25519", b64(pub)
	case *rsa.PublicKey:
		jwk.Kty, jwk.N, jwk.E = "RSA", b64(pub.N.Bytes()), b64(big.NewInt(int64(pub.E)).Bytes())
	default:
		return JWK{}, false
	}
	return jwk, true
}

// PrivateKeyPEM is k's private key as a PKCS #8 "PRIVATE KEY" PEM block.
func (k *Key) PrivateKeyPEM() ([]byte, error) {
	if k.signer == nil {
		return nil, fmt.Errorf("%v has no private key to export", k)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.signer)
	if err != nil {
		return nil, fmt.Errorf("encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// PublicKeyPEM is k's public key as a PKIX "PUBLIC KEY" PEM block.
func (k *Key) PublicKeyPEM() ([]byte, error) {
	if k.public == nil {
		return nil, fmt.Errorf("%v has no public key", k)
	}
	der, err := x509.MarshalPKIXPublicKey(k.public)
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}
