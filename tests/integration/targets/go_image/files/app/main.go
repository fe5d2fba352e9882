// gsimgapp: a tiny server for the go_image test. GET / answers "uid=<uid> gid=<gid> user=<name>",
// `gsimgapp healthcheck` exits 0 when the server answers. Uses only net and os/user (quick to compile).
package main

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"os/user"
	"syscall"
	"time"
)

func identity() string {
	name := "?"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return fmt.Sprintf("uid=%d gid=%d user=%s", os.Getuid(), os.Getgid(), name)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		conn, err := net.DialTimeout("tcp", "127.0.0.1:8080", 2*time.Second)
		if err != nil {
			os.Exit(1)
		}
		conn.Close()
		return
	}
	listener, err := net.Listen("tcp", ":8080")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() { <-stop; os.Exit(0) }()
	for {
		conn, err := listener.Accept()
		if err != nil {
			continue
		}
		go func(c net.Conn) {
			defer c.Close()
			c.SetDeadline(time.Now().Add(2 * time.Second))
			buf := make([]byte, 1024)
			c.Read(buf)
			body := identity() + "\n"
			fmt.Fprintf(c, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		}(conn)
	}
}
