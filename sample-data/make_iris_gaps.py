#!/usr/bin/python3
"""Makes sample-data/iris-gaps.csv: Iris with about 10% of the measurements removed at random.

Run from the repository root (Python 3 standard library only):

    python3 sample-data/make_iris_gaps.py

Each of the 600 measurements is blanked independently with probability 0.1 (random.Random(12)); a row
keeps at least one measurement (were all four drawn, the first is kept). The species column is untouched.
The file is deterministic: rerunning writes the same bytes.
"""
import csv
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(12)
with open(os.path.join(HERE, "iris.csv"), newline="") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
out = [header]
for row in body:
    gone = [rng.random() < 0.1 for _ in range(4)]
    if all(gone):
        gone[0] = False
    out.append(["" if gone[j] else row[j] for j in range(4)] + row[4:])
with open(os.path.join(HERE, "iris-gaps.csv"), "w", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows(out)
blank = sum(v == "" for r in out[1:] for v in r[:4])
print(f"iris-gaps.csv: {len(out) - 1} rows, {blank} of {4 * (len(out) - 1)} measurements removed")
