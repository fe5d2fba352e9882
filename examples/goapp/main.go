// goapp is the sample application the go_app role deploys: a small key/value JSON API whose data
// lives in one JSON file on a volume, built with the Go standard library only.
//
//	goapp [serve]       serve HTTP on $LISTEN_ADDR (default :8080)
//	goapp healthcheck   exit 0 when $HEALTH_PATH answers 200: an exec healthcheck for shell-less images
//	goapp version       print the version stamped at build time (-ldflags "-X main.version=...")
//
// Configuration comes from the environment (see README.md). Secrets are read from files
// (API_TOKEN_FILE), never from variables, so they do not show up in `docker inspect`.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Set with -ldflags "-X main.version=1.2.3 -X main.commit=abc123".
var (
	version = "dev"
	commit  = "unknown"
)

type config struct {
	listenAddr    string
	dataDir       string
	healthPath    string
	apiTokenFile  string
	shutdownGrace time.Duration
	fault         string // test fault injection: "unready" never opens the port
}

func loadConfig() (config, error) {
	c := config{
		listenAddr:   envOr("LISTEN_ADDR", ":8080"),
		dataDir:      envOr("DATA_DIR", "/data"),
		healthPath:   envOr("HEALTH_PATH", "/healthz"),
		apiTokenFile: os.Getenv("API_TOKEN_FILE"),
		fault:        os.Getenv("GOAPP_FAULT"),
	}
	grace, err := time.ParseDuration(envOr("SHUTDOWN_GRACE", "10s"))
	if err != nil {
		return c, fmt.Errorf("SHUTDOWN_GRACE: %v", err)
	}
	c.shutdownGrace = grace
	if !strings.HasPrefix(c.healthPath, "/") {
		return c, fmt.Errorf("HEALTH_PATH: must start with /, got %q", c.healthPath)
	}
	if c.fault != "" && c.fault != "unready" {
		return c, fmt.Errorf("GOAPP_FAULT: unknown fault %q (known: unready)", c.fault)
	}
	return c, nil
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func main() {
	log.SetFlags(log.LstdFlags | log.LUTC)
	cmd := "serve"
	if len(os.Args) > 1 {
		cmd = os.Args[1]
	}
	cfg, err := loadConfig()
	if err != nil {
		log.Fatalf("config: %v", err)
	}
	switch cmd {
	case "serve":
		if err := serve(cfg); err != nil {
			log.Fatal(err)
		}
	case "healthcheck":
		os.Exit(healthcheck(cfg))
	case "version":
		fmt.Printf("%s (%s)\n", version, commit)
	default:
		fmt.Fprintf(os.Stderr, "usage: %s [serve|healthcheck|version]\n", os.Args[0])
		os.Exit(2)
	}
}

// healthcheck asks the running server for its health path over loopback.
func healthcheck(cfg config) int {
	_, port, err := net.SplitHostPort(cfg.listenAddr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "LISTEN_ADDR: %v\n", err)
		return 1
	}
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://127.0.0.1:" + port + cfg.healthPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "unhealthy: %v\n", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(os.Stderr, "unhealthy: %s answered %d\n", cfg.healthPath, resp.StatusCode)
		return 1
	}
	return 0
}

func serve(cfg config) error {
	store, err := openStore(cfg.dataDir)
	if err != nil {
		return fmt.Errorf("data store: %w", err)
	}
	token, err := readToken(cfg.apiTokenFile)
	if err != nil {
		return fmt.Errorf("API_TOKEN_FILE: %w", err)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)

	if cfg.fault == "unready" {
		// Never opening the port makes the healthcheck fail and lets a proxy's connection attempt
		// fail fast, so traffic stays on the healthy replicas: what a broken release looks like.
		log.Printf("goapp %s: GOAPP_FAULT=unready, not serving", version)
		<-stop
		return nil
	}

	host, _ := os.Hostname()
	app := &api{store: store, token: token, healthPath: cfg.healthPath, hostname: host}
	// Listen before logging "ready": the port is open only once the store is usable.
	ln, err := net.Listen("tcp", cfg.listenAddr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           app.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	done := make(chan error, 1)
	go func() {
		sig := <-stop
		// Shutdown closes the listener at once (new connections are refused, so a proxy retries
		// them elsewhere) and waits for the requests in flight.
		log.Printf("%s: shutting down (grace %s)", sig, cfg.shutdownGrace)
		ctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownGrace)
		defer cancel()
		done <- srv.Shutdown(ctx)
	}()
	log.Printf("goapp %s (%s) ready on %s, data in %s", version, commit, cfg.listenAddr, cfg.dataDir)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return <-done
}

func readToken(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	token := strings.TrimSpace(string(raw))
	if token == "" {
		return "", errors.New("the file is empty")
	}
	return token, nil
}
