"""Run the format adapters over a folder of real-world inputs and report how each file fared.

``python -m apps.ingest.conformance [FOLDER]`` (``make conformance``; FOLDER defaults to
``../shared/corpora``). Files are read in place and nothing is written to the database: this
checks the adapters only. Each file ends as one of

- ``read``: the format was detected and items came out (some may have been skipped),
- ``refused``: a clear error for the whole document (unknown format, malformed, empty),
- ``CRASH``: an unexpected exception, which is a bug: the exit status is then 1.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import io
import os
import sys
import traceback
from pathlib import Path

SKIP_SUFFIXES = {".md", ".txt.license", ".license", ".go", ".rs", ".py", ".toml", ".lock"}
SKIP_NAMES = {"LICENSE", "NOTICE", "README", "COPYING"}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metoo_archive.settings")
    # The adapters need the app registry (for the Format choices) but no database.
    os.environ.setdefault("DATABASE_URL", "postgres://unused@127.0.0.1:1/unused")
    import django

    django.setup()


def check_file(path: Path) -> tuple[str, str, collections.Counter]:
    from apps.ingest import adapters

    counts: collections.Counter = collections.Counter()
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        fmt = adapters.detect_format(data[:65536], name=path.name)
        for record in adapters.READERS[fmt](io.BytesIO(data), source=str(path)):
            counts[type(record).__name__] += 1
            if isinstance(record, adapters.ArticleRecord):
                adapters.canonical_url(record.url)  # the writer's key must be computable
    except adapters.SourceError as exc:
        return "refused", str(exc), counts
    except ValueError as exc:
        return "read", f"an item with an unusable URL: {exc}", counts
    except Exception:
        return "CRASH", traceback.format_exc(limit=3), counts
    return "read", fmt, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(Path("..") / "shared" / "corpora"))
    parser.add_argument("--verbose", "-v", action="store_true", help="One line per file.")
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"No corpus folder at {folder}", file=sys.stderr)
        return 2
    _setup_django()
    outcomes: collections.Counter = collections.Counter()
    records: collections.Counter = collections.Counter()
    crashes = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.name.split(".")[0].split("-")[0] in SKIP_NAMES or path.suffix in SKIP_SUFFIXES:
            continue
        if "_expected" in path.name:
            continue
        outcome, detail, counts = check_file(path)
        outcomes[outcome] += 1
        records.update(counts)
        if outcome == "CRASH":
            crashes.append((path, detail))
        if args.verbose:
            print(
                f"{outcome:8} {path.relative_to(folder)}: "
                f"{detail.splitlines()[0][:120]} {dict(counts)}"
            )
    print(f"files: {dict(outcomes)}")
    print(f"records: {dict(records)}")
    for path, detail in crashes:
        print(f"\nCRASH {path}:\n{detail}", file=sys.stderr)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
