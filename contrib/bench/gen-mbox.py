#!/usr/bin/python3
"""Writes a synthetic mbox of N messages with realistic headers and MIME
structure (30% with a PDF attachment, encoded subjects, replies, lists).

usage: gen-mbox.py FILE N
"""
import base64
import random
import sys

def main():
    path, n = sys.argv[1], int(sys.argv[2])
    rnd = random.Random(7)
    pdf = base64.encodebytes(bytes(rnd.randrange(256) for _ in range(30000))).decode()
    body = ("Beste klant,\n\n" + "Dit is een regel tekst in de mail.\n" * 40 + "\nGroet,\nAnna\n")
    subjects = ["Offerte 2026-%04d", "RE: Offerte 2026-%04d", "Vraag over levering %d",
                "=?utf-8?q?Opdrachtbevestiging_=E2=80=93_order_%d?=", "Afspraak %d",
                "Quotation Q-%d", "Nieuwsbrief week %d"]
    with open(path, "w", newline="\n") as f:
        for i in range(n):
            cust = "customer%05d.nl" % rnd.randrange(5000)
            out = rnd.random() < 0.5
            frm = "Anna de Vries <anna@brightline.nl>" if out else "Jan <jan@%s>" % cust
            to = "jan@%s" % cust if out else "anna@brightline.nl"
            subj = rnd.choice(subjects) % i
            day = 1 + i % 28
            f.write("From MAILER-DAEMON Mon Oct %2d 10:00:00 2026\n" % day)
            f.write("From: %s\nTo: %s\nSubject: %s\n" % (frm, to, subj))
            f.write("Date: Mon, %d Oct 2026 10:%02d:00 +0200\n" % (day, i % 60))
            f.write("Message-ID: <bench-%d@%s>\nMIME-Version: 1.0\n" % (i, "brightline.nl" if out else cust))
            if "Nieuwsbrief" in subj:
                f.write("List-Unsubscribe: <mailto:unsub@%s>\n" % cust)
            if rnd.random() < 0.3:
                f.write('Content-Type: multipart/mixed; boundary="b%d"\n\n' % i)
                f.write("--b%d\nContent-Type: text/plain; charset=utf-8\n\n%s\n" % (i, body))
                f.write('--b%d\nContent-Type: application/pdf; name="Offerte_%d.pdf"\n' % (i, i))
                f.write('Content-Disposition: attachment; filename="Offerte_%d.pdf"\n' % i)
                f.write("Content-Transfer-Encoding: base64\n\n%s\n--b%d--\n\n" % (pdf, i))
            else:
                f.write("Content-Type: text/plain; charset=utf-8\n\n%s\n" % body)

main()
