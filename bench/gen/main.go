// Command gen writes a realistic order file for load tests and imports: the
// orders of the demo brand 木棉集, with its skew (most customers buy once, a
// few buy a lot), seasonality, masked phones and cross-channel buyers.
//
//	go run ./bench/gen -customers 100000 -orders 1000000 -seed 1 -format generic -out orders.csv
//
// The same flags always give the same file. Progress goes to stderr.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/demo"
	"siyu.dev/siyu/orderfile"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	customers int
	orders    int
	seed      int64
	format    string
	out       string
	now       time.Time
	years     int
	progress  time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	var now string
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.customers, "customers", 100_000, "number of customers")
	fs.IntVar(&o.orders, "orders", 0, "about how many orders to write (0: the natural rate, about 1.7 per customer)")
	fs.Int64Var(&o.seed, "seed", 1, "random seed; the same seed gives the same file")
	fs.StringVar(&o.format, "format", "generic", "file format: generic (UTF-8 CSV, every channel) or taobao (GBK Taobao/Tmall report)")
	fs.StringVar(&o.out, "out", "-", "output file (- for stdout)")
	fs.StringVar(&now, "now", "", "end of the simulated period, 2006-01-02 or RFC 3339 (default: today 00:00 China time)")
	fs.IntVar(&o.years, "years", 2, "years of orders before -now")
	fs.DurationVar(&o.progress, "progress", time.Second, "how often to report progress on stderr (0: never)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case o.customers <= 0 || o.customers > demo.MaxCustomers:
		return o, fmt.Errorf("-customers must be 1..%d", demo.MaxCustomers)
	case o.orders < 0:
		return o, errors.New("-orders must not be negative")
	case o.years <= 0:
		return o, errors.New("-years must be positive")
	case o.format != "generic" && o.format != "taobao":
		return o, fmt.Errorf("-format %q: want generic or taobao", o.format)
	}
	var err error
	if o.now, err = parseNow(now); err != nil {
		return o, fmt.Errorf("-now: %v", err)
	}
	return o, nil
}

func parseNow(s string) (time.Time, error) {
	if s == "" {
		y, m, d := time.Now().In(siyu.Shanghai).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, siyu.Shanghai), nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, siyu.Shanghai); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, fmt.Errorf("%q is neither 2006-01-02 nor RFC 3339", s)
	}
	return t, nil
}

func run(args []string, stdout, stderr io.Writer) (err error) {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	var out io.Writer = stdout
	if opts.out != "-" {
		f, err := os.Create(opts.out)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}()
		out = f
	}
	bw := bufio.NewWriterSize(out, 1<<20)

	cfg := demo.Config{Seed: opts.seed, Customers: opts.customers, Now: opts.now, Years: opts.years}
	if opts.format == "taobao" {
		cfg.Channels = []siyu.Channel{siyu.ChannelTmall, siyu.ChannelTaobao}
	}
	if opts.orders > 0 {
		cfg.OrdersPerCustomer = float64(opts.orders) / float64(opts.customers)
	}

	p := startProgress(stderr, opts.progress)
	if opts.format == "taobao" {
		err = writeTaobao(bw, cfg, opts.orders, p)
	} else {
		err = writeGeneric(bw, cfg, opts.orders, p)
	}
	p.stop()
	if err != nil {
		return err
	}
	return bw.Flush()
}

// errEnough stops the stream once the requested number of orders is written.
var errEnough = errors.New("enough orders")

// writeGeneric writes every order in the generic format. limit > 0 stops
// after that many.
func writeGeneric(w io.Writer, cfg demo.Config, limit int, p *progress) error {
	gw := orderfile.NewGenericWriter(w)
	err := demo.Stream(cfg, func(o siyu.OrderInput) error {
		if limit > 0 && p.count() >= limit {
			return errEnough
		}
		if len(o.Items) > 1 {
			// The generic format has one item per row; an order of several
			// items keeps its amount and loses its lines.
			o.Items = nil
		}
		if err := gw.Write(o); err != nil {
			return err
		}
		p.add(1)
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return err
	}
	return gw.Flush()
}
