/* SPDX-License-Identifier: MIT */
/*
 * Test hook: where the wall time of a folder's sync goes, per thread.
 * With SALESCYCLE_TEST_TRACE set (a build with --enable-test-hooks),
 * each phase of the reading thread (UID SEARCH, the metadata FETCHes,
 * the parts FETCHes, waiting for room in the queue) and of the queue's
 * thread (classifying, committing, waiting for work) adds its wall time
 * and its thread's CPU time here, and the folder's sync logs the sums:
 * wall minus CPU is time the thread waited: for a core (counted apart,
 * from the kernel's schedstat), or for the server, the disk or the
 * other thread.  The sums are the process's: folders synced at the
 * same time (several sources, several workers) add to each other's, so
 * trace one source.  Without the variable a phase costs a check of a
 * flag read once; without the hooks nothing is compiled.
 */
#ifdef SC_TEST_HOOKS
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define LOG_TAG "imap"
#include "imap-int.h"

static const char *const imap_trace_names[IMAP_TRACE_N] = {
	"search", "meta", "parts", "room", "classify", "commit", "idle",
};

static atomic_llong	imap_trace_wall[IMAP_TRACE_N];
static atomic_llong	imap_trace_cpu[IMAP_TRACE_N];
static atomic_llong	imap_trace_count[IMAP_TRACE_N];
static atomic_llong	imap_trace_runq[IMAP_TRACE_N];

/*
 * Nanoseconds this thread waited for a core (runnable, not running),
 * from the kernel's schedstat; 0 where it is not to be had.
 */
static long long
imap_trace_runq_ns(void)
{
	FILE		*f;
	long long	 run = 0, wait = 0;

	if ((f = fopen("/proc/thread-self/schedstat", "r")) == NULL)
		return 0;
	if (fscanf(f, "%lld %lld", &run, &wait) != 2)
		wait = 0;
	fclose(f);
	return wait;
}

/* Whether SALESCYCLE_TEST_TRACE is set; read once. */
static bool
imap_trace_on(void)
{
	static atomic_int	on = -1;
	int			v = atomic_load(&on);

	if (v < 0) {
		v = getenv("SALESCYCLE_TEST_TRACE") != NULL;
		atomic_store(&on, v);
	}
	return v != 0;
}

/* Nanoseconds of a clock. */
static long long
imap_trace_ns(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * Whether a phase is long enough to read schedstat around it: those of a
 * message (room, classify, idle) are not, the read would cost more.
 */
static bool
imap_trace_coarse(enum imap_trace_what what)
{
	return what != IMAP_TRACE_ROOM && what != IMAP_TRACE_CLASSIFY &&
	    what != IMAP_TRACE_IDLE;
}

void
imap_trace_begin(struct imap_trace_span *sp, enum imap_trace_what what)
{
	sp->on = imap_trace_on();
	if (!sp->on)
		return;
	sp->wall = imap_trace_ns(CLOCK_MONOTONIC);
	sp->cpu = imap_trace_ns(CLOCK_THREAD_CPUTIME_ID);
	sp->runq = imap_trace_coarse(what) ? imap_trace_runq_ns() : 0;
}

void
imap_trace_end(struct imap_trace_span *sp, enum imap_trace_what what)
{
	if (!sp->on)
		return;
	if (imap_trace_coarse(what))
		atomic_fetch_add(&imap_trace_runq[what],
		    imap_trace_runq_ns() - sp->runq);
	atomic_fetch_add(&imap_trace_wall[what],
	    imap_trace_ns(CLOCK_MONOTONIC) - sp->wall);
	atomic_fetch_add(&imap_trace_cpu[what],
	    imap_trace_ns(CLOCK_THREAD_CPUTIME_ID) - sp->cpu);
	atomic_fetch_add(&imap_trace_count[what], 1);
}

void
imap_trace_report(const struct imap_session *s, const char *folder)
{
	int	i;

	if (!imap_trace_on())
		return;
	for (i = 0; i < IMAP_TRACE_N; i++)
		imap_log(LOG_LVL_WARN, s, "%s: trace %-8s %6lld times, wall "
		    "%7.3f s, cpu %7.3f s, waiting for a core %7.3f s", folder,
		    imap_trace_names[i], atomic_exchange(&imap_trace_count[i], 0),
		    (double)atomic_exchange(&imap_trace_wall[i], 0) / 1e9,
		    (double)atomic_exchange(&imap_trace_cpu[i], 0) / 1e9,
		    (double)atomic_exchange(&imap_trace_runq[i], 0) / 1e9);
}
#endif
