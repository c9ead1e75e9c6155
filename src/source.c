/* SPDX-License-Identifier: MIT */
/*
 * The layer the source drivers share (source.h), so that a driver only
 * speaks its protocol: the driver table, the keys every source section
 * takes, the poll loop over collections with its one outcome per
 * collection, the discovery cache as rows, numeric cursors, the commit of
 * a batch (and the crash test hook), the doctor reporter, and the
 * connections kept between polls with the descriptor limit they live
 * under.  isync keeps its sync logic out of its drivers the same way
 * (sync.c and driver_t).
 *
 * It links no scheduler: `salescycle doctor` and the agent both reach
 * the drivers through source_ops_for().
 */
#include <sys/resource.h>

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_TAG "source"
#include "hashset.h"
#include "log.h"
#include "source.h"
#include "util.h"
#include "xmalloc.h"

/* The cursor scope of the discovery cache. */
#define SOURCE_CACHE_SCOPE	"discovery"

static const struct source_ops *const source_drivers[] = {
	&imap_source_ops, &caldav_source_ops, &ics_source_ops,
	&graph_source_ops,
};

#ifdef SC_TEST_HOOKS
/* Counts commits for the crash test hook. */
static atomic_long source_commits;
#endif

const struct config_key source_keys[] = {
	CONFIG_KEY("salesperson", CONFIG_SALESPERSON, source, salesperson),
	CONFIG_KEY("url", CONFIG_URL, source, url),
	CONFIG_KEY("user", CONFIG_STRING, source, user),
	CONFIG_KEY("password_command", CONFIG_COMMAND, source, password),
	CONFIG_KEY("password_env", CONFIG_ENV, source, password),
	CONFIG_KEY("password", CONFIG_PASSWORD, source, password),
	CONFIG_KEY("password_credential", CONFIG_CREDENTIAL, source, password),
	CONFIG_KEY("token_command", CONFIG_COMMAND, source, token),
	CONFIG_KEY("auth", CONFIG_AUTH, source, auth),
	CONFIG_KEY("tls", CONFIG_TLS, source, tls),
	CONFIG_KEY("ca_file", CONFIG_STRING, source, ca_file),
	CONFIG_KEY("poll_interval", CONFIG_DURATION, source, poll_interval),
	CONFIG_KEY("timeout", CONFIG_DURATION, source, timeout),
	/* OAuth 2.0 of its own (oauth.c checks them after parsing). */
	CONFIG_KEY("provider", CONFIG_STRING, source, oauth.provider),
	CONFIG_KEY("oauth_flow", CONFIG_STRING, source, oauth.flow_name),
	CONFIG_KEY("oauth_tenant", CONFIG_STRING, source, oauth.tenant),
	CONFIG_KEY("oauth_device_url", CONFIG_STRING, source,
	    oauth.device_url),
	CONFIG_KEY("oauth_token_url", CONFIG_STRING, source, oauth.token_url),
	CONFIG_KEY("oauth_client_id", CONFIG_STRING, source, oauth.client_id),
	CONFIG_KEY("oauth_client_secret", CONFIG_PASSWORD, source,
	    oauth.client_secret),
	CONFIG_KEY("oauth_client_secret_command", CONFIG_COMMAND, source,
	    oauth.client_secret),
	CONFIG_KEY("oauth_client_secret_env", CONFIG_ENV, source,
	    oauth.client_secret),
	CONFIG_KEY("oauth_client_secret_credential", CONFIG_CREDENTIAL, source,
	    oauth.client_secret),
	CONFIG_KEY("oauth_scope", CONFIG_STRING, source, oauth.scope),
	CONFIG_KEY("oauth_key_file", CONFIG_STRING, source, oauth.key_file),
	CONFIG_KEY("oauth_certificate_file", CONFIG_STRING, source,
	    oauth.cert_file),
	CONFIG_KEY_END
};

const struct source_ops *
source_ops_for(enum source_type type)
{
	size_t	i;

	for (i = 0; i < sizeof source_drivers / sizeof source_drivers[0]; i++)
		if (source_drivers[i]->type == type)
			return source_drivers[i];
	return NULL;
}

