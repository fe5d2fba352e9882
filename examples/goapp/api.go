package main

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"regexp"
	"strings"
	"time"
)

type api struct {
	store      *store
	token      string // empty: writes need no token
	healthPath string
	hostname   string
}

var validKey = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

const maxValueBytes = 64 << 10

func (a *api) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(a.healthPath, a.health)
	mux.HandleFunc("/version", a.version)
	mux.HandleFunc("/api/kv", a.list)
	mux.HandleFunc("/api/kv/", a.item)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			writeError(w, http.StatusNotFound, "no such path: "+r.URL.Path)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"app": "goapp", "version": version,
			"endpoints": []string{a.healthPath, "/version", "/api/kv", "/api/kv/{key}"},
		})
	})
	return accessLog(mux, a.healthPath)
}

func (a *api) health(w http.ResponseWriter, r *http.Request) {
	if err := a.store.Healthy(); err != nil {
		writeError(w, http.StatusServiceUnavailable, "data store: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (a *api) version(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"version": version, "commit": commit, "hostname": a.hostname})
}

func (a *api) list(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "use GET")
		return
	}
	keys, err := a.store.Keys()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if keys == nil {
		keys = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys, "served_by": version})
}

func (a *api) item(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/api/kv/")
	if !validKey.MatchString(key) {
		writeError(w, http.StatusBadRequest, "key: 1 to 128 characters of A-Z a-z 0-9 . _ -")
		return
	}
	switch r.Method {
	case http.MethodGet:
		value, err := a.store.Get(key)
		if errors.Is(err, errNotFound) {
			writeError(w, http.StatusNotFound, "no such key: "+key)
			return
		}
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"key": key, "value": value, "served_by": version})
	case http.MethodPut:
		if !a.authorised(r) {
			writeError(w, http.StatusUnauthorized, "a valid bearer token is required to write")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxValueBytes))
		if err != nil {
			writeError(w, http.StatusRequestEntityTooLarge, "value: at most 64 KiB")
			return
		}
		if !json.Valid(body) {
			writeError(w, http.StatusBadRequest, "value: the body must be JSON")
			return
		}
		created, err := a.store.Put(key, json.RawMessage(body))
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		writeJSON(w, status, map[string]any{"key": key, "value": json.RawMessage(body)})
	case http.MethodDelete:
		if !a.authorised(r) {
			writeError(w, http.StatusUnauthorized, "a valid bearer token is required to write")
			return
		}
		err := a.store.Delete(key)
		if errors.Is(err, errNotFound) {
			writeError(w, http.StatusNotFound, "no such key: "+key)
			return
		}
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		writeError(w, http.StatusMethodNotAllowed, "use GET, PUT or DELETE")
	}
}

func (a *api) authorised(r *http.Request) bool {
	if a.token == "" {
		return true
	}
	given := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	return subtle.ConstantTimeCompare([]byte(given), []byte(a.token)) == 1
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("write response: %v", err)
	}
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// accessLog prints one line per request, except successful health checks (several a second).
func accessLog(next http.Handler, healthPath string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if r.URL.Path == healthPath && rec.status == http.StatusOK {
			return
		}
		log.Printf("%s %s %d %s", r.Method, r.URL.Path, rec.status, time.Since(start).Round(time.Microsecond))
	})
}
