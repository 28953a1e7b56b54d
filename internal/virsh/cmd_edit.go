package virsh

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/term"

	"virtlxc/internal/virerr"
)

func cmdEdit() *CmdDef {
	return &CmdDef{
		Name: "edit", Group: "domain",
		Help: "edit XML configuration for a domain",
		Desc: "Edit the XML configuration for a domain.",
		Opts: []OptDef{
			optDomainFull(),
			optBool("skip-validate", "skip validation of the XML against the schema"),
		},
		Run: func(s *Session, pc *ParsedCmd) error {
			dom, err := s.domainArg(pc, byAny)
			if err != nil {
				return err
			}
			flags := uint32(defineValidate)
			if pc.Bool("skip-validate") {
				flags = 0
			}
			e := &editor{
				get: func() (string, error) { return s.conn.domainXML(dom, xmlSecure|xmlInactive) },
				define: func(doc string) (string, error) {
					d, err := s.conn.defineDomain(doc, flags)
					return d.Name, err
				},
				relax:      func() { flags &^= defineValidate },
				name:       dom.Name,
				notChanged: "Domain '%s' XML configuration not changed.\n",
				edited:     "Domain '%s' XML configuration edited.\n",
			}
			return e.run(s)
		},
	}
}

// editor is one "edit" round as virsh-edit.c runs it: get fetches the
// object's XML, define redefines it from the edited text and returns the
// name to report, relax (nil when the command has none) drops the define's
// validation, and notChanged / edited are the messages printed with the
// object's name.
type editor struct {
	get        func() (string, error)
	define     func(doc string) (string, error)
	relax      func()
	name       string
	notChanged string
	edited     string
}

// run writes the XML to a temporary file, starts the user's editor on it
// and redefines the object from what it leaves there. A refused definition
// or one changed meanwhile asks whether to edit again when stdin is a
// terminal; otherwise it fails with the server's error (virsh 9.0 then
// reports success for a "(null)" domain).
func (e *editor) run(s *Session) error {
	doc, err := e.get()
	if err != nil {
		return err
	}
	tmp, err := writeEditFile(s, doc)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	relaxAvail := e.relax != nil
	var edited string
	for edit := true; ; {
		if edit {
			if err := runEditor(s, tmp); err != nil {
				return err
			}
			b, err := readBack(tmp)
			if err != nil {
				return err
			}
			if edited = b; edited == doc {
				s.printExtra(e.notChanged, e.name)
				return nil
			}
		}
		msg := ""
		reread, err := e.get()
		if err != nil {
			return err
		}
		var defErr error
		if reread != doc {
			msg = "The XML configuration was changed by another user."
			doc = reread
		} else {
			var name string
			if name, defErr = e.define(edited); defErr == nil {
				s.printExtra(e.edited, name)
				return nil
			}
			msg = "Failed."
		}
		switch askReedit(s, msg, relaxAvail, defErr) {
		case 'y':
			edit = true
		case 'f':
			edit = false
		case 'i':
			e.relax()
			relaxAvail, edit = false, false
		case 'n':
			return silentFailure()
		default:
			return &CmdError{Lines: append(errorLines(defErr), msg), cause: defErr}
		}
	}
}

// readBack reads the edited file as virsh's vshEditReadBackFile: its own
// line, then virFileReadAll's.
func readBack(path string) (string, error) {
	doc, err := readXMLFile(path)
	if err == nil {
		return doc, nil
	}
	why := "File too large"
	if _, serr := os.Stat(path); serr != nil {
		why = virerr.Strerror(serr)
	}
	return "", &CmdError{Lines: append([]string{fmt.Sprintf("%s: failed to read temporary file: %s", path, why)}, errorLines(err)...)}
}

// editTempChars are the characters of mkstemp's XXXXXX.
const editTempChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// writeEditFile writes doc to a new $TMPDIR/virshXXXXXX.xml, mode 0600, as
// virsh's vshEditWriteToTempFile, and returns its name.
func writeEditFile(s *Session, doc string) (string, error) {
	dir := "/tmp"
	if v, ok := s.lookupEnv("TMPDIR"); ok {
		dir = v
	}
	var f *os.File
	var err error
	for range 100 {
		var r [6]byte
		rand.Read(r[:])
		for i := range r {
			r[i] = editTempChars[int(r[i])%len(editTempChars)]
		}
		f, err = os.OpenFile(filepath.Join(dir, "virsh"+string(r[:])+".xml"), os.O_RDWR|os.O_CREATE|os.O_EXCL|syscall.O_CLOEXEC, 0o600)
		if !errors.Is(err, os.ErrExist) {
			break
		}
	}
	if err != nil {
		return "", cmdErrorf("g_mkstemp_full: failed to create temporary file: %s", virerr.Strerror(err))
	}
	name := dir + "/" + filepath.Base(f.Name())
	if _, err := io.WriteString(f, doc); err != nil {
		f.Close()
		os.Remove(name)
		return "", cmdErrorf("write: %s: failed to write to temporary file: %s", name, virerr.Strerror(err))
	}
	if err := f.Close(); err != nil {
		os.Remove(name)
		return "", cmdErrorf("close: %s: failed to write or close temporary file: %s", name, virerr.Strerror(err))
	}
	return name, nil
}