const struct source_ops *
source_ops_by_section(const char *section)
{
	size_t	i;

	for (i = 0; i < sizeof source_drivers / sizeof source_drivers[0]; i++)
		if (strcmp(source_drivers[i]->section, section) == 0)
			return source_drivers[i];
	return NULL;
}

int
source_sync(const struct source_sync_ops *ops, void *drv,
    const struct config *cfg, const struct source *src, struct store *store,
    volatile sig_atomic_t *stop, struct err *err)
{
	struct hashset	 done = { NULL, 0, 0, ops->canon };
	struct strlist	 names = { NULL, 0, 0, NULL };
	struct pipeline	*p;
	struct err	 e, first;
	enum source_status r;
	const char	*name;
	time_t		 when;
	size_t		 i;
	bool		 fresh = false, failed = false;
	int		 rc = 0;

	when = ops->load(drv);
	if (when == 0 || util_now() - when > ops->max_age) {
		if (ops->discover(drv, err) != 0)
			/* Stopped half-way: nothing failed, the next poll goes on. */
			return *stop ? 0 : -1;
		fresh = true;
	}
	p = pipeline_new(cfg, store, src->name);
	/* Deals are projected once per poll, not per batch (the costly part). */
	pipeline_defer_projection(p);
	err_clear(&first);
	err_clear(&e);
	for (i = 0; i < ops->count(drv) && !*stop; i++) {
		name = ops->name(drv, i);
		if (hashset_get(&done, name) != NULL)
			continue;
		err_clear(&e);
		r = ops->sync(drv, i, p, &e);
		if (r == SOURCE_GONE && !fresh) {
			log_info("%s: %s; discovering again", src->name, e.msg);
			pipeline_drop(p);
			if (ops->discover(drv, err) != 0) {
				/*
				 * It worked at its last discovery: a server
				 * answering 404 to everything for a while is
				 * waited for, not switched off until a reload.
				 */
				if (err->cls == ERR_FINAL)
					err->cls = ERR_WAIT;
				rc = *stop ? 0 : -1;
				break;
			}
			fresh = true;
			i = (size_t)-1;		/* from the start of the new list */
			continue;
		}
		strlist_add(&names, name);
		hashset_add(&done, names.v[names.n - 1]);
		if (r == SOURCE_OK)
			continue;
		pipeline_drop(p);
		if (r == SOURCE_STOP) {
			*err = e;
			rc = -1;
			break;
		}
		log_warn("%s: %s", src->name, e.msg);
		if (!failed)
			first = e;
		failed = true;
	}
	hashset_clear(&done);
	strlist_clear(&names);
	/* What was committed is projected, also after a failure. */
	if (pipeline_finish(p, rc == 0 ? err : &e) != 0 && rc == 0)
		rc = -1;
	pipeline_free(p);
	if (rc == 0 && failed) {
		*err = first;
		rc = -1;
	}
	return rc;
}

#ifdef SC_TEST_HOOKS
long
source_test_hook(const char *name, long def)
{
	const char	*v = getenv(name);
	char		*ep;
	long		 n;

	if (v == NULL || *v == '\0')
		return def;
	errno = 0;
	n = strtol(v, &ep, 10);
	return errno != 0 || *ep != '\0' || n < 1 ? def : n;
}
#endif

int
source_commit(struct pipeline *p, const struct cursor *cursors, size_t n,
    struct err *err)
{
	int	r;

	r = pipeline_commit(p, cursors, n, err);
	if (r < 0)
		return -1;
#ifdef SC_TEST_HOOKS
	{
		long	limit;

		limit = source_test_hook("SALESCYCLE_TEST_EXIT_AFTER_COMMITS",
		    0);
		if (limit > 0 &&
		    atomic_fetch_add(&source_commits, 1) + 1 >= limit) {
			log_warn("test hook: killed after %ld commits", limit);
			raise(SIGKILL);
		}
	}
#endif
	return r;
}

