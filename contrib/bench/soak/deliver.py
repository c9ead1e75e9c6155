#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# The soak test's traffic: mail saved into Dovecot with `doveadm save` and
# calendar items written to Radicale with curl (PUT, PUT again to move,
# DELETE), for salespeople sp001..spNNN.  Every operation that succeeded
# is appended to TRUTH (JSON lines, flushed at once) with what it must
# give in the store, so that check.py can compare:
#
#   mail  {"t": "mail", "mid": "<id>", "sp", "folder", "account", "kind"}
#         kind offer_sent (Sent, "Offerte N" to customerK.nl), order_confirmed
#         (INBOX, "Opdrachtbevestiging N" from customerK.nl), contact (either
#         way, "Vraag/Informatie over levering N"), or null: internal mail
#         and newsletters, which must give nothing;
#   put   {"t": "put", "uid", "href", "sp", "account", "day", "kind"}
#         kind appointment (an attendee at customerK.nl) or null (an
#         internal meeting: an appointment signal without account that
#         never counts); a put of a known uid is a move to another day;
#   del   {"t": "del", "uid", "href", "sp"}
#
# The state (sequence numbers, live events) is read back from TRUTH, so
# `seed` and `run` can follow each other.
#
#	usage: deliver.py seed TRUTH PER-ACCOUNT
#	       deliver.py run TRUTH SECONDS
#	environment: SOAK_DOVEADM_CONF, SOAK_DAV_URL, SOAK_PW, SOAK_ACCOUNTS,
#	             SOAK_SEED, SOAK_MAIL_PER_S (default 2), SOAK_EVENT_PER_S (1)

import datetime
import email.utils
import json
import os
import random
import signal
import subprocess
import sys
import time

DOMAIN = "brightline.nl"
CUSTOMERS = 300

conf = os.environ["SOAK_DOVEADM_CONF"]
dav = os.environ["SOAK_DAV_URL"]
pw = os.environ["SOAK_PW"]
accounts = int(os.environ["SOAK_ACCOUNTS"])
rng = random.Random(int(os.environ.get("SOAK_SEED", "1")) * 7919 +
                    (0 if sys.argv[1] == "seed" else 1))
stopping = False


def on_term(signum, frame):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, on_term)
signal.signal(signal.SIGINT, on_term)


class State:
    """What TRUTH says so far: the next sequence number and live events."""

    def __init__(self, path):
        self.seq = 0
        self.live = {}      # uid -> record of its last put
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    r = json.loads(line)
                    self.seq = max(self.seq, r.get("seq", 0))
                    if r["t"] == "put":
                        self.live[r["uid"]] = r
                    elif r["t"] == "del":
                        del self.live[r["uid"]]
        self.out = open(path, "a")

    def record(self, r):
        r["at"] = round(time.time(), 3)
        self.out.write(json.dumps(r, sort_keys=True) + "\n")
        self.out.flush()
        if r["t"] == "put":
            self.live[r["uid"]] = r
        elif r["t"] == "del":
            del self.live[r["uid"]]

    def next(self):
        self.seq += 1
        return self.seq


def sp_name(i):
    """sp001..sp999, or sp0001.. when there are 1,000 or more (as run.sh)."""
    return "sp%0*d" % (3 if accounts <= 999 else 4, i)


def crlf(lines):
    return ("\r\n".join(lines) + "\r\n").encode()


def message(frm, to, subject, mid, extra=(), attachment=None):
    """A small RFC 5322 message, multipart when it carries an attachment."""
    head = ["From: %s" % frm, "To: %s" % to, "Subject: %s" % subject,
            "Message-ID: %s" % mid,
            "Date: %s" % email.utils.formatdate(localtime=True),
            "MIME-Version: 1.0"] + list(extra)
    if attachment is None:
        return crlf(head + ["Content-Type: text/plain; charset=utf-8", "",
                            "Goedemiddag,", "", "Zie hieronder.", ""])
    return crlf(head + [
        'Content-Type: multipart/mixed; boundary="b1"', "",
        "--b1", "Content-Type: text/plain; charset=utf-8", "",
        "Zie de bijlage.",
        "--b1", 'Content-Type: application/pdf; name="%s"' % attachment,
        'Content-Disposition: attachment; filename="%s"' % attachment,
        "Content-Transfer-Encoding: base64", "", "JVBERi0xLjQK", "--b1--"])


