#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# gen-sample.py: writes the bundled sample data set of salescycle: the
# mailboxes (.eml) and calendars (.ics) of the three salespeople of
# Brightline B.V., a Dutch supplier of laboratory instruments and LIMS
# software, over the twelve weeks that end on Friday 2026-11-20, together
# with sample.conf, targets.csv and EXPECTED.md (the hand-made truth: the
# phase and outcome every account is meant to reach under DESIGN sections 4
# and 5).  Everything is fixed: dates, names and the seeded random numbers
# behind Message-IDs, UIDs and MIME boundaries, so two runs write the same
# bytes.  Standard library only.
#
# Usage: gen-sample.py [--seed N] OUTDIR

import argparse
import base64
import datetime as dt
import json
import os
import quopri
import random
import shutil
import sys
import zoneinfo

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
UTC = dt.timezone.utc
REOPEN = dt.timedelta(days=7)
STALE_DAYS = 120
TARGET_DAY = dt.date(2026, 8, 28)
EXPORTED = dt.datetime(2026, 11, 20, 17, 0, tzinfo=UTC)

PHASES = ["selection", "suspect", "prospect", "offer", "closing"]
ENTERS = {"target": 0, "call": 0, "appointment": 1, "demo": 2,
          "offer_sent": 3, "verbal_order": 4, "order_confirmed": 4}

ANNA = ("Anna de Vries", "anna@brightline.nl")
ANNA_ALIAS = ("Anna de Vries", "a.devries@brightline.nl")
BRAM = ("Bram Jansen", "bram@brightline.nl")
CARLA = ("Carla Smit", "carla@brightline.nl")
PIET = ("Piet Hendriks", "piet@brightline.nl")
JORIS = ("Joris Claes", "joris@brightline.be")
PEOPLE = {"anna": ANNA, "bram": BRAM, "carla": CARLA}
STYLE = {"anna": "apple", "bram": "thunderbird", "carla": "outlook"}
CALSTYLE = {"anna": "apple", "bram": "google", "carla": "outlook"}


def t(month, day, hour=9, minute=0):
    """A wall-clock time in Amsterdam in 2026."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=AMS)


def utc(when):
    return when.astimezone(UTC)


def iso(when):
    return utc(when).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(when):
    return when.astimezone(AMS).strftime("%Y-%m-%d")


# ---------------------------------------------------------------- encoding

def encoded_word(text, charset="UTF-8", enc="B", limit=75):
    """RFC 2047 encoded words for text, split so that none exceeds limit."""
    def one(s):
        b = s.encode(charset)
        if enc == "B":
            return "=?%s?B?%s?=" % (charset, base64.b64encode(b).decode())
        q = "".join(chr(c) if (chr(c).isalnum() and c < 128) or c == 0x2d
                    else "_" if c == 0x20 else "=%02X" % c for c in b)
        return "=?%s?Q?%s?=" % (charset, q)

    words, cur = [], ""
    for ch in text:
        if cur and len(one(cur + ch)) > limit:
            words.append(one(cur))
            cur = ch
        else:
            cur += ch
    words.append(one(cur))
    return "\n ".join(words)


def fmt_addr(person):
    name, addr = person
    if not name:
        return addr
    if not name.isascii():
        return "%s <%s>" % (encoded_word(name, "UTF-8", "Q"), addr)
    if any(c in name for c in ',.;:"()'):
        return '"%s" <%s>' % (name.replace('"', ""), addr)
    return "%s <%s>" % (name, addr)


def fake_pdf(title):
    """A tiny one-page PDF whose only text is title (ASCII)."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 770 Td (" + text + b") Tj ET"
    return (b"%PDF-1.4\n"
            b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]"
            b"/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
            b"4 0 obj<</Length " + str(len(stream)).encode() + b">>stream\n"
            + stream + b"\nendstream endobj\n"
            b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def attachment_params(fname, style):
    """Content-Type and Content-Disposition lines naming fname in style."""
    if style == "plain":
        return ('application/pdf; name="%s"' % fname,
                'attachment; filename="%s"' % fname)
    if style == "outlook":
        # RFC 2047 inside quotes, as Outlook writes non-ASCII names.
        w = encoded_word(fname, "utf-8", "B", 1000)
        return ('application/pdf; name="%s"' % w,
                'attachment; filename="%s"' % w)
    if style == "rfc2231":
        # charset'lang'%XX with continuations (Thunderbird, Apple Mail).
        enc = "".join(chr(c) if c < 128 and (chr(c).isalnum() or chr(c) in "-._")
                      else "%%%02X" % c
                      for c in fname.encode("utf-8"))
        parts, rest = [], enc
        while rest:
            cut = min(40, len(rest))
            pct = rest.rfind("%", cut - 2, cut)
            if cut < len(rest) and pct >= 0:
                cut = pct	# never split a %XX escape
            parts.append(rest[:cut])
            rest = rest[cut:]
        disp = ["attachment"]
        for i, p in enumerate(parts):
            disp.append("filename*%d*=%s%s" % (i, "utf-8''" if i == 0 else "", p))
        return ("application/pdf", ";\n ".join(disp))
    if style == "rfc2231plain":
        half = len(fname) // 2
        return ("application/pdf",
                'attachment;\n filename*0="%s";\n filename*1="%s"' % (fname[:half], fname[half:]))
    raise ValueError(style)


