/* SPDX-License-Identifier: MIT */
/*
 * The scheduler and its worker pool.  The main thread owns the due times:
 * it hands due sources to a bounded pool of workers (cfg->workers), each
 * with its own SQLite connection, and sleeps in ppoll() until the next due
 * time, a finished poll (a byte on a pipe) or a signal (ppoll unblocks
 * SIGTERM, SIGINT and SIGHUP only while it waits, so none is lost).  A
 * source is polled by one worker at a time; a failing one backs off by
 * its error class and never delays the others.  Nor does a slow or
 * black-holed server: while sources of another server wait, the polls of
 * one server take at most all workers but one (server_cap), so that the
 * queue's order, which is the configuration's, cannot hand every worker
 * to it; and a poll that outlasts its interval is logged.  SIGHUP loads a new
 * configuration and swaps it in only if it loads; polls in flight finish
 * with the configuration they started with (reference counted).
 *
 * On stop, workers still blocked in a read of a hanging server are
 * interrupted with SIGUSR1 (a handler that does nothing, installed
 * without SA_RESTART): the read fails with EINTR, the driver rolls back
 * the batch and returns, instead of waiting for the source's timeout; a
 * password_command is killed (secret_set_stop).  A worker still busy
 * 1.5 s after the stop is left behind: the process exits, as SIGTERM
 * promises within 2 s.  The chores run with SIGTERM and SIGINT
 * unblocked, and a digest send is aborted by the stop flag.
 *
 * The loop also runs two chores on its own store connection: the digest
 * (digest.c decides whether one is due and backs off after failures) and,
 * once a day, retention (retention_days).  It does not know any protocol
 * (source.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOG_TAG "agent"
#include "agent.h"
#include "digest.h"
#include "log.h"
#include "project.h"
#include "secret.h"
#include "source.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

#define AGENT_MAX_BACKOFF	3600
#define AGENT_MAX_SLEEP		3600
#define AGENT_RETENTION_EVERY	86400
#define AGENT_STOP_GRACE_MS	1500	/* SIGTERM to exit: at most 2 s */
#define AGENT_SERVER_LEN	128	/* a source's "host:port", cut */

volatile sig_atomic_t agent_stop;
volatile sig_atomic_t agent_reload;

/* A configuration shared by the loop and the polls started with it. */
struct agent_cfg {
	struct config	 cfg;
	unsigned	 refs;
};

/* One configured source and its schedule. */
struct agent_src {
	char			*name;		/* owned: "imap:anna" */
	const struct source	*src;		/* borrowed from a->cur */
	struct source_slot	 slot;		/* driver state, in a->pool */
	char			 server[AGENT_SERVER_LEN]; /* "host:port" */
	time_t			 next_due;
	unsigned		 failures;
	bool			 disabled;	/* ERR_FINAL: until SIGHUP */
	bool			 busy;
	bool			 reset;		/* drop state before the next poll */
	bool			 removed;	/* gone from the config while busy */
	bool			 polled;	/* --once: done */
	bool			 ok;		/* result of the last poll */
	bool			 slow;		/* last poll outlasted its interval */
	char			*last_error;	/* owned: logged once per change */
	struct agent_cfg	*job_cfg;	/* the poll's configuration */
	const struct source	*job_src;
	struct agent_src	*next;		/* in the queue */
};

struct agent {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct agent_cfg	*cur;
	struct agent_src	**v;		/* owned */
	size_t			 n;
	struct agent_src	*head, *tail;	/* queue of due sources */
	struct agent_src	**running;	/* owned: nworkers, NULL: free */
	size_t			 nworkers;
	size_t			 server_cap;	/* polls one server may have */
	bool			 quit;
	bool			 once;
	char			*database;	/* owned: fixed until restart */
	int			 wake[2];	/* workers write, the loop reads */
	unsigned		 seed;
	struct digest_state	 digest;	/* back-off of failed sends */
	time_t			 retention_at;	/* next retention run; 0: now */
	time_t			 stale_at;	/* next stale-deal check; 0: now */
	struct source_pool	 pool;		/* connections kept idle */
	unsigned long		 fd_limit;	/* RLIMIT_NOFILE in force */
};