def doveadm_save(user, folder, data):
    r = subprocess.run(["doveadm", "-c", conf, "save", "-u", user, "-m",
                        folder], input=data, capture_output=True)
    if r.returncode != 0:
        sys.exit("deliver: doveadm save %s %s: %s" %
                 (user, folder, r.stderr.decode().strip()))


def curl(sp, method, href, data=None):
    cmd = ["curl", "-sS", "-f", "-u", "%s:%s" % (sp, pw), "-X", method,
           "-o", "/dev/null"]
    if data is not None:
        cmd += ["-H", "Content-Type: text/calendar; charset=utf-8",
                "--data-binary", "@-"]
    r = subprocess.run(cmd + [dav + href], input=data, capture_output=True)
    if r.returncode != 0:
        sys.exit("deliver: %s %s: %s" % (method, href,
                                           r.stderr.decode().strip()))


def deliver_mail(st):
    """One message of a random kind into a random salesperson's mailbox."""
    n = st.next()
    sp = sp_name(rng.randint(1, accounts))
    me = "%s@%s" % (sp, DOMAIN)
    cust = "customer%d.nl" % rng.randint(1, CUSTOMERS)
    x = rng.random()
    extra, attachment, account = (), None, cust
    if x < 0.30:
        folder, kind = "Sent", "offer_sent"
        mid = "<soak-%d@%s>" % (n, DOMAIN)
        frm, to, subject = me, "inkoop@" + cust, "Offerte %d" % n
        if n % 2 == 0:
            attachment = "offerte-%d.pdf" % n
    elif x < 0.50:
        folder, kind = "INBOX", "order_confirmed"
        mid = "<soak-%d@%s>" % (n, cust)
        frm, to, subject = "inkoop@" + cust, me, "Opdrachtbevestiging %d" % n
    elif x < 0.70:
        folder, kind = "INBOX", "contact"
        mid = "<soak-%d@%s>" % (n, cust)
        frm, to, subject = "jan@" + cust, me, "Vraag over levering %d" % n
    elif x < 0.85:
        folder, kind = "Sent", "contact"
        mid = "<soak-%d@%s>" % (n, DOMAIN)
        frm, to = me, "jan@" + cust
        subject = "Informatie over levering %d" % n
    elif x < 0.93:
        folder, kind, account = "Sent", None, None
        mid = "<soak-%d@%s>" % (n, DOMAIN)
        frm, to, subject = me, "piet@" + DOMAIN, "Weekoverleg %d" % n
    else:
        folder, kind, account = "INBOX", None, None
        mid = "<soak-%d@news.%s>" % (n, cust)
        frm, to, subject = "nieuws@" + cust, me, "Nieuwsbrief %d" % n
        extra = ("List-Unsubscribe: <mailto:uit@%s>" % cust,
                 "Precedence: bulk")
    doveadm_save(sp, folder, message(frm, to, subject, mid, extra,
                                     attachment))
    st.record({"t": "mail", "seq": n, "mid": mid, "sp": sp,
               "folder": folder, "account": account, "kind": kind})


def ics(uid, sp, day, seq, summary, attendee):
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y%m%dT%H%M%SZ")
    d = day.replace("-", "")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//salescycle soak//EN",
             "BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:" + stamp,
             "CREATED:" + stamp, "LAST-MODIFIED:" + stamp,
             "SEQUENCE:%d" % seq, "DTSTART:%sT090000Z" % d,
             "DTEND:%sT100000Z" % d, "SUMMARY:" + summary,
             "ORGANIZER:mailto:%s@%s" % (sp, DOMAIN)]
    if attendee is not None:
        lines.append("ATTENDEE;CN=Inkoop;PARTSTAT=ACCEPTED:mailto:" + attendee)
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return crlf(lines)


