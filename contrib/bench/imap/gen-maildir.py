#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# Writes COUNT realistic business messages straight into the cur/ folder
# of a Maildir (much faster than IMAP APPEND for tens of thousands), owned
# by the mail user so that Dovecot can read them.  The mix: replies and
# forwards with thread headers, Outlook and Thunderbird header styles,
# Received and DKIM traces, encoded subjects, newsletters with List-Id,
# auto-replies, multipart/alternative bodies, and a share (default 30%)
# of multipart/mixed messages with one to three attachments.  Each file's
# mtime is the message's arrival, which Dovecot reports as INTERNALDATE;
# all dates fall within the last 330 days so that salescycle's default
# backfill (365 days) reaches every message.  Deterministic for a seed.
#
#	usage: gen-maildir.py [-a ATTACHMENT-SHARE] COUNT SEED MAILDIR...
# (each further MAILDIR gets the next seed)

import argparse
import base64
import email.utils
import os
import pwd
import random
import time

CUSTOMERS = ["acme.nl", "northwind.co.uk", "vitalab.nl", "biolab.de",
             "hansapharma.de", "meyer-gmbh.de", "peeters.be", "maaslab.nl",
             "dekroon.nl", "polderbio.nl", "harwell.co.uk", "medilab.nl",
             "rijnmond-zorg.nl", "yorkshire-analytics.co.uk", "fenland.co.uk",
             "zuidlab.nl", "groenveld.nl", "aquaduin.nl", "veluwe-tech.nl",
             "kesteren.nl"] + ["klant%03d.example" % i for i in range(280)]
PEOPLE = ["jan", "klaas", "inkoop", "sanne", "pieter", "emma", "lotte",
          "thomas", "info", "m.jansen", "j.de.vries", "sales", "finance"]
NAMES = ["Jan Smit", "Klaas Bakker", "Inkoop", "Sanne Visser", "Pieter Mulder",
         "Emma de Boer", "Lotte Bos", "Thomas Meijer", "Info", "Marieke Jansen",
         "Johan de Vries", "Sales", "Finance"]
COLLEAGUES = [("Anna de Vries", "anna@brightline.nl"),
              ("Bram Jansen", "bram@brightline.nl"),
              ("Piet Hendriks", "piet@brightline.nl"),
              ("Backoffice", "backoffice@brightline.nl")]
TOPICS = ["website", "onderhoudscontract", "laboratoriumsoftware", "LIMS koppeling",
          "licenties 2026", "training", "implementatie fase 2", "support",
          "hosting", "migratie", "datakoppeling", "uitbreiding gebruikers",
          "service level agreement", "pilot", "rapportagemodule"]
SUBJECTS = ["Offerte {t}", "Opdrachtbevestiging {t}", "Vraag over {t}",
            "Afspraak {t}", "Planning {t}", "Quotation {t}", "Meeting notes {t}",
            "Purchase order {t}", "Factuur {t}", "Overleg {t}", "Proposal {t}",
            "Update {t}", "Agenda {t}", "Signed quote {t}", "Demo {t}"]
ENCODED = ["=?UTF-8?B?{b}?=", "=?iso-8859-1?Q?{q}?="]
NEWSLETTERS = [("Acme Nieuws", "news@acme.nl", "<news.acme.nl>"),
               ("Lab Insights", "newsletter@vitalab.nl", "<insights.vitalab.nl>"),
               ("Webinar team", "no-reply@events.example", "<events.example>")]
ATTACHMENTS = [("application/pdf", "offerte-{n}.pdf"),
               ("application/pdf", "opdrachtbevestiging-{n}.pdf"),
               ("application/pdf", "factuur-{n}.pdf"),
               ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "voorstel-{n}.docx"),
               ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "planning-{n}.xlsx"),
               ("image/png", "image{n}.png"),
               ("image/jpeg", "tekening-{n}.jpg"),
               ("application/pdf", "Getekende offerte {n}.pdf")]
BODY = ("Beste {name},\n\nDank voor het prettige gesprek van vorige week. "
        "Zoals besproken stuur ik je hierbij de informatie over {topic}. "
        "Laat gerust weten als er nog vragen zijn; ik bel je eind van de week "
        "om de volgende stap door te nemen.\n\nMet vriendelijke groet,\n\n{sig}\n")


def blob_pool(rng):
    """Base64 text of random bytes, in 76-character lines, to slice from."""
    raw = bytes(rng.getrandbits(8) for _ in range(4096)) * 64
    text = base64.b64encode(raw).decode()
    return [text[i:i + 76] for i in range(0, len(text), 76)]


def addr(rng, domain=None):
    i = rng.randrange(len(PEOPLE))
    d = domain or rng.choice(CUSTOMERS)
    return NAMES[i], "%s@%s" % (PEOPLE[i], d), d


def fmt(rng, name, address):
    if rng.random() < 0.2:
        return address
    return email.utils.formataddr((name, address))


