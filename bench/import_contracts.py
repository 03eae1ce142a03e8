"""Benchmark: import N contract lines (default 1 000 000) and report time and peak RSS.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/akto5dev \
        .venv/bin/python bench/import_contracts.py --lines 1000000

Generates a contract-lines CSV (`;`, French dates, departments, IDCCs, one contract per
line, unique numbers) in a temporary folder, migrates the database, then imports the
file in a child process (so its peak RSS is the import's alone) and prints one line
per size. Run with several sizes (--lines 100000 --lines 1000000) to see that memory
does not grow with the file.
"""

import argparse
import datetime
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEPARTMENTS = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B", "971", "974"]
IDCCS = ["1979", "1501", "1266", "2060", "3043", "1351", "2378", "3127", "1631", "2257"]


def generate(path, lines, seed=5, run=""):
    """Contract numbers carry `run` so that each benchmark run is a new file."""
    rng = random.Random(seed)
    start = datetime.date(2024, 1, 1).toordinal()
    span = datetime.date(2025, 12, 31).toordinal() - start
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "numero_contrat;date_debut;departement;idcc;type_contrat;rqth;uai_cfa;"
            "niveau_diplome;date_rupture\n"
        )
        for i in range(lines):
            day = datetime.date.fromordinal(start + rng.randrange(span))
            kind = "apprentissage" if rng.random() < 0.85 else "professionnalisation"
            rqth = "oui" if rng.random() < 0.03 else "non"
            out.write(
                f"C{run}{seed:02d}-{i:09d};{day:%d/%m/%Y};{rng.choice(DEPARTMENTS)};"
                f"{rng.choice(IDCCS)};{kind};{rqth};0{rng.randrange(100000, 999999)}A;"
                f"{rng.randrange(3, 8)};\n"
            )


def child(path):
    """Import `path` in this process and print seconds, peak RSS and the figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akto_portal.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from contracts.services import contract_import

    began = time.perf_counter()
    report = contract_import(path=Path(path), file_name=Path(path).name)
    elapsed = time.perf_counter() - began
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if not report.ok:
        reason = "already imported" if report.already_imported else report.errors[:5]
        print("FAILED", reason, file=sys.stderr)
        sys.exit(1)
    print(
        f"{report.rows_read:>10,} lines  {elapsed:6.1f} s  peak RSS {peak_mib:6.0f} MiB  "
        f"{len(report.facts):,} figures written, {report.rows_to_replace:,} replaced"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, action="append", help="repeatable")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    env = {**os.environ, "DEBUG": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    print(f"database: {os.environ.get('DATABASE_URL', 'SQLite (db.sqlite3)')}")
    with tempfile.TemporaryDirectory() as folder:
        for seed, lines in enumerate(args.lines or [1_000_000], start=1):
            path = Path(folder) / f"contrats-{lines}.csv"
            began = time.perf_counter()
            generate(path, lines, seed=seed, run=f"{int(time.time())}-")
            size_mib = path.stat().st_size / 2**20
            seconds = time.perf_counter() - began
            print(f"generated {lines:,} lines, {size_mib:.0f} MiB in {seconds:.1f} s")
            subprocess.run(
                [sys.executable, __file__, "--child", str(path)], cwd=ROOT, env=env, check=True
            )


if __name__ == "__main__":
    main()
