/* SPDX-License-Identifier: MIT */
/*
 * Secrets: password_command / token_command run through /bin/sh -c like
 * isync's PassCmd (the administrator wrote the command; nothing from mail
 * or calendars ever reaches it), password_env from the environment,
 * password_credential from a file of $CREDENTIALS_DIRECTORY (systemd's
 * LoadCredential=, so that the secret is in no file the service's user
 * could read otherwise), password as written in a private config file.  The command gets
 * /dev/null as stdin, its own process group (so a timeout kills what it
 * started too) and default signal dispositions; posix_spawn keeps this
 * safe in the agent's worker threads.  Secrets are never logged and never
 * put in error messages; buffers that held one are wiped.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "secret.h"
#include "xmalloc.h"

#define SECRET_LINE_MAX 4096
#define SECRET_TICK_MS	100	/* a running command checks the stop flag */

extern char **environ;

static const volatile sig_atomic_t *secret_stop;

void
secret_set_stop(const volatile sig_atomic_t *stop)
{
	secret_stop = stop;
}

/* Whether the program is stopping. */
static bool
secret_stopping(void)
{
	return secret_stop != NULL && *secret_stop;
}

/* Milliseconds left until deadline (CLOCK_MONOTONIC), at least 0. */
static int
secret_left_ms(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > 60000000 ? 60000000 : (int)ms;
}

/* Starts /bin/sh -c cmd writing to fd out; returns its pid, or -1 and errno. */
static pid_t
secret_spawn(const char *cmd, int out)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	static const int reset[] = { SIGPIPE, SIGHUP, SIGINT, SIGQUIT, SIGTERM,
	    SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2 };
	pid_t pid;
	size_t i;
	int rc;

	sigemptyset(&none);
	sigemptyset(&dfl);
	for (i = 0; i < sizeof reset / sizeof reset[0]; i++)
		sigaddset(&dfl, reset[i]);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
	    O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
	/* The command must not inherit the worker's connections. */
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	rc = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return pid;
}

/*
 * Reads fd until EOF or the deadline, keeping the first line in line
 * (NUL-terminated); returns 0 at EOF, 1 on timeout, 2 when stopping, -1
 * on a read error or a first line longer than the buffer.
 */
static int
secret_read(int fd, const struct timespec *deadline, char *line, size_t size)
{
	char chunk[512];
	size_t len = 0;
	bool done = false;	/* first line complete */
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;
	char *nl;
	int rc, ms;

	line[0] = '\0';
	for (;;) {
		if (secret_stopping())
			return 2;
		ms = secret_left_ms(deadline);
		if (ms == 0)
			return 1;
		rc = poll(&pfd, 1, ms < SECRET_TICK_MS ? ms : SECRET_TICK_MS);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		if (done)
			continue;	/* drain, so the command can finish */
		nl = memchr(chunk, '\n', n);
		if (nl != NULL) {
			n = nl - chunk;
			done = true;
		}
		if (len + n >= size) {
			explicit_bzero(chunk, sizeof chunk);
			return -1;
		}
		memcpy(line + len, chunk, n);
		len += n;
		line[len] = '\0';
	}
	explicit_bzero(chunk, sizeof chunk);
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	return 0;
}

/*
 * Waits for pid until deadline: 0 with *status, 1 on timeout, 2 when
 * stopping, -1 on error.
 */
static int
secret_wait(pid_t pid, const struct timespec *deadline, int *status)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (secret_left_ms(deadline) == 0)
			return 1;
		if (secret_stopping())
			return 2;
		nanosleep(&tick, NULL);
	}
}