def encode_subject(rng, s):
    if rng.random() >= 0.08:
        return s
    s = s + " – vervolg"
    if rng.random() < 0.5:
        return ENCODED[0].format(b=base64.b64encode(s.encode()).decode())
    q = "".join(c if c.isalnum() else "=%02X" % ord(c) if ord(c) < 256 else "_"
                for c in s)
    return ENCODED[1].format(q=q)


def qp_html(text):
    html = "<html><head><meta http-equiv=3D\"Content-Type\" content=3D\"text/html; " \
           "charset=3Dutf-8\"></head><body><div style=3D\"font-family:Calibri,sans-" \
           "serif;font-size:11pt\">"
    for para in text.split("\n\n"):
        html += "<p>%s</p>\n" % para.replace("\n", "<br>")
    return html + "</div></body></html>\n"


def message(rng, i, when, pool):
    """One message as text with LF line ends, and its Maildir flags."""
    headers = []
    kind = rng.random()
    topic = rng.choice(TOPICS)
    subject = rng.choice(SUBJECTS).format(t=topic)
    ext_name, ext_addr, dom = addr(rng)
    col_name, col_addr = rng.choice(COLLEAGUES)
    list_hdrs = []
    if kind < 0.12:
        nl = rng.choice(NEWSLETTERS)
        frm, to = fmt(rng, nl[0], nl[1]), "anna@brightline.nl"
        subject = "Nieuwsbrief %s: %s" % (time.strftime("%B", time.gmtime(when)), topic)
        list_hdrs = ["List-Id: %s %s" % (nl[0], nl[2]),
                     "List-Unsubscribe: <https://%s/unsubscribe?u=%d>, <mailto:unsub@%s>"
                     % (nl[1].split("@")[1], i, nl[1].split("@")[1]),
                     "Precedence: bulk"]
    elif kind < 0.15:
        frm, to = fmt(rng, ext_name, ext_addr), "anna@brightline.nl"
        subject = "Automatisch antwoord: " + subject
        list_hdrs = ["Auto-Submitted: auto-replied", "X-Autoreply: yes"]
    elif kind < 0.35:
        frm, to = fmt(rng, "Anna de Vries", "anna@brightline.nl"), fmt(rng, ext_name, ext_addr)
    elif kind < 0.45:
        frm, to = fmt(rng, col_name, col_addr), "anna@brightline.nl"
    else:
        frm, to = fmt(rng, ext_name, ext_addr), fmt(rng, "Anna de Vries", "anna@brightline.nl")
    reply = kind >= 0.15 and rng.random() < 0.35
    if reply:
        subject = rng.choice(["Re: ", "RE: ", "Antw: ", "Fwd: ", "Re: Re: "]) + subject
    msgid = "<%08x.%d.%s@%s>" % (rng.getrandbits(32), i,
                                 "bench", dom if "anna" not in frm else "brightline.nl")
    date = email.utils.formatdate(when - rng.randrange(5, 300), localtime=False)
    date = date.replace("-0000", rng.choice(["+0100", "+0200", "+0000"]))

    headers.append("Return-Path: <%s>" % email.utils.parseaddr(frm)[1])
    headers.append("Delivered-To: anna@brightline.nl")
    for hop in range(rng.randint(2, 4)):
        headers.append("Received: from mx%d.%s (mx%d.%s [192.0.2.%d])\n\tby "
                       "mail.brightline.nl (Postfix) with ESMTPS id %08X\n\tfor "
                       "<anna@brightline.nl>; %s" % (hop, dom, hop, dom,
                                                     rng.randrange(1, 254),
                                                     rng.getrandbits(32), date))
    if rng.random() < 0.7:
        sig = base64.b64encode(rng.getrandbits(1024).to_bytes(128, "big")).decode()
        headers.append("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s;\n"
                       "\ts=selector1; h=From:Date:Subject:Message-ID:Content-Type:\n"
                       "\t MIME-Version; bh=%s;\n\tb=%s\n\t %s" % (dom, sig[:44], sig[:86], sig[86:]))
    headers.append("From: " + frm)
    headers.append("To: " + to)
    if rng.random() < 0.3:
        n, a, _ = addr(rng, dom)
        headers.append("Cc: %s, %s" % (fmt(rng, n, a), fmt(rng, col_name, col_addr)))
    headers.append("Subject: " + encode_subject(rng, subject))
    headers.append("Date: " + date)
    headers.append("Message-ID: " + msgid)
    if reply:
        parent = "<%08x.%d.bench@%s>" % (rng.getrandbits(32), max(i - 3, 0), dom)
        refs = " ".join("<%08x.r%d@%s>" % (rng.getrandbits(32), k, dom)
                        for k in range(rng.randint(0, 4)))
        headers.append("In-Reply-To: " + parent)
        headers.append("References: %s %s" % (refs, parent) if refs else
                       "References: " + parent)
    headers.extend(list_hdrs)
    if rng.random() < 0.4:
        headers.append("Thread-Topic: " + subject.split(": ")[-1])
        headers.append("Thread-Index: AQH" + base64.b64encode(
            rng.getrandbits(160).to_bytes(20, "big")).decode())
        headers.append("X-MS-Has-Attach: ")
        headers.append("Content-Language: nl-NL")
    else:
        headers.append("User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:115.0) "
                       "Gecko/20100101 Thunderbird/115.6.0")
    headers.append("MIME-Version: 1.0")

    text = BODY.format(name=ext_name.split()[0], topic=topic,
                       sig="Anna de Vries\nBrightline B.V.")
    if reply:
        text += "\n> " + "\n> ".join(BODY.format(name="Anna", topic=topic,
                                                 sig=ext_name).split("\n"))
    alt = rng.random() < 0.6
    b1 = "----=_Part_%d_%d" % (i, rng.getrandbits(31))
    b2 = "----=_Alt_%d_%d" % (i, rng.getrandbits(31))
    if alt:
        inner = ("Content-Type: multipart/alternative; boundary=\"%s\"\n\n"
                 "--%s\nContent-Type: text/plain; charset=\"utf-8\"\n"
                 "Content-Transfer-Encoding: quoted-printable\n\n%s\n"
                 "--%s\nContent-Type: text/html; charset=\"utf-8\"\n"
                 "Content-Transfer-Encoding: quoted-printable\n\n%s\n--%s--\n"
                 % (b2, b2, text, b2, qp_html(text), b2))
    else:
        inner = ("Content-Type: text/plain; charset=utf-8; format=flowed\n"
                 "Content-Transfer-Encoding: 8bit\n\n" + text)
    if rng.random() < ATTACH_SHARE:
        parts = ["--%s\n%s" % (b1, inner)]
        for k in range(rng.choice([1, 1, 1, 2, 3])):
            ctype, name = rng.choice(ATTACHMENTS)
            name = name.format(n="%d-%04d" % (2025 + k, i % 10000))
            lines = rng.randrange(50, 1300)       # 4 to 100 KB encoded
            start = rng.randrange(0, len(pool) - lines)
            data = "\n".join(pool[start:start + lines])
            disp = "inline" if ctype.startswith("image/") and rng.random() < 0.5 \
                else "attachment"
            if " " in name and rng.random() < 0.5:
                fname = "filename*=utf-8''" + name.replace(" ", "%20")
            else:
                fname = "filename=\"%s\"" % name
            parts.append("--%s\nContent-Type: %s; name=\"%s\"\n"
                         "Content-Disposition: %s; %s\n"
                         "Content-Transfer-Encoding: base64\n\n%s\n"
                         % (b1, ctype, name, disp, fname, data))
        headers.append("Content-Type: multipart/mixed; boundary=\"%s\"" % b1)
        body = "This is a multi-part message in MIME format.\n" + \
            "".join(parts) + "--%s--\n" % b1
    else:
        ct, rest = inner.split("\n\n", 1)
        headers.extend(ct.split("\n"))
        body = rest
    flags = "S" if rng.random() < 0.9 else ""
    if rng.random() < 0.05:
        flags = "F" + flags
    return "\n".join(headers) + "\n\n" + body, flags


