package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"siyu.dev/siyu/server"
	"siyu.dev/siyu/wecom"
	"siyu.dev/siyu/wecomsync"
)

// The server runs in a process of its own (this program, started again
// with -serve) so that its peak RSS and CPU time are its own, not the load
// generator's, and the generator's garbage does not make the server's GC
// work. Inside that process it is the real server.New + Serve.

// serve is the server process: it prints its address on stdout and serves
// until SIGTERM.
func serve(dsn string, seed uint64, workers bool, wecomPerMinute int) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := openStore(ctx, dsn, seed)
	if err != nil {
		return err
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	cfg := server.Config{Store: st, Logger: log}
	if wecomPerMinute > 0 {
		cfg.WeCom = wecomsync.New(st, wecomsync.Options{Logger: log, Limiter: wecom.NewTokenBucket(wecom.TokenBucketConfig{PerMinute: wecomPerMinute})})
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println("http://" + ln.Addr().String())
	if workers {
		srv.RunWorkers(ctx)
	}
	return srv.Serve(ctx, ln)
}

// serverProc is the running server process.
type serverProc struct {
	cmd  *exec.Cmd
	base string
	done chan error
}

func startServer(dsn string, seed uint64, workers bool, wecomPerMinute int) (*serverProc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-serve", "-seed", strconv.FormatUint(seed, 10), "-workers="+strconv.FormatBool(workers),
		"-wecom-per-minute", strconv.Itoa(wecomPerMinute))
	// The DSN travels in the environment, not in the process list.
	cmd.Env = append(os.Environ(), "LOADTEST_DSN="+dsn)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &serverProc{cmd: cmd, done: make(chan error, 1)}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("server process did not start: %w", err)
	}
	p.base = strings.TrimSpace(line)
	go func() { p.done <- cmd.Wait() }()
	for i := 0; ; i++ {
		resp, err := http.Get(p.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		if i == 100 {
			p.stop()
			return nil, fmt.Errorf("server at %s not healthy: %v", p.base, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *serverProc) stop() error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return fmt.Errorf("server process: %w", err)
		}
		return err
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		return errors.New("server process did not stop in 20 s; killed")
	}
}

// resetPeak resets the process's peak RSS (Linux clear_refs).
func (p *serverProc) resetPeak() {
	os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.cmd.Process.Pid), []byte("5"), 0)
}

// peakRSSMB is the process's peak RSS since the last reset (VmHWM), 0 where
// /proc is not available.
func (p *serverProc) peakRSSMB() int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return kb / 1024
		}
	}
	return 0
}

// cpu is the process's user + system CPU time so far. /proc counts it in
// clock ticks, 100 a second on Linux.
func (p *serverProc) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The command name may contain spaces; the fields after it do not.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// quiesce waits, up to limit, until the server process is idle (under 5% of
// a core over 200 ms), so that requests a run gave up on do not run into
// the next one. It returns how long it waited.
func (p *serverProc) quiesce(limit time.Duration) time.Duration {
	start := time.Now()
	for time.Since(start) < limit {
		c0 := p.cpu()
		time.Sleep(200 * time.Millisecond)
		if p.cpu()-c0 <= 10*time.Millisecond {
			break
		}
	}
	return time.Since(start)
}
