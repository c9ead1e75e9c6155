/* SPDX-License-Identifier: MIT */
/*
 * Discovery: which folders to poll.  INBOX and the \Sent special-use
 * folder (RFC 6154, or Gmail's XLIST), or the configured ones in the
 * server's spelling (its delimiter, under the INBOX prefix, in modified
 * UTF-7).  A server without SPECIAL-USE or XLIST (Courier) flags no
 * folder: the Sent folder is then the one folder named as mail clients
 * name it by default in their languages, at the top level or under the
 * personal namespace prefix (RFC 2342); none or several such folders is
 * a warning, and only INBOX is read until `folders =` says which.  LIST
 * is read line by line (imap-list.c) into a hash set: linear in the
 * number of folders, names compared exactly but for INBOX, at most
 * IMAP_MAX_FOLDERS of them.  The resolved list is kept in the store as
 * rows (source_cache_save), so that an idle poll of a new process sends
 * no LIST until it is IMAP_RELIST_SECS old or a folder of it is gone.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#define LOG_TAG "imap"
#include "hashset.h"
#include "imap-int.h"
#include "imap-list.h"
#include "util.h"
#include "xmalloc.h"

/* Folders, and bytes of their names, a LIST may give (some 40 MB at most). */
#define IMAP_MAX_FOLDERS	200000
#define IMAP_MAX_FOLDER_BYTES	(16 * 1024 * 1024)
/* Folder names listed in a doctor's hint. */
#define IMAP_HINT_FOLDERS	12

/* Whether a list holds a mailbox name (exactly, but for INBOX). */
static bool
imap_folders_has(const struct strlist *l, const char *name)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (imap_list_same(l->v[i], name))
			return true;
	return false;
}

/*
 * The server's name for a configured folder, trying its delimiter and
 * INBOX prefix; *under_inbox the INBOX-prefixed name too when it is
 * another folder than the one found (the caller decides which is meant).
 */
static const char *
imap_folders_find(const struct imap_nameset *names, const char *want,
    char delim, const char **under_inbox)
{
	char		*alt, *cand[3];
	size_t		 j;
	const char	*found = NULL, *inbox;

	cand[0] = xstrdup(want);
	cand[1] = xstrdup(want);
	if (delim != '\0')
		for (alt = cand[1]; *alt != '\0'; alt++)
			if (*alt == '/')
				*alt = delim;
	cand[2] = delim != '\0' ? xasprintf("INBOX%c%s", delim, cand[1]) :
	    xstrdup(want);
	for (j = 0; j < 3 && found == NULL; j++)
		found = imap_nameset_get(names, cand[j]);
	inbox = delim != '\0' ? imap_nameset_get(names, cand[2]) : NULL;
	*under_inbox = inbox != found ? inbox : NULL;
	for (j = 0; j < 3; j++)
		free(cand[j]);
	return found;
}

/* What a LIST or XLIST answer gives discovery. */
struct imap_folders_listing {
	struct imap_nameset	 names;		/* selectable mailboxes */
	size_t			 bytes;		/* of their names */
	bool			 full;		/* IMAP_MAX_FOLDERS reached */
	char			 delim;		/* the first one given */
	char			*sent;		/* owned: the first \Sent one */
};

/* Takes one LIST or XLIST entry: a selectable name, delimiter, \Sent. */
static void
imap_folders_listing_add(const struct imap_list_entry *e, void *arg)
{
	struct imap_folders_listing	*l = arg;

	if (l->delim == '\0')
		l->delim = e->delim;
	if (e->noselect || l->full)
		return;
	if (l->names.names.n >= IMAP_MAX_FOLDERS ||
	    l->bytes + strlen(e->name) > IMAP_MAX_FOLDER_BYTES) {
		l->full = true;
		return;
	}
	if (imap_nameset_add(&l->names, e->name))
		l->bytes += strlen(e->name);
	if (e->sent && l->sent == NULL)
		l->sent = xstrdup(e->name);
}

/*
 * Sends LIST or XLIST and adds its answer to l.  Returns 0, or -1 with
 * err and the connection dropped when it broke; a NO or BAD is only
 * logged, in *refused.
 */
static int
imap_folders_listing_run(struct imap_session *s, const char *cmd,
    struct imap_folders_listing *l, bool *refused, struct err *err)
{
	char	text[512], safe[512];
	size_t	bad = 0;
	int	r;