int
source_cursor_num(struct store *store, const struct source *src,
    const char *scope, const char *name, uint64_t *out, struct err *err)
{
	char			*v = NULL, *ep;
	unsigned long long	 n = 0;

	*out = 0;
	if (store_cursor_get(store, src->name, scope, name, &v, err) != 0)
		return -1;
	if (v != NULL) {
		errno = 0;
		n = strtoull(v, &ep, 10);
		if (errno == 0 && ep != v && *ep == '\0')
			*out = n;
		free(v);
	}
	return 0;
}

struct source_unlisted {
	const char		*name;
	const struct hashset	*listed;
	size_t			 max;
	struct strlist		*out;
};

static int
source_unlisted_cb(const char *scope, const char *name, const char *value,
    void *arg)
{
	struct source_unlisted *w = arg;

	(void)value;
	if (w->out->n < w->max && strcmp(name, w->name) == 0 &&
	    hashset_get(w->listed, scope) == NULL)
		strlist_add_once(w->out, scope);
	return 0;
}

int
source_scopes_unlisted(struct store *store, const struct source *src,
    const char *name, const struct hashset *listed, size_t max,
    struct strlist *out, struct err *err)
{
	struct source_unlisted w = { name, listed, max, out };

	return store_cursor_list(store, src->name, source_unlisted_cb, &w,
	    err);
}

size_t
source_cache_count(const struct source_cache *c)
{
	return c->nfields > 0 ? c->values.n / c->nfields : 0;
}

/* What a cache was made for, as a hash: the settings may hold secrets. */
static void
source_cache_key(const char *key, char *out, size_t len)
{
	snprintf(out, len, "%016llx", (unsigned long long)hashset_fnv1a(
	    HASHSET_FNV_INIT, key, strlen(key)));
}

void
source_cache_save(struct store *store, const struct source *src,
    const char *key, const struct source_cache *c)
{
	struct err	 err;
	char		 hash[32], v[32], name[64];
	size_t		 i, n = source_cache_count(c);
	int		 rc;

	if (store_begin(store, &err) != 0) {
		log_warn("%s: cannot keep the discovered list: %s", src->name,
		    err.msg);
		return;
	}
	source_cache_key(key, hash, sizeof hash);
	rc = store_cursor_clear(store, src->name, SOURCE_CACHE_SCOPE, &err);
	if (rc == 0)
		rc = store_cursor_set(store, src->name, SOURCE_CACHE_SCOPE, "key",
		    hash, &err);
	snprintf(v, sizeof v, "%zu", n);
	if (rc == 0)
		rc = store_cursor_set(store, src->name, SOURCE_CACHE_SCOPE,
		    "count", v, &err);
	for (i = 0; i < n * c->nfields && rc == 0; i++) {
		snprintf(name, sizeof name, "%s.%zu", c->fields[i % c->nfields],
		    i / c->nfields);
		rc = store_cursor_set(store, src->name, SOURCE_CACHE_SCOPE, name,
		    c->values.v[i], &err);
	}
	snprintf(v, sizeof v, "%lld", (long long)c->when);
	if (rc == 0)
		rc = store_cursor_set(store, src->name, SOURCE_CACHE_SCOPE, "time",
		    v, &err);
	if (rc == 0)
		rc = store_commit(store, &err);
	if (rc != 0) {
		store_rollback(store);
		log_warn("%s: cannot keep the discovered list: %s", src->name,
		    err.msg);
	}
}

