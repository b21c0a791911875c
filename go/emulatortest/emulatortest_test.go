package emulatortest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"workload-emulator/go/emulatortest"
)

var artifact = map[string]any{"name": "hello", "spec": map[string]any{"containerGroups": []any{
	map[string]any{"containers": []any{map[string]any{"imageUri": "example.com/hello:1", "port": 8080, "primary": true}}},
}}}

func create(t *testing.T, sb *emulatortest.Sandbox) string {
	t.Helper()
	status, body := sb.Call("POST", "/workloads/", map[string]any{"name": "hello", "artifact": artifact})
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	var w struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		t.Fatal(err)
	}
	return w.ID
}

func statusOf(t *testing.T, sb *emulatortest.Sandbox, id string) (int, string) {
	t.Helper()
	code, body := sb.Call("GET", "/workloads/"+id, nil)
	var w struct {
		Status string `json:"status"`
	}
	_ = json.Unmarshal(body, &w)
	return code, w.Status
}

func TestAdvanceEightHoursExpiresADraft(t *testing.T) {
	sb := emulatortest.Start(t)
	id := create(t, sb)
	sb.WaitFor(id, "running")
	if code, status := statusOf(t, sb, id); code != 200 || status != "running" {
		t.Fatalf("after WaitFor: %d %q", code, status)
	}
	fired := sb.Advance(8 * time.Hour)
	if fired.FiredCount != 1 || fired.Fired[0].Kind != "expiry" || fired.Fired[0].WorkloadID != id {
		t.Fatalf("fired: %+v", fired)
	}
	if code, _ := statusOf(t, sb, id); code != http.StatusNotFound {
		t.Fatalf("after 8 h: %d, want 404", code)
	}
}

func TestBaseURLCarriesTheSandboxAndTheTokenWorks(t *testing.T) {
	sb := emulatortest.Start(t)
	if want := sb.RootURL + "/sandboxes/" + sb.Name + "/api/v2"; sb.BaseURL != want {
		t.Fatalf("BaseURL %s, want %s", sb.BaseURL, want)
	}
	id := create(t, sb)
	req, _ := http.NewRequest("GET", sb.RootURL+"/api/v2/workloads/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+sb.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the default sandbox must not hold it: %d", resp.StatusCode)
	}
}

func TestAddFaultLaunchFailureErrorsTheWorkload(t *testing.T) {
	sb := emulatortest.Start(t)
	id := create(t, sb)
	rule := sb.AddFault(emulatortest.Fault{Action: "launchFailure", WorkloadID: id, Message: "ImagePullBackOff"})
	if rule == "" {
		t.Fatal("no rule id")
	}
	sb.Advance(time.Minute)
	if _, status := statusOf(t, sb, id); status != "errored" {
		t.Fatalf("status %q, want errored", status)
	}
}

func TestAddFaultRespondAppliesUntilDeleted(t *testing.T) {
	sb := emulatortest.Start(t)
	rule := sb.AddFault(emulatortest.Fault{Action: "respond", Method: "GET", Path: "/api/v2/workloads/", Status: 503,
		Body: map[string]any{"detail": "down"}, Times: 1})
	if code, body := sb.Call("GET", "/workloads/", nil); code != 503 || !strings.Contains(string(body), `"down"`) {
		t.Fatalf("injected: %d %s", code, body)
	}
	if code, _ := sb.Call("GET", "/workloads/", nil); code != 200 {
		t.Fatalf("times 1: second call %d", code)
	}
	sb.DeleteFault(rule)
}

func TestRequestsFiltersTheJournal(t *testing.T) {
	sb := emulatortest.Start(t)
	id := create(t, sb)
	sb.Call("GET", "/workloads/"+id, nil)
	sb.Call("GET", "/version/", nil)
	gets := sb.Requests("GET", "/api/v2/workloads/*")
	if len(gets) != 1 || gets[0].Path != "/api/v2/workloads/"+id || gets[0].Status != 200 {
		t.Fatalf("GET workloads: %+v", gets)
	}
	if all := sb.Requests("", ""); len(all) != 3 || all[0].Method != "POST" || all[0].Status != 201 {
		t.Fatalf("all: %+v", all)
	}
}

// recorder is a testing.TB whose Cleanup, Failed and Logf the test controls.
type recorder struct {
	testing.TB
	cleanups []func()
	failed   bool
	logs     []string
}

func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recorder) Failed() bool     { return r.failed }
func (r *recorder) Logf(format string, args ...any) {
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}
func (r *recorder) runCleanups() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func TestCleanupStopsTheProcessAndAFailureShowsTheLog(t *testing.T) {
	for _, failed := range []bool{false, true} {
		r := &recorder{TB: t, failed: failed}
		sb := emulatortest.Start(r)
		sb.Call("GET", "/workloads/?marker=1", nil)
		pid := sb.PID
		if pid == 0 {
			t.Fatal("no process id")
		}
		r.runCleanups()
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			t.Fatalf("process %d still there after Cleanup (%v)", pid, err)
		}
		shown := len(r.logs) == 1 && strings.HasPrefix(r.logs[0], "workload-emulator log:") &&
			strings.Contains(r.logs[0], `"GET /sandboxes/`+sb.Name+`/api/v2/workloads/?marker=1" 200`)
		if shown != failed {
			t.Fatalf("failed=%v: logs %q", failed, r.logs)
		}
	}
}

func TestARunningInstanceFromTheVariableGetsASandboxDroppedAfter(t *testing.T) {
	running := emulatortest.Start(t)
	t.Setenv("WORKLOAD_EMULATOR_URL", running.RootURL)
	r := &recorder{TB: t}
	sb := emulatortest.Start(r)
	if sb.PID != 0 || sb.RootURL != running.RootURL || sb.Name == running.Name {
		t.Fatalf("pid %d, root %s, name %s", sb.PID, sb.RootURL, sb.Name)
	}
	create(t, sb)
	sandboxes := func() string {
		resp, err := http.Get(running.RootURL + "/__emulator/sandboxes")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("sandboxes: %v %v", resp, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	if !strings.Contains(sandboxes(), `"name":"`+sb.Name+`"`) {
		t.Fatalf("%s not listed", sb.Name)
	}
	r.runCleanups()
	if strings.Contains(sandboxes(), `"name":"`+sb.Name+`"`) {
		t.Fatalf("%s still listed after Cleanup", sb.Name)
	}
}

func TestBinaryRefusesANonExecutableVariable(t *testing.T) {
	t.Setenv("WORKLOAD_EMULATOR_BIN", t.TempDir())
	if _, err := emulatortest.Binary(); err == nil || !strings.Contains(err.Error(), "is not an executable file") {
		t.Fatalf("err = %v", err)
	}
}

func TestTheControlTokenGoesWithControlCallsToARunningInstance(t *testing.T) {
	var seen []string
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Method+" "+r.URL.Path+" "+r.Header.Get("X-Emulator-Token"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"now":"2026-01-01T00:00:00.000Z"}`))
	}))
	defer server.Close()
	t.Setenv("WORKLOAD_EMULATOR_URL", server.URL)
	t.Setenv("WORKLOAD_EMULATOR_CONTROL_TOKEN", "s3cret")
	r := &recorder{TB: t}
	sb := emulatortest.Start(r)
	sb.Now()
	r.runCleanups()
	want := []string{"POST /__emulator/reset s3cret", "GET /__emulator/clock s3cret", "DELETE /__emulator/sandboxes/" + sb.Name + " s3cret"}
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Fatalf("seen:\n%s", strings.Join(seen, "\n"))
	}
}
