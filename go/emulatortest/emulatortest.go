// Package emulatortest starts workload-emulator for one Go test and gives it a
// sandbox of its own.
//
//	func TestSomething(t *testing.T) {
//		sb := emulatortest.Start(t)
//		status, body := sb.Call("POST", "/workloads/", map[string]any{...})
//		sb.Advance(8 * time.Hour)
//	}
//
// The binary is $WORKLOAD_EMULATOR_BIN, else workload-emulator on PATH; it runs on a
// free port with the manual clock, so time moves only when the test advances it, and
// it is stopped in t.Cleanup. With $WORKLOAD_EMULATOR_URL set, the test uses that
// running instance instead, in a sandbox of its own that is dropped in t.Cleanup.
// When the test fails, what the emulator logged is added to the test's output.
package emulatortest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Sandbox is one test's world inside an emulator.
type Sandbox struct {
	// Name of the sandbox (header X-Emulator-Sandbox or path prefix /sandboxes/NAME/).
	Name string
	// BaseURL is the API root with the sandbox's path prefix,
	// http://127.0.0.1:PORT/sandboxes/NAME/api/v2: what a client that takes only a
	// base URL needs.
	BaseURL string
	// RootURL is the emulator's root, http://127.0.0.1:PORT.
	RootURL string
	// Token is a bearer token for this sandbox (any token names a user in open auth).
	Token string
	// PID is the emulator process's id; 0 for an instance from $WORKLOAD_EMULATOR_URL.
	PID int
	// ControlToken goes with every control call as X-Emulator-Token: for an instance
	// from $WORKLOAD_EMULATOR_URL, $WORKLOAD_EMULATOR_CONTROL_TOKEN (the server's
	// --control-token); empty for a process Start runs.
	ControlToken string

	t      testing.TB
	client *http.Client
}

// Option changes how Start runs the emulator.
type Option func(*options)

type options struct {
	binary string
	args   []string
}

// WithBinary runs this binary instead of $WORKLOAD_EMULATOR_BIN or PATH.
func WithBinary(path string) Option { return func(o *options) { o.binary = path } }

// WithArgs adds flags, e.g. WithArgs("--lifecycle", "instant").
func WithArgs(args ...string) Option { return func(o *options) { o.args = append(o.args, args...) } }

// Start runs an emulator for t (or uses $WORKLOAD_EMULATOR_URL) and returns a fresh
// sandbox in it. Everything is undone in t.Cleanup.
func Start(t testing.TB, opts ...Option) *Sandbox {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	name := sandboxName(t.Name())
	sb := &Sandbox{Name: name, Token: "token-" + name, t: t, client: &http.Client{Timeout: 60 * time.Second}}
	if url := os.Getenv("WORKLOAD_EMULATOR_URL"); url != "" && o.binary == "" {
		sb.RootURL = strings.TrimRight(url, "/")
		sb.ControlToken = os.Getenv("WORKLOAD_EMULATOR_CONTROL_TOKEN")
		t.Cleanup(func() { sb.control("DELETE", "/__emulator/sandboxes/"+name, nil, 0) })
	} else {
		sb.RootURL, sb.PID = startProcess(t, o)
	}
	sb.BaseURL = sb.RootURL + "/sandboxes/" + name + "/api/v2"
	sb.control("POST", "/__emulator/reset", nil, http.StatusOK)
	return sb
}

// Binary is the emulator Start runs: $WORKLOAD_EMULATOR_BIN, else PATH.
func Binary() (string, error) {
	if path := os.Getenv("WORKLOAD_EMULATOR_BIN"); path != "" {
		if info, err := os.Stat(path); err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
			return "", fmt.Errorf("WORKLOAD_EMULATOR_BIN (%s) is not an executable file", path)
		}
		return path, nil
	}
	path, err := exec.LookPath("workload-emulator")
	if err != nil {
		return "", fmt.Errorf("no workload-emulator binary: set WORKLOAD_EMULATOR_BIN or put it on PATH")
	}
	return path, nil
}

