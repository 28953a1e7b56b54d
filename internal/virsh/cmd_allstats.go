package virsh

import (
	libvirt "github.com/digitalocean/go-libvirt"

	"virtlxc/internal/rpc/proto"
)

// bitOpt is a boolean option that sets a bit of a call's argument.
type bitOpt struct {
	name, help string
	bit        uint32
}

// bits ors the bits of the options given.
func bits(pc *ParsedCmd, opts []bitOpt) uint32 {
	var v uint32
	for _, o := range opts {
		if pc.Bool(o.name) {
			v |= o.bit
		}
	}
	return v
}

// domstatsGroups are domstats' stats options and their VIR_DOMAIN_STATS_*
// bits, in virsh's order.
var domstatsGroups = []bitOpt{
	{"state", "report domain state", 1 << 0},
	{"cpu-total", "report domain physical cpu usage", 1 << 1},
	{"balloon", "report domain balloon statistics", 1 << 2},
	{"vcpu", "report domain virtual cpu information", 1 << 3},
	{"interface", "report domain network interface information", 1 << 4},
	{"block", "report domain block device statistics", 1 << 5},
	{"perf", "report domain perf event statistics", 1 << 6},
	{"iothread", "report domain IOThread information", 1 << 7},
	{"memory", "report domain memory usage", 1 << 8},
	{"dirtyrate", "report domain dirty rate information", 1 << 9},
	{"vm", "report hypervisor-specific statistics", 1 << 10},
}

// domstatsFlags are domstats' other options and their
// VIR_CONNECT_GET_ALL_DOMAINS_STATS_* bits (--raw has none: virsh 9.0
// prints every field as it is either way).
var domstatsFlags = []bitOpt{
	{"list-active", "list only active domains", 1 << 0},
	{"list-inactive", "list only inactive domains", 1 << 1},
	{"list-persistent", "list only persistent domains", 1 << 2},
	{"list-transient", "list only transient domains", 1 << 3},
	{"list-running", "list only running domains", 1 << 4},
	{"list-paused", "list only paused domains", 1 << 5},
	{"list-shutoff", "list only shutoff domains", 1 << 6},
	{"list-other", "list only domains in other states", 1 << 7},
	{"raw", "do not pretty-print the fields", 0},
	{"enforce", "enforce requested stats parameters", 1 << 31},
	{"backing", "add backing chain information to block stats", 1 << 30},
	{"nowait", "report only stats that are accessible instantly", 1 << 29},
}

func cmdDomstats() *CmdDef {
	var opts []OptDef
	for _, o := range append(append([]bitOpt{}, domstatsGroups...), domstatsFlags...) {
		opts = append(opts, optBool(o.name, o.help))
	}
	opts = append(opts, OptDef{Name: "domain", Type: OptArgv, Help: "list of domains to get stats for"})
	return &CmdDef{
		Name: "domstats", Group: "monitor",
		Help: "get statistics about one or multiple domains",
		Desc: "Gets statistics about one or more (or all) domains",
		Opts: opts,
		Run:  runDomstats,
	}
}

// runDomstats is virsh's cmdDomstats: virConnectGetAllDomainStats, or
// virDomainListGetStats for the domains named (the same call with them),
// each record printed as "Domain: 'NAME'" and its fields, a blank line
// between records.
func runDomstats(s *Session, pc *ParsedCmd) error {
	args := &libvirt.ConnectGetAllDomainStatsArgs{Stats: bits(pc, domstatsGroups), Flags: bits(pc, domstatsFlags)}
	c, err := s.connection()
	if err != nil {
		return err
	}
	for _, name := range pc.Argv("domain") {
		dom, err := c.lookupDomain(name, byAny)
		if err != nil {
			return err
		}
		args.Doms = append(args.Doms, dom)
	}
	var ret libvirt.ConnectGetAllDomainStatsRet
	if err := c.call(proto.ProcConnectGetAllDomainStats, args, &ret); err != nil {
		return err
	}
	var b lineBuilder
	for i, rec := range ret.RetStats {
		if i > 0 {
			b.f("\n")
		}
		b.f("Domain: '%s'\n", rec.Dom.Name)
		for _, p := range rec.Params {
			b.f("  %s=%s\n", p.Field, ParamValue(p))
		}
	}
	s.print(b.String())
	return nil
}
