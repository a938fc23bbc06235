package vafront

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Server is a Front listening on a loopback port.
type Server struct {
	// URL is the front's base URL (what AWS_ENDPOINT_URL points at).
	URL   string
	Front *Front

	srv  *http.Server
	done chan error
}

// Start serves a new Front on addr ("" = 127.0.0.1 with a free port).
func Start(opts Options, addr string) (*Server, error) {
	f, err := New(opts)
	if err != nil {
		return nil, err
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{
		URL:   "http://" + ln.Addr().String(),
		Front: f,
		srv:   &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second},
		done:  make(chan error, 1),
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	if opts := f.opts; opts.SchedulerInterval > 0 {
		f.StartScheduler(opts.SchedulerInterval)
	}
	return s, nil
}

// ControlURL is the control API base (ZT_SANDBOX_CONTROL_URL).
func (s *Server) ControlURL() string { return s.URL + "/_sandbox" }

// Control returns a client of this server's control API.
func (s *Server) Control() *Control { return &Control{URL: s.ControlURL()} }

// Close shuts the listener down, waiting up to 5s for requests in flight.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.Front.StopScheduler()
	err := s.srv.Shutdown(ctx)
	if serveErr := <-s.done; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return err
}