// editorSafeChars are the characters virsh runs an editor command with
// directly; anything else goes through sh -c.
const editorSafeChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:@/"

func onlySafe(s string) bool { return strings.Trim(s, editorSafeChars) == "" }

// defaultEditor is the editor without $VISUAL or $EDITOR: Debian's virsh
// is built with sensible-editor (its DEFAULT_EDITOR), libvirt's own
// default is vi; sensible-editor where it is installed, else vi.
func defaultEditor() string {
	if _, err := exec.LookPath("sensible-editor"); err == nil {
		return "sensible-editor"
	}
	return "vi"
}

// runEditor runs $VISUAL, $EDITOR or defaultEditor on file, on the
// session's terminal, as virsh's vshEditFile: directly when the editor's
// text is a plain word, else through sh -c (and then only with a tame file
// name). Its failures read as libvirt's virCommand reports them.
func runEditor(s *Session, file string) error {
	ed, ok := s.lookupEnv("VISUAL")
	if !ok {
		if ed, ok = s.lookupEnv("EDITOR"); !ok {
			ed = defaultEditor()
		}
	}
	argv := []string{ed, file}
	if !onlySafe(ed) {
		if !onlySafe(file) {
			return cmdErrorf("%s: temporary filename contains shell meta or other unacceptable characters (is $TMPDIR wrong?)", file)
		}
		argv = []string{"sh", "-c", ed + " " + file}
	}
	prog := argv[0]
	if !strings.Contains(prog, "/") {
		p, err := exec.LookPath(prog)
		if err != nil || prog == "" {
			return virerr.New(virerr.ErrSystemError, virerr.FromNone, "Cannot find '%s' in path: No such file or directory", prog)
		}
		prog = p
	}
	cmd := &exec.Cmd{Path: prog, Args: argv, Stdin: s.Stdin, Stdout: s.Stdout, Stderr: s.Stderr}
	desc := commandString(argv)
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return virerr.New(virerr.ErrInternalError, virerr.FromNone, "Child process (%s) unexpected fatal signal %d", desc, int(ws.Signal()))
		}
		return virerr.New(virerr.ErrInternalError, virerr.FromNone, "Child process (%s) unexpected exit status %d", desc, ee.ExitCode())
	default:
		// libvirt's child reports a failed exec itself and exits 127.
		var errno syscall.Errno
		errors.As(err, &errno)
		fmt.Fprintf(s.Stderr, "libvirt:  error : cannot execute binary %s: %s\n", argv[0], virerr.Strerror(errno))
		return virerr.New(virerr.ErrInternalError, virerr.FromNone, "Child process (%s) unexpected exit status 127", desc)
	}
}

// commandString renders argv as libvirt's virCommandToString: words with
// shell metacharacters in single quotes.
func commandString(argv []string) string {
	words := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && !strings.ContainsAny(a, "\r\t\n !\"#$&'()*;<>?[\\]^`{|}~") {
			words[i] = a
			continue
		}
		words[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(words, " ")
}

// askReedit asks, on a terminal, whether to edit again after msg (virsh's
// vshAskReedit): 'y' edit again, 'n' give up, 'f' define again, 'i' define
// without validation (when relax is offered). It first prints the
// server's error. Without a terminal it returns -1.
func askReedit(s *Session, msg string, relax bool, cause error) int {
	if s.Stdin == nil || !term.IsTerminal(int(s.Stdin.Fd())) {
		return -1
	}
	for _, l := range errorLines(cause) {
		fmt.Fprintf(s.Stderr, "error: %s\n", l)
	}
	fd := int(s.Stdin.Fd())
	saved, err := term.MakeRaw(fd)
	if err != nil {
		return -1
	}
	choices := "[y,n,f,?]"
	if relax {
		choices = "[y,n,i,f,?]"
	}
	c := -1
	for {
		fmt.Fprintf(s.Stdout, "\r%s Try again? %s: ", msg, choices)
		var b [1]byte
		if n, _ := s.Stdin.Read(b[:]); n == 0 {
			c = 'n' // end of input: virsh would ask forever
			break
		}
		c = int(strings.ToLower(string(b[:]))[0])
		if c == '?' {
			lines := []string{"", "y - yes, start editor again", "n - no, throw away my changes"}
			if relax {
				lines = append(lines, "i - turn off validation and try to redefine again")
			}
			lines = append(lines, "f - force, try to redefine again", "? - print this help")
			for _, l := range lines {
				fmt.Fprintf(s.Stdout, "%s\r\n", l)
			}
			continue
		}
		if c == 'y' || c == 'n' || c == 'f' || (relax && c == 'i') {
			break
		}
	}
	term.Restore(fd, saved)
	fmt.Fprint(s.Stdout, "\r\n")
	return c
}
