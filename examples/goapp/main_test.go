package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func newTestAPI(t *testing.T, token string) (*api, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &api{store: s, token: token, healthPath: "/healthz", hostname: "test"}, dir
}

func do(t *testing.T, h http.Handler, method, path, body, token string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestKeyValueLifecycle(t *testing.T) {
	a, dir := newTestAPI(t, "")
	h := a.routes()
	if rec := do(t, h, "PUT", "/api/kv/greeting", `{"text":"hi"}`, ""); rec.Code != http.StatusCreated {
		t.Fatalf("first PUT: %d %s", rec.Code, rec.Body)
	}
	if rec := do(t, h, "PUT", "/api/kv/greeting", `"hello"`, ""); rec.Code != http.StatusOK {
		t.Fatalf("second PUT: %d %s", rec.Code, rec.Body)
	}
	rec := do(t, h, "GET", "/api/kv/greeting", "", "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"value":"hello"`) {
		t.Fatalf("GET: %d %s", rec.Code, rec.Body)
	}
	// A second store on the same directory (another replica) sees the data.
	other, err := openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if keys, _ := other.Keys(); len(keys) != 1 || keys[0] != "greeting" {
		t.Fatalf("keys seen by another replica: %v", keys)
	}
	if rec := do(t, h, "DELETE", "/api/kv/greeting", "", ""); rec.Code != http.StatusNoContent {
		t.Fatalf("DELETE: %d", rec.Code)
	}
	if rec := do(t, h, "GET", "/api/kv/greeting", "", ""); rec.Code != http.StatusNotFound {
		t.Fatalf("GET after DELETE: %d", rec.Code)
	}
	if _, err := os.Stat(filepath.Join(dir, "kv.json")); err != nil {
		t.Fatalf("data file: %v", err)
	}
}

func TestRejectsBadInput(t *testing.T) {
	a, _ := newTestAPI(t, "")
	h := a.routes()
	if rec := do(t, h, "PUT", "/api/kv/ok", `not json`, ""); rec.Code != http.StatusBadRequest {
		t.Fatalf("invalid JSON: %d", rec.Code)
	}
	if rec := do(t, h, "PUT", "/api/kv/bad%20key", `1`, ""); rec.Code != http.StatusBadRequest {
		t.Fatalf("invalid key: %d", rec.Code)
	}
	if rec := do(t, h, "POST", "/api/kv", ``, ""); rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST list: %d", rec.Code)
	}
}

func TestWritesNeedTheToken(t *testing.T) {
	a, _ := newTestAPI(t, "s3cret")
	h := a.routes()
	if rec := do(t, h, "PUT", "/api/kv/k", `1`, ""); rec.Code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", rec.Code)
	}
	if rec := do(t, h, "PUT", "/api/kv/k", `1`, "wrong"); rec.Code != http.StatusUnauthorized {
		t.Fatalf("wrong token: %d", rec.Code)
	}
	if rec := do(t, h, "PUT", "/api/kv/k", `1`, "s3cret"); rec.Code != http.StatusCreated {
		t.Fatalf("right token: %d", rec.Code)
	}
	if rec := do(t, h, "GET", "/api/kv/k", "", ""); rec.Code != http.StatusOK {
		t.Fatalf("reads need no token: %d", rec.Code)
	}
}

func TestHealthAndVersion(t *testing.T) {
	a, _ := newTestAPI(t, "")
	h := a.routes()
	if rec := do(t, h, "GET", "/healthz", "", ""); rec.Code != http.StatusOK {
		t.Fatalf("healthz: %d", rec.Code)
	}
	if rec := do(t, h, "GET", "/version", "", ""); !strings.Contains(rec.Body.String(), `"version":"dev"`) {
		t.Fatalf("version: %s", rec.Body)
	}
}

func TestConfigRejectsUnknownFault(t *testing.T) {
	t.Setenv("GOAPP_FAULT", "explode")
	if _, err := loadConfig(); err == nil || !strings.Contains(err.Error(), "GOAPP_FAULT") {
		t.Fatalf("want a GOAPP_FAULT error, got %v", err)
	}
}
