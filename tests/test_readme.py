"""The README names files a newcomer will open: each one it names must exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A path in backquotes: a folder, a slash, a file name with an extension we keep in the repo.
NAMED_FILE = re.compile(r"`((?:[\w.-]+/)+[\w.-]+\.(?:py|html|js|mjs|css|txt|toml|yml|json))`")


def named_files() -> list[str]:
    return sorted(set(NAMED_FILE.findall((ROOT / "README.md").read_text(encoding="utf-8"))))


def test_the_readme_names_files():
    # The control: the pattern finds the files the README is known to name.
    assert {"contracts/reconcile.py", "dashboards/charts.py"} <= set(named_files())


def test_every_file_the_readme_names_exists():
    missing = [name for name in named_files() if not (ROOT / name).exists()]
    assert missing == [], f"README names files that do not exist: {missing}"
