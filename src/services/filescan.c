#include "filescan.h"
#include "core/log.h"
#include "core/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define SCAN_ARGS 16

/* The command's words into argv (pointing into buf); false if there are none or too many. */
static bool split(const char *command, char *buf, size_t n, char **argv)
{
	snprintf(buf, n, "%s", command);
	size_t k = 0;
	for (char *save = NULL, *w = strtok_r(buf, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		if (k == SCAN_ARGS)
			return false;
		argv[k++] = w;
	}
	argv[k] = NULL;
	return k > 0;
}

/* Read what the scanner says until it closes its output or the deadline passes. */
static void collect(int out, int64_t deadline_ns, char *finding, size_t n)
{
	size_t have = 0;
	for (;;) {
		int left_ms = (int)((deadline_ns - time_mono_ns()) / 1000000);
		if (left_ms <= 0)
			break;
		struct pollfd p = {.fd = out, .events = POLLIN};
		if (poll(&p, 1, left_ms) <= 0)
			break;
		char buf[256];
		ssize_t k = read(out, buf, sizeof buf);
		if (k <= 0)
			break;
		for (ssize_t i = 0; i < k && have + 1 < n; i++)
			finding[have++] = buf[i];
	}
	finding[have] = '\0';
	finding[strcspn(finding, "\n")] = '\0';
}

enum scan_verdict files_scan(const char *command, int fd, char *finding, size_t n)
{
	char buf[1024];
	char *argv[SCAN_ARGS + 1];
	snprintf(finding, n, "%s", "");
	if (!split(command, buf, sizeof buf, argv)) {
		snprintf(finding, n, "--file-scan is not a command");
		return SCAN_FAILED;
	}
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC)) {
		snprintf(finding, n, "no pipe: %s", strerror(errno));
		return SCAN_FAILED;
	}
	/* Its own description of the file, read from the start, whatever fd's offset. */
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	int in = open(path, O_RDONLY | O_CLOEXEC);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	pid_t pid = 0;
	int rc = in < 0 ? errno : posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (in >= 0)
		close(in);
	if (rc) {
		close(pipefd[0]);
		snprintf(finding, n, "cannot run '%s': %s", argv[0], strerror(rc));
		return SCAN_FAILED;
	}
	int64_t deadline = time_mono_ns() + SCAN_TIMEOUT_MS * 1000000LL;
	collect(pipefd[0], deadline, finding, n);
	close(pipefd[0]);
	int status = 0;
	pid_t got;
	while ((got = waitpid(pid, &status, WNOHANG)) == 0 && time_mono_ns() < deadline)
		usleep(10000);
	if (got == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		snprintf(finding, n, "the scanner took longer than %d s", SCAN_TIMEOUT_MS / 1000);
		return SCAN_FAILED;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return SCAN_CLEAN;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
		return SCAN_INFECTED;
	log_error("the file scanner failed (status %d): %s", status, finding);
	return SCAN_FAILED;
}
