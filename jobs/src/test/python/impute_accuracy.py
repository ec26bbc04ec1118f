#!/usr/bin/python3
"""Imputation accuracy of `sufstat impute` on generated data with 20% of the values removed at random.

Run from the repository root (needs numpy, e.g. Debian's python3-numpy):

    /usr/bin/python3 jobs/src/test/python/impute_accuracy.py [WORKDIR]

Generates 100,000 rows of a 3-component mixture in 6 dimensions (`sufstat generate`, seed 11),
removes each cell with probability 0.2, fits `sufstat gmm --k 3` to the complete rows only, imputes the
missing cells with that fitted model and with the true model (`_truth.json`), and prints the RMSE of the
imputed cells against the removed values next to that of mean imputation (each column's observed mean).
"""
import glob
import os
import subprocess
import sys

import numpy as np

WORK = sys.argv[1] if len(sys.argv) > 1 else "out/impute-accuracy"
SUFSTAT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "deploy", "sufstat")


def sufstat(*args):
    subprocess.run([SUFSTAT, *args, "--overwrite", "--quiet"], check=True)


def read_parts(d):
    return np.vstack([np.loadtxt(f, delimiter=",", skiprows=1, ndmin=2) for f in sorted(glob.glob(d + "/part-*.csv"))])


def main():
    os.makedirs(WORK, exist_ok=True)
    data = os.path.join(WORK, "data")
    sufstat("generate", "--output", data, "--rows", "100000", "--dim", "6", "--components", "3", "--seed", "11",
            "--separation", "2")
    x = read_parts(data)
    n, d = x.shape
    mask = np.random.default_rng(3).random(x.shape) < 0.2
    names = ["x%d" % (j + 1) for j in range(d)]
    missing_csv = os.path.join(WORK, "missing.csv")
    complete_csv = os.path.join(WORK, "complete.csv")
    with open(missing_csv, "w") as out, open(complete_csv, "w") as cc:
        header = "id," + ",".join(names) + "\n"
        out.write(header)
        cc.write(header)
        for i in range(n):
            line = str(i) + "," + ",".join("" if mask[i, j] else repr(float(x[i, j])) for j in range(d)) + "\n"
            out.write(line)
            if not mask[i].any():
                cc.write(line)
    sufstat("gmm", "--input", complete_csv, "--features", ",".join(names), "--output", os.path.join(WORK, "cc-gmm"),
            "--k", "3")
    observed_mean = np.array([x[~mask[:, j], j].mean() for j in range(d)])

    def rmse(est):
        return float(np.sqrt(np.mean((est[mask] - x[mask]) ** 2)))

    print("cells removed: %d of %d (%.1f%%); complete rows: %d" % (mask.sum(), mask.size, 100 * mask.mean(),
                                                                    (~mask.any(axis=1)).sum()))
    print("mean imputation                       RMSE %.4f" % rmse(np.where(mask, observed_mean, x)))
    for label, model in [("true model", os.path.join(data, "_truth.json")),
                         ("gmm fitted on complete rows", os.path.join(WORK, "cc-gmm"))]:
        out_dir = os.path.join(WORK, "imputed-" + label.split()[0])
        sufstat("impute", "--model", model, "--input", missing_csv, "--output", out_dir, "--output-format", "csv")
        rows = read_parts(out_dir)
        est = rows[np.argsort(rows[:, 0])][:, 1:]
        assert np.array_equal(est[~mask], x[~mask]), "observed values must pass through unchanged"
        print("conditional mean, %-20s RMSE %.4f" % (label, rmse(est)))


if __name__ == "__main__":
    main()