def ics_escape(s):
    return (s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def ics_fold(line):
    """Folds one content line at 75 octets without splitting a UTF-8 character."""
    b = line.encode("utf-8")
    out, first = [], True
    while b:
        limit = 75 if first else 74
        if len(b) <= limit:
            out.append(b)
            break
        cut = limit
        while cut > 0 and (b[cut] & 0xC0) == 0x80:
            cut -= 1
        out.append(b[:cut])
        b = b[cut:]
        first = False
    return b"\r\n ".join(out).decode("utf-8")


VTZ_AMSTERDAM = """BEGIN:VTIMEZONE
TZID:Europe/Amsterdam
X-LIC-LOCATION:Europe/Amsterdam
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""

VTZ_WINDOWS = """BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE"""

PRODID = {
    "apple": "-//Apple Inc.//macOS 14.6//EN",
    "google": "-//Google Inc//Google Calendar 70.9054//EN",
    "outlook": "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
}


# ---------------------------------------------------------------- model

class Signal:
    def __init__(self, kind, account, at, sp, item, why):
        self.kind, self.account, self.at = kind, account, utc(at)
        self.sp, self.item, self.why = sp, item, why


class Mail:
    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.paths = []


class Event:
    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.paths = []


class Deal:
    def __init__(self, sig, kind):
        self.sp, self.kind = sig.sp, kind
        self.phase, self.outcome = ENTERS[sig.kind], "open"
        self.opened, self.closed, self.last = sig.at, None, sig.at
        self.sigs = []


class Sample:
    def __init__(self, seed):
        self.rnd = random.Random(seed)
        self.mails, self.events, self.signals = [], [], []
        self.accounts = {}	# key -> dict(name, where, sp, expect, story)
        self.targets = []	# (key, name, sp)
        self.tsigs = None

    # -- identifiers, all from the seeded generator
    def hexid(self, n):
        return "".join(self.rnd.choice("0123456789ABCDEF") for _ in range(n))

    def uuid(self):
        h = self.hexid(32)
        return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])

    def msgid(self, style, addr):
        dom = addr.split("@")[1]
        if style == "outlook":
            host = "AM%dPR0%dMB%d" % (self.rnd.randint(0, 9), self.rnd.randint(1, 8),
                                      self.rnd.randint(1000, 9999))
            return "<%s%s@%s.eurprd0%d.prod.outlook.com>" % (
                host, self.hexid(16), host, self.rnd.randint(1, 8))
        if style == "gmail":
            return "<CA%s%s@mail.gmail.com>" % (self.hexid(24).lower(), self.hexid(12))
        if style == "apple":
            return "<%s@%s>" % (self.uuid(), dom)
        return "<%s@%s>" % (self.uuid().lower(), dom)

    # -- accounts and the declared truth
    def account(self, key, name, where, sp, expect, story):
        """expect: [(deal kind, phase, outcome)] in deal order."""
        self.accounts[key] = dict(name=name, where=where, sp=sp, expect=expect, story=story)

    def target(self, key, name, sp):
        self.targets.append((key, name, sp))

    # -- mail
    def mail(self, sp, folder, when, frm, to, subject, body, *, cc=(), atts=(),
             enc=None, prefix="", reply=None, extra=(), style=None, msgid=True,
             also=(), sig=(), why=None):
        """Adds one message to sp's folder (and to the folders in also).

        subject is prefix + the text; enc = (charset, "B"|"Q") encodes the
        text as RFC 2047 words.  atts: [(file name, name style, pdf title)].
        sig: [(kind, account)] the message is meant to give, dated by its
        Date header; why says why (or, without sig, why it gives none).
        """
        style = style or STYLE.get(sp, "outlook")
        mid = self.msgid(style, frm[1]) if msgid else None
        m = Mail(sp=sp, folder=folder, when=when, frm=frm, to=list(to), cc=list(cc),
                 subject=subject, body=body, atts=list(atts), enc=enc, prefix=prefix,
                 reply=reply, extra=list(extra), style=style, mid=mid,
                 copies=[(sp, folder)] + list(also), why=why,
                 boundary="_%s_" % self.hexid(20), boundary2="_%s_" % self.hexid(20))
        self.mails.append(m)
        for kind, acct in sig:
            self.signals.append(Signal(kind, acct, when, sp, m, why))
        return m

    def render_mail(self, m):
        h = []
        h.append("Date: " + m.when.strftime("%a, %d %b %Y %H:%M:%S %z"))
        h.append("From: " + fmt_addr(m.frm))
        h.append("To: " + ",\n ".join(fmt_addr(p) for p in m.to))
        if m.cc:
            h.append("Cc: " + ",\n ".join(fmt_addr(p) for p in m.cc))
        subj = m.subject
        if m.enc:
            text = subj[len(m.prefix):]
            subj = m.prefix + encoded_word(text, m.enc[0], m.enc[1])
        h.append("Subject: " + subj)
        if m.mid:
            h.append("Message-ID: " + m.mid)
        if m.reply is not None and m.reply.mid:
            h.append("In-Reply-To: " + m.reply.mid)
            refs, r = [], m.reply
            while r is not None and len(refs) < 5:
                if r.mid:
                    refs.insert(0, r.mid)
                r = r.reply
            h.append("References: " + "\n ".join(refs))
        if m.style == "outlook":
            h.append("Thread-Index: " + base64.b64encode(bytes(
                self.rnd.randrange(256) for _ in range(22))).decode())
            lang = "nl-NL"
            if m.frm[1].endswith(".de"):
                lang = "de-DE"
            elif any(w in m.subject for w in ("Quotation", "Automatic", "Your", "request")):
                lang = "en-GB"
            h.append("Content-Language: " + lang)
            h.append("X-MS-Has-Attach: " + ("yes" if m.atts else ""))
        elif m.style == "apple":
            h.append("X-Mailer: Apple Mail (2.3774.600.62)")
        elif m.style == "thunderbird":
            h.append("User-Agent: Mozilla Thunderbird")
        for k, v in m.extra:
            h.append("%s: %s" % (k, v))
        h.append("MIME-Version: 1.0")

        text = m.body.strip("\n") + "\n"
        tb = text.encode("utf-8")
        if tb.isascii():
            textpart = ("Content-Type: text/plain; charset=us-ascii\n"
                        "Content-Transfer-Encoding: 7bit\n\n" + text)
        else:
            textpart = ("Content-Type: text/plain; charset=utf-8\n"
                        "Content-Transfer-Encoding: quoted-printable\n\n"
                        + quopri.encodestring(tb).decode("ascii"))
        if m.style == "outlook":
            html = "<html><body><p>" + text.replace("&", "&amp;").replace("<", "&lt;") \
                .replace("\n\n", "</p><p>").replace("\n", "<br>") + "</p></body></html>\n"
            htmlpart = ("Content-Type: text/html; charset=utf-8\n"
                        "Content-Transfer-Encoding: quoted-printable\n\n"
                        + quopri.encodestring(html.encode("utf-8")).decode("ascii"))
            textpart = ('Content-Type: multipart/alternative;\n boundary="%s"\n\n'
                        "--%s\n%s\n--%s\n%s\n--%s--\n" % (
                            m.boundary2, m.boundary2, textpart, m.boundary2, htmlpart,
                            m.boundary2))
        if m.atts:
            parts = [textpart]
            for fname, nstyle, title in m.atts:
                ctype, disp = attachment_params(fname, nstyle)
                data = base64.encodebytes(fake_pdf(title)).decode("ascii")
                parts.append("Content-Type: %s\nContent-Disposition: %s\n"
                             "Content-Transfer-Encoding: base64\n\n%s" % (ctype, disp, data))
            h.append('Content-Type: multipart/mixed;\n boundary="%s"' % m.boundary)
            body = "This is a multi-part message in MIME format.\n\n"
            for p in parts:
                body += "--%s\n%s\n" % (m.boundary, p)
            body += "--%s--\n" % m.boundary
        elif textpart.startswith("Content-Type: multipart"):
            ctype, rest = textpart.split("\n\n", 1)
            h.append(ctype)
            body = rest
        else:
            head, rest = textpart.split("\n\n", 1)
            h.extend(head.split("\n"))
            body = rest
        return ("\n".join(h) + "\n\n" + body).replace("\n", "\r\n").encode("ascii")

    def dsn(self, sp, when, mta, failed, original, why):
        """A delivery status notification for original, sent by mta."""
        m = Mail(sp=sp, folder="inbox", when=when, frm=("Mail Delivery System", mta),
                 to=[original.frm], cc=[], subject="Undelivered Mail Returned to Sender",
                 body=None, atts=[], enc=None, prefix="", reply=None, extra=[],
                 style="dsn", mid="<%s@%s>" % (self.hexid(12), mta.split("@")[1]),
                 copies=[(sp, "inbox")], why=why, boundary="%s.%s" % (
                     self.hexid(10), mta.split("@")[1]), boundary2=None,
                 failed=failed, original=original)
        self.mails.append(m)
        return m

    def render_dsn(self, m):
        o = m.original
        b = m.boundary
        host = m.frm[1].split("@")[1]
        text = ("Date: %s\nFrom: %s\nTo: %s\nSubject: %s\nMessage-ID: %s\n"
                "Auto-Submitted: auto-replied\nMIME-Version: 1.0\n"
                "Content-Type: multipart/report; report-type=delivery-status;\n"
                ' boundary="%s"\n\n'
                "This is a MIME-encapsulated message.\n\n"
                "--%s\nContent-Description: Notification\n"
                "Content-Type: text/plain; charset=us-ascii\n\n"
                "This is the mail system at host %s.\n\n"
                "I'm sorry to have to inform you that your message could not\n"
                "be delivered to one or more recipients.\n\n"
                "<%s>: host %s said: 550 5.1.1 <%s>: Recipient address rejected:\n"
                "    User unknown in virtual mailbox table\n\n"
                "--%s\nContent-Description: Delivery report\n"
                "Content-Type: message/delivery-status\n\n"
                "Reporting-MTA: dns; %s\nArrival-Date: %s\n\n"
                "Final-Recipient: rfc822; %s\nAction: failed\nStatus: 5.1.1\n"
                "Diagnostic-Code: smtp; 550 5.1.1 User unknown\n\n"
                "--%s\nContent-Description: Undelivered Message Headers\n"
                "Content-Type: text/rfc822-headers\n\n"
                "Date: %s\nFrom: %s\nTo: %s\nSubject: %s\nMessage-ID: %s\n\n"
                "--%s--\n") % (
                    m.when.strftime("%a, %d %b %Y %H:%M:%S %z (CEST)"), fmt_addr(m.frm),
                    m.to[0][1], m.subject, m.mid, b, b, host, m.failed, host, m.failed,
                    b, host, o.when.strftime("%a, %d %b %Y %H:%M:%S %z"), m.failed, b,
                    o.when.strftime("%a, %d %b %Y %H:%M:%S %z"), fmt_addr(o.frm),
                    m.failed, o.prefix + encoded_word(o.subject[len(o.prefix):], *o.enc)
                    if o.enc else o.subject, o.mid, b)
        return text.replace("\n", "\r\n").encode("ascii")

    # -- calendar
    def event(self, sp, slug, summary, start, end, created, *, attendees=(),
              organizer=None, location="", description="", status=None,
              private=False, allday=False, weekly=None, exdates=(), moves=(),
              moved_at=None, modified=None, no_created=False, style=None, uid=None,
              also=(), sig=(), why=None):
        """Adds one calendar item (a VEVENT or a series) to sp's calendar.

        weekly = (interval, count or None) makes it a weekly series; moves
        maps an occurrence's original start to its new start (an override
        last modified at moved_at).
        sig: [(kind, account, "created"|"modified")], dated by CREATED
        (DTSTAMP when no_created) or LAST-MODIFIED.
        """
        style = style or CALSTYLE[sp]
        if uid is None:
            if style.startswith("outlook"):
                uid = "040000008200E00074C5B7101A82E00800000000" + self.hexid(72)
            elif style.startswith("google"):
                uid = self.hexid(26).lower() + "@google.com"
            else:
                uid = self.uuid()
        ev = Event(sp=sp, slug=slug, summary=summary, start=start, end=end,
                   created=created, attendees=list(attendees),
                   organizer=organizer or PEOPLE[sp], location=location,
                   description=description, status=status, private=private,
                   allday=allday, weekly=weekly, exdates=list(exdates), moves=dict(moves),
                   moved_at=moved_at,
                   modified=modified or created, no_created=no_created, style=style,
                   uid=uid, copies=[sp] + list(also), why=why, sig=list(sig))
        self.events.append(ev)
        for kind, acct, when in sig:
            at = ev.created if when == "created" else ev.modified
            self.signals.append(Signal(kind, acct, at, sp, ev, why))
        return ev

    def occurrences(self, ev):
        """(original start, start, end) of each occurrence of a finite item."""
        if not ev.weekly:
            return [(None, ev.start, ev.end)]
        interval, count = ev.weekly
        out = []
        for i in range(count):
            orig = ev.start + dt.timedelta(weeks=i * interval)
            if orig in ev.exdates:
                continue
            new = ev.moves.get(orig, orig)
            out.append((orig, new, new + (ev.end - ev.start)))
        return out

    def render_event(self, ev):
        style = ev.style
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:" + PRODID[style.split("-")[0]],
                 "CALSCALE:GREGORIAN"]
        if style == "outlook":
            lines.append("METHOD:PUBLISH")
            lines.extend(VTZ_WINDOWS.split("\n"))
        elif style in ("apple", "google"):
            lines.extend(VTZ_AMSTERDAM.split("\n"))

        def when(name, value, allday=False):
            if allday:
                return "%s;VALUE=DATE:%s" % (name, value.strftime("%Y%m%d"))
            if style == "google-utc":
                return "%s:%s" % (name, utc(value).strftime("%Y%m%dT%H%M%SZ"))
            tzid = "W. Europe Standard Time" if style.startswith("outlook") else "Europe/Amsterdam"
            return "%s;TZID=%s:%s" % (name, tzid, value.astimezone(AMS).strftime("%Y%m%dT%H%M%S"))

        def stamp(name, value):
            return "%s:%s" % (name, utc(value).strftime("%Y%m%dT%H%M%SZ"))

        def vevent(recurrence=None, start=None, end=None, seq=0, modified=None):
            v = ["BEGIN:VEVENT", "UID:" + ev.uid]
            if recurrence is not None:
                v.append(when("RECURRENCE-ID", recurrence))
            v.append(when("DTSTART", start, ev.allday))
            v.append(when("DTEND", end, ev.allday))
            if recurrence is None and ev.weekly:
                interval, count = ev.weekly
                rule = "FREQ=WEEKLY"
                if interval > 1:
                    rule += ";INTERVAL=%d" % interval
                rule += ";BYDAY=" + ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][
                    ev.start.astimezone(AMS).weekday()]
                if count:
                    rule += ";COUNT=%d" % count
                v.append("RRULE:" + rule)
                for x in ev.exdates:
                    v.append(when("EXDATE", x))
            v.append(stamp("DTSTAMP", EXPORTED if style.startswith("outlook") else
                           (modified or ev.modified)))
            if not ev.no_created:
                v.append(stamp("CREATED", ev.created))
            v.append(stamp("LAST-MODIFIED", modified or ev.modified))
            v.append("SEQUENCE:%d" % seq)
            v.append("SUMMARY:" + ics_escape(ev.summary))
            if ev.location:
                v.append("LOCATION:" + ics_escape(ev.location))
            if ev.description:
                v.append("DESCRIPTION:" + ics_escape(ev.description))
            if ev.status:
                v.append("STATUS:" + ev.status)
            elif not ev.allday:
                v.append("STATUS:CONFIRMED")
            if ev.private:
                v.append("CLASS:PRIVATE")
            if ev.allday:
                v.append("TRANSP:TRANSPARENT")
            if ev.attendees:
                name, addr = ev.organizer
                cn = '"%s"' % name if not name.isascii() or "," in name else name
                v.append("ORGANIZER;CN=%s:mailto:%s" % (cn, addr))
                for name, addr in ev.attendees:
                    cn = '"%s"' % name if not name.isascii() or "," in name else name
                    v.append("ATTENDEE;CN=%s;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;"
                             "RSVP=TRUE:mailto:%s" % (cn, addr))
            if style.startswith("outlook"):
                v.append("X-MICROSOFT-CDO-BUSYSTATUS:BUSY")
                v.append("X-MICROSOFT-CDO-IMPORTANCE:1")
            if style in ("apple",) and not ev.allday and not ev.private:
                v.extend(["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder",
                          "TRIGGER:-PT15M", "END:VALARM"])
            v.append("END:VEVENT")
            return v

        lines.extend(vevent(start=ev.start, end=ev.end))
        for orig, new in sorted(ev.moves.items()):
            lines.extend(vevent(orig, new, new + (ev.end - ev.start), 1, ev.moved_at))
        lines.append("END:VCALENDAR")
        return ("\r\n".join(ics_fold(x) for x in lines) + "\r\n").encode("utf-8")

    # -- output
    def assign_paths(self):
        folders = {}
        for m in self.mails:
            for sp, folder in m.copies:
                folders.setdefault((sp, folder), []).append(m)
        for (sp, folder), ms in sorted(folders.items()):
            ms.sort(key=lambda m: m.when)
            for i, m in enumerate(ms, 1):
                m.paths.append("mail/%s/%s/%04d.eml" % (sp, folder, i))
        for m in self.mails:	# the first copy is where it was written
            m.paths.sort(key=lambda p: [ "mail/%s/%s/" % c for c in m.copies].index(
                p.rsplit("/", 1)[0] + "/"))
        for ev in self.events:
            ev.paths = ["cal/%s/%s.ics" % (sp, ev.slug) for sp in ev.copies]

    def write(self, out):
        self.assign_paths()
        for sub in ("mail", "cal"):
            if os.path.isdir(os.path.join(out, sub)):
                shutil.rmtree(os.path.join(out, sub))
        files = []
        for m in self.mails:
            data = self.render_dsn(m) if m.style == "dsn" else self.render_mail(m)
            files += [(p, data) for p in m.paths]
        for ev in self.events:
            data = self.render_event(ev)
            files += [(p, data) for p in ev.paths]
        files.append(("sample.conf", SAMPLE_CONF.encode()))
        files.append(("targets.csv", ("account,name,salesperson,added\n" + "".join(
            "%s,%s,%s,%s\n" % (k, n, sp, TARGET_DAY) for k, n, sp in self.targets)).encode()))
        files.append((".gitattributes", b"*.eml -text\n*.ics -text\n"))
        files.append(("EXPECTED.md", self.expected().encode()))
        files.append(("EXPECTED.json", self.expected_json().encode()))
        for path, data in files:
            full = os.path.join(out, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(data)
        return len(files)

    # -- the truth
    def target_signals(self):
        if self.tsigs is None:
            at = dt.datetime.combine(TARGET_DAY, dt.time(), AMS)
            self.tsigs = [Signal("target", k, at, sp, None, "listed in targets.csv")
                          for k, n, sp in self.targets]
        return self.tsigs

    def project(self, sigs):
        """DESIGN sections 3-4 by hand, to check the declared truth."""
        order = {k: i for i, k in enumerate(ENTERS)}
        sigs = sorted(sigs, key=lambda s: (s.at, 0 if s.kind in ENTERS else 1,
                                           order.get(s.kind, 99), s.kind))
        deals = []
        for s in sigs:
            d = deals[-1] if deals else None
            if s.kind in ENTERS:
                if d is None or (d.outcome != "open" and s.at > d.closed + REOPEN):
                    won = any(x.outcome == "won" for x in deals)
                    d = Deal(s, "growth" if won else "new")
                    deals.append(d)
                    note = "opens a %s deal in %s" % (d.kind, PHASES[d.phase])
                elif d.outcome != "open":
                    d.last = s.at
                    d.sigs.append((s, "belongs to the closed deal (within reopen_after_days)"))
                    continue
                elif ENTERS[s.kind] > d.phase:
                    d.phase = ENTERS[s.kind]
                    note = "enters %s" % PHASES[d.phase]
                else:
                    note = "no move (%s is not after %s)" % (PHASES[ENTERS[s.kind]],
                                                            PHASES[d.phase])
                d.last = s.at
                if s.kind == "order_confirmed":
                    d.outcome, d.closed = "won", s.at
                    note += "; outcome won"
                d.sigs.append((s, note))
            elif d is not None and d.outcome == "open":
                d.last = s.at
                note = "last activity"
                if s.kind == "lost":
                    d.outcome, d.closed = "lost", s.at
                    note = "outcome lost"
                d.sigs.append((s, note))
            elif d is not None:
                d.last = s.at
                d.sigs.append((s, "after the close: last activity only"))
        return deals

    def check(self, with_targets=True):
        """Projects every account and compares with the declared truth."""
        sigs = self.signals + (self.target_signals() if with_targets else [])
        by = {}
        for s in sigs:
            by.setdefault(s.account, []).append(s)
        result, bad = {}, []
        for key, a in self.accounts.items():
            deals = self.project(by.get(key, []))
            result[key] = deals
            got = [(d.kind, PHASES[d.phase], d.outcome) for d in deals]
            if got != a["expect"]:
                bad.append("%s: declared %s, rules give %s" % (key, a["expect"], got))
            elif deals and deals[0].sp != a["sp"]:
                bad.append("%s: owner %s, declared %s" % (key, deals[0].sp, a["sp"]))
        for key in by:
            if key not in self.accounts:
                bad.append("%s: signals but no declared account" % key)
        return result, bad

    def appointments(self):
        """(salesperson, day, created day, account, summary) per counted occurrence."""
        out = []
        for ev in self.events:
            kinds = [(k, a) for k, a, w in ev.sig if k in ("appointment", "demo")]
            if not kinds or ev.status == "CANCELLED" or ev.private:
                continue
            for sp in ev.copies:
                for orig, start, end in self.occurrences(ev):
                    out.append((sp, day(start), day(ev.created), kinds[0][1], ev.summary,
                                orig is not None and orig != start, ev))
        return sorted(out, key=lambda x: (x[1], x[0], x[4]))

    def expected(self):
        result, bad = self.check()
        if bad:
            sys.exit("gen-sample.py: declared truth does not hold:\n  " + "\n  ".join(bad))
        plain, bad = self.check(with_targets=False)
        e = []
        w = e.append
        w("# EXPECTED: what the sample data set is meant to produce\n")
        w("Written by `contrib/demo/gen-sample.py` from the same scenario that writes the\n"
          "data; do not edit by hand, edit the generator and regenerate.  Each account's\n"
          "phase and outcome below is declared by hand in the generator, and the generator\n"
          "refuses to write the data set unless DESIGN sections 3-5 (applied by hand to the\n"
          "signals each file is meant to give) lead to exactly that answer.  EXPECTED.json\n"
          "holds the same deals and appointments per day in the JSON shapes of DESIGN\n"
          "section 7 (without deal ids), for tests.\n")
        w("Assumptions: the configuration is `sample.conf` (internal domains brightline.nl\n"
          "and brightline.be; rabobank.nl, labparts-supply.nl and postnl.nl ignored;\n"
          "`reopen_after_days = 7`), the default rules and phases of DESIGN sections 4-5,\n"
          "and `targets.csv` imported (see *Without targets.csv* below).  All times are\n"
          "UTC; days are Europe/Amsterdam.\n")
        first = min(utc(d.last) for v in result.values() for d in v if d.outcome == "open")
        w("Staleness: with `stale_after_days = %d` an open deal counts as lost, dated at\n"
          "its last activity, once *now* is more than %d days after that last activity.\n"
          "The results below hold for any *now* from 2026-11-20 (the end of the data) to\n"
          "%s (pin it, e.g. `SALESCYCLE_NOW=2026-11-21T12:00:00Z` as\n"
          "contrib/demo/run-sample.sh does); the column *stale from* gives the day from\n"
          "which each open deal turns lost.\n" % (
              STALE_DAYS, STALE_DAYS,
              (first + dt.timedelta(days=STALE_DAYS - 1)).strftime("%Y-%m-%d")))

        # summary table
        w("## Deals per account\n")
        w("| account | owner | deal | kind | phase | outcome | opened | closed | last activity | stale from |")
        w("|---|---|---|---|---|---|---|---|---|---|")
        counts = {p: 0 for p in PHASES}
        won = lost = 0
        for key in sorted(self.accounts, key=lambda k: (self.accounts[k]["sp"], k)):
            for i, d in enumerate(result[key]):
                stale = "-"
                if d.outcome == "open":
                    counts[PHASES[d.phase]] += 1
                    stale = (utc(d.last) + dt.timedelta(days=STALE_DAYS)).strftime("%Y-%m-%d")
                won += d.outcome == "won"
                lost += d.outcome == "lost"
                w("| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (
                    key, d.sp, i, d.kind, PHASES[d.phase], d.outcome, iso(d.opened),
                    iso(d.closed) if d.closed else "-", iso(d.last), stale))
            if not result[key]:
                w("| %s | - | - | - | - | - | - | - | - | - |" % key)
        w("")
        w("Open deals per phase: " + ", ".join("%s %d" % (p, counts[p]) for p in PHASES)
          + "; won %d, lost %d; %d deals in %d accounts.\n" % (
              won, lost, sum(len(v) for v in result.values()), len(result)))

        w("## Without targets.csv\n")
        w("Without `salescycle targets import targets.csv` the target signals (dated %s)\n"
          "do not exist, and the calls that name an account only through its target-list\n"
          "name cannot be attributed (no such account exists), so:\n" % TARGET_DAY)
        for key in sorted(self.accounts):
            a, b = result[key], plain[key]
            sa = [(d.kind, PHASES[d.phase], d.outcome, iso(d.opened)) for d in a]
            sb = [(d.kind, PHASES[d.phase], d.outcome, iso(d.opened)) for d in b]
            if sa != sb:
                w("- %s: %s" % (key, "; ".join("%s %s %s opened %s" % x for x in sb)
                                 if sb else "no deal (account unknown)"))
        w("")
        w("Every other account is unchanged.  If `targets import` dates its signals at\n"
          "the time of import instead of the `added` column, the target-only account\n"
          "still opens one deal in selection, and the others keep their phase and outcome\n"
          "(a later target signal cannot move a deal back); only `opened` differs.\n")

        # per account
        w("## Accounts, one by one\n")
        w("Each line is a signal the data is meant to give: time, kind, salesperson whose\n"
          "mailbox or calendar gave it, the file, and its effect on the account's deals.\n")
        for key in sorted(self.accounts, key=lambda k: (self.accounts[k]["sp"], k)):
            a = self.accounts[key]
            w("### %s (%s, %s)\n" % (key, a["name"], a["where"]))
            w(a["story"].strip() + "\n")
            res = result[key]
            w("Result: " + "; ".join("deal %d %s, %s, %s" % (i, d.kind, PHASES[d.phase],
                                                            d.outcome)
                                     for i, d in enumerate(res)) + ".\n")
            rows = []
            for i, d in enumerate(res):
                for s, note in d.sigs:
                    rows.append((s, "deal %d: %s" % (i, note)))
            seen = {id(s) for s, _ in rows}
            for s in self.signals + self.target_signals():
                if s.account == key and id(s) not in seen:
                    rows.append((s, "before any deal: stored, no effect"))
            for s, note in sorted(rows, key=lambda r: r[0].at):
                w("- %s `%s` (%s, %s) %s%s" % (
                    iso(s.at), s.kind, s.sp, self.evidence(s), note,
                    " -- " + s.why if s.why else ""))
            w("")

        # noise
        w("## Items that give no signal\n")
        for m in sorted(self.mails, key=lambda m: m.paths[0]):
            if not any(s.item is m for s in self.signals):
                w("- %s: %s" % (", ".join(m.paths), m.why))
        for ev in sorted(self.events, key=lambda e: e.paths[0]):
            if not ev.sig:
                w("- %s: %s" % (", ".join(ev.paths), ev.why))
        w("")

        # appointments
        appts = self.appointments()
        w("## Appointments per day (`appointments --by start`)\n")
        w("Occurrences of kind appointment or demo with an external account, not\n"
          "cancelled, not private; calls are not appointments.  Days in Europe/Amsterdam.\n")
        w("| day | salesperson | count | appointments |")
        w("|---|---|---|---|")
        grouped = {}
        for sp, d, c, acct, summ, moved, ev in appts:
            grouped.setdefault((d, sp), []).append(summ + (" (moved)" if moved else ""))
        for (d, sp), items in sorted(grouped.items()):
            w("| %s | %s | %d | %s |" % (d, sp, len(items), "; ".join(items)))
        tot = {}
        for (d, sp), items in grouped.items():
            tot[sp] = tot.get(sp, 0) + len(items)
        w("")
        w("Totals: " + ", ".join("%s %d" % (sp, tot[sp]) for sp in sorted(tot)) + ".\n")
        w("## Appointments per day made (`appointments --by created`)\n")
        w("Each appointment (a series once) on the day it was made (CREATED).\n")
        w("| day | salesperson | count |")
        w("|---|---|---|")
        made = {}
        for sp, d, c, acct, summ, moved, ev in appts:
            made.setdefault((c, sp), set()).add(id(ev))
        for (c, sp), evs in sorted(made.items()):
            w("| %s | %s | %d |" % (c, sp, len(evs)))
        w("")
        return "\n".join(e)

    def expected_json(self):
        """The deals and appointments of EXPECTED.md in DESIGN section 7's JSON shapes."""
        result, _ = self.check()
        deals = [dict(account=k, salesperson=d.sp, kind=d.kind, phase=PHASES[d.phase],
                      outcome=d.outcome, opened=iso(d.opened),
                      closed=iso(d.closed) if d.closed else None, last_activity=iso(d.last))
                 for k in sorted(result) for d in result[k]]
        by_start, by_created = {}, {}
        for sp, d, c, acct, summ, moved, ev in self.appointments():
            by_start[(d, sp)] = by_start.get((d, sp), 0) + 1
            by_created.setdefault((c, sp), set()).add(id(ev))
        return json.dumps({
            "deals": deals,
            "appointments": [dict(day=d, salesperson=sp, count=n)
                             for (d, sp), n in sorted(by_start.items())],
            "appointments_by_created": [dict(day=d, salesperson=sp, count=len(v))
                                        for (d, sp), v in sorted(by_created.items())],
        }, indent=1, ensure_ascii=False) + "\n"

    def evidence(self, s):
        if s.item is None:
            return "targets.csv"
        return s.item.paths[0]