	*refused = false;
	r = imap_list_run(s->imap, cmd, imap_folders_listing_add, l, &bad, text,
	    sizeof text);
	if (bad > 0)
		imap_log(LOG_LVL_WARN, s, "%s: %zu folder names skipped "
		    "(malformed, or holding control characters)", cmd, bad);
	if (r == MAILIMAP_NO_ERROR && l->full)
		return err_set(err, ERR_TEMP, "%s: %s: more than %d folders, or "
		    "%d MiB of folder names; not read", s->url.host, cmd,
		    IMAP_MAX_FOLDERS, IMAP_MAX_FOLDER_BYTES >> 20);
	if (r == MAILIMAP_NO_ERROR)
		return 0;
	if (r == MAILIMAP_ERROR_LIST || r == MAILIMAP_ERROR_PROTOCOL) {
		*refused = true;
		err_set(err, ERR_WAIT, "%s: %s refused: %s", s->url.host, cmd,
		    util_printable(text, safe, sizeof safe));
		return 0;
	}
	return imap_conn_fail(s, r, cmd, err);
}

/*
 * The names mail clients and servers give the Sent folder by default, in
 * the languages they ship (Outlook, Thunderbird, Apple Mail, Roundcube,
 * Courier, Gmail, Pine): compared with the server's names but for ASCII
 * case, after the namespace prefix.  The order is the preference shown
 * when several are there.
 */
static const char *const imap_folders_sent_names[] = {
	"Sent", "Sent Items", "Sent Messages", "Sent Mail", "Sent-Mail",
	"Verzonden items", "Verzonden", "Verzonden berichten",
	"Gesendet", "Gesendete Elemente", "Gesendete Objekte",
	"Gesendete Nachrichten",
	"Envoy\xc3\xa9s", "\xc3\x89l\xc3\xa9" "ments envoy\xc3\xa9s",
	"Messages envoy\xc3\xa9s",
	"Enviados", "Elementos enviados", "Mensajes enviados",
	"Itens enviados", "Mensagens enviadas",
	"Inviati", "Posta inviata", "Elementi inviati",
	"Skickat", "Skickade objekt", "Skickade meddelanden",
	"Sendt", "Sendte", "Sendte elementer", "Sendt post",
	"L\xc3\xa4hetetyt", "L\xc3\xa4hetetyt kohteet",
	"Wys\xc5\x82" "ane", "Elementy wys\xc5\x82" "ane",
	"Odeslan\xc3\xa9", "Odeslan\xc3\xa1 po\xc5\xa1ta",
};
#define IMAP_FOLDERS_NSENT \
	(sizeof imap_folders_sent_names / sizeof imap_folders_sent_names[0])

/*
 * Stems of those names, to point at a folder that may be the Sent one
 * when none is named exactly so ("Sent 2024", "Verzonden mail").
 */
static const char *const imap_folders_sent_stems[] = {
	"sent", "verzond", "gesend", "envoy", "envia", "inviat", "skick",
	"sendt",
};

/*
 * Whether two mailbox names in modified UTF-7 are the same but for ASCII
 * case: letters outside the base64 runs ("&...-") in any case, the runs
 * themselves exactly (base64 is case-sensitive).
 */
static bool
imap_folders_same_name(const char *a, const char *b)
{
	bool	run = false;

	for (; *a != '\0' && *b != '\0'; a++, b++) {
		if (run ? *a != *b : tolower((unsigned char)*a) !=
		    tolower((unsigned char)*b))
			return false;
		if (*a == '&')
			run = true;
		else if (*a == '-')
			run = false;
	}
	return *a == *b;
}

/* True when one of the namespaces of ns has the empty prefix. */
static bool
imap_folders_ns_top(const struct mailimap_namespace_item *ns)
{
	struct mailimap_namespace_info	*info;
	clistiter			*it;

	if (ns == NULL)
		return false;
	for (it = clist_begin(ns->ns_data_list); it != NULL;
	    it = clist_next(it)) {
		info = clist_content(it);
		if (info->ns_prefix == NULL || info->ns_prefix[0] == '\0')
			return true;
	}
	return false;
}

/*
 * The prefixes a personal folder may have: none, INBOX and the delimiter
 * (Courier, Cyrus), and the personal namespace prefixes the server gives
 * by NAMESPACE (RFC 2342) when it has it.  The top level is left out when
 * NAMESPACE gives it to the other users' or the shared folders and not
 * to the personal ones (Cyrus without altnamespace: a shared "Sent
 * Items" is no one's Sent folder); *top_shared says so.  A NAMESPACE that
 * fails is only logged: the first two remain.  Returns -1 with err when
 * the connection broke.
 */