time_t
agent_backoff(enum err_class cls, unsigned n)
{
	time_t	base, d;

	if (cls == ERR_FINAL)
		return 0;
	base = cls == ERR_WAIT ? 120 : 30;
	if (n < 1)
		n = 1;
	if (n > 12)
		return AGENT_MAX_BACKOFF;
	d = base << (n - 1);
	return d > AGENT_MAX_BACKOFF ? AGENT_MAX_BACKOFF : d;
}

/* SIGUSR1 only interrupts a worker's blocking call (see above). */
static void
agent_on_interrupt(int sig)
{
	(void)sig;
}

/* Milliseconds on the monotonic clock. */
static long long
agent_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Joins the workers; after a stop request, interrupts the ones still
 * busy every 100 ms until they return.  Returns false when one is still
 * busy AGENT_STOP_GRACE_MS after the stop (work that no signal
 * interrupts): the caller then exits without it.
 */
static bool
agent_join(pthread_t *th, size_t n)
{
	struct timespec	ts;
	long long	stop_at = 0;
	size_t		i, j;

	for (i = 0; i < n; i++) {
		for (;;) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			if (pthread_timedjoin_np(th[i], NULL, &ts) != ETIMEDOUT)
				break;
			if (!agent_stop)
				continue;
			if (stop_at == 0)
				stop_at = agent_ms();
			else if (agent_ms() - stop_at > AGENT_STOP_GRACE_MS)
				return false;
			for (j = i; j < n; j++)
				pthread_kill(th[j], SIGUSR1);
		}
	}
	return true;
}

/* Drops a reference to a configuration; the last one frees it. */
static void
agent_cfg_release(struct agent_cfg *c)
{
	if (c != NULL && --c->refs == 0) {
		config_free(&c->cfg);
		free(c);
	}
}

/*
 * The connections kept idle between polls: keep_connections, but never
 * more than a quarter of the descriptor limit (each poll in flight, the
 * store connections and libcurl need descriptors too).
 */
static size_t
agent_keep(const struct agent *a, const struct config *cfg)
{
	unsigned long	max = a->fd_limit / 4;

	if (a->fd_limit == 0 || (unsigned long)cfg->keep_connections <= max)
		return (size_t)cfg->keep_connections;
	log_warn("keep_connections = %d is more than a quarter of the "
	    "descriptor limit (%lu); keeping %lu", cfg->keep_connections,
	    a->fd_limit, max);
	return (size_t)max;
}

/* A poll interval with up to 10% jitter so that sources spread out. */
static time_t
agent_interval(struct agent *a, const struct source *src)
{
	int	iv = src->poll_interval > 0 ? src->poll_interval : 300;
	int	j = iv / 10;

	return iv + (j > 0 ? (int)(rand_r(&a->seed) % (unsigned)(j + 1)) : 0);
}

/* Frees a source entry and its driver state. */
static void
agent_src_free(struct agent *a, struct agent_src *s)
{
	source_pool_release(&a->pool, &s->slot);
	free(s->name);
	free(s->last_error);
	free(s);
}

/*
 * The server of a source's URL: its host and port ("host:port", no user
 * or path: an ICS feed's path is its password), for server_cap.
 */
static void
agent_server(const char *url, char *out, size_t len)
{
	const char	*p, *end, *at;

	p = url != NULL ? strstr(url, "://") : NULL;
	p = p != NULL ? p + 3 : url != NULL ? url : "";
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	if (at != NULL)
		p = at + 1;
	snprintf(out, len, "%.*s", (int)(end - p), p);
}

/*
 * How many polls one server may have at once: all workers but one when
 * the sources are on more than one server, so that a slow one leaves a
 * worker to the others; all of them when there is only one.
 */
static void
agent_set_cap(struct agent *a)
{
	size_t	i;

	a->server_cap = a->nworkers;
	for (i = 1; i < a->n; i++)
		if (strcmp(a->v[i]->server, a->v[0]->server) != 0) {
			if (a->nworkers > 1)
				a->server_cap = a->nworkers - 1;
			break;
		}
}