SAMPLE_CONF = """\
# salescycle configuration for the bundled sample data set (contrib/demo/sample).
# The files are imported with `salescycle import --salesperson KEY FILES...`,
# so there are no [imap], [caldav] or [ics] sections.  The database path is
# relative to this file's folder; contrib/demo/run-sample.sh points it at a
# scratch folder.

[general]
database = sample.db
timezone = Europe/Amsterdam
internal_domains = brightline.nl, brightline.be
ignore_domains = rabobank.nl, labparts-supply.nl, postnl.nl
reopen_after_days = 7
stale_after_days = 120
# The data ends on 2026-11-20: reach back far enough to expand its recurring
# events whatever today is.  Staleness does depend on today: EXPECTED.md holds
# until 2026-12-25 (run-sample.sh pins SALESCYCLE_NOW=2026-11-21T12:00:00Z).
backfill_days = 3650

[salesperson anna]
name = Anna de Vries
email = anna@brightline.nl, a.devries@brightline.nl
manager = piet@brightline.nl

[salesperson bram]
name = Bram Jansen
email = bram@brightline.nl
manager = piet@brightline.nl

[salesperson carla]
name = Carla Smit
email = carla@brightline.nl
manager = piet@brightline.nl
"""


def pdf(name, style="plain"):
    return (name, style, name.rsplit(".", 1)[0])


# ---------------------------------------------------------------- scenario

def scenario(s):
    internal_and_noise(s)
    anna(s)
    bram(s)
    carla(s)


