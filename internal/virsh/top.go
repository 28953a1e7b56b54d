package virsh

import (
	"flag"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"virtlxc/internal/rpc/proto"
)

func cmdTop() *CmdDef {
	return &CmdDef{
		Name: "top", Group: "monitor", Raw: true,
		Help: "live view of the containers' CPU, memory and I/O (like virt-top)",
		Desc: "Shows every running container with its CPU use (100% = one host CPU),\n" +
			"    memory used and its limit, block and network I/O rates and state,\n" +
			"    refreshed every few seconds. Keys: c, m, n, i, t, s choose the sort\n" +
			"    column, a toggles inactive domains, q quits. Short options work too:\n" +
			"    top -b -n 1, top -d 1 -o mem.",
		Opts: []OptDef{
			optBool("batch", "batch mode: print frames one after the other (-b)"),
			{Name: "iterations", Type: OptInt, NamedOnly: true, Help: "stop after this many frames (-n)"},
			{Name: "delay", Type: OptString, NamedOnly: true, Help: "seconds between frames, default 3 (-d)"},
			{Name: "sort", Type: OptString, NamedOnly: true, Help: "sort by cpu, mem, name, id, time or state (-o)"},
			optBool("all", "include inactive domains"),
		},
		Run: runTop,
	}
}

// topOptions are top's parsed options.
type topOptions struct {
	batch      bool
	iterations int
	delay      time.Duration
	sort       string
	all        bool
}

// ParseTopArgs parses top's options: long (--batch) or short (-b) forms.
func ParseTopArgs(args []string) (topOptions, error) {
	o := topOptions{sort: "cpu"}
	fs := flag.NewFlagSet("top", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	delay := "3"
	for _, n := range []string{"b", "batch"} {
		fs.BoolVar(&o.batch, n, false, "")
	}
	for _, n := range []string{"n", "iterations"} {
		fs.IntVar(&o.iterations, n, 0, "")
	}
	for _, n := range []string{"d", "delay"} {
		fs.StringVar(&delay, n, "3", "")
	}
	for _, n := range []string{"o", "sort"} {
		fs.StringVar(&o.sort, n, "cpu", "")
	}
	fs.BoolVar(&o.all, "all", false, "")
	if err := fs.Parse(args); err != nil {
		return o, cmdErrorf("top: %v", err)
	}
	if fs.NArg() > 0 {
		return o, cmdErrorf("unexpected data '%s'", fs.Arg(0))
	}
	secs, err := strconv.ParseFloat(delay, 64)
	if err != nil || secs <= 0 {
		return o, cmdErrorf("top: invalid delay '%s'", delay)
	}
	o.delay = time.Duration(secs * float64(time.Second))
	if o.iterations < 0 {
		return o, cmdErrorf("top: invalid number of iterations %d", o.iterations)
	}
	if !validSortKey(o.sort) {
		return o, cmdErrorf("top: unknown sort field '%s'", o.sort)
	}
	return o, nil
}

func runTop(s *Session, pc *ParsedCmd) error {
	o, err := ParseTopArgs(pc.Raw)
	if err != nil {
		return err
	}
	c := s.conn
	var node libvirt.NodeGetInfoRet
	if err := c.call(proto.ProcNodeGetInfo, nil, &node); err != nil {
		return failed(err, "failed to get node information")
	}
	interactive := !o.batch && s.Stdin != nil && term.IsTerminal(int(s.Stdin.Fd()))
	if f, ok := s.Stdout.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) {
		interactive = false
	}
	src := &statsSource{c: c}
	prev, err := src.sample(o.all)
	if err != nil {
		return err
	}
	hdr := TopHeader{URI: s.URI, HostCPUs: node.Cpus, HostKiB: node.Memory}
	if !interactive {
		// A short first interval so that even one frame shows rates.
		time.Sleep(min(o.delay, time.Second))
		for i := 0; o.iterations == 0 || i < o.iterations; i++ {
			if i > 0 {
				time.Sleep(o.delay)
			}
			cur, err := src.sample(o.all)
			if err != nil {
				return err
			}
			rows := ComputeRows(prev, cur)
			SortRows(rows, o.sort)
			hdr.Time, hdr.SortKey = cur.At, o.sort
			if i > 0 {
				s.print("\n")
			}
			s.print(RenderTop(hdr, rows))
			prev = cur
		}
		return nil
	}
	return s.topInteractive(src, prev, hdr, o)
}

// topInteractive redraws the view until q; keys change the sort order.
func (s *Session) topInteractive(src *statsSource, prev Sample, hdr TopHeader, o topOptions) error {
	fd := int(s.Stdin.Fd())
	saved, err := term.MakeRaw(fd)
	if err != nil {
		return cmdErrorf("unable to set tty attributes: %v", err)
	}
	restore := func() {
		term.Restore(fd, saved)
		s.print("\033[?25h")
	}
	defer restore()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT)
	defer func() {
		signal.Stop(sigs)
		close(sigs)
	}()
	go func() {
		if sig, ok := <-sigs; ok {
			restore()
			os.Exit(128 + int(sig.(syscall.Signal)))
		}
	}()
	s.print("\033[?25l")
	wait := min(o.delay, time.Second)
	for frame := 0; o.iterations == 0 || frame < o.iterations; frame++ {
		key, quit := readKey(fd, wait)
		if quit {
			return nil
		}
		for _, k := range SortKeys {
			if key == k.Key {
				o.sort = k.Name
			}
		}
		if key == 'a' {
			o.all = !o.all
		}
		cur, err := src.sample(o.all)
		if err != nil {
			return err
		}
		rows := ComputeRows(prev, cur)
		SortRows(rows, o.sort)
		hdr.Time, hdr.SortKey = cur.At, o.sort
		frameText := RenderTop(hdr, rows) + topHelpLine(o.delay)
		s.print("\033[H\033[2J" + toCRLF(frameText))
		prev = cur
		wait = o.delay
	}
	return nil
}

// readKey waits up to d for a key press; q (or ^C, ^D) asks to quit.
func readKey(fd int, d time.Duration) (byte, bool) {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, int(d/time.Millisecond))
	if err != nil || n == 0 {
		return 0, false
	}
	var b [16]byte
	m, err := unix.Read(fd, b[:])
	if err != nil || m <= 0 {
		return 0, m == 0
	}
	k := b[0]
	return k, k == 'q' || k == 'Q' || k == 3 || k == 4
}

// toCRLF turns newlines into CR LF for a terminal in raw mode.
func toCRLF(s string) string {
	out := make([]byte, 0, len(s)+len(s)/40)
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, '\r')
		}
		out = append(out, s[i])
	}
	return string(out)
}
