package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
)

// store keeps key/value pairs in one JSON file. Several replicas share the volume, so every
// operation takes an flock on a lock file beside it (shared to read, exclusive to write) and
// reads the file afresh; writes go to a temporary file renamed over the old one, so a crash
// never leaves half a file.
type store struct {
	path     string
	lockPath string
	mu       sync.Mutex // flock is per open file description; serialise this process's users too
}

var errNotFound = errors.New("not found")

func openStore(dir string) (*store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	s := &store{path: filepath.Join(dir, "kv.json"), lockPath: filepath.Join(dir, ".kv.lock")}
	// Proves the directory is writable before the port opens.
	if err := s.withLock(true, func() error {
		_, err := s.load()
		return err
	}); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *store) withLock(exclusive bool, fn func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.OpenFile(s.lockPath, os.O_CREATE|os.O_RDWR, 0o640)
	if err != nil {
		return err
	}
	defer f.Close()
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(f.Fd()), how); err != nil {
		return fmt.Errorf("lock %s: %w", s.lockPath, err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN) //nolint:errcheck
	return fn()
}

func (s *store) load() (map[string]json.RawMessage, error) {
	data := map[string]json.RawMessage{}
	raw, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return data, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &data); err != nil {
		return nil, fmt.Errorf("%s: %w", s.path, err)
	}
	return data, nil
}

func (s *store) save(data map[string]json.RawMessage) error {
	raw, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".kv-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(append(raw, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), s.path)
}

func (s *store) Keys() ([]string, error) {
	var keys []string
	err := s.withLock(false, func() error {
		data, err := s.load()
		for k := range data {
			keys = append(keys, k)
		}
		return err
	})
	sort.Strings(keys)
	return keys, err
}

func (s *store) Get(key string) (json.RawMessage, error) {
	var value json.RawMessage
	err := s.withLock(false, func() error {
		data, err := s.load()
		if err != nil {
			return err
		}
		v, ok := data[key]
		if !ok {
			return errNotFound
		}
		value = v
		return nil
	})
	return value, err
}

// Put stores value under key and reports whether the key is new.
func (s *store) Put(key string, value json.RawMessage) (bool, error) {
	created := false
	err := s.withLock(true, func() error {
		data, err := s.load()
		if err != nil {
			return err
		}
		_, exists := data[key]
		created = !exists
		data[key] = value
		return s.save(data)
	})
	return created, err
}

func (s *store) Delete(key string) error {
	return s.withLock(true, func() error {
		data, err := s.load()
		if err != nil {
			return err
		}
		if _, ok := data[key]; !ok {
			return errNotFound
		}
		delete(data, key)
		return s.save(data)
	})
}

// Healthy checks the health of the data directory: the lock can be taken and the file parsed.
func (s *store) Healthy() error {
	return s.withLock(false, func() error {
		_, err := s.load()
		return err
	})
}