/* Matches sources of the current configuration to entries, adding new ones. */
static void
agent_adopt(struct agent *a, time_t now)
{
	struct config		*cfg = &a->cur->cfg;
	struct agent_src	*s;
	size_t			 i, j;
	bool			*seen;

	seen = xcalloc(a->n + 1, sizeof *seen);
	for (i = 0; i < cfg->nsources; i++) {
		for (j = 0; j < a->n; j++)
			if (!seen[j] && strcmp(a->v[j]->name,
			    cfg->sources[i].name) == 0)
				break;
		if (j < a->n) {
			s = a->v[j];
			seen[j] = true;
			s->src = &cfg->sources[i];
			agent_server(s->src->url, s->server, sizeof s->server);
			s->disabled = false;
			s->reset = true;
			continue;
		}
		s = xcalloc(1, sizeof *s);
		s->name = xstrdup(cfg->sources[i].name);
		s->src = &cfg->sources[i];
		agent_server(s->src->url, s->server, sizeof s->server);
		s->next_due = now;
		a->v = xreallocarray(a->v, a->n + 1, sizeof *a->v);
		seen = xreallocarray(seen, a->n + 2, sizeof *seen);
		seen[a->n] = true;
		a->v[a->n++] = s;
		log_info("%s: added", s->name);
	}
	for (j = 0; j < a->n; j++) {
		if (seen[j])
			continue;
		s = a->v[j];
		log_info("%s: removed", s->name);
		if (s->busy) {
			s->removed = true;	/* the worker frees it */
			s->src = s->job_src;
		} else
			agent_src_free(a, s);
		a->v[j] = NULL;
	}
	for (i = j = 0; j < a->n; j++)
		if (a->v[j] != NULL)
			a->v[i++] = a->v[j];
	a->n = i;
	free(seen);
	agent_set_cap(a);
}

/* Records a poll's result: schedule, backoff, and a log line per change. */
static void
agent_result(struct agent *a, struct agent_src *s, int rc,
    const struct err *err, time_t now, time_t *backoff_until)
{
	time_t	d;

	*backoff_until = 0;
	if (rc == 0) {
		if (s->last_error != NULL)
			log_warn("%s: working again", s->name);
		free(s->last_error);
		s->last_error = NULL;
		s->failures = 0;
		s->ok = true;
		s->next_due = now + agent_interval(a, s->job_src);
		return;
	}
	s->ok = false;
	s->failures++;
	if (s->last_error == NULL || strcmp(s->last_error, err->msg) != 0) {
		log_error("%s: %s", s->name, err->msg);
		free(s->last_error);
		s->last_error = xstrdup(err->msg);
	} else
		log_debug("%s: still failing: %s", s->name, err->msg);
	if (err->cls == ERR_FINAL) {
		s->disabled = true;
		log_error("%s: disabled until the configuration is reloaded",
		    s->name);
		return;
	}
	d = agent_backoff(err->cls, s->failures);
	s->next_due = now + d;
	*backoff_until = s->next_due;
	log_info("%s: next attempt in %lds", s->name, (long)d);
}

/*
 * A failed poll's message as logged and recorded for status and the
 * digest: URLs without credentials, an ICS feed's without its path (the
 * URL is the feed's password).
 */
static void
agent_redact(struct err *err, const struct source *src)
{
	char *r = util_redacted(err->msg,
	    source_ops_for(src->type)->secret_url);

	snprintf(err->msg, sizeof err->msg, "%s", r);
	free(r);
}

/* The polls in flight on a server; under the lock. */
static size_t
agent_running_on(const struct agent *a, const char *server)
{
	size_t	i, n = 0;

	for (i = 0; i < a->nworkers; i++)
		if (a->running[i] != NULL &&
		    strcmp(a->running[i]->server, server) == 0)
			n++;
	return n;
}

/*
 * Takes the first queued source whose server has fewer than server_cap
 * polls in flight off the queue and counts it in flight; NULL when there
 * is none.  Under the lock.
 */
