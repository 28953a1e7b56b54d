//go:build linux && cgo

package nsenter

/*
#cgo CFLAGS: -Wall -O2
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

// Keep the names in step with EnvFDs, EnvCgroups, EnvCapBnd, EnvSeccomp
// and EnvNoNewPrivs.
#define NSENTER_FDS "_VIRTLXC_NSENTER_FDS"
#define NSENTER_CGROUPS "_VIRTLXC_NSENTER_CGROUPS"
#define NSENTER_CAPBND "_VIRTLXC_NSENTER_CAPBND"
#define NSENTER_SECCOMP "_VIRTLXC_NSENTER_SECCOMP"
#define NSENTER_NNP "_VIRTLXC_NSENTER_NNP"
#define NSENTER_MAX_PROGS 8

static void nsenter_fail(const char *what)
{
	int err = errno;
	fprintf(stderr, "error: %s: %s\n", what, strerror(err));
	_exit(125);
}

static char *nsenter_take(const char *name)
{
	const char *v = getenv(name);
	char *copy = v ? strdup(v) : NULL;
	if (v && !copy)
		nsenter_fail("Out of memory");
	unsetenv(name);
	return copy;
}

static void nsenter_join_cgroups(char *list)
{
	char pid[32], path[4096], *save = NULL;
	int len = snprintf(pid, sizeof(pid), "%d", (int)getpid());
	for (char *dir = strtok_r(list, "\n", &save); dir; dir = strtok_r(NULL, "\n", &save)) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, pid, len) != len)
			nsenter_fail("Unable to join domain cgroup");
		close(fd);
	}
}

// One seccomp program of encodePrograms' format: 16 hex digits per
// instruction (code 4, jt 2, jf 2, k 8), up to a comma or the end.
static int nsenter_parse_prog(const char *s, size_t len, struct sock_fprog *prog)
{
	if (len == 0 || len % 16 != 0 || len / 16 > BPF_MAXINSNS)
		return -1;
	unsigned short n = len / 16;
	struct sock_filter *f = calloc(n, sizeof(*f));
	if (!f)
		return -1;
	for (unsigned short i = 0; i < n; i++) {
		char buf[17];
		memcpy(buf, s + 16 * i, 16);
		buf[16] = 0;
		char *end;
		unsigned long long v = strtoull(buf, &end, 16);
		if (*end)
			return -1;
		f[i].code = v >> 48;
		f[i].jt = v >> 40;
		f[i].jf = v >> 32;
		f[i].k = (unsigned int)v;
	}
	prog->len = n;
	prog->filter = f;
	return 0;
}

// Parses the programs list; returns how many, or -1.
static int nsenter_parse_progs(const char *s, struct sock_fprog *progs)
{
	int n = 0;
	while (s && *s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		if (n == NSENTER_MAX_PROGS || nsenter_parse_prog(s, len, &progs[n]) < 0)
			return -1;
		n++;
		s = comma ? comma + 1 : NULL;
	}
	return n;
}

// Runs before the Go runtime when the process was re-executed by Run:
// the process is still single-threaded, so it may join a user namespace.
__attribute__((constructor)) static void virtlxc_nsenter(int argc, char **argv)
{
	char *fds = nsenter_take(NSENTER_FDS);
	if (!fds || !*fds)
		return;
	char *cgroups = nsenter_take(NSENTER_CGROUPS);
	char *capbnd = nsenter_take(NSENTER_CAPBND);
	char *filters = nsenter_take(NSENTER_SECCOMP);
	char *nnp = nsenter_take(NSENTER_NNP);
	struct sock_fprog progs[NSENTER_MAX_PROGS];
	int nprogs = nsenter_parse_progs(filters, progs);
	if (nprogs < 0) {
		errno = EINVAL;
		nsenter_fail("Unable to read the seccomp filter");
	}
	char *save = NULL;

	if (cgroups && *cgroups)
		nsenter_join_cgroups(cgroups);
	for (char *tok = strtok_r(fds, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int fd = atoi(tok);
		// EINVAL: the namespace is already ours (the host user namespace).
		if (setns(fd, 0) < 0 && errno != EINVAL)
			nsenter_fail("Unable to join domain namespace");
		close(fd);
	}
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		nsenter_fail("Unable to become root in the domain's user namespace");
	if (capbnd && *capbnd) {
		unsigned long long keep = strtoull(capbnd, NULL, 16);
		for (int c = 0; c < 64; c++) {
			if (keep & (1ULL << c))
				continue;
			if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
				if (errno == EINVAL)
					break;
				nsenter_fail("Unable to drop capability from the bounding set");
			}
		}
	}
	if (argc < 2) {
		errno = EINVAL;
		nsenter_fail("No command to run");
	}
	// setns(pid) takes effect for children only, and the Go runtime could
	// not create threads here anyway: fork, exec in the child.
	pid_t pid = fork();
	if (pid < 0)
		nsenter_fail("Unable to fork");
	if (pid == 0) {
		// Every signal's default action and none blocked, as libvirt's
		// virFork gives its children (an ignored SIGHUP would survive
		// execv). Through the system call: glibc's signal() refuses
		// 32 and 33, which GNU make, for one, leaves ignored.
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		struct { void *handler; unsigned long flags; void *restorer; unsigned long mask; } dfl = {0};
		for (int sig = 1; sig <= 64; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask);
		// The init's no_new_privs and seccomp filters (root of the user
		// namespace here: CAP_SYS_ADMIN allows the filters without it).
		if (nnp && strcmp(nnp, "1") == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			nsenter_fail("Unable to set no_new_privs");
		for (int i = 0; i < nprogs; i++) {
			if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &progs[i]) < 0)
				nsenter_fail("Unable to install the seccomp filter");
		}
		execv(argv[1], argv + 1);
		_exit(errno == ENOENT ? 127 : 126);
	}
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			nsenter_fail("Unable to wait for the command");
	}
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		sigset_t set;
		signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
		_exit(128 + sig);
	}
	_exit(125);
}
*/
import "C"

// Available reports whether the C helper is built in.
const Available = true