int
secret_command(const char *cmd, const char *owner, int timeout_ms,
    char **out, struct err *err)
{
	struct timespec deadline;
	char line[SECRET_LINE_MAX];
	int fds[2], status = 0, rc;
	pid_t pid;

	*out = NULL;
	if (pipe2(fds, O_CLOEXEC) != 0)
		return err_set(err, ERR_WAIT, "%s: cannot run the command: %s",
		    owner, strerror(errno));
	pid = secret_spawn(cmd, fds[1]);
	close(fds[1]);
	if (pid < 0) {
		rc = errno;
		close(fds[0]);
		return err_set(err, ERR_WAIT, "%s: cannot run the command: %s",
		    owner, strerror(rc));
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}

	rc = secret_read(fds[0], &deadline, line, sizeof line);
	close(fds[0]);
	if (rc == 0)
		rc = secret_wait(pid, &deadline, &status);
	if (rc != 0) {
		explicit_bzero(line, sizeof line);
		kill(-pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (rc == 1)
			return err_set(err, ERR_WAIT, "%s: command timed out "
			    "after %d ms", owner, timeout_ms);
		if (rc == 2)
			return err_set(err, ERR_TEMP, "%s: command stopped: "
			    "the program is stopping", owner);
		return err_set(err, ERR_WAIT, "%s: cannot read the command's "
		    "output (first line longer than %d bytes?)", owner,
		    SECRET_LINE_MAX - 1);
	}
	if (WIFSIGNALED(status) || WEXITSTATUS(status) != 0) {
		explicit_bzero(line, sizeof line);
		if (WIFSIGNALED(status))
			return err_set(err, ERR_WAIT, "%s: command killed by "
			    "signal %d", owner, WTERMSIG(status));
		return err_set(err, ERR_WAIT, "%s: command exited with "
		    "status %d", owner, WEXITSTATUS(status));
	}
	if (line[0] == '\0')
		return err_set(err, ERR_WAIT, "%s: command printed nothing",
		    owner);
	*out = xstrdup(line);
	explicit_bzero(line, sizeof line);
	return 0;
}

/*
 * The first line of the credential `name` in $CREDENTIALS_DIRECTORY, as
 * systemd's LoadCredential= puts it there for the service.  Caller frees
 * *out with free().
 */
static int
secret_credential(const char *name, const char *owner, char **out,
    struct err *err)
{
	const char	*dir = getenv("CREDENTIALS_DIRECTORY");
	char		 path[4096], line[SECRET_LINE_MAX + 1];
	struct stat	 sb;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd, e;

	if (dir == NULL || *dir == '\0')
		return err_set(err, ERR_WAIT, "%s: credential %s: "
		    "$CREDENTIALS_DIRECTORY is not set (give it with "
		    "LoadCredential=%s:FILE in the unit)", owner, name, name);
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >=
	    sizeof path)
		return err_set(err, ERR_FINAL, "%s: credential %s: path too "
		    "long", owner, name);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		return err_set(err, ERR_WAIT, "%s: credential %s: %s%s", owner,
		    path, strerror(e), e == ENOENT ? " (is LoadCredential= "
		    "of the unit given this name?)" : "");
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return err_set(err, ERR_WAIT, "%s: credential %s: not a "
		    "regular file", owner, path);
	}
	while (len < sizeof line - 1) {
		n = read(fd, line + len, sizeof line - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	line[len] = '\0';
	/* One line; a secret longer than the bound is a wrong file. */
	if (len == sizeof line - 1 && strchr(line, '\n') == NULL) {
		explicit_bzero(line, sizeof line);
		return err_set(err, ERR_WAIT, "%s: credential %s: longer than "
		    "%d bytes", owner, path, SECRET_LINE_MAX);
	}
	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '\0') {
		explicit_bzero(line, sizeof line);
		return err_set(err, ERR_WAIT, "%s: credential %s is empty",
		    owner, path);
	}
	*out = xstrdup(line);
	explicit_bzero(line, sizeof line);
	return 0;
}

bool
config_secret_set(const struct secret *s)
{
	return s->command != NULL || s->env != NULL || s->value != NULL ||
	    s->credential != NULL;
}

int
config_secret(const struct secret *s, char **out, struct err *err)
{
	const char *owner = s->owner != NULL ? s->owner : "secret";
	const char *v;

	*out = NULL;
	if (s->command != NULL)
		return secret_command(s->command, owner, SECRET_TIMEOUT_MS, out,
		    err);
	if (s->env != NULL) {
		v = getenv(s->env);
		if (v == NULL || *v == '\0')
			return err_set(err, ERR_WAIT, "%s: environment "
			    "variable %s is not set", owner, s->env);
		*out = xstrdup(v);
		return 0;
	}
	if (s->credential != NULL)
		return secret_credential(s->credential, owner, out, err);
	if (s->value != NULL)
		*out = xstrdup(s->value);
	return 0;
}