static struct agent_src *
agent_next(struct agent *a)
{
	struct agent_src	*s, *prev = NULL;
	size_t			 i;

	for (s = a->head; s != NULL; prev = s, s = s->next)
		if (agent_running_on(a, s->server) < a->server_cap)
			break;
	if (s == NULL)
		return NULL;
	if (prev != NULL)
		prev->next = s->next;
	else
		a->head = s->next;
	if (a->tail == s)
		a->tail = prev;
	s->next = NULL;
	for (i = 0; i < a->nworkers; i++)
		if (a->running[i] == NULL) {
			a->running[i] = s;
			break;
		}
	return s;
}

/* A finished poll leaves its server's count; under the lock. */
static void
agent_done(struct agent *a, struct agent_src *s)
{
	size_t	i;

	for (i = 0; i < a->nworkers; i++)
		if (a->running[i] == s)
			a->running[i] = NULL;
	/* A worker may wait for this server's count to drop. */
	pthread_cond_broadcast(&a->cond);
}

/*
 * Says once when a source's polls start taking longer than its interval
 * (a slow server: it falls behind, and `salescycle status` shows it),
 * and once when they no longer do.
 */
static void
agent_note_duration(struct agent_src *s, long long ms)
{
	long	iv = s->job_src->poll_interval > 0 ?
		    s->job_src->poll_interval : 300;
	bool	slow = ms > (long long)iv * 1000;

	if (slow && !s->slow)
		log_warn("%s: the poll took %llds, longer than its "
		    "poll_interval (%lds): a slow server, or too few workers",
		    s->name, (ms + 999) / 1000, iv);
	else if (!slow && s->slow)
		log_info("%s: polls within the interval again", s->name);
	s->slow = slow;
}

/* A worker: takes due sources off the queue and polls them with its own store. */
static void *
agent_worker(void *arg)
{
	struct agent		*a = arg;
	struct agent_src	*s;
	struct agent_cfg	*jc;
	struct store		*st = NULL;
	const struct source_ops	*ops;
	struct err		 err, herr;
	time_t			 now, until;
	long long		 t0;
	int			 rc;
	bool			 reset, stopped, opened = false;
	char			 c = 1;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		s = NULL;
		while (!a->quit && (s = agent_next(a)) == NULL)
			pthread_cond_wait(&a->cond, &a->lock);
		if (a->quit)
			break;
		/* Read under the lock: a reload sets it from the scheduler. */
		reset = s->reset;
		s->reset = false;
		pthread_mutex_unlock(&a->lock);

		/*
		 * The store is opened for the first poll, not before: a
		 * worker that never polls (fewer sources than workers) never
		 * prepares its statements, which cost as much CPU as
		 * reading hundreds of calendar events, at every start.
		 */
		if (!opened) {
			opened = true;
			if (store_open(a->database, STORE_MIGRATED, &st,
			    &err) != 0) {
				log_error("%s", err.msg);
				st = NULL;
			}
		}
		ops = source_ops_for(s->job_src->type);
		/* Its kept connection is the poll's: not closed under it. */
		source_pool_take(&a->pool, &s->slot);
		if (reset && s->slot.state != NULL) {
			s->slot.ops->close(s->slot.state);
			s->slot.state = NULL;
		}
		s->slot.ops = ops;
		err_clear(&err);
		if (st == NULL)
			rc = err_set(&err, ERR_TEMP, "cannot open the store %s",
			    a->database);
		else if (ops == NULL)
			rc = err_set(&err, ERR_FINAL, "no driver for this source");
		else {
			log_debug("%s: polling", s->name);
			t0 = agent_ms();
			rc = ops->poll(&s->slot.state, &s->job_cfg->cfg,
			    s->job_src, st, &agent_stop, &err);
			if (rc != 0 && err.cls == ERR_NONE)
				err_set(&err, ERR_TEMP, "poll failed");
			agent_note_duration(s, agent_ms() - t0);
		}
		/*
		 * A poll that the stop cut short says nothing of its source:
		 * logged as an error and recorded, every restart would show
		 * the polls in flight as failing until their next poll.
		 */
		stopped = rc != 0 && agent_stop;
		if (stopped)
			log_info("%s: poll stopped: the agent is stopping",
			    s->name);
		else if (rc != 0)
			agent_redact(&err, s->job_src);
		now = util_now();
		if (!stopped) {
			pthread_mutex_lock(&a->lock);
			agent_result(a, s, rc, &err, now, &until);
			pthread_mutex_unlock(&a->lock);
		}
		if (st != NULL && !stopped) {
			if (rc == 0)
				rc = store_health_success(st, s->name, now, &herr);
			else
				rc = store_health_failure(st, s->name, now,
				    err.msg, until, &herr);
			if (rc != 0)
				log_warn("%s: cannot record health: %s", s->name,
				    herr.msg);
		}
		/*
		 * The connection joins the cache (the least recently used
		 * beyond its bound are closed), or with --once is closed now.
		 */
		source_pool_put(&a->pool, &s->slot, !a->once);
		pthread_mutex_lock(&a->lock);
		agent_done(a, s);
		jc = s->job_cfg;
		s->job_cfg = NULL;
		s->busy = false;
		s->polled = true;
		if (s->removed) {
			s->src = s->job_src;
			agent_src_free(a, s);
		}
		agent_cfg_release(jc);
		if (write(a->wake[1], &c, 1) < 0 && errno != EAGAIN)
			log_warn("cannot wake the scheduler: %s", strerror(errno));
	}
	pthread_mutex_unlock(&a->lock);
	if (st != NULL)
		store_close(st);
	return NULL;
}