def internal_and_noise(s):
    """Mail and events that must never give a signal."""
    # Weekly internal sales meeting, the same item in every calendar.
    s.event("anna", "salesoverleg", "Salesoverleg", t(1, 5, 9, 0), t(1, 5, 10, 0),
            dt.datetime(2025, 12, 15, 10, 0, tzinfo=UTC), organizer=PIET,
            attendees=[ANNA, BRAM, CARLA, JORIS], location="Kantoor Utrecht, vergaderzaal 2",
            weekly=(1, None), exdates=[t(12, 28, 9, 0)], also=["bram", "carla"],
            style="apple",
            why="internal weekly meeting: every attendee is internal, no account named")
    s.event("anna", "vakbeurs", "Vakbeurs Labtechnologie 2026", t(10, 6).replace(hour=0),
            t(10, 9).replace(hour=0), dt.datetime(2026, 6, 2, 8, 0, tzinfo=UTC),
            allday=True, location="Jaarbeurs Utrecht", also=["bram"],
            why="all-day trade fair: no attendees, no account named")
    s.event("anna", "tandarts", "Tandarts", t(10, 15, 8, 30), t(10, 15, 9, 15),
            dt.datetime(2026, 9, 30, 18, 0, tzinfo=UTC), private=True,
            why="private appointment (CLASS:PRIVATE)")
    s.event("bram", "ouderavond", "Ouderavond school", t(10, 22, 19, 30), t(10, 22, 21, 0),
            dt.datetime(2026, 10, 2, 19, 0, tzinfo=UTC), private=True,
            why="private appointment (CLASS:PRIVATE)")
    s.event("carla", "fysiotherapie", "Fysiotherapie", t(11, 11, 17, 30), t(11, 11, 18, 15),
            dt.datetime(2026, 10, 28, 12, 0, tzinfo=UTC), private=True,
            why="private appointment (CLASS:PRIVATE), Outlook export")

    agenda = s.mail("anna", "inbox", t(9, 4, 16, 12), PIET, [ANNA, BRAM, CARLA],
                    "Agenda salesoverleg 7 september",
                    "Hoi allemaal,\n\nMaandag bespreken we de pijplijn per klant en de "
                    "voorbereiding van de Vakbeurs.\n\nGroet,\nPiet\n",
                    style="outlook", also=[("bram", "inbox"), ("carla", "inbox")],
                    why="internal: no external party")
    s.mail("anna", "sent", t(9, 4, 16, 40), ANNA, [PIET], "RE: Agenda salesoverleg 7 september",
           "Piet,\n\nIk wil graag Acme en Hofstede Food toevoegen.\n\nAnna\n", prefix="RE: ",
           reply=agenda, why="internal reply naming customers: still no external party")
    s.mail("anna", "sent", t(9, 18, 17, 5), ANNA, [PIET], "Weekrapport week 38",
           "Piet,\n\nDeze week: twee kennismakingen, een demo en een offerte in "
           "voorbereiding.\n\nAnna\n", why="internal: no external party")
    s.mail("carla", "sent", t(9, 24, 11, 20), CARLA, [JORIS], "Lead België: Maaslab?",
           "Joris,\n\nKen jij Maaslab in Maasmechelen? Bram heeft daar contact.\n\nCarla\n",
           enc=("UTF-8", "Q"),
           why="internal (brightline.be is a second internal domain)")
    s.mail("carla", "inbox", t(9, 24, 14, 2), JORIS, [CARLA], "RE: Lead België: Maaslab?",
           "Carla,\n\nJa, stuur Bram maar door. Groet, Joris\n", prefix="RE: ",
           enc=("UTF-8", "B"), style="outlook",
           why="internal (brightline.be is a second internal domain)")
    s.mail("bram", "sent", t(10, 30, 10, 0), BRAM, [PIET], "Verlof 9 t/m 11 november",
           "Piet,\n\nZoals besproken ben ik 9 t/m 11 november vrij.\n\nBram\n",
           why="internal: no external party")

    # Bank and supplier (ignore_domains), with order words in the subjects.
    bank = s.mail("anna", "sent", t(9, 29, 9, 45), ANNA,
                  [("Rabobank Zakelijk", "zakelijk@rabobank.nl")],
                  "Vraag over betaling factuur 2026-0456",
                  "Geachte heer, mevrouw,\n\nDe betaling van factuur 2026-0456 staat nog "
                  "open.\n\nMet vriendelijke groet,\nAnna de Vries\n",
                  why="to the bank: rabobank.nl is an ignored domain")
    s.mail("anna", "inbox", t(9, 30, 11, 3), ("Rabobank Zakelijk", "zakelijk@rabobank.nl"),
           [ANNA], "Antw: Vraag over betaling factuur 2026-0456",
           "Geachte mevrouw De Vries,\n\nDe betaling is vandaag verwerkt.\n\nRabobank\n",
           prefix="Antw: ", reply=bank, style="outlook",
           why="from the bank: rabobank.nl is an ignored domain")
    po = s.mail("bram", "sent", t(10, 12, 14, 30), BRAM,
                [("LabParts Supply orders", "orders@labparts-supply.nl")],
                "Inkooporder 8812 - optische componenten BL-500",
                "Hallo,\n\nHierbij inkooporder 8812 voor 20 cuvethouders.\n\nBram Jansen\n",
                atts=[pdf("Inkooporder_8812.pdf")],
                why="purchase order to our supplier: labparts-supply.nl is ignored, "
                    "so the order pattern gives nothing")
    s.mail("bram", "inbox", t(10, 13, 8, 55),
           ("LabParts Supply verkoop", "verkoop@eu.labparts-supply.nl"), [BRAM],
           "Orderbevestiging 8812", "Beste Bram,\n\nWij bevestigen uw order 8812.\n",
           atts=[pdf("Orderbevestiging_8812.pdf")], reply=po, style="outlook",
           why="order confirmation from the supplier's subdomain: ignored on the "
               "registrable domain labparts-supply.nl")
    s.mail("carla", "inbox", t(11, 3, 7, 12), ("PostNL", "noreply@postnl.nl"), [CARLA],
           "Je pakket is onderweg", "Je pakket wordt vandaag tussen 13:00 en 15:00 bezorgd.\n",
           style="other", why="noreply sender, ignored domain postnl.nl")

    # Newsletters and notifications.
    for sp, when in (("anna", t(9, 10, 6, 0)), ("bram", t(9, 10, 6, 0)),
                     ("carla", t(9, 10, 6, 0))):
        s.mail(sp, "inbox", when, ("LabVakblad", "nieuwsbrief@labvakblad.nl"), [PEOPLE[sp]],
               "LabVakblad september: automatisering in het lab",
               "Lees online: https://www.labvakblad.nl/nieuwsbrief/2026-09\n",
               style="other",
               extra=[("List-Id", "LabVakblad nieuwsbrief <nieuwsbrief.labvakblad.nl>"),
                      ("List-Unsubscribe",
                       "<https://www.labvakblad.nl/afmelden?u=%s>" % s.hexid(12)),
                      ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                      ("Precedence", "bulk")],
               why="newsletter: List-Id, List-Unsubscribe, Precedence: bulk")
    s.mail("carla", "inbox", t(10, 14, 18, 30),
           ("LinkedIn", "messages-noreply@linkedin.com"), [CARLA],
           "Carla, you have 3 new invitations", "View your invitations on LinkedIn.\n",
           style="other",
           extra=[("List-Unsubscribe", "<https://www.linkedin.com/e/v2?e=%s>" % s.hexid(10)),
                  ("Auto-Submitted", "auto-generated")],
           why="notification: noreply sender, List-Unsubscribe, Auto-Submitted")