static int
imap_folders_prefixes(struct imap_session *s, char delim,
    struct strlist *out, bool *top_shared, struct err *err)
{
	struct mailimap_namespace_data	*ns = NULL;
	struct mailimap_namespace_info	*info;
	clistiter			*it;
	char				 pfx[8];
	int				 r;

	*top_shared = false;
	strlist_add(out, "");
	if (delim != '\0') {
		snprintf(pfx, sizeof pfx, "INBOX%c", delim);
		strlist_add(out, pfx);
	}
	if (s->imap == NULL || !imap_conn_has(s->imap, "NAMESPACE"))
		return 0;
	r = mailimap_namespace(s->imap, &ns);
	if (r != MAILIMAP_NO_ERROR) {
		if (r == MAILIMAP_ERROR_EXTENSION ||
		    r == MAILIMAP_ERROR_PROTOCOL) {
			imap_log(LOG_LVL_INFO, s, "NAMESPACE refused; looking "
			    "for Sent at the top level and under INBOX only");
			return 0;
		}
		return imap_conn_fail(s, r, "NAMESPACE", err);
	}
	if (ns->ns_personal != NULL)
		for (it = clist_begin(ns->ns_personal->ns_data_list); it != NULL;
		    it = clist_next(it)) {
			info = clist_content(it);
			if (info->ns_prefix != NULL && info->ns_prefix[0] != '\0' &&
			    strlen(info->ns_prefix) < IMAP_LIST_NAME_MAX &&
			    !strlist_contains(out, info->ns_prefix))
				strlist_add(out, info->ns_prefix);
		}
	*top_shared = !imap_folders_ns_top(ns->ns_personal) &&
	    (imap_folders_ns_top(ns->ns_other) ||
	    imap_folders_ns_top(ns->ns_shared));
	mailimap_namespace_data_free(ns);
	if (*top_shared) {
		/* out->v[0] is the top level's "". */
		free(out->v[0]);
		memmove(out->v, out->v + 1, --out->n * sizeof *out->v);
	}
	return 0;
}

/*
 * The folders named as a Sent folder is by default (under one of the
 * prefixes), in the order of imap_folders_sent_names; with none, those
 * whose name holds one of their stems.
 */
static void
imap_folders_sent_by_name(const struct strlist *names,
    const struct strlist *prefixes, struct strlist *found, bool *exact)
{
	char		*enc[IMAP_FOLDERS_NSENT];
	const char	*name, *rest;
	size_t		 i, j, k, len;

	for (k = 0; k < IMAP_FOLDERS_NSENT; k++)
		enc[k] = imap_url_mailbox(imap_folders_sent_names[k]);
	for (k = 0; k < IMAP_FOLDERS_NSENT; k++)
		for (i = 0; i < names->n; i++) {
			name = names->v[i];
			for (j = 0; j < prefixes->n; j++) {
				len = strlen(prefixes->v[j]);
				if (strncasecmp(name, prefixes->v[j], len) != 0)
					continue;
				rest = name + len;
				if (enc[k] != NULL &&
				    imap_folders_same_name(rest, enc[k]) &&
				    !imap_folders_has(found, name))
					strlist_add(found, name);
			}
		}
	for (k = 0; k < IMAP_FOLDERS_NSENT; k++)
		free(enc[k]);
	*exact = found->n > 0;
	if (*exact)
		return;
	for (i = 0; i < names->n && found->n < IMAP_HINT_FOLDERS; i++)
		for (k = 0; k < sizeof imap_folders_sent_stems /
		    sizeof imap_folders_sent_stems[0]; k++)
			if (strcasestr(names->v[i], imap_folders_sent_stems[k]) !=
			    NULL) {
				strlist_add(found, names->v[i]);
				break;
			}
}

/*
 * Joins the names of a list with ", " into out, as many as fit, in UTF-8
 * as folders = takes them (modified UTF-7 when they are not valid).
 */
static void
imap_folders_join(const struct strlist *l, char *out, size_t len)
{
	char	*utf8;
	size_t	 i, n = 0;

	out[0] = '\0';
	for (i = 0; i < l->n && n + 1 < len; i++) {
		utf8 = imap_url_mailbox_utf8(l->v[i]);
		snprintf(out + n, len - n, "%s%s", i > 0 ? ", " : "",
		    utf8 != NULL ? utf8 : l->v[i]);
		free(utf8);
		n = strlen(out);
	}
}