int
source_cache_load(struct store *store, const struct source *src,
    const char *key, time_t max_age, size_t max, struct source_cache *c)
{
	struct err	 err;
	uint64_t	 when, count, i;
	char		 hash[32], name[64], *v = NULL;
	time_t		 now = util_now();

	strlist_clear(&c->values);
	if (c->nfields == 0 || source_cursor_num(store, src,
	    SOURCE_CACHE_SCOPE, "time", &when, &err) != 0 ||
	    source_cursor_num(store, src, SOURCE_CACHE_SCOPE, "count", &count,
	    &err) != 0 || when == 0 || when > (uint64_t)now ||
	    now - (time_t)when > max_age || count == 0 || count > max)
		return -1;
	source_cache_key(key, hash, sizeof hash);
	if (store_cursor_get(store, src->name, SOURCE_CACHE_SCOPE, "key", &v,
	    &err) != 0 || v == NULL || strcmp(v, hash) != 0)
		goto fail;
	for (i = 0; i < count * c->nfields; i++) {
		free(v);
		v = NULL;
		snprintf(name, sizeof name, "%s.%llu",
		    c->fields[i % c->nfields],
		    (unsigned long long)(i / c->nfields));
		if (store_cursor_get(store, src->name, SOURCE_CACHE_SCOPE, name,
		    &v, &err) != 0 || v == NULL)
			goto fail;
		strlist_add(&c->values, v);
	}
	free(v);
	c->when = (time_t)when;
	return 0;
fail:
	free(v);
	strlist_clear(&c->values);
	return -1;
}

void
source_cache_drop(struct store *store, const struct source *src)
{
	struct err	err;

	if (store_cursor_clear(store, src->name, SOURCE_CACHE_SCOPE, &err) != 0)
		log_warn("%s: %s", src->name, err.msg);
}

void
source_cache_warn(struct store *store, const struct source *src,
    const char *warning)
{
	struct err	err;

	if (store_cursor_set(store, src->name, SOURCE_CACHE_SCOPE, "warning",
	    warning, &err) != 0)
		log_warn("%s: %s", src->name, err.msg);
}

void
source_note(struct source_report *r, bool ok, const char *fmt, ...)
{
	va_list	ap;
	char	line[1024];

	if (!ok)
		r->nfail++;
	if (r->say == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	r->say(r->arg, ok, "%s", line);
}

void
source_fail(struct source_report *r, const char *what, const char *hint)
{
	source_note(r, false, "%s%s%s", what, hint != NULL ? "; " : "",
	    hint != NULL ? hint : "");
}

int
source_report_end(const struct source_report *r, struct err *err)
{
	if (r->nfail == 0)
		return 0;
	if (err->cls == ERR_NONE)
		err_set(err, ERR_WAIT, "%u problems found", r->nfail);
	return -1;
}

void
source_pool_init(struct source_pool *pool, size_t max)
{
	memset(pool, 0, sizeof *pool);
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->closed, NULL);
	pool->max = max;
}

/* Takes a slot out of the idle list; under the lock. */
static void
source_pool_unlink(struct source_pool *pool, struct source_slot *slot)
{
	if (!slot->idle)
		return;
	if (slot->older != NULL)
		slot->older->newer = slot->newer;
	else
		pool->oldest = slot->newer;
	if (slot->newer != NULL)
		slot->newer->older = slot->older;
	else
		pool->newest = slot->older;
	slot->older = slot->newer = NULL;
	slot->idle = false;
	pool->nidle--;
}

/* Whether the slot's driver holds a connection. */
static bool
source_slot_connected(const struct source_slot *slot)
{
	return slot->state != NULL && slot->ops != NULL &&
	    slot->ops->connected != NULL && slot->ops->connected(slot->state);
}

/*
 * Closes the connections of the least recently used idle slots beyond
 * max: marked closing under the lock, disconnected outside it (a polite
 * LOGOUT may wait on its server), so that the other workers go on.
 */
static void
source_pool_trim(struct source_pool *pool, size_t max)
{
	struct source_slot	*slot;

	pthread_mutex_lock(&pool->lock);
	while (pool->nidle > max) {
		slot = pool->oldest;
		source_pool_unlink(pool, slot);
		slot->closing = true;
		pool->evicted++;
		pthread_mutex_unlock(&pool->lock);
		slot->ops->disconnect(slot->state);
		pthread_mutex_lock(&pool->lock);
		slot->closing = false;
		pthread_cond_broadcast(&pool->closed);
	}
	pthread_mutex_unlock(&pool->lock);
}

void
source_pool_destroy(struct source_pool *pool)
{
	source_pool_trim(pool, 0);
	pthread_cond_destroy(&pool->closed);
	pthread_mutex_destroy(&pool->lock);
}