def fill(folder, count, seed, mail):
    """Writes count messages into one Maildir; returns their total size."""
    rng = random.Random(seed)
    pool = blob_pool(rng)
    for sub in ("", "cur", "new", "tmp"):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
        os.chown(os.path.join(folder, sub), mail.pw_uid, mail.pw_gid)
    now = int(time.time())
    span = 330 * 86400
    total = 0
    for i in range(count):
        # Dovecot assigns UIDs in the order of the names' time stamps.
        when = now - span + (span * i) // max(count, 1)
        text, flags = message(rng, i, when, pool)
        data = text.encode()
        name = "%d.M%dP%d.bench,S=%d,W=%d:2,%s" % (when, i, seed, len(data),
                                                  len(data) + text.count("\n"),
                                                  flags)
        path = os.path.join(folder, "cur", name)
        with open(path, "wb") as f:
            f.write(data)
        os.chown(path, mail.pw_uid, mail.pw_gid)
        os.utime(path, (when, when))
        total += len(data)
    return total


def main():
    global ATTACH_SHARE
    ap = argparse.ArgumentParser(description="Seeds Maildirs for the IMAP benchmark.")
    ap.add_argument("-a", type=float, default=0.3, metavar="SHARE",
                    help="share of messages with attachments (0.3)")
    ap.add_argument("count", type=int)
    ap.add_argument("seed", type=int)
    ap.add_argument("maildir", nargs="+")
    args = ap.parse_args()
    ATTACH_SHARE = args.a
    mail = pwd.getpwnam("mail")
    total = 0
    for k, folder in enumerate(args.maildir):
        total += fill(folder, args.count, args.seed + k, mail)
    print("%d messages, %.1f MB" % (args.count * len(args.maildir), total / 1e6))


ATTACH_SHARE = 0.3
if __name__ == "__main__":
    main()