/* SIGHUP: a new configuration replaces the old one only if it loads. */
static void
agent_do_reload(struct agent *a, struct store *st)
{
	struct agent_cfg	*nc;
	struct err		 err;
	const char		*path = a->cur->cfg.path;

	nc = xcalloc(1, sizeof *nc);
	if (config_load(path, &nc->cfg, &err) != 0) {
		log_error("reload: %s; keeping the old configuration", err.msg);
		free(nc);
		return;
	}
	nc->refs = 1;
	if (nc->cfg.database != NULL &&
	    strcmp(nc->cfg.database, a->database) != 0)
		log_warn("reload: a new database takes effect after a restart");
	if (util_tz_preload(nc->cfg.timezone != NULL ? nc->cfg.timezone :
	    util_system_tz()) != 0)
		log_warn("reload: unknown time zone %s", nc->cfg.timezone);
	if (st != NULL && store_sync_salespeople(st, &nc->cfg, &err) != 0)
		log_warn("reload: %s", err.msg);
	source_pool_set_max(&a->pool, agent_keep(a, &nc->cfg));
	pthread_mutex_lock(&a->lock);
	agent_cfg_release(a->cur);
	a->cur = nc;
	agent_adopt(a, util_now());
	pthread_mutex_unlock(&a->lock);
	log_info("configuration reloaded: %zu sources", nc->cfg.nsources);
}

/*
 * Queues the due sources and returns the time of the next due one
 * (0: none).  With once, sets *done when every source has been polled.
 */
static time_t
agent_dispatch(struct agent *a, time_t now, bool *done)
{
	struct agent_src	*s;
	time_t			 next = 0;
	size_t			 i;
	bool			 all = true;

	for (i = 0; i < a->n; i++) {
		s = a->v[i];
		if (a->once && (s->polled || s->disabled)) {
			if (!s->polled)
				s->ok = false;
			continue;
		}
		all = false;
		if (s->busy || s->disabled)
			continue;
		if (s->next_due > now) {
			if (next == 0 || s->next_due < next)
				next = s->next_due;
			continue;
		}
		s->busy = true;
		s->job_cfg = a->cur;
		a->cur->refs++;
		s->job_src = s->src;
		if (a->tail != NULL)
			a->tail->next = s;
		else
			a->head = s;
		a->tail = s;
	}
	*done = a->once && all;
	if (a->head != NULL)
		pthread_cond_broadcast(&a->cond);
	return next;
}

/*
 * Sends the digest when due and applies retention once a day, on the
 * scheduler's store connection.  Returns when to run again (0: no chore
 * scheduled).
 */
