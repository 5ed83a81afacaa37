package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gqlauth/auth"
)

// generateKeys runs gqlauth keys generate --alg EdDSA|RS256 --out DIR: it
// writes a new key pair as DIR/<kid>.pem (PKCS #8 private key, mode 0600)
// and DIR/<kid>.pub.pem (PKIX public key, 0644), never overwriting a file,
// and prints how to configure it. It needs no database.
func generateKeys(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	alg := fs.String("alg", auth.AlgEdDSA, "signing algorithm: "+auth.AlgEdDSA+" (Ed25519) or "+auth.AlgRS256+" (RSA 3072)")
	out := fs.String("out", "", "folder to write the key files to, created 0700 if missing (required)")
	if err := parseFlags(fs, args, nil); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("keys generate: --out is required")
	}
	if *alg != auth.AlgEdDSA && *alg != auth.AlgRS256 {
		return fmt.Errorf("keys generate: --alg %q: want %s or %s", *alg, auth.AlgEdDSA, auth.AlgRS256)
	}
	dir, err := filepath.Abs(*out)
	if err != nil {
		return fmt.Errorf("keys generate: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("keys generate: %w", err)
	}
	if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(stderr, "warning: %s is accessible to other users (mode %v); the private key file itself is 0600\n", dir, fi.Mode().Perm())
	}

	key, err := auth.GenerateKey(*alg)
	if err != nil {
		return fmt.Errorf("keys generate: %w", err)
	}
	private, err := key.PrivateKeyPEM()
	if err != nil {
		return fmt.Errorf("keys generate: %w", err)
	}
	public, err := key.PublicKeyPEM()
	if err != nil {
		return fmt.Errorf("keys generate: %w", err)
	}
	privPath := filepath.Join(dir, key.ID()+".pem")
	pubPath := filepath.Join(dir, key.ID()+".pub.pem")
	if err := writeNewFile(privPath, private, 0o600); err != nil {
		return fmt.Errorf("keys generate: %w", err)
	}
	if err := writeNewFile(pubPath, public, 0o644); err != nil {
		os.Remove(privPath) // no half-written pair
		return fmt.Errorf("keys generate: %w", err)
	}
	fmt.Fprintf(stdout, `generated %s key %s
  private key: %s (keep it secret; mode 0600)
  public key:  %s
Sign with it:
  GQLAUTH_SIGNING_KEY=%s
When a newer key signs, keep accepting its tokens until they expire:
  GQLAUTH_VERIFICATION_KEYS=%s
`, key.Alg(), key.ID(), privPath, pubPath, privPath, pubPath)
	return nil
}

// writeNewFile creates path with mode perm, whatever the umask, and writes
// data to it. It fails if path exists: a key is never overwritten.
func writeNewFile(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	err = f.Chmod(perm) // the umask may have narrowed 0644
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