/*
 * Without a folder flagged \Sent: takes the one folder named as a Sent
 * folder is by default.  With none or several, only INBOX is read; a
 * warning (logged, kept for status, told to doctor) names the candidates
 * and the folders = to set.  -1 with err when the connection broke.
 */
static int
imap_folders_sent_guess(struct imap_session *s, const struct strlist *names,
    char delim, struct err *err)
{
	struct strlist	 prefixes = { NULL, 0, 0, NULL }, found = { NULL, 0, 0, NULL };
	struct strlist	 first = { NULL, 0, 0, NULL };
	char		 list[400], one[200];
	bool		 exact, top_shared;
	int		 rc = 0;

	if (imap_folders_prefixes(s, delim, &prefixes, &top_shared, err) != 0) {
		rc = -1;
		goto out;
	}
	imap_folders_sent_by_name(names, &prefixes, &found, &exact);
	imap_folders_join(&found, list, sizeof list);
	if (found.n > 0)
		strlist_add(&first, found.v[0]);
	imap_folders_join(&first, one, sizeof one);
	if (exact && found.n == 1) {
		s->sent = (long)s->folders.n;
		strlist_add(&s->folders, found.v[0]);
		imap_log(LOG_LVL_INFO, s, "%s: read as the Sent folder, by its "
		    "name (no folder is flagged \\Sent%s)", one,
		    s->imap != NULL && imap_conn_has(s->imap, "SPECIAL-USE") ?
		    "" :
		    ": the server has no SPECIAL-USE");
		source_note(&s->rep, true, "Sent folder: %s (by its name: the "
		    "server flags no folder \\Sent)", one);
		goto out;
	}
	if (exact)
		snprintf(s->sent_warning, sizeof s->sent_warning, "no folder "
		    "is flagged \\Sent and several are named like one (%s): "
		    "only INBOX is read, so no offer is seen; set folders = "
		    "INBOX, %s (or the one sent mail goes to)", list, one);
	else if (found.n > 0)
		snprintf(s->sent_warning, sizeof s->sent_warning, "no folder "
		    "is flagged \\Sent or named like one: only INBOX is read, "
		    "so no offer is seen; likely: %s; set folders = INBOX, %s "
		    "(or the one sent mail goes to)", list, one);
	else
		snprintf(s->sent_warning, sizeof s->sent_warning, "no folder "
		    "is flagged \\Sent or named like one: only INBOX is read, "
		    "so no offer is seen; set folders = INBOX, <the folder "
		    "sent mail goes to>");
	log_msg(LOG_LVL_WARN, s->tag, "%s", s->sent_warning);
	source_note(&s->rep, false, "%s", s->sent_warning);
out:
	strlist_clear(&prefixes);
	strlist_clear(&found);
	strlist_clear(&first);
	return rc;
}

/* The first folder names of a list, for a doctor's hint. */
static void
imap_folders_text(const struct strlist *names, char *out, size_t len)
{
	char	*shown;
	size_t	 i, n = 0;

	out[0] = '\0';
	for (i = 0; i < names->n && i < IMAP_HINT_FOLDERS && n + 1 < len; i++) {
		shown = imap_url_mailbox_shown(names->v[i]);
		snprintf(out + n, len - n, "%s%s", i > 0 ? ", " : "", shown);
		free(shown);
		n = strlen(out);
	}
	if (names->n > IMAP_HINT_FOLDERS && n + 1 < len)
		snprintf(out + n, len - n, " and %zu more",
		    names->n - IMAP_HINT_FOLDERS);
}

/*
 * Resolves the folders to poll: INBOX and the \Sent special-use folder
 * (RFC 6154, or Gmail's XLIST), or the configured ones in the server's
 * spelling.  Roles come from flags only, never from localised names.
 * LIST is read line by line into a hash set (imap-list.c): linear in the
 * number of folders, names compared exactly but for INBOX, and at most
 * IMAP_MAX_FOLDERS of them.
 */
int
imap_folders_list(struct imap_session *s, const struct source *src,
    struct err *err)
{
	struct imap_folders_listing	 l;
	struct imap_nameset	*names = &l.names;
	char			 delim, *sent, *enc, *shown, all[1024];
	const char		*found, *how = "SPECIAL-USE", *inbox;
	struct strlist		 prefixes = { NULL, 0, 0, NULL };
	size_t			 i;
	bool			 refused, top_shared = false, asked = false;