def anna(s):
    # --- acme.nl: won, then a growth deal that reaches offer.
    s.account("acme.nl", "Acme Laboratoria B.V.", "Zwolle, NL", "anna",
              [("new", "closing", "won"), ("growth", "offer", "open")],
              """
Full cycle to a won deal: appointment, demo, offer, written order confirmation
(inbound from `Inkoop@Sales.ACME.nl`, keyed to acme.nl).  The signed offer
arrives again four days later, within `reopen_after_days`: it belongs to the
won deal and opens nothing.  On 2 November an appointment is made for an
expansion; more than 7 days after the close it opens a growth deal, which
reaches offer.
""")
    mulder = ("Jeroen Mulder", "j.mulder@acme.nl")
    inkoop = ("Acme Inkoop", "Inkoop@Sales.ACME.nl")
    s.event("anna", "acme-kennismaking", "Kennismaking Acme Laboratoria",
            t(9, 8, 10, 0), t(9, 8, 11, 30), t(9, 1, 10, 12), attendees=[mulder],
            location="Acme Laboratoria, Zwolle", sig=[("appointment", "acme.nl", "created")],
            why="appointment with an external attendee, dated by CREATED")
    s.mail("anna", "sent", t(9, 1, 10, 20), ANNA, [mulder], "Bevestiging afspraak 8 september",
           "Beste Jeroen,\n\nHierbij bevestig ik onze afspraak op 8 september om 10:00.\n\n"
           "Met vriendelijke groet,\nAnna de Vries\nBrightline B.V.\n",
           sig=[("contact", "acme.nl")], why="outbound, no pattern: contact")
    s.event("anna", "acme-demo", "Demo LabSuite bij Acme", t(9, 17, 13, 0), t(9, 17, 15, 0),
            t(9, 10, 14, 5), attendees=[mulder, ("Fatima El Amrani", "f.elamrani@acme.nl")],
            location="Acme Laboratoria, Zwolle", sig=[("demo", "acme.nl", "created")],
            why="'demo' in the summary")
    offer = s.mail("anna", "sent", t(9, 22, 16, 40), ANNA, [mulder],
                   "Offerte 2026-016 – LabSuite LIMS voor Acme Laboratoria",
                   "Beste Jeroen,\n\nHierbij onze offerte voor LabSuite LIMS met 12 "
                   "gebruikers, inclusief implementatie.\n\nMet vriendelijke groet,\nAnna\n",
                   enc=("UTF-8", "B"), atts=[pdf("Offerte_2026-016.pdf")],
                   sig=[("offer_sent", "acme.nl")],
                   why="subject 'Offerte' (RFC 2047 UTF-8 B) and attachment Offerte_*")
    q = s.mail("anna", "inbox", t(9, 24, 9, 15), mulder, [ANNA],
               "RE: Offerte 2026-016 – LabSuite LIMS voor Acme Laboratoria",
               "Hoi Anna,\n\nKlopt het dat de koppeling met onze balansen inbegrepen is? "
               "En wat kost een extra gebruiker?\n\nGroet, Jeroen\n",
               prefix="RE: ", enc=("UTF-8", "Q"), reply=offer, style="outlook",
               sig=[("contact", "acme.nl")], why="inbound reply without attachment: contact")
    s.mail("anna", "sent", t(9, 24, 11, 2), ANNA, [mulder],
           "RE: RE: Offerte 2026-016 – LabSuite LIMS voor Acme Laboratoria",
           "Hoi Jeroen,\n\nJa, de koppeling is inbegrepen. Een extra gebruiker kost "
           "€ 35 per maand.\n\nAnna\n",
           prefix="RE: RE: ", enc=("UTF-8", "B"), reply=q, sig=[("contact", "acme.nl")],
           why="outbound reply without attachment: contact, not offer_sent")
    s.mail("anna", "inbox", t(10, 8, 15, 30), inkoop, [ANNA], cc=[mulder],
           subject="Opdrachtbevestiging PO-7731 / offerte 2026-016",
           body="Geachte mevrouw De Vries,\n\nHierbij ontvangt u onze opdrachtbevestiging "
                "PO-7731 voor offerte 2026-016.\n\nAfdeling Inkoop\nAcme Laboratoria B.V.\n",
           atts=[pdf("Opdrachtbevestiging_PO-7731.pdf")], style="outlook",
           sig=[("order_confirmed", "acme.nl")],
           why="inbound 'Opdrachtbevestiging' from Sales.ACME.nl (account acme.nl)")
    s.mail("anna", "sent", t(10, 9, 8, 30), ANNA, [BRAM],
                 "Doorst: Opdrachtbevestiging PO-7731 / offerte 2026-016",
                 "Bram, ter info: Acme is binnen!\n\nAnna\n", prefix="Doorst: ",
                 atts=[pdf("Opdrachtbevestiging_PO-7731.pdf")], also=[("bram", "inbox")],
                 why="forward to a colleague: no external party")
    s.mail("anna", "inbox", t(10, 12, 8, 47), mulder, [ANNA], "Getekende offerte 2026-016",
           "Hoi Anna,\n\nVoor de volledigheid ook nog de getekende offerte.\n\nJeroen\n",
           atts=[pdf("Getekende offerte 2026-016.pdf", "outlook")], style="outlook",
           sig=[("order_confirmed", "acme.nl")],
           why="the signed offer a second time, 4 days after the close")
    s.event("anna", "acme-uitbreiding", "Bezoek Acme – uitbreiding tweede laboratorium",
            t(11, 5, 10, 0), t(11, 5, 11, 30), t(11, 2, 9, 30), attendees=[mulder],
            location="Acme Laboratoria, Deventer", sig=[("appointment", "acme.nl", "created")],
            why="appointment more than 7 days after the won close")
    s.mail("anna", "sent", t(11, 12, 17, 5), ANNA, [mulder],
           "Offerte 2026-029 uitbreiding LabSuite (tweede lab)",
           "Beste Jeroen,\n\nHierbij de offerte voor het tweede laboratorium.\n\nAnna\n",
           atts=[pdf("Offerte_2026-029.pdf")], sig=[("offer_sent", "acme.nl")],
           why="offer in the growth deal")

    # --- vanderlinden-bouw.nl: offer without appointment, won; growth won.
    s.account("vanderlinden-bouw.nl", "Van der Linden Bouw B.V.", "Ede, NL", "anna",
              [("new", "closing", "won"), ("growth", "closing", "won")],
              """
The first deal skips phases: an offer with no recorded appointment goes
straight to offer, then the order confirmation wins it.  Three and a half weeks
later an appointment for a second compression tester opens a growth deal: offer,
then an `Antw:` reply that carries `Opdrachtbevestiging 2026-028.pdf` (a reply
counts as order_confirmed because of its matching attachment).
""")
    kees = ("Van der Linden, Kees", "kees@vanderlinden-bouw.nl")
    s.mail("anna", "sent", t(9, 2, 11, 0), ANNA_ALIAS, [kees],
           "Offerte 2026-011 betondrukbank BL-3000",
           "Beste Kees,\n\nZoals telefonisch besproken hierbij de offerte voor de "
           "drukbank.\n\nAnna de Vries\n", atts=[pdf("Offerte_2026-011.pdf")],
           sig=[("offer_sent", "vanderlinden-bouw.nl")],
           why="offer from Anna's second address a.devries@brightline.nl; no earlier signal")
    s.mail("anna", "inbox", t(9, 17, 10, 25), kees, [ANNA_ALIAS],
           "Opdrachtbevestiging offerte 2026-011",
           "Anna,\n\nAkkoord, zie bijgaande opdrachtbevestiging.\n\nKees van der Linden\n",
           atts=[pdf("Opdrachtbevestiging 2026-011.pdf", "outlook")], style="outlook",
           sig=[("order_confirmed", "vanderlinden-bouw.nl")],
           why="inbound 'Opdrachtbevestiging'")
    s.event("anna", "vanderlinden-bezoek", "Bezoek Van der Linden Bouw – tweede drukbank",
            t(10, 14, 14, 0), t(10, 14, 15, 30), t(10, 12, 9, 10), attendees=[kees],
            location="Bouwlab Ede", sig=[("appointment", "vanderlinden-bouw.nl", "created")],
            why="appointment 25 days after the won close")
    offer = s.mail("anna", "sent", t(10, 22, 15, 15), ANNA, [kees],
                   "Offerte 2026-028 tweede drukbank + kalibratie",
                   "Beste Kees,\n\nHierbij de offerte voor de tweede drukbank.\n\nAnna\n",
                   atts=[pdf("Offerte_2026-028.pdf")],
                   sig=[("offer_sent", "vanderlinden-bouw.nl")], why="offer in the growth deal")
    s.mail("anna", "inbox", t(11, 10, 13, 40), kees, [ANNA],
           "Antw: Offerte 2026-028 tweede drukbank + kalibratie",
           "Anna,\n\nAkkoord. Opdrachtbevestiging in de bijlage.\n\nKees\n",
           prefix="Antw: ", reply=offer, atts=[pdf("Opdrachtbevestiging 2026-028.pdf")],
           style="outlook", sig=[("order_confirmed", "vanderlinden-bouw.nl")],
           why="reply (Antw:) with a matching attachment 'Opdrachtbevestiging 2026-028.pdf'")

    # --- hofstede-food.nl: stalled offer, bounce, newsletter.
    s.account("hofstede-food.nl", "Hofstede Food B.V.", "Barneveld, NL", "anna",
              [("new", "offer", "open")],
              """
Appointment, then an offer whose first copy bounces (typo in the local part:
the bounce is a DSN from the customer's MX and gives nothing; the offer itself
still counts), sent again to the right address.  One outbound follow-up reply,
no answer ever: a stalled offer with no inbound contact.  The customer's own
newsletter is bulk and gives nothing.
""")
    sanne = ("Sanne Hofstede", "s.hofstede@hofstede-food.nl")
    s.event("anna", "hofstede-kennismaking", "Kennismaking Hofstede Food",
            t(9, 9, 10, 0), t(9, 9, 11, 0), t(9, 3, 16, 20), attendees=[sanne],
            location="Hofstede Food, Barneveld",
            sig=[("appointment", "hofstede-food.nl", "created")], why="appointment")
    typo = s.mail("anna", "sent", t(9, 21, 10, 30), ANNA,
                  [("Sanne Hofstede", "s.hofsteede@hofstede-food.nl")],
                  "Offerte 2026-014 – kwaliteitslab Hofstede Food",
                  "Beste Sanne,\n\nHierbij onze offerte voor het kwaliteitslab.\n\nAnna\n",
                  enc=("UTF-8", "B"),
                  atts=[pdf("Offerte_2026-014 – Hofstede Food.pdf", "outlook")],
                  sig=[("offer_sent", "hofstede-food.nl")],
                  why="offer (Outlook-style RFC 2047 attachment name), misspelt recipient")
    s.dsn("anna", t(9, 21, 10, 31), "MAILER-DAEMON@mx1.hofstede-food.nl",
          "s.hofsteede@hofstede-food.nl", typo,
          why="delivery status report from the customer's MX (multipart/report, "
              "mailer-daemon, Auto-Submitted)")
    first = s.mail("anna", "sent", t(9, 21, 10, 45), ANNA, [sanne],
                   "Offerte 2026-014 – kwaliteitslab Hofstede Food",
                   "Beste Sanne,\n\nHierbij (nogmaals) onze offerte.\n\nAnna\n",
                   enc=("UTF-8", "B"),
                   atts=[pdf("Offerte_2026-014 – Hofstede Food.pdf", "outlook")],
                   sig=[("offer_sent", "hofstede-food.nl")],
                   why="the same offer resent to the right address (another Message-ID)")
    s.mail("anna", "sent", t(10, 6, 9, 5), ANNA, [sanne],
           "RE: Offerte 2026-014 – kwaliteitslab Hofstede Food",
           "Beste Sanne,\n\nHeeft u de offerte kunnen bekijken?\n\nAnna\n",
           prefix="RE: ", enc=("UTF-8", "B"), reply=first,
           sig=[("contact", "hofstede-food.nl")],
           why="outbound follow-up reply without attachment: contact")
    s.mail("anna", "inbox", t(10, 15, 7, 0), ("Hofstede Food", "nieuws@hofstede-food.nl"),
           [ANNA], "Hofstede Food nieuws – oktober", "Nieuw in ons assortiment: ...\n",
           enc=("UTF-8", "Q"), style="other",
           extra=[("List-Unsubscribe", "<mailto:afmelden@hofstede-food.nl>")],
           why="the customer's newsletter: List-Unsubscribe")

    # --- aquaduin.nl: demo reached, prospect.
    s.account("aquaduin.nl", "Aquaduin drinkwaterlaboratorium", "Haarlem, NL", "anna",
              [("new", "prospect", "open")],
              """
Appointment, then a presentation ("Presentatie" is a demo pattern).  An
out-of-office reply in between (X-Autoreply) gives nothing; the real replies are
contact.
""")
    bos = ("Pieter Bos", "p.bos@aquaduin.nl")
    s.event("anna", "aquaduin-kennismaking", "Kennismaking Aquaduin", t(9, 23, 9, 30),
            t(9, 23, 11, 0), t(9, 15, 11, 0), attendees=[bos], location="Aquaduin, Haarlem",
            sig=[("appointment", "aquaduin.nl", "created")], why="appointment")
    v = s.mail("anna", "sent", t(9, 28, 14, 0), ANNA, [bos],
               "Vervolg kennismaking – demo LabSuite",
               "Beste Pieter,\n\nZullen we een presentatie van LabSuite plannen?\n\nAnna\n",
               enc=("UTF-8", "Q"), sig=[("contact", "aquaduin.nl")], why="outbound: contact")
    s.mail("anna", "inbox", t(9, 28, 14, 1), bos, [ANNA],
           "Afwezig: Vervolg kennismaking – demo LabSuite",
           "Ik ben afwezig tot en met 30 september.\n", prefix="Afwezig: ",
           enc=("UTF-8", "Q"), reply=v, style="other",
           extra=[("X-Autoreply", "yes"), ("Auto-Submitted", "auto-replied")],
           why="out-of-office reply (X-Autoreply, Auto-Submitted)")
    s.mail("anna", "inbox", t(10, 1, 8, 50), bos, [ANNA],
           "RE: Vervolg kennismaking – demo LabSuite",
           "Hoi Anna,\n\nGraag, 20 oktober 's middags?\n\nPieter\n", prefix="RE: ",
           enc=("UTF-8", "Q"), reply=v, style="outlook", sig=[("contact", "aquaduin.nl")],
           why="inbound reply: contact")
    s.event("anna", "aquaduin-presentatie", "Presentatie LabSuite bij Aquaduin",
            t(10, 20, 13, 30), t(10, 20, 15, 30), t(10, 2, 15, 0),
            attendees=[bos, ("Marloes de Wit", "m.dewit@aquaduin.nl")],
            location="Aquaduin, Haarlem", sig=[("demo", "aquaduin.nl", "created")],
            why="'presentatie' in the summary")
    s.mail("anna", "inbox", t(10, 21, 9, 12), bos, [ANNA], "Bedankt voor de presentatie",
           "Hoi Anna,\n\nDank voor de heldere presentatie. We komen erop terug.\n\nPieter\n",
           style="outlook", sig=[("contact", "aquaduin.nl")], why="inbound: contact")

    # --- gmail.com free-mail customer: offer open.
    gm = "m.bakker.dierenarts@gmail.com"
    s.account(gm, "Dierenartspraktijk Bakker", "Amersfoort, NL", "anna",
              [("new", "offer", "open")],
              """
A small veterinary practice that uses a Gmail address: the account is the full
address, not gmail.com.  Visit, offer, a Gmail-style `Re:` reply (contact).
""")
    bakker = ("Marieke Bakker", gm)
    s.event("anna", "bakker-bezoek", "Bezoek Dierenartspraktijk Bakker", t(10, 1, 14, 0),
            t(10, 1, 15, 0), t(9, 24, 12, 0), attendees=[bakker],
            location="Amersfoort", sig=[("appointment", gm, "created")],
            why="appointment with a free-mail attendee: the account is the address")
    offer = s.mail("anna", "sent", t(10, 7, 16, 20), ANNA, [bakker],
                   "Offerte 2026-024 bloedanalyser BL-H20",
                   "Beste Marieke,\n\nHierbij de offerte voor de bloedanalyser.\n\nAnna\n",
                   atts=[pdf("Offerte_2026-024.pdf")], sig=[("offer_sent", gm)], why="offer")
    s.mail("anna", "inbox", t(10, 9, 21, 4), bakker, [ANNA],
           "Re: Offerte 2026-024 bloedanalyser BL-H20",
           "Hoi Anna,\n\nDank je. Ik wil het eerst met mijn compagnon bespreken.\n\n"
           "Marieke\n", prefix="Re: ", reply=offer, style="gmail",
           sig=[("contact", gm)], why="inbound reply without attachment: contact")

    # --- kesteren-lab.nl: lost by a note to self.
    s.account("kesteren-lab.nl", "Laboratorium Kesteren", "Tiel, NL", "anna",
              [("new", "offer", "lost")],
              """
Appointment, offer, then the customer declines by mail (inbound lost phrases
are off by default, so that is contact).  Anna sends herself a note whose body
holds `#lost kesteren-lab.nl`: a note without an external party names its
account as the word after the tag.  The note is in her Sent folder and, like
every mail to self, in her inbox too (same Message-ID, stored once).
""")
    kvb = ("Karin van Beek", "k.vanbeek@kesteren-lab.nl")
    s.event("anna", "kesteren-kennismaking", "Kennismaking Laboratorium Kesteren",
            t(9, 11, 10, 0), t(9, 11, 11, 0), t(9, 7, 13, 30), attendees=[kvb],
            location="Tiel", sig=[("appointment", "kesteren-lab.nl", "created")],
            why="appointment")
    offer = s.mail("anna", "sent", t(9, 29, 15, 50), ANNA, [kvb],
                   "Offerte 2026-019 LabSuite + 2 werkplekken",
                   "Beste Karin,\n\nHierbij onze offerte.\n\nAnna\n",
                   atts=[pdf("Offerte_2026-019.pdf", "rfc2231")],
                   sig=[("offer_sent", "kesteren-lab.nl")],
                   why="offer (attachment name in RFC 2231 form)")
    s.mail("anna", "inbox", t(10, 20, 11, 5), kvb, [ANNA],
           "RE: Offerte 2026-019 LabSuite + 2 werkplekken",
           "Beste Anna,\n\nWij hebben gekozen voor een andere leverancier.\n\nKarin\n",
           prefix="RE: ", reply=offer, style="outlook",
           sig=[("contact", "kesteren-lab.nl")],
           why="inbound refusal: contact (lost phrases are off by default)")
    s.mail("anna", "sent", t(10, 20, 16, 10), ANNA, [ANNA],
           "Notitie kesteren-lab.nl: verloren",
           "Kesteren kiest voor LabWare, prijs te hoog.\n\n#lost kesteren-lab.nl\n",
           also=[("anna", "inbox")], sig=[("lost", "kesteren-lab.nl")],
           why="'#lost kesteren-lab.nl' in a mail to self: the account is the word after the tag")

    # --- groenveld-zuivel.nl: calls only, name from the target list.
    s.target("groenveld-zuivel.nl", "Groenveld Zuivel", "anna")
    s.account("groenveld-zuivel.nl", "Groenveld Zuivel", "Gouda, NL", "anna",
              [("new", "selection", "open")],
              """
Phone acquisition only: two "Bellen met Groenveld Zuivel" entries without
attendees.  They are attributed by the name "Groenveld Zuivel" from
targets.csv (the domain's first label, groenveld-zuivel, does not occur in
them).  The target signal opens the deal in selection; the calls add activity.
""")
    s.event("anna", "groenveld-bellen", "Bellen met Groenveld Zuivel", t(9, 17, 9, 30),
            t(9, 17, 9, 45), t(9, 16, 16, 0),
            sig=[("call", "groenveld-zuivel.nl", "created")],
            why="call pattern 'bellen'; no attendee, name from targets.csv")
    s.event("anna", "groenveld-terugbellen", "Bellen met Groenveld Zuivel (terugbellen)",
            t(11, 4, 9, 30), t(11, 4, 9, 45), t(10, 28, 11, 15),
            sig=[("call", "groenveld-zuivel.nl", "created")], why="second call")

    # --- zuidlab.nl: call attributed by the domain's first label.
    s.account("zuidlab.nl", "Zuidlab B.V.", "Eindhoven, NL", "anna",
              [("new", "selection", "open")],
              """
"Bellen met Zuidlab" has no attendee and no CREATED (dated by DTSTAMP).  It is
attributed by the account name "zuidlab" (first label of zuidlab.nl), an account
that exists because Zuidlab mails Anna eleven days later: the later account
claims the earlier event.
""")
    s.event("anna", "zuidlab-bellen", "Bellen met Zuidlab", t(9, 22, 10, 0), t(9, 22, 10, 15),
            t(9, 21, 15, 0), no_created=True, sig=[("call", "zuidlab.nl", "created")],
            why="call, no attendee, no CREATED: DTSTAMP; name 'zuidlab'")
    s.mail("anna", "inbox", t(10, 2, 14, 25), ("Zuidlab info", "info@zuidlab.nl"), [ANNA],
           "Informatie LabSuite n.a.v. ons telefoongesprek",
           "Beste mevrouw De Vries,\n\nKunt u ons de brochure sturen?\n\nZuidlab\n",
           style="other", sig=[("contact", "zuidlab.nl")], why="inbound: contact")

    # --- veluwe-vet.nl: won through an inkooporder.
    s.account("veluwe-vet.nl", "Veluwe Dierenklinieken", "Apeldoorn, NL", "anna",
              [("new", "closing", "won")],
              """
Appointment, demo, offer, and an SAP-style purchase order ("Inkooporder") from
the customer: won.  Anna's thank-you afterwards is contact after the close.
""")
    verm = ("Erik Vermeulen", "e.vermeulen@veluwe-vet.nl")
    s.event("anna", "veluwe-kennismaking", "Kennismaking Veluwe Dierenklinieken",
            t(9, 4, 10, 0), t(9, 4, 11, 0), t(8, 31, 9, 0), attendees=[verm],
            location="Apeldoorn", sig=[("appointment", "veluwe-vet.nl", "created")],
            why="appointment")
    s.event("anna", "veluwe-demo", "Demo bloedanalyser Veluwe Dierenklinieken",
            t(9, 14, 13, 0), t(9, 14, 14, 30), t(9, 8, 10, 0), attendees=[verm],
            location="Apeldoorn", sig=[("demo", "veluwe-vet.nl", "created")], why="demo")
    s.mail("anna", "sent", t(9, 16, 11, 30), ANNA, [verm],
           "Offerte 2026-013 bloedanalysers (3 klinieken)",
           "Beste Erik,\n\nHierbij de offerte voor drie klinieken.\n\nAnna\n",
           atts=[pdf("Offerte_2026-013.pdf")], sig=[("offer_sent", "veluwe-vet.nl")],
           why="offer")
    s.mail("anna", "inbox", t(10, 1, 10, 0), ("Inkoop Veluwe Dierenklinieken",
                                               "inkoop@veluwe-vet.nl"), [ANNA], cc=[verm],
           subject="Inkooporder 4500012345 – offerte 2026-013",
           body="Geachte mevrouw De Vries,\n\nBijgaand inkooporder 4500012345.\n\n"
                "Crediteurenadministratie\n",
           enc=("UTF-8", "B"), atts=[pdf("Inkooporder_4500012345.pdf")], style="outlook",
           sig=[("order_confirmed", "veluwe-vet.nl")], why="inbound 'Inkooporder'")
    s.mail("anna", "sent", t(10, 2, 9, 0), ANNA, [verm], "Bedankt voor uw opdracht",
           "Beste Erik,\n\nHartelijk dank. Ik neem contact op voor de planning.\n\nAnna\n",
           sig=[("contact", "veluwe-vet.nl")], why="contact after the close")

    # --- noordzee-vis.nl: suspect with qualification facts.
    s.account("noordzee-vis.nl", "Noordzee Visverwerking", "IJmuiden, NL", "anna",
              [("new", "suspect", "open")],
              """
One first visit.  Its description, edited after the visit, records the
qualification facts of the suspect phase (decision date, competitor, need,
problem), dated by LAST-MODIFIED.
""")
    s.event("anna", "noordzee-kennismaking", "Kennismaking Noordzee Visverwerking",
            t(11, 3, 10, 0), t(11, 3, 11, 30), t(10, 26, 14, 45),
            attendees=[("Dirk Kramer", "d.kramer@noordzee-vis.nl")], location="IJmuiden",
            description="Kwaliteitsmanager Dirk Kramer.\n#decision 2027-01-15\n"
                        "#competitor LabWare\n#need HACCP-rapportage automatiseren\n"
                        "#problem handmatige registratie in Excel",
            modified=t(11, 3, 14, 0),
            sig=[("appointment", "noordzee-vis.nl", "created"),
                 ("decision", "noordzee-vis.nl", "modified"),
                 ("competitor", "noordzee-vis.nl", "modified"),
                 ("need", "noordzee-vis.nl", "modified"),
                 ("problem", "noordzee-vis.nl", "modified")],
            why="appointment; qualification hashtags")

    # --- ijsselmeer-vis.nl: on the target list, never contacted.
    s.target("ijsselmeer-vis.nl", "IJsselmeer Visserij", "anna")
    s.account("ijsselmeer-vis.nl", "IJsselmeer Visserij", "Urk, NL", "anna",
              [("new", "selection", "open")],
              """
Only on the target list: its target signal opens a deal in selection.
""")


