package virsh

import (
	"fmt"
	"os"
	"strings"

	libvirt "github.com/digitalocean/go-libvirt"
	"golang.org/x/sys/unix"

	"virtlxc/internal/rpc/proto"
	"virtlxc/internal/rpc/wire"
	"virtlxc/internal/virerr"
)

// maxXMLFile is virsh's VSH_MAX_XML_FILE.
const maxXMLFile = 10 * 1024 * 1024

// Domain start and define flags (virDomainCreateFlags, virDomainDefineFlags).
const (
	startPaused      = 1
	startAutodestroy = 2
	startBypassCache = 4
	startForceBoot   = 8
	startValidate    = 16
	startResetNVRAM  = 32
	defineValidate   = 1
)

// readXMLFile reads a domain description as virsh's virFileReadAll.
func readXMLFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", cmdErrorf("Failed to open file '%s': %s", path, virerr.Strerror(err))
	}
	defer f.Close()
	buf := make([]byte, maxXMLFile+1)
	n := 0
	for n < len(buf) {
		m, err := f.Read(buf[n:])
		n += m
		if err != nil {
			break
		}
	}
	if n > maxXMLFile {
		return "", cmdErrorf("File '%s' is too large", path)
	}
	return string(buf[:n]), nil
}

// sysErrText is the strerror text of a system error.
// fileArg reads the command's --file XML document; it returns the file's
// name too, for messages.
func fileArg(pc *ParsedCmd) (from, xml string, err error) {
	if from, _, err = pc.String("file"); err != nil {
		return "", "", err
	}
	xml, err = readXMLFile(from)
	return from, xml, err
}

func cmdDefine() *CmdDef {
	return &CmdDef{
		Name: "define", Group: "domain",
		Help: "define (but don't start) a domain from an XML file",
		Desc: "Define a domain.",
		Opts: []OptDef{
			optFile("file containing an XML domain description"),
			optBool("validate", "validate the XML against the schema"),
		},
		Run: runDefine,
	}
}

func runDefine(s *Session, pc *ParsedCmd) error {
	from, xml, err := fileArg(pc)
	if err != nil {
		return err
	}
	var flags uint32
	if pc.Bool("validate") {
		flags = defineValidate
	}
	dom, err := s.conn.defineDomain(xml, flags)
	if err != nil {
		return failed(err, "Failed to define domain from %s", from)
	}
	s.printExtra("Domain '%s' defined from %s\n", dom.Name, from)
	return nil
}

// defineDomain defines a domain as virsh's virshDomainDefine: with flags
// through DefineXMLFlags, falling back to DefineXML when the server lacks
// it and validation is the only flag.
func (c *Conn) defineDomain(xml string, flags uint32) (libvirt.Domain, error) {
	if flags == 0 {
		var ret libvirt.DomainDefineXMLRet
		err := c.call(proto.ProcDomainDefineXML, &libvirt.DomainDefineXMLArgs{XML: xml}, &ret)
		return ret.Dom, err
	}
	var ret libvirt.DomainDefineXMLFlagsRet
	err := c.call(proto.ProcDomainDefineXMLFlags, &libvirt.DomainDefineXMLFlagsArgs{XML: xml, Flags: libvirt.DomainDefineFlags(flags)}, &ret)
	if isNoSupport(err) && flags == defineValidate {
		return c.defineDomain(xml, 0)
	}
	return ret.Dom, err
}

// Undefine flags (virDomainUndefineFlagsValues).
const (
	undefineManagedSave         = 1
	undefineSnapshotsMetadata   = 2
	undefineNVRAM               = 4
	undefineKeepNVRAM           = 8
	undefineCheckpointsMetadata = 16
	undefineTPM                 = 32
	undefineKeepTPM             = 64
)

func cmdUndefine() *CmdDef {
	return &CmdDef{
		Name: "undefine", Group: "domain",
		Help: "undefine a domain",
		Desc: "Undefine an inactive domain, or convert persistent to transient.",
		Opts: []OptDef{
			optDomainFull(),
			optBool("managed-save", "remove domain managed state file"),
			{Name: "storage", Type: OptString, Help: "remove associated storage volumes (comma separated list of targets or source paths) (see domblklist)"},
			optBool("remove-all-storage", "remove all associated storage volumes (use with caution)"),
			optBool("delete-storage-volume-snapshots", "delete snapshots associated with volume(s), requires --remove-all-storage (must be supported by storage driver)"),
			optBool("wipe-storage", "wipe data on the removed volumes"),
			optBool("snapshots-metadata", "remove all domain snapshot metadata (vm must be inactive)"),
			optBool("checkpoints-metadata", "remove all domain checkpoint metadata (vm must be inactive)"),
			optBool("nvram", "remove nvram file"),
			optBool("keep-nvram", "keep nvram file"),
			optBool("tpm", "remove TPM state"),
			optBool("keep-tpm", "keep TPM state"),
		},
		Run: runUndefine,
	}
}