static time_t
agent_chores(struct agent *a, struct store *st, time_t now)
{
	const struct config	*cfg = &a->cur->cfg;
	struct err		 err;
	time_t			 next = 0;
	int			 n;

	if (st == NULL)
		return 0;
	n = digest_run(st, cfg, now, &a->digest, &next, &err);
	if (n < 0)
		log_error("digest: %s; trying again later", err.msg);
	else if (n > 0)
		log_info("digest: %d message%s sent", n, n == 1 ? "" : "s");
	/* Deals without activity turn lost with time alone, not with a signal. */
	if (a->stale_at <= now) {
		n = project_stale(st, cfg, util_now(), &err);
		if (n < 0)
			log_warn("stale deals: %s", err.msg);
		else if (n > 0)
			log_info("stale deals: %d account%s re-projected", n,
			    n == 1 ? "" : "s");
		a->stale_at = now + AGENT_RETENTION_EVERY;
	}
	if (next == 0 || a->stale_at < next)
		next = a->stale_at;
	if (cfg->retention_days <= 0)
		return next;
	if (a->retention_at <= now) {
		if (store_retention(st, now - (time_t)cfg->retention_days * 86400,
		    &err) != 0)
			log_warn("retention: %s", err.msg);
		else
			log_info("retention: evidence older than %d days removed",
			    cfg->retention_days);
		a->retention_at = now + AGENT_RETENTION_EVERY;
	}
	if (next == 0 || a->retention_at < next)
		next = a->retention_at;
	return next;
}

int
agent_run(struct config *cfg, bool once)
{
	struct agent	 a;
	struct store	*st = NULL;
	struct err	 err;
	struct pollfd	 pfd;
	struct timespec	 ts;
	sigset_t	 block, waitmask, stopsigs;
	struct sigaction sa;
	pthread_t	*th = NULL;
	size_t		 i, nth = 0, nworkers;
	time_t		 now, next, chore;
	bool		 done = false;
	char		 buf[64], why[1024];
	int		 rc = 0, lockfd = -1;

	memset(&a, 0, sizeof a);
	a.once = once;
	a.seed = (unsigned)util_monotonic_ms() ^ (unsigned)getpid();
	a.cur = xcalloc(1, sizeof *a.cur);
	a.cur->cfg = *cfg;	/* taken over */
	memset(cfg, 0, sizeof *cfg);
	a.cur->refs = 1;
	a.database = xstrdup(a.cur->cfg.database);
	a.wake[0] = a.wake[1] = -1;
	a.digest.stop = &agent_stop;
	secret_set_stop(&agent_stop);
	pthread_mutex_init(&a.lock, NULL);
	pthread_cond_init(&a.cond, NULL);
	/* Many sources, many connections: the hard limit is ours to use. */
	a.fd_limit = source_fd_raise();
	source_pool_init(&a.pool, once ? 0 : agent_keep(&a, &a.cur->cfg));

	if (util_tz_preload(a.cur->cfg.timezone != NULL ?
	    a.cur->cfg.timezone : util_system_tz()) != 0)
		log_warn("unknown time zone %s", a.cur->cfg.timezone);
	/* What this process creates is private, or for the readers' group. */
	umask(a.cur->cfg.group.name != NULL ? STORE_UMASK_GROUP :
	    STORE_UMASK_PRIVATE);
	if (store_lock(a.database, &lockfd, &err) != 0 ||
	    store_open(a.database, 0, &st, &err) != 0) {
		log_error("%s", err.msg);
		rc = 1;
		goto out;
	}
	if (store_set_access(st, a.cur->cfg.group.name, a.cur->cfg.group.gid,
	    &err) != 0)
		log_warn("%s", err.msg);
	if (a.cur->cfg.group.name != NULL && !store_group_can_enter(a.database,
	    a.cur->cfg.group.name, a.cur->cfg.group.gid, why, sizeof why))
		log_warn("%s", why);
	if (store_sync_salespeople(st, &a.cur->cfg, &err) != 0)
		log_warn("%s", err.msg);
	/* Accounts that a crash or a schema migration left to project. */
	if (project_dirty(st, &a.cur->cfg, util_now(), &err) != 0)
		log_warn("projection left from before: %s", err.msg);
	if (pipe2(a.wake, O_CLOEXEC | O_NONBLOCK) != 0)
		fatal("pipe: %s", strerror(errno));

	/* Workers inherit the blocked mask; only ppoll() below unblocks. */
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = agent_on_interrupt;	/* no SA_RESTART */
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&stopsigs);
	sigaddset(&stopsigs, SIGTERM);
	sigaddset(&stopsigs, SIGINT);
	block = stopsigs;
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGHUP);

	nworkers = a.cur->cfg.workers > 0 ? (size_t)a.cur->cfg.workers : 4;
	a.nworkers = nworkers;
	a.running = xcalloc(nworkers, sizeof *a.running);
	agent_adopt(&a, util_now());
	if (a.n == 0)
		log_warn("no sources configured");
	th = xcalloc(nworkers, sizeof *th);
	for (nth = 0; nth < nworkers; nth++)
		if (pthread_create(&th[nth], NULL, agent_worker, &a) != 0) {
			log_error("cannot start a worker thread");
			break;
		}
	if (nth == 0) {
		rc = 1;
		goto out;
	}
	log_info("started: %zu sources, %zu workers, descriptor limit %lu, "
	    "%zu connections kept%s", a.n, nth, a.fd_limit, a.pool.max,
	    once ? ", one pass" : "");

	while (!agent_stop) {
		if (agent_reload) {
			agent_reload = 0;
			if (once)
				log_info("SIGHUP ignored in --once mode");
			else
				agent_do_reload(&a, st);
		}
		now = util_now();
		pthread_mutex_lock(&a.lock);
		next = agent_dispatch(&a, now, &done);
		pthread_mutex_unlock(&a.lock);
		/*
		 * With --once, after the pass: the digest then has its data.
		 * A chore may wait on a mail server: SIGTERM and SIGINT may
		 * arrive meanwhile (and abort the send), not only in ppoll.
		 */
		if (!once || done) {
			pthread_sigmask(SIG_UNBLOCK, &stopsigs, NULL);
			chore = agent_chores(&a, st, now);
			pthread_sigmask(SIG_BLOCK, &stopsigs, NULL);
			if (chore != 0 && (next == 0 || chore < next))
				next = chore;
		}
		if (done || agent_stop)
			break;
		ts.tv_sec = next == 0 ? AGENT_MAX_SLEEP :
		    (next > now ? next - now : 0);
		if (ts.tv_sec > AGENT_MAX_SLEEP)
			ts.tv_sec = AGENT_MAX_SLEEP;
		ts.tv_nsec = 0;
		pfd.fd = a.wake[0];
		pfd.events = POLLIN;
		if (ppoll(&pfd, 1, &ts, &waitmask) > 0)
			while (read(a.wake[0], buf, sizeof buf) > 0)
				;
	}
	if (agent_stop)
		log_info("stopping");