def bram(s):
    # --- biolab-gent.be: verbal order, closing open.
    s.account("biolab-gent.be", "Biolab Gent NV", "Gent, BE", "bram",
              [("new", "closing", "open")],
              """
Appointment, demo, offer; a closing meeting whose description says `#verbal`
(dated by LAST-MODIFIED).  The meeting itself is an appointment made after the
offer: no move backwards.  No written confirmation yet: closing, open.
""")
    goet = ("Lies Goethals", "lies.goethals@biolab-gent.be")
    s.event("bram", "biolab-kennismaking", "Kennismaking Biolab Gent", t(9, 10, 10, 0),
            t(9, 10, 11, 30), t(9, 2, 13, 0), attendees=[goet], location="Biolab Gent",
            sig=[("appointment", "biolab-gent.be", "created")], why="appointment")
    s.event("bram", "biolab-demo", "Demo LabSuite Biolab Gent", t(9, 24, 13, 0),
            t(9, 24, 15, 0), t(9, 15, 9, 20), attendees=[goet], location="Biolab Gent",
            style="google-utc", sig=[("demo", "biolab-gent.be", "created")],
            why="demo (times in UTC)")
    s.mail("bram", "sent", t(10, 5, 14, 10), BRAM, [goet],
           "Offerte 2026-022 LabSuite Biolab Gent",
           "Beste Lies,\n\nIn bijlage onze offerte.\n\nMet vriendelijke groeten,\nBram\n",
           atts=[pdf("Offerte_2026-022.pdf", "rfc2231")],
           sig=[("offer_sent", "biolab-gent.be")], why="offer")
    s.event("bram", "biolab-afsluitend", "Afsluitend gesprek Biolab Gent", t(10, 27, 14, 0),
            t(10, 27, 15, 0), t(10, 19, 10, 0), attendees=[goet], location="Biolab Gent",
            description="Klant akkoord, schriftelijke bevestiging volgt. #verbal",
            modified=t(10, 27, 17, 0),
            sig=[("appointment", "biolab-gent.be", "created"),
                 ("verbal_order", "biolab-gent.be", "modified")],
            why="appointment; #verbal in the description")

    # --- labor-weber.de: won by a purchase order in an AW: reply.
    s.account("labor-weber.de", "Labor Weber GmbH", "Aachen, DE", "bram",
              [("new", "closing", "won")],
              """
Visit, an English quotation, and the customer's German Outlook reply
`AW: Quotation ...` (the prefix inside an ISO-8859-1 encoded word) carrying
`Purchase order PO-4411.pdf` (RFC 2231 continuations): a reply with a matching
attachment is order_confirmed.
""")
    weber = ("Dr. Jürgen Weber", "j.weber@labor-weber.de")
    s.event("bram", "weber-besuch", "Besuch Labor Weber, Aachen", t(9, 16, 11, 0),
            t(9, 16, 12, 30), t(9, 8, 8, 40), attendees=[weber], location="Aachen",
            sig=[("appointment", "labor-weber.de", "created")], why="appointment")
    offer = s.mail("bram", "sent", t(9, 28, 17, 20), BRAM, [weber],
                   "Quotation 2026-018 LabSuite for Labor Weber",
                   "Dear Dr. Weber,\n\nPlease find our quotation attached.\n\nKind regards,\n"
                   "Bram Jansen\n", atts=[pdf("Offerte_2026-018.pdf")],
                   sig=[("offer_sent", "labor-weber.de")], why="'Quotation'")
    s.mail("bram", "inbox", t(10, 14, 9, 5), weber, [BRAM],
           "AW: Quotation 2026-018 LabSuite für Labor Weber",
           "Sehr geehrter Herr Jansen,\n\nanbei unsere Bestellung.\n\nMit freundlichen "
           "Grüßen\nJürgen Weber\n", enc=("iso-8859-1", "Q"), reply=offer,
           atts=[pdf("Purchase order PO-4411.pdf", "rfc2231plain")], style="outlook",
           sig=[("order_confirmed", "labor-weber.de")],
           why="AW: reply with attachment 'Purchase order PO-4411.pdf'")

    # --- meyer-analytik.de: recurring call series, then a visit.
    s.account("meyer-analytik.de", "Meyer Analytik GmbH", "Köln, DE", "bram",
              [("new", "suspect", "open")],
              """
A bi-weekly call series with the customer (one call signal for the whole
series, dated by its CREATED), then a visit: suspect.  Calls are not
appointments, so only the visit counts per day.
""")
    meyer = ("Thomas Meyer", "t.meyer@meyer-analytik.de")
    s.event("bram", "meyer-call", "Call Meyer Analytik", t(9, 3, 10, 0), t(9, 3, 10, 30),
            t(9, 1, 15, 0), attendees=[meyer], location="Microsoft Teams",
            weekly=(2, 6), sig=[("call", "meyer-analytik.de", "created")],
            why="recurring call series, every 2 weeks, 6 times")
    s.event("bram", "meyer-besuch", "Besuch Meyer Analytik, Köln", t(10, 21, 11, 0),
            t(10, 21, 12, 30), t(10, 14, 16, 0), attendees=[meyer], location="Köln",
            sig=[("appointment", "meyer-analytik.de", "created")], why="appointment")

    # --- vitalab.be: lost after the demo.
    s.account("vitalab.be", "Vitalab BV", "Leuven, BE", "bram",
              [("new", "prospect", "lost")],
              """
Appointment and presentation, then a call whose description records `#lost`
(and the competitor); the call itself cannot move the deal back.
""")
    peet = ("An Peeters", "an.peeters@vitalab.be")
    s.event("bram", "vitalab-kennismaking", "Kennismaking Vitalab", t(9, 17, 14, 0),
            t(9, 17, 15, 0), t(9, 9, 11, 0), attendees=[peet], location="Leuven",
            sig=[("appointment", "vitalab.be", "created")], why="appointment")
    s.event("bram", "vitalab-presentatie", "Presentatie bij Vitalab", t(10, 1, 10, 0),
            t(10, 1, 12, 0), t(9, 23, 9, 0), attendees=[peet], location="Leuven",
            style="google-utc", sig=[("demo", "vitalab.be", "created")], why="demo")
    s.event("bram", "vitalab-bellen", "Bellen met Vitalab", t(11, 4, 11, 0), t(11, 4, 11, 30),
            t(11, 3, 16, 0), attendees=[peet],
            description="Vitalab kiest voor de concurrent. #lost\n#competitor LabVantage",
            modified=t(11, 4, 11, 40),
            sig=[("call", "vitalab.be", "created"), ("lost", "vitalab.be", "modified"),
                 ("competitor", "vitalab.be", "modified")],
            why="call; #lost and #competitor in the description")

    # --- brouwerij-dekroon.be: one call with an attendee.
    s.account("brouwerij-dekroon.be", "Brouwerij De Kroon", "Mechelen, BE", "bram",
              [("new", "selection", "open")],
              """
One acquisition call, planned as a Teams invitation with the brewer as
attendee: selection.
""")
    s.event("bram", "dekroon-bellen", "Bellen met Brouwerij De Kroon", t(10, 29, 15, 0),
            t(10, 29, 15, 30), t(10, 27, 10, 30),
            attendees=[("Wim Maes", "wim@brouwerij-dekroon.be")], location="Microsoft Teams",
            sig=[("call", "brouwerij-dekroon.be", "created")], why="call with an attendee")

    # --- ziggo.nl free-mail customer: stalled offer.
    zg = "j.peeters@ziggo.nl"
    s.account(zg, "Tandtechniek Peeters", "Venlo, NL", "bram", [("new", "offer", "open")],
              """
A dental lab that uses a Ziggo address (free-mail: the account is the full
address).  Visit and offer; no reply: a stalled offer.
""")
    jp = ("Jan Peeters", zg)
    s.event("bram", "peeters-bezoek", "Bezoek Tandtechniek Peeters", t(10, 13, 14, 0),
            t(10, 13, 15, 0), t(10, 1, 12, 30), attendees=[jp], location="Venlo",
            sig=[("appointment", zg, "created")], why="appointment, free-mail attendee")
    s.mail("bram", "sent", t(10, 16, 10, 40), BRAM, [jp], "Offerte 2026-026 ovens en scanner",
           "Beste Jan,\n\nHierbij de offerte.\n\nBram\n", atts=[pdf("Offerte_2026-026.pdf")],
           sig=[("offer_sent", zg)], why="offer")

    # --- scheldechem.be: straight to offer, won.
    s.account("scheldechem.be", "Scheldechem NV", "Antwerpen, BE", "bram",
              [("new", "closing", "won")],
              """
An offer with no recorded appointment (straight to offer), then an
`Opdrachtbevestiging` whose subject is ISO-8859-1 quoted-printable and whose
attachment name uses RFC 2231 continuations with UTF-8: won.
""")
    vd = ("Koen Verdonck", "koen.verdonck@scheldechem.be")
    s.mail("bram", "sent", t(9, 4, 9, 30), BRAM, [vd],
           "Offerte 2026-012 spectrofotometers BL-500",
           "Beste Koen,\n\nIn bijlage de offerte voor vier BL-500 toestellen.\n\nBram\n",
           atts=[pdf("Offerte_2026-012.pdf")], sig=[("offer_sent", "scheldechem.be")],
           why="offer, no earlier signal")
    s.mail("bram", "inbox", t(9, 25, 16, 15), vd, [BRAM],
           "Opdrachtbevestiging offerte 2026-012 - één levering",
           "Beste Bram,\n\nHierbij onze opdrachtbevestiging.\n\nKoen\n",
           enc=("iso-8859-1", "Q"),
           atts=[pdf("Opdrachtbevestiging_Scheldechem_offerte_2026-012_één_levering.pdf",
                     "rfc2231")],
           style="outlook", sig=[("order_confirmed", "scheldechem.be")],
           why="inbound 'Opdrachtbevestiging' (ISO-8859-1 subject, RFC 2231 name)")

    # --- polderbio.nl: cancelled first visit, then a new one.
    s.account("polderbio.nl", "Polderbio B.V.", "Lelystad, NL", "bram",
              [("new", "suspect", "open")],
              """
The first visit is cancelled (STATUS:CANCELLED: no signal, no appointment); a
new visit made on 28 September opens the deal in suspect.
""")
    pb = ("Sophie Visser", "s.visser@polderbio.nl")
    s.event("bram", "polderbio-geannuleerd", "Kennismaking Polderbio", t(9, 15, 10, 0),
            t(9, 15, 11, 0), t(9, 8, 14, 0), attendees=[pb], location="Lelystad",
            status="CANCELLED", modified=t(9, 14, 9, 0),
            why="cancelled appointment (STATUS:CANCELLED)")
    s.event("bram", "polderbio-kennismaking", "Kennismaking Polderbio (nieuwe datum)",
            t(10, 13, 10, 0), t(10, 13, 11, 0), t(9, 28, 11, 0), attendees=[pb],
            location="Lelystad", sig=[("appointment", "polderbio.nl", "created")],
            why="the new appointment")

    # --- maaslab.be: offer open, Antw: reply, Doorst: forward.
    s.account("maaslab.be", "Maaslab", "Maasmechelen, BE", "bram",
              [("new", "offer", "open")],
              """
Appointment, demo, offer; the customer's `Antw:` reply with questions is
contact; Bram forwards the offer (`Doorst:`) to the purchasing department: a
forward to an external party is judged like a new message and gives
offer_sent again (no move).
""")
    ml = ("Hilde Wouters", "hilde.wouters@maaslab.be")
    s.event("bram", "maaslab-kennismaking", "Kennismaking Maaslab", t(9, 18, 10, 0),
            t(9, 18, 11, 30), t(9, 10, 14, 20), attendees=[ml], location="Maasmechelen",
            sig=[("appointment", "maaslab.be", "created")], why="appointment")
    s.event("bram", "maaslab-demo", "Demo Maaslab", t(10, 9, 10, 0), t(10, 9, 12, 0),
            t(10, 1, 8, 45), attendees=[ml], location="Maasmechelen",
            sig=[("demo", "maaslab.be", "created")], why="demo")
    offer = s.mail("bram", "sent", t(10, 20, 11, 0), BRAM, [ml],
                   "Offerte 2026-027 LabSuite Maaslab",
                   "Beste Hilde,\n\nIn bijlage onze offerte.\n\nBram\n",
                   atts=[pdf("Offerte_2026-027.pdf")], sig=[("offer_sent", "maaslab.be")],
                   why="offer")
    s.mail("bram", "inbox", t(10, 23, 15, 30), ml, [BRAM], "Antw: Offerte 2026-027 LabSuite Maaslab",
           "Dag Bram,\n\nIs de installatie inbegrepen?\n\nHilde\n", prefix="Antw: ",
           reply=offer, style="outlook", sig=[("contact", "maaslab.be")],
           why="inbound reply without attachment: contact")
    s.mail("bram", "sent", t(10, 26, 9, 15), BRAM, [("Aankoop Maaslab", "aankoop@maaslab.be")],
           "Doorst: Offerte 2026-027 LabSuite Maaslab",
           "Beste,\n\nOp vraag van Hilde Wouters stuur ik u onze offerte door.\n\nBram\n",
           prefix="Doorst: ", reply=offer, atts=[pdf("Offerte_2026-027.pdf")],
           sig=[("offer_sent", "maaslab.be")],
           why="forward to an external party, judged like a new message")

    # --- hansapharma.de: demo attributed by name only.
    s.account("hansapharma.de", "Hansapharma GmbH", "Hamburg, DE", "bram",
              [("new", "prospect", "open")],
              """
The customer writes first (contact, before any deal: stored, no deal).  Bram
plans an online demo without attendees; it is attributed by the account name
"hansapharma" in the summary and opens the deal in prospect.
""")
    s.mail("bram", "inbox", t(9, 10, 11, 45), ("Katrin Schulz", "k.schulz@hansapharma.de"),
           [BRAM], "Anfrage LabSuite / request for information",
           "Dear Mr Jansen,\n\ncould you show us LabSuite?\n\nKatrin Schulz\n",
           style="outlook", sig=[("contact", "hansapharma.de")], why="inbound: contact")
    s.event("bram", "hansapharma-demo", "Demo LabSuite bij Hansapharma", t(9, 29, 14, 0),
            t(9, 29, 15, 30), t(9, 14, 10, 0), location="Online (Teams)",
            sig=[("demo", "hansapharma.de", "created")],
            why="demo without attendees; name 'hansapharma' in the summary")


