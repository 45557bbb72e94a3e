//go:build interop

package interop_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// emulator is one cognito-local process with its own state folder.
type emulator struct {
	base  string // http://127.0.0.1:PORT
	awsID string // pre-created AWS-shaped pool ID, or empty in local mode
	http  *http.Client
}

// startEmulator starts cognito-local on a free loopback port. With awsPoolID
// set, the pool is pre-created under that ID and tokens carry the AWS-shaped
// issuer https://cognito-idp.{region}.amazonaws.com/{pool}.
func startEmulator(t *testing.T, awsPoolID string) *emulator {
	t.Helper()
	startJS := os.Getenv("COGNITO_LOCAL_START")
	if startJS == "" {
		t.Fatal("COGNITO_LOCAL_START is not set: run .ci/install-cognito-local and export what it prints")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, ".cognito", "db")
	if err := os.MkdirAll(db, 0o755); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	issuerDomain := base
	if awsPoolID != "" {
		region := awsPoolID[:strings.LastIndexByte(awsPoolID, '_')]
		issuerDomain = "https://cognito-idp." + region + ".amazonaws.com"
		// cognito-local loads pools from files at start-up; an empty object
		// gets default options with Id = the file name.
		if err := os.WriteFile(filepath.Join(db, awsPoolID+".json"), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, _ := json.Marshal(map[string]any{"TokenConfig": map[string]string{"IssuerDomain": issuerDomain}})
	if err := os.WriteFile(filepath.Join(dir, ".cognito", "config.json"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "cognito-local.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", startJS)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOST=127.0.0.1", fmt.Sprintf("PORT=%d", port))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start cognito-local: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		logf.Close()
	})
	e := &emulator{base: base, awsID: awsPoolID, http: &http.Client{Timeout: 10 * time.Second}}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := e.http.Get(base + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return e
			}
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(logf.Name())
			t.Fatalf("cognito-local exited:\n%s", log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("cognito-local not healthy after 60s")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// call sends one Cognito JSON API request (X-Amz-Target) and decodes the answer.
func (e *emulator) call(t *testing.T, op string, in, out any) {
	t.Helper()
	body, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, e.base+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	resp, err := e.http.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: HTTP %d: %s", op, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s: decode: %v", op, err)
		}
	}
}
