package emulatortest_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"workload-emulator/go/emulatortest"
)

// The README's Go example, word for word (TestTheReadmeShowsThisExample checks).

func TestDraftWorkloadExpiresAfter8Hours(t *testing.T) {
	sb := emulatortest.Start(t) // sb.BaseURL ends in /sandboxes/NAME/api/v2; sb.Token is its token
	artifact := map[string]any{"name": "hello", "spec": map[string]any{"containerGroups": []any{
		map[string]any{"containers": []any{map[string]any{"imageUri": "example.com/hello:1", "port": 8080}}}}}}
	status, body := sb.Call("POST", "/workloads/", map[string]any{"name": "hello", "artifact": artifact})
	var created struct{ ID string }
	if err := json.Unmarshal(body, &created); status != 201 || err != nil {
		t.Fatalf("create: %d %s", status, body)
	}
	sb.WaitFor(created.ID, "running") // steps the manual clock, no sleeping
	sb.Advance(8 * time.Hour)
	if status, _ := sb.Call("GET", "/workloads/"+created.ID, nil); status != 404 {
		t.Fatalf("after 8 h: %d, want 404", status)
	}
	if creates := sb.Requests("POST", "/api/v2/workloads/"); len(creates) != 1 {
		t.Fatalf("%d creates", len(creates))
	}
}

func TestTheReadmeShowsThisExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	marker := "<!-- go-example -->\n```go\n"
	start := strings.Index(string(readme), marker)
	if start < 0 {
		t.Fatal("README.md has no block after <!-- go-example -->")
	}
	block := string(readme)[start+len(marker):]
	block = block[:strings.Index(block, "```")]
	source, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(source), block) {
		t.Fatalf("the README's Go example differs from TestDraftWorkloadExpiresAfter8Hours:\n%s", block)
	}
}