func runUndefine(s *Session, pc *ParsedCmd) error {
	if pc.Bool("delete-storage-volume-snapshots") && !pc.Bool("remove-all-storage") {
		return cmdErrorf("Option --remove-all-storage is required by option --delete-storage-volume-snapshots")
	}
	for _, pair := range [][2]string{{"nvram", "keep-nvram"}, {"tpm", "keep-tpm"}} {
		if err := pc.Exclusive(pair[0], pair[1]); err != nil {
			return err
		}
	}
	storage, hasStorage, _ := pc.String("storage")
	if pc.Bool("wipe-storage") && !hasStorage && !pc.Bool("remove-all-storage") {
		return cmdErrorf("'--wipe-storage' requires '--storage <string>' or '--remove-all-storage'")
	}
	flags := uint32(0)
	for name, bit := range map[string]uint32{
		"managed-save": undefineManagedSave, "snapshots-metadata": undefineSnapshotsMetadata,
		"checkpoints-metadata": undefineCheckpointsMetadata, "nvram": undefineNVRAM,
		"keep-nvram": undefineKeepNVRAM, "tpm": undefineTPM, "keep-tpm": undefineKeepTPM,
	} {
		if pc.Bool(name) {
			flags |= bit
		}
	}
	name, _, _ := pc.String("domain")
	dom, err := s.domainArg(pc, byAny)
	if err != nil {
		return err
	}
	c := s.conn
	var active libvirt.DomainIsActiveRet
	if err := c.call(proto.ProcDomainIsActive, &libvirt.DomainIsActiveArgs{Dom: dom}, &active); err != nil {
		return err
	}
	if active.Active == 0 {
		var ms libvirt.DomainHasManagedSaveImageRet
		err := c.call(proto.ProcDomainHasManagedSaveImage, &libvirt.DomainHasManagedSaveImageArgs{Dom: dom}, &ms)
		if err != nil && !isNoSupport(err) {
			return err
		}
		if ms.Result == 0 {
			flags &^= undefineManagedSave
		}
		var sn libvirt.DomainSnapshotNumRet
		err = c.call(proto.ProcDomainSnapshotNum, &libvirt.DomainSnapshotNumArgs{Dom: dom}, &sn)
		if err != nil && !isNoSupport(err) {
			return err
		}
		if sn.Num == 0 {
			flags &^= undefineSnapshotsMetadata
		}
	} else {
		flags &^= undefineManagedSave | undefineSnapshotsMetadata
	}
	if hasStorage {
		// Containers have no storage volumes to remove.
		target := strings.Split(storage, ",")[0]
		return cmdErrorf("Volume '%s' was not found in domain's definition.\n", target)
	}
	err = c.call(proto.ProcDomainUndefineFlags, &libvirt.DomainUndefineFlagsArgs{Dom: dom, Flags: libvirt.DomainUndefineFlagsValues(flags)}, nil)
	if err != nil && flags&undefineNVRAM == 0 && (isNoSupport(err) || libvirtCode(err) == virerr.ErrInvalidArg) {
		err = c.call(proto.ProcDomainUndefine, &libvirt.DomainUndefineArgs{Dom: dom}, nil)
	}
	if err != nil {
		return failed(err, "Failed to undefine domain '%s'", name)
	}
	s.printExtra("Domain '%s' has been undefined\n", name)
	return nil
}

// passFDs parses --pass-fds N,M,... as virsh's virshFetchPassFdsList and
// returns the files to send.
func passFDs(pc *ParsedCmd) ([]*os.File, error) {
	o, ok := pc.find("pass-fds")
	if !ok || o.data == "" {
		return nil, nil
	}
	parts := strings.Split(o.data, ",")
	var files []*os.File
	for _, p := range parts {
		fd, err := ParseInt(p)
		if err != nil {
			// virsh names the first element here, whichever failed.
			return nil, cmdErrorf("Unable to parse FD number '%s'", parts[0])
		}
		files = append(files, os.NewFile(uintptr(fd), fmt.Sprintf("fd%d", fd)))
	}
	return files, nil
}

// checkFDs reports libvirt's error for an fd that cannot be sent.
func checkFDs(files []*os.File) error {
	for _, f := range files {
		if _, err := unix.FcntlInt(f.Fd(), unix.F_GETFD, 0); err != nil {
			return virerr.New(virerr.ErrSystemError, virerr.FromNone, "Cannot duplicate FD %d: %s", f.Fd(), virerr.Strerror(err))
		}
	}
	return nil
}

// callWithFiles makes a CALL_WITH_FDS after checking the server supports
// fd passing, as libvirt's client does.
func (c *Conn) callWithFiles(proc uint32, args any, files []*os.File, ret any) error {
	ok, err := c.supports(proto.FeatureFDPassing)
	if err != nil {
		return err
	}
	if !ok {
		return virerr.New(virerr.ErrOperationInvalid, virerr.FromRPC, "fd passing is not supported by this connection")
	}
	if err := checkFDs(files); err != nil {
		return err
	}
	extra, err := c.CallFDs(wire.ProgramRemote, proc, args, files, ret)
	for _, f := range extra {
		f.Close()
	}
	return err
}

func cmdDomXMLFromNative() *CmdDef {
	return &CmdDef{
		Name: "domxml-from-native", Group: "domain",
		Help: "Convert native config to domain XML",
		Desc: "Convert native guest configuration format to domain XML format.",
		Opts: []OptDef{
			{Name: "format", Type: OptData, Required: true, Help: "source config data format"},
			{Name: "config", Type: OptData, Required: true, Help: "config data file to import from", Complete: CompleteFile},
		},
		Run: func(s *Session, pc *ParsedCmd) error {
			format, _, err := pc.String("format")
			if err != nil {
				return err
			}
			file, _, err := pc.String("config")
			if err != nil {
				return err
			}
			config, err := readXMLFile(file)
			if err != nil {
				return err
			}
			var ret libvirt.ConnectDomainXMLFromNativeRet
			err = s.conn.call(proto.ProcConnectDomainXMLFromNative, &libvirt.ConnectDomainXMLFromNativeArgs{NativeFormat: format, NativeConfig: config}, &ret)
			if err != nil {
				return err
			}
			s.print(ret.DomainXML)
			return nil
		},
	}
}