def carla(s):
    # --- northwind.co.uk: offer open, subdomain, no Message-ID, noreply.
    s.account("northwind.co.uk", "Northwind Instruments Ltd", "Cambridge, UK", "carla",
              [("new", "offer", "open")],
              """
Contacts write from `sales.northwind.co.uk` (account northwind.co.uk).  A call,
a Teams demo (suspect is skipped), a quotation, a reply without Message-ID
(contact), a revised quotation sent as a reply *with* a matching attachment
(offer_sent, no move), a portal notification from noreply (nothing), and a
later reply (contact): offer, open.
""")
    hughes = ("David Hughes", "d.hughes@sales.northwind.co.uk")
    s.event("carla", "northwind-call", "Call with Northwind", t(9, 3, 15, 0), t(9, 3, 15, 30),
            t(9, 2, 11, 0), attendees=[hughes], location="Microsoft Teams Meeting",
            sig=[("call", "northwind.co.uk", "created")], why="call")
    s.event("carla", "northwind-demo", "Demo LabSuite – Northwind Instruments",
            t(9, 22, 15, 0), t(9, 22, 16, 30), t(9, 14, 10, 30), attendees=[hughes],
            location="Microsoft Teams Meeting", sig=[("demo", "northwind.co.uk", "created")],
            why="demo")
    offer = s.mail("carla", "sent", t(10, 2, 12, 0), CARLA, [hughes],
                   "Quotation 2026-021 LabSuite – Northwind Instruments",
                   "Dear David,\n\nPlease find our quotation attached.\n\nKind regards,\n"
                   "Carla Smit\n", enc=("UTF-8", "B"), atts=[pdf("Offerte_2026-021.pdf")],
                   sig=[("offer_sent", "northwind.co.uk")], why="'Quotation'")
    q = s.mail("carla", "inbox", t(10, 6, 10, 20), hughes, [CARLA],
               "RE: Quotation 2026-021 LabSuite – Northwind Instruments",
               "Hi Carla,\n\nCould you split the licence and the service fee?\n\nDavid\n",
               prefix="RE: ", enc=("UTF-8", "B"), reply=offer, msgid=False, style="other",
               sig=[("contact", "northwind.co.uk")],
               why="inbound reply without Message-ID: contact")
    rev = s.mail("carla", "sent", t(10, 9, 14, 0), CARLA, [hughes],
                 "RE: Quotation 2026-021 LabSuite – Northwind Instruments",
                 "Hi David,\n\nAttached the revised quotation with the fees split.\n\nCarla\n",
                 prefix="RE: ", enc=("UTF-8", "B"), reply=q,
                 atts=[pdf("Quotation_2026-021_rev2.pdf")],
                 sig=[("offer_sent", "northwind.co.uk")],
                 why="reply with a matching attachment Quotation_*: offer_sent")
    s.mail("carla", "inbox", t(10, 20, 8, 0), ("Northwind Supplier Portal",
                                                 "noreply@northwind.co.uk"), [CARLA],
           "Your supplier portal registration", "Your registration has been received.\n",
           style="other", why="noreply sender at a customer's domain")
    s.mail("carla", "inbox", t(11, 16, 16, 45), hughes, [CARLA],
           "RE: Quotation 2026-021 LabSuite – Northwind Instruments",
           "Hi Carla,\n\nThe board decides in January.\n\nDavid\n", prefix="RE: ",
           enc=("UTF-8", "B"), reply=rev, style="outlook",
           sig=[("contact", "northwind.co.uk")], why="inbound reply: contact")

    # --- harwell-scientific.co.uk: invited by the customer, demo.
    s.account("harwell-scientific.co.uk", "Harwell Scientific Ltd", "Didcot, UK", "carla",
              [("new", "prospect", "open")],
              """
The customer organises the first visit (external ORGANIZER), then a product
demo: prospect.
""")
    rc = ("Rachel Cooper", "r.cooper@harwell-scientific.co.uk")
    s.event("carla", "harwell-visit", "Visit Harwell Scientific", t(10, 7, 11, 0),
            t(10, 7, 12, 30), t(9, 29, 9, 15), organizer=rc, attendees=[CARLA],
            location="Harwell Campus, Didcot",
            sig=[("appointment", "harwell-scientific.co.uk", "created")],
            why="appointment organised by the customer")
    s.event("carla", "harwell-demo", "Product demo LabSuite – Harwell Scientific",
            t(11, 4, 14, 0), t(11, 4, 15, 30), t(10, 19, 13, 0), attendees=[rc],
            location="Microsoft Teams Meeting",
            sig=[("demo", "harwell-scientific.co.uk", "created")], why="demo")

    # --- pennine-labs.co.uk: lost at offer.
    s.account("pennine-labs.co.uk", "Pennine Labs", "Leeds, UK", "carla",
              [("new", "offer", "lost")],
              """
Visit, quotation, then a review meeting whose description records `#lost` and
the competitor (dated by LAST-MODIFIED, after the meeting was made).
""")
    pl = ("Oliver Grant", "o.grant@pennine-labs.co.uk")
    s.event("carla", "pennine-visit", "Visit Pennine Labs", t(9, 15, 12, 0), t(9, 15, 13, 30),
            t(9, 7, 10, 0), attendees=[pl], location="Leeds",
            sig=[("appointment", "pennine-labs.co.uk", "created")], why="appointment")
    s.mail("carla", "sent", t(9, 24, 13, 10), CARLA, [pl],
           "Quotation 2026-017 sample tracking – Pennine Labs",
           "Dear Oliver,\n\nPlease find our quotation attached.\n\nCarla\n",
           enc=("UTF-8", "Q"), atts=[pdf("Offerte_2026-017.pdf")],
           sig=[("offer_sent", "pennine-labs.co.uk")], why="'Quotation'")
    s.event("carla", "pennine-review", "Review meeting Pennine Labs", t(10, 28, 15, 0),
            t(10, 28, 15, 30), t(10, 26, 9, 0), attendees=[pl],
            location="Microsoft Teams Meeting",
            description="Lost to a competitor on price. #lost\n#competitor Thermo Fisher",
            modified=t(10, 28, 15, 40),
            sig=[("appointment", "pennine-labs.co.uk", "created"),
                 ("lost", "pennine-labs.co.uk", "modified"),
                 ("competitor", "pennine-labs.co.uk", "modified")],
            why="appointment; #lost in the description")

    # --- rijnmond-diagnostics.nl: won; implementation series.
    s.account("rijnmond-diagnostics.nl", "Rijnmond Diagnostics", "Rotterdam, NL", "carla",
              [("new", "closing", "won")],
              """
Visit, offer, and an `Orderbevestiging` whose subject is Windows-1252
(en dash, curly quotes, euro sign): won.  Two days later Carla plans a weekly
implementation series (four Tuesdays, the third moved to Thursday by a
RECURRENCE-ID override): an appointment within `reopen_after_days` of the close
belongs to the won deal and opens nothing; its occurrences count per day.
""")
    rd = ("Ingrid Jansen", "i.jansen@rijnmond-diagnostics.nl")
    s.event("carla", "rijnmond-kennismaking", "Kennismaking Rijnmond Diagnostics",
            t(9, 21, 10, 0), t(9, 21, 11, 0), t(9, 14, 16, 30), attendees=[rd],
            location="Rotterdam", sig=[("appointment", "rijnmond-diagnostics.nl", "created")],
            why="appointment (Outlook, W. Europe Standard Time)")
    s.mail("carla", "sent", t(9, 30, 16, 0), CARLA, [rd],
           "Offerte 2026-020 LabSuite Rijnmond Diagnostics",
           "Beste Ingrid,\n\nHierbij onze offerte.\n\nMet vriendelijke groet,\nCarla Smit\n",
           atts=[pdf("Offerte_2026-020.pdf")],
           sig=[("offer_sent", "rijnmond-diagnostics.nl")], why="offer")
    s.mail("carla", "inbox", t(10, 13, 11, 20), rd, [CARLA],
           "Orderbevestiging – “LabSuite” € 18.450",
           "Beste Carla,\n\nHierbij bevestigen wij de order.\n\nIngrid Jansen\n",
           enc=("windows-1252", "Q"), atts=[pdf("Orderbevestiging_Rijnmond.pdf")],
           style="outlook", sig=[("order_confirmed", "rijnmond-diagnostics.nl")],
           why="inbound 'Orderbevestiging' (Windows-1252 subject)")
    s.event("carla", "rijnmond-implementatie", "Implementatie LabSuite Rijnmond",
            t(10, 27, 13, 0), t(10, 27, 16, 0), t(10, 15, 9, 0), attendees=[rd],
            location="Rijnmond Diagnostics, Rotterdam", weekly=(1, 4),
            moves={t(11, 10, 13, 0): t(11, 12, 13, 0)}, moved_at=t(11, 2, 10, 0),
            sig=[("appointment", "rijnmond-diagnostics.nl", "created")],
            why="weekly series, one occurrence moved; made 2 days after the close")

    # --- brabant-agro.nl: one call, name from the target list.
    s.target("brabant-agro.nl", "Brabant Agro", "carla")
    s.account("brabant-agro.nl", "Brabant Agro Lab", "Tilburg, NL", "carla",
              [("new", "selection", "open")],
              """
On the target list as "Brabant Agro"; one call without attendees that names
it: selection.
""")
    s.event("carla", "brabant-bellen", "Bellen met Brabant Agro", t(10, 6, 9, 0),
            t(10, 6, 9, 15), t(10, 5, 17, 0),
            sig=[("call", "brabant-agro.nl", "created")],
            why="call, no attendee; name from targets.csv")

    # --- fenland-bio.co.uk: stalled quotation, out-of-office.
    s.account("fenland-bio.co.uk", "Fenland Bio Ltd", "Ely, UK", "carla",
              [("new", "offer", "open")],
              """
Visit and quotation; the only answer is an out-of-office reply (nothing).
Carla's follow-up is an outbound reply without attachment (contact).  No
inbound contact at all: a stalled offer.
""")
    fb = ("Emma Clarke", "emma.clarke@fenland-bio.co.uk")
    s.event("carla", "fenland-visit", "Visit Fenland Bio", t(9, 16, 11, 0), t(9, 16, 12, 0),
            t(9, 8, 15, 30), attendees=[fb], location="Ely",
            sig=[("appointment", "fenland-bio.co.uk", "created")], why="appointment")
    offer = s.mail("carla", "sent", t(9, 21, 14, 30), CARLA, [fb],
                   "Quotation 2026-015 – Fenland Bio",
                   "Dear Emma,\n\nPlease find our quotation attached.\n\nCarla\n",
                   enc=("UTF-8", "B"), atts=[pdf("Offerte_2026-015.pdf")],
                   sig=[("offer_sent", "fenland-bio.co.uk")], why="'Quotation'")
    s.mail("carla", "inbox", t(9, 21, 14, 31), fb, [CARLA],
           "Automatic reply: Quotation 2026-015 – Fenland Bio",
           "I am out of the office until 5 October.\n", prefix="Automatic reply: ",
           enc=("UTF-8", "B"), reply=offer, style="outlook",
           extra=[("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")],
           why="out-of-office reply (Auto-Submitted)")
    s.mail("carla", "sent", t(10, 7, 9, 30), CARLA, [fb],
           "RE: Quotation 2026-015 – Fenland Bio",
           "Dear Emma,\n\nDid you have a chance to look at our quotation?\n\nCarla\n",
           prefix="RE: ", enc=("UTF-8", "B"), reply=offer,
           sig=[("contact", "fenland-bio.co.uk")], why="outbound follow-up: contact")

    # --- medilab-utrecht.nl: verbal order, then our own order confirmation.
    s.account("medilab-utrecht.nl", "Medilab Utrecht", "Utrecht, NL", "carla",
              [("new", "closing", "won")],
              """
Visit and offer; a call whose description says `#verbal` (closing), then
Carla's own order confirmation to the customer (outbound with an order
pattern): won.
""")
    mu = ("Bas Koster", "b.koster@medilab-utrecht.nl")
    s.event("carla", "medilab-kennismaking", "Kennismaking Medilab Utrecht", t(9, 24, 10, 0),
            t(9, 24, 11, 0), t(9, 16, 14, 0), attendees=[mu], location="Utrecht Science Park",
            sig=[("appointment", "medilab-utrecht.nl", "created")], why="appointment")
    s.mail("carla", "sent", t(10, 6, 15, 45), CARLA, [mu], "Offerte 2026-023 LabSuite Medilab",
           "Beste Bas,\n\nHierbij onze offerte.\n\nCarla\n", atts=[pdf("Offerte_2026-023.pdf")],
           sig=[("offer_sent", "medilab-utrecht.nl")], why="offer")
    s.event("carla", "medilab-bellen", "Bellen met Medilab Utrecht", t(10, 20, 10, 0),
            t(10, 20, 10, 30), t(10, 19, 16, 0), attendees=[mu],
            description="Mondeling akkoord op offerte 2026-023. #verbal",
            modified=t(10, 20, 10, 35),
            sig=[("call", "medilab-utrecht.nl", "created"),
                 ("verbal_order", "medilab-utrecht.nl", "modified")],
            why="call; #verbal in the description")
    s.mail("carla", "sent", t(10, 22, 9, 10), CARLA, [mu],
           "Orderbevestiging offerte 2026-023",
           "Beste Bas,\n\nDank voor uw mondelinge opdracht, die wij hierbij bevestigen.\n\n"
           "Carla\n", atts=[pdf("Orderbevestiging_2026-023.pdf")],
           sig=[("order_confirmed", "medilab-utrecht.nl")],
           why="our own order confirmation after the verbal order")

    # --- thamesvalley-water.co.uk: one visit, Outlook file without VTIMEZONE.
    s.account("thamesvalley-water.co.uk", "Thames Valley Water Labs", "Reading, UK", "carla",
              [("new", "suspect", "open")],
              """
One visit, from an Outlook file that uses TZID "W. Europe Standard Time"
without a VTIMEZONE block (the Windows zone must be mapped to
Europe/Amsterdam): suspect.
""")
    s.event("carla", "thamesvalley-visit", "Visit Thames Valley Water", t(11, 18, 11, 0),
            t(11, 18, 12, 30), t(11, 9, 10, 0),
            attendees=[("Priya Shah", "priya.shah@thamesvalley-water.co.uk")],
            location="Reading", style="outlook-notz",
            sig=[("appointment", "thamesvalley-water.co.uk", "created")],
            why="appointment (Windows zone name, no VTIMEZONE)")

    # --- yorkshire-dairy.co.uk: "purchase order to follow" is not an order.
    s.account("yorkshire-dairy.co.uk", "Yorkshire Dairy Co-operative", "Harrogate, UK",
              "carla", [("new", "offer", "open")],
              """
Visit, demo, quotation; the customer's reply says "purchase order to follow"
in the subject but carries no attachment: a reply counts as order_confirmed
only with a matching attachment, so it is contact.  Offer, open.
""")
    yd = ("Tom Hargreaves", "tom.hargreaves@yorkshire-dairy.co.uk")
    s.event("carla", "yorkshire-visit", "Visit Yorkshire Dairy", t(9, 10, 11, 0),
            t(9, 10, 12, 30), t(9, 3, 9, 40), attendees=[yd], location="Harrogate",
            sig=[("appointment", "yorkshire-dairy.co.uk", "created")], why="appointment")
    s.event("carla", "yorkshire-demo", "Demo – Yorkshire Dairy", t(9, 29, 13, 0),
            t(9, 29, 14, 30), t(9, 17, 11, 0), attendees=[yd], location="Harrogate",
            sig=[("demo", "yorkshire-dairy.co.uk", "created")], why="demo")
    offer = s.mail("carla", "sent", t(10, 12, 10, 0), CARLA, [yd],
                   "Quotation 2026-025 – Yorkshire Dairy",
                   "Dear Tom,\n\nPlease find our quotation attached.\n\nCarla\n",
                   enc=("UTF-8", "B"), atts=[pdf("Offerte_2026-025.pdf")],
                   sig=[("offer_sent", "yorkshire-dairy.co.uk")], why="'Quotation'")
    s.mail("carla", "inbox", t(11, 6, 12, 15), yd, [CARLA],
           "RE: Quotation 2026-025 – Yorkshire Dairy - purchase order to follow",
           "Hi Carla,\n\nApproved internally; our purchase order follows next week.\n\nTom\n",
           prefix="RE: ", enc=("UTF-8", "B"), reply=offer, style="outlook",
           sig=[("contact", "yorkshire-dairy.co.uk")],
           why="reply with an order phrase but no attachment: contact")

    # --- sussex-labs.co.uk: one call with an attendee.
    s.account("sussex-labs.co.uk", "Sussex Labs", "Brighton, UK", "carla",
              [("new", "selection", "open")],
              """
One acquisition call with the customer as attendee: selection.
""")
    s.event("carla", "sussex-call", "Call with Sussex Labs", t(11, 17, 10, 0),
            t(11, 17, 10, 30), t(11, 12, 15, 0),
            attendees=[("Hannah Price", "h.price@sussex-labs.co.uk")],
            location="Microsoft Teams Meeting",
            sig=[("call", "sussex-labs.co.uk", "created")], why="call")


def main():
    ap = argparse.ArgumentParser(description="Write the salescycle sample data set.")
    ap.add_argument("--seed", type=int, default=20261120,
                    help="seed for Message-IDs, UIDs and boundaries (default 20261120)")
    ap.add_argument("outdir", help="folder to write (mail/ and cal/ in it are replaced)")
    args = ap.parse_args()
    s = Sample(args.seed)
    scenario(s)
    n = s.write(args.outdir)
    print("gen-sample.py: wrote %d files to %s" % (n, args.outdir))


if __name__ == "__main__":
    main()
