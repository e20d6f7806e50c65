/* Runs a program and reports its own CPU time and peak RSS, as wait4() sees them.
 *
 * usage: rusage OUTFILE PROG [ARGS...]
 * Writes "pid N" to OUTFILE as soon as PROG is started, then, when it ends, one JSON line
 * {"status":..,"signal":..,"wall_s":..,"utime_s":..,"stime_s":..,"maxrss_kb":..}.
 * SIGTERM, SIGINT and SIGHUP are passed on to PROG.
 *
 * Why not wait4() from the benchmark itself: a child forked (or vforked) by a big process
 * inherits that process's resident set size as the starting point of its ru_maxrss, and exec
 * keeps it; a child of this small program starts from this program's few hundred KiB.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t child;

static void pass_on(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: rusage OUTFILE PROG [ARGS...]\n");
		return 2;
	}
	FILE *out = fopen(argv[1], "w");
	if (!out) {
		perror(argv[1]);
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		fclose(out);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "rusage: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	child = pid;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pass_on;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	fprintf(out, "pid %d\n", (int)pid);
	fflush(out);

	int st = 0;
	struct rusage ru;
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("wait4");
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(out,
		"{\"status\":%d,\"signal\":%d,\"wall_s\":%.6f,\"utime_s\":%.6f,\"stime_s\":%.6f,"
		"\"maxrss_kb\":%ld}\n",
		WIFEXITED(st) ? WEXITSTATUS(st) : -1, WIFSIGNALED(st) ? WTERMSIG(st) : 0,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		(double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
		(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss);
	fclose(out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