// logBuffer collects the process's output; the process writes from its own goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func startProcess(t testing.TB, o options) (string, int) {
	t.Helper()
	binary := o.binary
	if binary == "" {
		var err error
		if binary, err = Binary(); err != nil {
			t.Fatalf("emulatortest: %v", err)
		}
	}
	dir := t.TempDir()
	portFile := filepath.Join(dir, "port")
	args := []string{"--port", "0", "--port-file", portFile}
	if !hasFlag(o.args, "--clock") {
		args = append(args, "--clock", "manual")
	}
	args = append(args, o.args...)
	cmd := exec.Command(binary, args...)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WORKLOAD_EMULATOR_") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	logs := &logBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("emulatortest: start %s: %v", binary, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("workload-emulator log:\n%s", logs.String())
		}
	})

	// Waits for the process to listen, not for a state of the world: the port file
	// appears (written atomically) once the socket accepts connections.
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			stopped = true
			t.Fatalf("emulatortest: %s exited before listening (%v):\n%s", binary, err, logs.String())
		default:
		}
		if text, err := os.ReadFile(portFile); err == nil && strings.HasSuffix(string(text), "\n") {
			port, err := strconv.Atoi(strings.TrimSpace(string(text)))
			if err != nil {
				t.Fatalf("emulatortest: port file holds %q", text)
			}
			return fmt.Sprintf("http://127.0.0.1:%d", port), cmd.Process.Pid
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("emulatortest: %s did not listen within 30 s:\n%s", binary, logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func hasFlag(args []string, flag string) bool {
	for _, a := range args {
		if a == flag || strings.HasPrefix(a, flag+"=") {
			return true
		}
	}
	return false
}

var notNameChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// sandboxName is readable (the test's name) and unique (random hex), 64 at most.
func sandboxName(testName string) string {
	base := strings.Trim(notNameChars.ReplaceAllString(testName, "-"), "-.")
	if len(base) > 40 {
		base = base[:40]
	}
	if base == "" {
		base = "test"
	}
	var random [6]byte
	_, _ = rand.Read(random[:])
	return base + "-" + hex.EncodeToString(random[:])
}

// Call sends a request to the Workload API in this sandbox, with the token, and
// returns the status and body. path is relative to BaseURL, e.g. "/workloads/".
// A non-nil body is sent as JSON.
func (s *Sandbox) Call(method, path string, body any) (int, []byte) {
	s.t.Helper()
	return s.send(method, s.BaseURL+path, body, map[string]string{"Authorization": "Bearer " + s.Token})
}

func (s *Sandbox) send(method, url string, body any, headers map[string]string) (int, []byte) {
	s.t.Helper()
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			s.t.Fatalf("emulatortest: encode body: %v", err)
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url, reader)
	if err != nil {
		s.t.Fatalf("emulatortest: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatalf("emulatortest: %s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("emulatortest: %s %s: reading the answer: %v", method, url, err)
	}
	return resp.StatusCode, data
}

// control calls the emulator's own API in this sandbox; want 0 accepts any status.
func (s *Sandbox) control(method, path string, body any, want int) []byte {
	s.t.Helper()
	headers := map[string]string{"X-Emulator-Sandbox": s.Name}
	if s.ControlToken != "" {
		headers["X-Emulator-Token"] = s.ControlToken
	}
	status, data := s.send(method, s.RootURL+path, body, headers)
	if want != 0 && status != want {
		s.t.Fatalf("emulatortest: %s %s answered %d, not %d: %s", method, path, status, want, data)
	}
	return data
}

// Advanced is what a clock advance fired.
type Advanced struct {
	Now        string `json:"now"`
	FiredCount int    `json:"firedCount"`
	Fired      []struct {
		At         string `json:"at"`
		Kind       string `json:"kind"`
		WorkloadID string `json:"workloadId"`
		From       string `json:"from,omitempty"`
		To         string `json:"to,omitempty"`
	} `json:"fired"`
}

// Advance moves the sandbox's clock by d; every transition and expiry due fires.
func (s *Sandbox) Advance(d time.Duration) Advanced {
	s.t.Helper()
	var out Advanced
	s.decode(s.control("POST", "/__emulator/clock/advance", map[string]any{"seconds": d.Seconds()}, http.StatusOK), &out)
	return out
}

// Now is the sandbox clock's time, RFC 3339 with milliseconds.
func (s *Sandbox) Now() string {
	s.t.Helper()
	var out struct {
		Now string `json:"now"`
	}
	s.decode(s.control("GET", "/__emulator/clock", nil, http.StatusOK), &out)
	return out.Now
}

// Fault is a fault rule; only the fields that are set are sent.
type Fault struct {
	Action      string            // respond, delay, drop, launchFailure, protonStopFailure, replacementFailure, hold
	Method      string            // match: HTTP method
	Path        string            // match: path, * matches any run of characters
	WorkloadID  string            // match: workload
	Status      int               // respond
	Body        any               // respond
	Headers     map[string]string // respond
	DelayMs     int               // delay
	State       string            // hold
	Message     string            // launchFailure, replacementFailure
	Times       int               // fire at most this often (0 = always)
	Probability float64           // 0 = always
}

// AddFault adds a rule and returns its id. It is removed in t.Cleanup with the sandbox.
func (s *Sandbox) AddFault(f Fault) string {
	s.t.Helper()
	rule := map[string]any{"action": f.Action}
	match := map[string]any{}
	for key, value := range map[string]string{"method": f.Method, "path": f.Path, "workloadId": f.WorkloadID} {
		if value != "" {
			match[key] = value
		}
	}
	if len(match) > 0 {
		rule["match"] = match
	}
	if f.Status != 0 {
		rule["status"] = f.Status
	}
	if f.Body != nil {
		rule["body"] = f.Body
	}
	if len(f.Headers) > 0 {
		rule["headers"] = f.Headers
	}
	if f.DelayMs != 0 {
		rule["delayMs"] = f.DelayMs
	}
	if f.State != "" {
		rule["state"] = f.State
	}
	if f.Message != "" {
		rule["message"] = f.Message
	}
	if f.Times != 0 {
		rule["times"] = f.Times
	}
	if f.Probability != 0 {
		rule["probability"] = f.Probability
	}
	var out struct {
		ID string `json:"id"`
	}
	s.decode(s.control("POST", "/__emulator/faults", rule, http.StatusCreated), &out)
	return out.ID
}

// DeleteFault removes one rule.
func (s *Sandbox) DeleteFault(id string) {
	s.t.Helper()
	s.control("DELETE", "/__emulator/faults/"+id, nil, http.StatusNoContent)
}

// Request is one entry of the request journal.
type Request struct {
	ID         int               `json:"id"`
	Timestamp  string            `json:"timestamp"`
	Method     string            `json:"method"`
	Path       string            `json:"path"`
	Query      string            `json:"query"`
	Headers    map[string]string `json:"headers"`
	Body       json.RawMessage   `json:"body"`
	Status     int               `json:"status"`
	Injected   *string           `json:"injected"`
	DurationMs float64           `json:"durationMs"`
}

// Requests lists the journal, oldest first, filtered by method and path ("" = any;
// path may hold *). Paths are as sent, without the /sandboxes/NAME prefix.
func (s *Sandbox) Requests(method, path string) []Request {
	s.t.Helper()
	var all []Request
	for offset := 0; ; {
		q := fmt.Sprintf("offset=%d&limit=1000", offset)
		if method != "" {
			q += "&method=" + queryEscape(method)
		}
		if path != "" {
			q += "&path=" + queryEscape(path)
		}
		var page struct {
			TotalCount int       `json:"totalCount"`
			Data       []Request `json:"data"`
		}
		s.decode(s.control("GET", "/__emulator/requests?"+q, nil, http.StatusOK), &page)
		all = append(all, page.Data...)
		offset += len(page.Data)
		if len(page.Data) == 0 || offset >= page.TotalCount {
			return all
		}
	}
}

// WaitFor moves the clock from one scheduled transition of the workload to the next
// until it is in status, and fails the test if it never gets there.
func (s *Sandbox) WaitFor(workloadID, status string) {
	s.t.Helper()
	var seen []string
	for step := 0; step < 100; step++ {
		var view struct {
			Status    string `json:"status"`
			Scheduled []struct {
				At string `json:"at"`
			} `json:"scheduled"`
		}
		s.decode(s.control("GET", "/__emulator/workloads/"+workloadID, nil, http.StatusOK), &view)
		if len(seen) == 0 || seen[len(seen)-1] != view.Status {
			seen = append(seen, view.Status)
		}
		if view.Status == status {
			return
		}
		if len(view.Scheduled) == 0 {
			s.t.Fatalf("emulatortest: workload %s is %q with nothing scheduled, so never %q (went %s)",
				workloadID, view.Status, status, strings.Join(seen, " -> "))
		}
		s.control("POST", "/__emulator/clock/advance", map[string]any{"to": view.Scheduled[0].At}, http.StatusOK)
	}
	s.t.Fatalf("emulatortest: workload %s not %q after 100 steps (went %s)", workloadID, status, strings.Join(seen, " -> "))
}

func (s *Sandbox) decode(data []byte, into any) {
	s.t.Helper()
	if err := json.Unmarshal(data, into); err != nil {
		s.t.Fatalf("emulatortest: decode %s: %v", data, err)
	}
}

func queryEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', strings.IndexByte("-._~/*", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