	memset(&l, 0, sizeof l);
	if (imap_folders_listing_run(s, "LIST", &l, &refused, err) != 0
	    || refused) {
		source_note(&s->rep, false, "%s", err->msg);
		if (!refused)
			goto fail;
		/* A list refused is a server in trouble: try again later. */
		err->cls = ERR_TEMP;
		goto fail;
	}
	if (l.sent == NULL && imap_conn_has(s->imap, "XLIST")) {
		how = "XLIST";
		if (imap_folders_listing_run(s, "XLIST", &l, &refused,
		    err) != 0) {
			source_note(&s->rep, false, "%s", err->msg);
			goto fail;
		}
		err_clear(err);
	}
	delim = l.delim;
	sent = l.sent;
	imap_folders_text(&names->names, all, sizeof all);
	source_note(&s->rep, true, "LIST: %zu folders (delimiter %c): %s",
	    names->names.n, delim != '\0' ? delim : '-', all);

	strlist_clear(&s->folders);
	strlist_clear(&s->missing);
	s->sent = -1;
	s->sent_warning[0] = '\0';
	if (src->folders.n == 0) {
		strlist_add(&s->folders, "INBOX");
		if (sent != NULL && strcasecmp(sent, "INBOX") != 0) {
			s->sent = (long)s->folders.n;
			strlist_add(&s->folders, sent);
			shown = imap_url_mailbox_shown(sent);
			source_note(&s->rep, true, "\\Sent folder: %s (by %s)",
			    shown, how);
			free(shown);
		} else if (imap_folders_sent_guess(s, &names->names, delim,
		    err) != 0) {
			source_note(&s->rep, false, "%s", err->msg);
			goto fail;
		}
	}
	for (i = 0; i < src->folders.n; i++) {
		enc = imap_url_mailbox(src->folders.v[i]);
		found = imap_folders_find(names, enc != NULL ? enc :
		    src->folders.v[i], delim, &inbox);
		free(enc);
		/*
		 * Both the name and INBOX's folder of that name: the top
		 * level may be the shared folders' (Cyrus), then INBOX's
		 * is the user's own.
		 */
		if (inbox != NULL && !asked) {
			asked = true;
			/*
			 * Not known: the name as it is.  A connection an
			 * answer broke is made again for the first folder.
			 */
			if (imap_folders_prefixes(s, delim, &prefixes,
			    &top_shared, err) != 0) {
				imap_log(LOG_LVL_INFO, s, "%s; folders taken "
				    "as named", err->msg);
				s->lost = false;
			}
			err_clear(err);
		}
		if (inbox != NULL && top_shared)
			found = inbox;
		if (found == NULL) {
			log_msg(LOG_LVL_WARN, s->tag, "%s: no such folder on %s",
			    src->folders.v[i], s->url.host);
			source_note(&s->rep, false, "%s: no such folder on %s; "
			    "fix folders = (the server has: %s)",
			    src->folders.v[i], s->url.host, all);
			strlist_add(&s->missing, src->folders.v[i]);
			continue;
		}
		shown = imap_url_mailbox_shown(found);
		source_note(&s->rep, true, "%s: found%s%s", src->folders.v[i],
		    strcmp(shown, src->folders.v[i]) != 0 ? " as " : "",
		    strcmp(shown, src->folders.v[i]) != 0 ? shown : "");
		free(shown);
		if (imap_folders_has(&s->folders, found))
			continue;
		if (sent != NULL && imap_list_same(found, sent))
			s->sent = (long)s->folders.n;
		strlist_add(&s->folders, found);
	}
	free(sent);
	strlist_clear(&prefixes);
	imap_nameset_clear(names);
	s->listed = util_now();
	return 0;
fail:
	free(l.sent);
	strlist_clear(&prefixes);
	imap_nameset_clear(names);
	return -1;
}

/* The fields of a folder in the kept list: its name and its role. */
static const char *const imap_folders_cache_fields[] = { "name", "role" };

/*
 * What a kept folder list was made for: the server, the user and the
 * configured folders, so that changing any of them lists again.  Caller
 * frees.
 */
