// proxy is a tiny HTTP reverse proxy for the compose tests: it forwards every request to
// $UPSTREAM (host:port, a Docker network alias), resolving the alias for each request and trying
// each address in turn, so a request survives one replica going away during a start-first update
// (like a load balancer's "next upstream" retry). It answers /proxyz itself (its healthcheck).
// `proxy healthcheck` is an exec-form healthcheck for the scratch image.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

const attempts = 4

func main() {
	listen := ":" + env("PORT", "8080")
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		client := http.Client{Timeout: 2 * time.Second}
		resp, err := client.Get("http://127.0.0.1" + listen + "/proxyz")
		if err != nil || resp.StatusCode != http.StatusOK {
			os.Exit(1)
		}
		return
	}
	upstream := env("UPSTREAM", "app:8080")
	host, port, err := net.SplitHostPort(upstream)
	if err != nil {
		fmt.Fprintln(os.Stderr, "UPSTREAM must be host:port:", err)
		os.Exit(2)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/proxyz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { forward(w, r, host, port) })
	srv := &http.Server{Addr: listen, Handler: mux}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	fmt.Printf("proxy on %s -> %s\n", listen, upstream)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func env(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

// forward sends a body-less request upstream, trying every resolved address, a few rounds.
func forward(w http.ResponseWriter, r *http.Request, host, port string) {
	var lastErr error
	for round := 0; round < attempts; round++ {
		addrs, err := net.LookupHost(host)
		if err != nil {
			lastErr = err
			time.Sleep(100 * time.Millisecond)
			continue
		}
		for _, addr := range addrs {
			resp, err := once(r, net.JoinHostPort(addr, port))
			if err != nil {
				lastErr = err
				continue
			}
			defer resp.Body.Close()
			for key, values := range resp.Header {
				for _, value := range values {
					w.Header().Add(key, value)
				}
			}
			w.WriteHeader(resp.StatusCode)
			io.Copy(w, resp.Body)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	http.Error(w, "upstream failed: "+fmt.Sprint(lastErr), http.StatusBadGateway)
}

var transport = &http.Transport{
	DialContext:       (&net.Dialer{Timeout: 500 * time.Millisecond}).DialContext,
	DisableKeepAlives: true,
}

func once(r *http.Request, addr string) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	req, err := http.NewRequestWithContext(ctx, r.Method, "http://"+addr+r.URL.RequestURI(), nil)
	if err != nil {
		cancel()
		return nil, err
	}
	resp, err := transport.RoundTrip(req)
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.StatusCode >= 500 {
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("%s answered %d", addr, resp.StatusCode)
	}
	resp.Body = cancelOnClose{resp.Body, cancel}
	return resp, nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
