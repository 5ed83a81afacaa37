package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// childEnv marks a re-executed test binary that must run main() instead of
// the tests: it is the real process, signals and exit codes included.
const childEnv = "GQLAUTH_TEST_CHILD_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Args = append([]string{"gqlauth"}, strings.Fields(os.Getenv("GQLAUTH_TEST_CHILD_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is gqlauth running as its own process.
type child struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
}

// startChild runs `gqlauth serve --demo` in a new process with env and
// waits until it answers /healthz.
func startChild(t *testing.T, env map[string]string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", "GQLAUTH_TEST_CHILD_ARGS=serve --demo")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	c := &child{cmd: cmd, url: "http://" + env["GQLAUTH_ADDR"], stderr: new(syncBuffer)}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(c.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("child never became healthy; stderr:\n%s", c.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// createItem sends one createItem and reports whether the server
// acknowledged it (200 with the item's ID).
func createItem(client *http.Client, base, token, title string) bool {
	body, _ := json.Marshal(map[string]any{
		"query":     `mutation($t: String!) { createItem(input: {title: $t}) { id } }`,
		"variables": map[string]any{"t": title},
	})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var r struct {
		Data *struct {
			CreateItem *struct{ ID string } `json:"createItem"`
		} `json:"data"`
	}
	return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&r) == nil &&
		r.Data != nil && r.Data.CreateItem != nil && r.Data.CreateItem.ID != ""
}

// TestKill9KeepsAcknowledgedWrites kills the server with SIGKILL while
// clients create items, restarts it on the same database, and finds every
// item whose creation was acknowledged.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	env := testEnv(t)
	c := startChild(t, env)
	token, _ := login(t, c.url, "johndoe", "johndoe-secret", nil)

	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
		stop  = make(chan struct{})
	)
	client := &http.Client{Timeout: 5 * time.Second}
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				title := fmt.Sprintf("w%d-%d", w, i)
				if createItem(client, c.url, token, title) {
					mu.Lock()
					acked = append(acked, title)
					mu.Unlock()
				}
			}
		})
	}
	// Kill in the middle of the writes, once a good number is acknowledged.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 200 {
			break
		}
	}
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c.cmd.Wait()
	close(stop)
	wg.Wait()
	if len(acked) < 50 {
		t.Fatalf("only %d writes acknowledged before the kill", len(acked))
	}

	c2 := startChild(t, env)
	token, _ = login(t, c2.url, "johndoe", "johndoe-secret", nil)
	r, _ := postGraphQL(t, c2.url, token, `{ me { items { title } } }`, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	var d struct {
		Me struct{ Items []struct{ Title string } } `json:"me"`
	}
	r.decodeData(t, &d)
	stored := map[string]bool{}
	for _, it := range d.Me.Items {
		stored[it.Title] = true
	}
	var lost []string
	for _, title := range acked {
		if !stored[title] {
			lost = append(lost, title)
		}
	}
	t.Logf("acknowledged %d, stored after restart %d (unacknowledged but stored: %d), lost %d",
		len(acked), len(stored), len(stored)-len(acked)+len(lost), len(lost))
	if len(lost) > 0 {
		t.Errorf("%d acknowledged items lost after kill -9: %v", len(lost), lost[:min(len(lost), 10)])
	}
}

// TestSIGTERMDrains sends SIGTERM to the real process while requests are in
// flight: they complete, and the process exits 0.
func TestSIGTERMDrains(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	env := testEnv(t)
	env["GQLAUTH_BCRYPT_COST"] = "10" // tens of ms a login (more under -race): requests stay in flight
	c := startChild(t, env)

	// Logins (bcrypt) keep requests in flight while the signal arrives.
	results := make(chan error, 4) // within the bcrypt gate's queue and wait
	for range cap(results) {
		go func() {
			body, _ := json.Marshal(map[string]any{"query": loginMutation, "variables": loginVars("johndoe", "johndoe-secret", nil)})
			resp, err := http.Post(c.url+"/graphql", "application/json", bytes.NewReader(body))
			if err != nil {
				results <- err
				return
			}
			defer resp.Body.Close()
			var r struct {
				Data loginData `json:"data"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || r.Data.Login == nil {
				results <- fmt.Errorf("status %d, decode %v", resp.StatusCode, err)
				return
			}
			results <- nil
		}()
	}
	time.Sleep(30 * time.Millisecond) // let them reach the server
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for range cap(results) {
		if err := <-results; err != nil {
			t.Errorf("in-flight request: %v", err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0; stderr:\n%s", err, c.stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("process still running 20 s after SIGTERM")
	}
	if _, err := http.Get(c.url + "/healthz"); err == nil {
		t.Error("still answering after exit")
	}
}