static char *
imap_folders_cache_key(const struct source *src)
{
	struct buf	b = { NULL, 0, 0 };
	size_t		i;

	buf_printf(&b, "%s\t%s", src->url, src->user != NULL ? src->user : "");
	for (i = 0; i < src->folders.n; i++)
		buf_printf(&b, "\t%s", src->folders.v[i]);
	return b.data;
}

/*
 * Takes the folders of a kept list: names as clean as LIST gives them
 * (imap-list.c), roles "sent" (one at most) or "folder".  -1 if any is
 * not; the session's list is then empty.
 */
static int
imap_folders_cache_take(struct imap_session *s, const struct source_cache *c)
{
	const char	*name, *role;
	char		 safe[IMAP_LIST_NAME_MAX];
	size_t		 i, n = source_cache_count(c);

	strlist_clear(&s->folders);
	s->sent = -1;
	for (i = 0; i < n; i++) {
		name = c->values.v[2 * i];
		role = c->values.v[2 * i + 1];
		if (*name == '\0' || strcmp(util_printable(name, safe,
		    sizeof safe), name) != 0)
			goto bad;
		if (strcmp(role, "sent") == 0 && s->sent < 0)
			s->sent = (long)i;
		else if (strcmp(role, "folder") != 0)
			goto bad;
		strlist_add(&s->folders, name);
	}
	return n > 0 ? 0 : -1;
bad:
	strlist_clear(&s->folders);
	s->sent = -1;
	return -1;
}

/*
 * Takes the folder list from the store when it was made less than
 * IMAP_RELIST_SECS ago for this configuration: an idle poll of a new
 * process (salescycled --once) then sends no LIST.
 */
void
imap_folders_load(struct imap_session *s, const struct source *src,
    struct store *st)
{
	struct source_cache	 c = { imap_folders_cache_fields, 2,
				     { NULL, 0, 0, NULL }, 0 };
	char			*key = imap_folders_cache_key(src);

	if (source_cache_load(st, src, key, IMAP_RELIST_SECS, IMAP_MAX_FOLDERS,
	    &c) == 0 && imap_folders_cache_take(s, &c) == 0) {
		strlist_clear(&s->missing);
		s->listed = c.when;
		imap_log(LOG_LVL_DEBUG, s, "%zu folders from the list of %lld",
		    s->folders.n, (long long)c.when);
	}
	strlist_clear(&c.values);
	free(key);
}

/*
 * Drops what a folder renumbered at every poll left (imap-sync.c) once
 * the folder is no longer polled: salescycle status would show its
 * warning for ever.
 */
static void
imap_folders_forget_stale(const struct imap_session *s,
    const struct source *src, struct store *st)
{
	struct strlist scopes = { NULL, 0, 0, NULL };
	struct hashset listed = { NULL, 0, 0, NULL };
	struct err e;
	size_t i;

	for (i = 0; i < s->folders.n; i++)
		hashset_add(&listed, s->folders.v[i]);
	if (source_scopes_unlisted(st, src, "renumbered", &listed, SIZE_MAX,
	    &scopes, &e) != 0)
		log_warn("%s: %s", src->name, e.msg);
	hashset_clear(&listed);
	for (i = 0; i < scopes.n; i++)
		if (store_cursor_set(st, src->name, scopes.v[i], "renumbered",
		    NULL, &e) != 0 || store_cursor_set(st, src->name,
		    scopes.v[i], "warning", NULL, &e) != 0)
			log_warn("%s: %s", src->name, e.msg);
	strlist_clear(&scopes);
}

/*
 * Keeps the folder list in the store; a list that lacks a configured
 * folder is not kept (the one kept is dropped), so that the next poll
 * looks again.
 */
void
imap_folders_save(struct imap_session *s, const struct source *src,
    struct store *st)
{
	struct source_cache	 c = { imap_folders_cache_fields, 2,
				     { NULL, 0, 0, NULL }, s->listed };
	char			*key;
	size_t			 i;

	if (s->missing.n > 0) {
		source_cache_drop(st, src);
		return;
	}
	for (i = 0; i < s->folders.n; i++) {
		strlist_add(&c.values, s->folders.v[i]);
		strlist_add(&c.values, (long)i == s->sent ? "sent" : "folder");
	}
	key = imap_folders_cache_key(src);
	source_cache_save(st, src, key, &c);
	imap_folders_forget_stale(s, src, st);
	if (s->sent_warning[0] != '\0')
		source_cache_warn(st, src, s->sent_warning);
	strlist_clear(&c.values);
	free(key);
}
