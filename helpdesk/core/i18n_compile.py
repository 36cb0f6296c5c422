"""Compile every locale/*/LC_MESSAGES/*.po to .mo with polib, so a fresh machine
needs no system gettext. Run by `make run` and `make test`; only rewrites stale files."""

import sys
from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parents[2]


def compile_catalogues(base: Path = BASE_DIR) -> int:
    compiled = 0
    for po_path in sorted((base / "locale").glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        compiled += 1
    return compiled


if __name__ == "__main__":
    count = compile_catalogues()
    if count:
        sys.stdout.write(f"compiled {count} message catalogue(s)\n")
