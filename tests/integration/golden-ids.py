# Renumbers the deal ids in one JSON output of the CLI (stdin to stdout)
# by the deals' account and opening, as read from the deals JSON of the
# same database (argv[1]), so that the golden files pin the shapes and
# the numbers but not the ids the database happened to give: those follow
# the order of projection, which is no subject of these files.  The text
# is kept byte for byte but for the ids ("id" of a deal, "deal" of a
# transition), so the output of the CLI is compared as it is printed.
import json
import re
import sys

deals = json.load(open(sys.argv[1]))
order = sorted(deals, key=lambda d: (d["account"], d["opened"] or "",
                                     d["kind"], d["salesperson"]))
rank = {d["id"]: i + 1 for i, d in enumerate(order)}
text = sys.stdin.read()


def renumber(m):
    return '"%s":%d' % (m.group(1), rank.get(int(m.group(2)), 0))


sys.stdout.write(re.sub(r'"(id|deal)":(\d+)', renumber, text))