def random_day(avoid=None):
    while True:
        d = (datetime.date.today() +
             datetime.timedelta(days=rng.randint(-20, 40))).isoformat()
        if d != avoid:
            return d


def new_event(st):
    """A customer visit (9 in 10) or an internal meeting."""
    n = st.next()
    sp = sp_name(rng.randint(1, accounts))
    uid = "soak-ev-%d@%s" % (n, DOMAIN)
    href = "/%s/werk/soak-ev-%d.ics" % (sp, n)
    day = random_day()
    if rng.random() < 0.9:
        k = rng.randint(1, CUSTOMERS)
        account, kind = "customer%d.nl" % k, "appointment"
        summary, attendee = "Bezoek klant %d" % k, "inkoop@" + account
    else:
        account, kind = None, None
        summary, attendee = "Salesoverleg", None
    curl(sp, "PUT", href, ics(uid, sp, day, 0, summary, attendee))
    st.record({"t": "put", "seq": n, "uid": uid, "href": href, "sp": sp,
               "account": account, "day": day, "kind": kind, "rev": 0,
               "summary": summary, "attendee": attendee})


def move_event(st):
    r = dict(st.live[rng.choice(sorted(st.live))])
    r["day"] = random_day(r["day"])
    r["rev"] += 1
    curl(r["sp"], "PUT", r["href"], ics(r["uid"], r["sp"], r["day"],
                                        r["rev"], r["summary"], r["attendee"]))
    r.pop("seq", None)
    st.record(r)


def delete_event(st):
    r = st.live[rng.choice(sorted(st.live))]
    curl(r["sp"], "DELETE", r["href"])
    st.record({"t": "del", "uid": r["uid"], "href": r["href"], "sp": r["sp"]})


def event_op(st):
    """Creates (3 in 5), moves (1 in 4) or deletes (3 in 20) an event."""
    x = rng.random()
    if x < 0.6 or len(st.live) < 5:
        new_event(st)
    elif x < 0.85:
        move_event(st)
    else:
        delete_event(st)


def seed(st, per_account):
    for _ in range(per_account * accounts):
        deliver_mail(st)
    for _ in range(max(1, per_account // 2) * accounts):
        new_event(st)


def run(st, seconds):
    """Mail and event operations at fixed times until the deadline."""
    mail_every = 1 / float(os.environ.get("SOAK_MAIL_PER_S", "2"))
    event_every = 1 / float(os.environ.get("SOAK_EVENT_PER_S", "1"))
    t0 = time.monotonic()
    end = t0 + seconds
    next_mail = next_event = t0
    mails = events = 0
    late = 0.0
    while not stopping:
        now = time.monotonic()
        if now >= end:
            break
        if next_mail <= now:
            late = max(late, now - next_mail)
            deliver_mail(st)
            mails += 1
            next_mail += mail_every
        elif next_event <= now:
            late = max(late, now - next_event)
            event_op(st)
            events += 1
            next_event += event_every
        else:
            time.sleep(min(next_mail, next_event, end) - now)
    took = time.monotonic() - t0
    print("deliver: %d mails, %d event operations in %.0f s "
          "(%.2f and %.2f per s; at most %.1f s behind schedule)" %
          (mails, events, took, mails / took, events / took, late),
          file=sys.stderr)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("seed", "run"):
        sys.exit("usage: deliver.py seed|run TRUTH N")
    st = State(sys.argv[2])
    if sys.argv[1] == "seed":
        seed(st, int(sys.argv[3]))
    else:
        run(st, float(sys.argv[3]))


main()
