// testapp is the small static program behind the collection's test images.
// It serves HTTP on $PORT (default 8080): /healthz (503 when the file $UNHEALTHY_FILE
// exists or $UNHEALTHY is set), /version, /env; prints its environment at start;
// and exits quickly on SIGTERM, as PID 1 in a scratch image must.
// `testapp healthcheck [url]` is an exec-form healthcheck for images without a shell.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"
)

var version = "dev"

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		url := "http://127.0.0.1:" + port + "/healthz"
		if len(os.Args) > 2 {
			url = os.Args[2]
		}
		client := http.Client{Timeout: 3 * time.Second}
		resp, err := client.Get(url)
		if err != nil || resp.StatusCode != http.StatusOK {
			fmt.Fprintln(os.Stderr, "unhealthy:", err)
			os.Exit(1)
		}
		fmt.Println("healthy")
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "env" {
		printEnv()
		return
	}
	printEnv()
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if os.Getenv("UNHEALTHY") != "" || fileExists(os.Getenv("UNHEALTHY_FILE")) {
			http.Error(w, "unhealthy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/version", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, version)
	})
	mux.HandleFunc("/env", func(w http.ResponseWriter, r *http.Request) {
		for _, kv := range sortedEnv() {
			fmt.Fprintln(w, kv)
		}
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		host, _ := os.Hostname()
		fmt.Fprintf(w, "testapp %s on %s\n", version, host)
	})
	srv := &http.Server{Addr: ":" + port, Handler: mux}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	fmt.Printf("testapp %s listening on :%s\n", version, port)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func fileExists(path string) bool {
	if path == "" {
		return false
	}
	_, err := os.Stat(path)
	return err == nil
}

func sortedEnv() []string {
	env := os.Environ()
	sort.Strings(env)
	return env
}

func printEnv() {
	for _, kv := range sortedEnv() {
		if strings.HasPrefix(kv, "HOSTNAME=") {
			continue
		}
		fmt.Println("ENV " + kv)
	}
}