void
source_pool_set_max(struct source_pool *pool, size_t max)
{
	pthread_mutex_lock(&pool->lock);
	pool->max = max;
	pthread_mutex_unlock(&pool->lock);
	source_pool_trim(pool, max);
}

void
source_pool_take(struct source_pool *pool, struct source_slot *slot)
{
	pthread_mutex_lock(&pool->lock);
	while (slot->closing)
		pthread_cond_wait(&pool->closed, &pool->lock);
	source_pool_unlink(pool, slot);
	pthread_mutex_unlock(&pool->lock);
}

void
source_pool_put(struct source_pool *pool, struct source_slot *slot,
    bool keep)
{
	size_t	max;

	if (slot->state == NULL || slot->ops == NULL ||
	    slot->ops->disconnect == NULL)
		return;
	if (!keep || slot->ops->connected == NULL) {
		slot->ops->disconnect(slot->state);
		return;
	}
	if (!source_slot_connected(slot))
		return;
	pthread_mutex_lock(&pool->lock);
	slot->older = pool->newest;
	slot->newer = NULL;
	if (pool->newest != NULL)
		pool->newest->newer = slot;
	else
		pool->oldest = slot;
	pool->newest = slot;
	slot->idle = true;
	pool->nidle++;
	max = pool->max;
	pthread_mutex_unlock(&pool->lock);
	source_pool_trim(pool, max);
}

void
source_pool_release(struct source_pool *pool, struct source_slot *slot)
{
	source_pool_take(pool, slot);
	if (slot->state != NULL && slot->ops != NULL)
		slot->ops->close(slot->state);
	slot->state = NULL;
}

unsigned long
source_fd_limit(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	return (unsigned long)rl.rlim_cur;
}

unsigned long
source_fd_raise(void)
{
	struct rlimit	rl;
	rlim_t		soft;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		soft = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			log_warn("cannot raise the descriptor limit to "
			    "%llu: %s", (unsigned long long)rl.rlim_max,
			    strerror(errno));
		else
			log_info("descriptor limit raised from %llu to %llu "
			    "(the hard limit)", (unsigned long long)soft,
			    (unsigned long long)rl.rlim_max);
	}
	return source_fd_limit();
}

const char *
source_fd_error(int errnum, char *out, size_t len)
{
	if (errnum == ENFILE)
		snprintf(out, len, "too many open files in the system (its "
		    "file table is full: fs.file-max)");
	else
		snprintf(out, len, "too many open files (limit %lu; raise "
		    "LimitNOFILE= of the service or ulimit -n, or lower "
		    "keep_connections or workers)", source_fd_limit());
	return out;
}

const char *
source_connect_error(int errnum, char *out, size_t len)
{
	switch (errnum) {
	case ECONNREFUSED:
		return "connection refused";
	case ETIMEDOUT:
		return "timed out";
	case EHOSTUNREACH:
		return "host unreachable";
	case ENETUNREACH:
		return "network unreachable";
	case EMFILE:
	case ENFILE:
		return source_fd_error(errnum, out, len);
	default:
		snprintf(out, len, "%s", strerror(errnum));
		return out;
	}
}

const char *
source_connect_hint(const char *msg)
{
	if (strstr(msg, "cannot resolve ") != NULL)
		return "check the host name in url =";
	if (strstr(msg, "cannot connect: connection refused") != NULL)
		return "the host answers but nothing listens on that port "
		    "(or a firewall refuses it): check the port in url =";
	if (strstr(msg, "cannot connect: host unreachable") != NULL ||
	    strstr(msg, "cannot connect: network unreachable") != NULL ||
	    strstr(msg, "cannot connect: timed out") != NULL)
		return "the host cannot be reached: check the host name in "
		    "url =, the network and any firewall on the way";
	if (strstr(msg, "cannot connect: ") != NULL &&
	    strstr(msg, "too many open files") == NULL)
		return "check the host and port in url = and that nothing "
		    "blocks them";
	return NULL;
}
