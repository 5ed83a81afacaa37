// Command gqlauth-load sends a bounded load of GraphQL requests to a gqlauth
// server on this machine and reports throughput, latency percentiles and,
// with -pid, the server's resident memory. It refuses any non-loopback
// target. scripts/load.sh shows how it is used.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gqlauth-load:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gqlauth-load", flag.ContinueOnError)
	target := fs.String("url", "http://127.0.0.1:8080/graphql", "GraphQL endpoint (loopback only)")
	username := fs.String("username", "johndoe", "user to log in as")
	password := fs.String("password", "johndoe-secret", "their password")
	query := fs.String("query", "{ me { username } }", "query to send")
	conc := fs.Int("c", 8, "concurrent clients")
	duration := fs.Duration("d", 10*time.Second, "how long to send (at most 5m)")
	maxReq := fs.Int("n", 1_000_000, "stop after this many requests")
	badLogins := fs.Int("bad-logins", 0, "extra clients sending failing logins the whole time")
	pid := fs.Int("pid", 0, "server process ID: report its VmRSS and VmHWM")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkLoopback(*target); err != nil {
		return err
	}
	*duration = min(*duration, 5*time.Minute)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *conc + *badLogins}}

	var login struct {
		Data struct {
			Login struct{ AccessToken string } `json:"login"`
		} `json:"data"`
	}
	if _, err := post(client, *target, "", `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }`,
		map[string]any{"u": *username, "p": *password}, &login); err != nil || login.Data.Login.AccessToken == "" {
		return fmt.Errorf("login as %s failed: %v", *username, err)
	}
	token := login.Data.Login.AccessToken

	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	var (
		wg        sync.WaitGroup
		badMu     sync.Mutex
		badByCode = map[string]int{}
	)
	for range *badLogins {
		wg.Go(func() {
			for ctx.Err() == nil {
				var out struct {
					Errors []struct {
						Extensions struct{ Code string } `json:"extensions"`
					} `json:"errors"`
				}
				_, err := post(client, *target, "", `mutation { login(username: "nobody", password: "wrong-password") { accessToken } }`, nil, &out)
				code := "transport error"
				if err == nil && len(out.Errors) > 0 {
					code = out.Errors[0].Extensions.Code
				}
				if ctx.Err() == nil {
					badMu.Lock()
					badByCode[code]++
					badMu.Unlock()
				}
			}
		})
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  int
		sent      int
	)
	start := time.Now()
	var loadWG sync.WaitGroup
	for range *conc {
		loadWG.Go(func() {
			for ctx.Err() == nil {
				mu.Lock()
				if sent >= *maxReq {
					mu.Unlock()
					return
				}
				sent++
				mu.Unlock()
				var out struct {
					Errors []json.RawMessage `json:"errors"`
				}
				t0 := time.Now()
				_, err := post(client, *target, token, *query, nil, &out)
				d := time.Since(t0)
				mu.Lock()
				if err != nil || len(out.Errors) > 0 {
					if ctx.Err() == nil {
						failures++
					}
				} else {
					latencies = append(latencies, d)
				}
				mu.Unlock()
			}
		})
	}
	loadWG.Wait()
	elapsed := time.Since(start)
	cancel()
	wg.Wait()

	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))]
	}
	fmt.Fprintf(stdout, "query: %s\nclients: %d, bad-login clients: %d, duration: %v\n", *query, *conc, *badLogins, elapsed.Round(time.Millisecond))
	fmt.Fprintf(stdout, "ok: %d, failed: %d, throughput: %.0f req/s\n", len(latencies), failures, float64(len(latencies))/elapsed.Seconds())
	fmt.Fprintf(stdout, "latency p50: %v, p99: %v, max: %v\n", pct(0.50), pct(0.99), pct(1))
	if *badLogins > 0 {
		fmt.Fprintf(stdout, "bad logins answered: %v\n", badByCode)
	}
	if *pid != 0 {
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", *pid))
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(line, "VmRSS") || strings.HasPrefix(line, "VmHWM") || strings.HasPrefix(line, "RssAnon") || strings.HasPrefix(line, "RssFile") {
				fmt.Fprintln(stdout, "server", strings.Join(strings.Fields(line), " "))
			}
		}
	}
	if failures > 0 {
		return fmt.Errorf("%d requests failed", failures)
	}
	return nil
}

// post sends one GraphQL request and decodes the answer into out.
func post(client *http.Client, target, token, query string, vars map[string]any, out any) (int, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, fmt.Errorf("status %d", resp.StatusCode)
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, err
	}
	return resp.StatusCode, json.NewDecoder(resp.Body).Decode(out)
}

// checkLoopback refuses any target that is not this machine.
func checkLoopback(target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return errors.New("refusing non-loopback target " + host)
}