out:
	pthread_mutex_lock(&a.lock);
	a.quit = true;
	pthread_cond_broadcast(&a.cond);
	pthread_mutex_unlock(&a.lock);
	if (!agent_join(th, nth)) {
		/*
		 * A worker does not return (its driver does not heed the
		 * stop): leave now, as SIGTERM promises, without freeing what
		 * it still uses.  Its transaction is not committed: SQLite
		 * discards it, and the next start polls the source again.
		 */
		log_warn("a worker is still busy %d ms after the stop; "
		    "exiting without it", AGENT_STOP_GRACE_MS);
		fflush(stderr);
		_exit(rc);
	}
	free(th);
	/* Queued but never started: nothing to release but the reference. */
	for (; a.head != NULL; a.head = a.head->next) {
		agent_cfg_release(a.head->job_cfg);
		a.head->busy = false;
	}
	for (i = 0; i < a.n; i++) {
		if (once && rc == 0 && !a.v[i]->ok)
			rc = 1;
		agent_src_free(&a, a.v[i]);
	}
	free(a.v);
	free(a.running);
	source_pool_destroy(&a.pool);
	/* A digest sent but not recorded yet: one more try before exit. */
	if (st != NULL && a.digest.npending > 0)
		digest_flush(st, &a.digest, util_now());
	digest_state_free(&a.digest);
	agent_cfg_release(a.cur);
	if (st != NULL)
		store_close(st);
	if (a.wake[0] >= 0) {
		close(a.wake[0]);
		close(a.wake[1]);
	}
	if (lockfd >= 0)
		close(lockfd);
	free(a.database);
	pthread_cond_destroy(&a.cond);
	pthread_mutex_destroy(&a.lock);
	return rc;
}
