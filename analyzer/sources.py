"""Find the versions to scan: folders, Open Terms Archive layouts, git histories, manifests.

``discover(paths)`` turns the ``PATH...`` arguments of ``policydiff scan`` into
``VersionSource`` objects grouped into series (same collection, service and document type)
plus the problems met on the way (``SourceProblem``), which the scan records in its
``errors`` table instead of stopping. ``VersionSource.load()`` reads one version into a
``PolicyVersion`` and raises ``InputError`` for unreadable, binary, empty, undecodable, huge
or broken-gzip inputs.

Layouts understood:

* a single file: its own series (service = file stem);
* a folder: archive-style files named ``<date>...`` (``2024-05-06T18-36-23_72bd0ecc9d.md``,
  ``20180601_YouTube_PrivacyPolicy.md``) inside ``<Service>/<Document type>/`` form the series
  of that service and document type (Open Terms Archive and Platform Governance Archive
  layout); the collection is the folder above the service (generic names such as
  ``Markdown`` or ``Versions`` skipped), so a series gets the same identity whichever of its
  parent folders is scanned. Files named ``<date>_<words>.<ext>`` (see
  ``ingest.descriptive_name``) form the series ``<words>``
  (``2024-01-15_chirp-privacy-policy.md``, ``2024-06-26_chirp-privacy-policy.html``).
  Other files are each their own series. ``index.tsv`` and other
  bookkeeping files next to dated versions are ignored;
* a git repository (a folder holding ``.git``, or a path written ``git:PATH``): every commit
  that touched ``<Service>/<Document type>.md`` is a version of that series, dated by the
  commit date (read with the ``git`` command, no network);
* a manifest ``*.jsonl`` / ``*.csv`` with columns ``path, service, document_type, date``
  (paths relative to the manifest).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import logging
import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .datamodel import PolicyVersion
from .errors import InputError
from .ingest import descriptive_name

log = logging.getLogger(__name__)

#: Files larger than this (bytes, after decompression) are refused as "huge".
MAX_BYTES = 25_000_000
DOC_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".gz")
_DATE_RE = re.compile(
    r"^(?P<y>(?:19|20)\d\d)-?(?P<m>[01]\d)-?(?P<d>[0-3]\d)"
    r"(?:[T_ ](?P<H>[0-2]\d)[-:]?(?P<M>[0-5]\d)[-:]?(?P<S>[0-5]\d))?"
)
_IGNORED = {"index.tsv", "readme.md", "ai_language_changes.txt", "manifest.jsonl", "manifest.csv"}


def parse_date(name: str) -> str | None:
    """ISO date (``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SS``) from the start of a file name."""
    m = _DATE_RE.match(name)
    if not m:
        return None
    date = f"{m['y']}-{m['m']}-{m['d']}"
    if m["H"]:
        date += f"T{m['H']}:{m['M']}:{m['S']}"
    return date


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class SourceProblem:
    """An input that could not be used (recorded in the ``errors`` table)."""

    source: str
    reason: str
    error_type: str = "InputError"
    stage: str = "discover"


@dataclass(frozen=True)
class VersionSource:
    """Where one version lives and the series it belongs to.

    ``kind`` is ``file`` or ``git``; for ``git``, ``repo``/``commit``/``path`` locate the blob.
    """

    source: str
    collection: str
    service: str
    document_type: str
    date: str | None
    kind: str = "file"
    repo: str = ""
    commit: str = ""
    path: str = ""

    @property
    def series_key(self) -> tuple[str, str, str]:
        return (self.collection, self.service, self.document_type)

    def read_bytes(self) -> bytes:
        """The raw bytes of this version (decompressed for ``.gz``)."""
        if self.kind == "git":
            return _git_blob(self.repo, self.commit, self.path)
        p = Path(self.source)
        try:
            size = p.stat().st_size
        except OSError as exc:
            raise InputError(
                f"cannot read file: {exc.strerror}",
                path=self.source,
                fix="check the path and its permissions",
            ) from None
        if size > MAX_BYTES:
            raise InputError(
                f"file is huge ({size:,} bytes > {MAX_BYTES:,})",
                path=self.source,
                fix="split it or remove it from the scan",
            ) from None
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise InputError(
                f"cannot read file: {exc.strerror}",
                path=self.source,
                fix="check the path and its permissions",
            ) from None
        if p.suffix == ".gz":
            try:
                with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
                    data = fh.read(MAX_BYTES + 1)
            except (OSError, EOFError, ValueError) as exc:
                raise InputError(
                    f"broken gzip file ({exc})",
                    path=self.source,
                    fix="re-download or remove the file",
                ) from None
            if len(data) > MAX_BYTES:
                raise InputError(
                    "file is huge once decompressed",
                    path=self.source,
                    fix="split it or remove it from the scan",
                )
        return data

    def load(self) -> PolicyVersion:
        """Read and ingest this version (raises ``InputError`` for bad input)."""
        from . import ingest

        data = self.read_bytes()
        meta = {"service": self.service, "document_type": self.document_type, "date": self.date}
        if not data.strip():
            raise InputError("file is empty", path=self.source, fix="remove it from the scan")
        name = self.path or self.source
        if name.endswith(".gz"):
            name = name[:-3]
        suffix = Path(name).suffix.lower()
        if suffix != ".pdf" and b"\x00" in data[:8192]:
            raise InputError(
                "file is binary, not a text document",
                path=self.source,
                fix="convert it to text, Markdown, HTML or PDF",
            )
        if self.kind == "file" and not self.source.endswith(".gz"):
            try:
                version = ingest.read_path(self.source, **meta)
            except UnicodeDecodeError:
                raise InputError(
                    "text is not valid UTF-8", path=self.source, fix="re-encode the file as UTF-8"
                ) from None
        else:
            from_bytes = getattr(ingest, "from_bytes", None)
            if from_bytes is not None:  # the full ingest reads HTML/PDF/encodings from bytes
                version = from_bytes(data, source=self.source, fmt=_FORMATS.get(suffix), **meta)
            else:
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    raise InputError(
                        "text is not valid UTF-8",
                        path=self.source,
                        fix="re-encode the file as UTF-8",
                    ) from None
                version = ingest.from_text(
                    text, source=self.source, fmt=suffix.lstrip(".") or "md", **meta
                )
                version = _with_hash(version, data)
        if not version.text.strip():
            raise InputError(
                "no text found in the document",
                path=self.source,
                fix="check that the file is a policy and not an empty page",
            )
        return version


_FORMATS = {
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}


def _with_hash(version: PolicyVersion, raw: bytes) -> PolicyVersion:
    from dataclasses import replace

    return replace(version, content_hash=_sha(raw), size=len(raw))


# -- discovery -------------------------------------------------------------------------------
@dataclass
class Discovery:
    """What ``discover`` found: sources by series, and problems."""

    sources: list[VersionSource] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)

    def series(self) -> dict[tuple[str, str, str], list[VersionSource]]:
        out: dict[tuple[str, str, str], list[VersionSource]] = {}
        for s in self.sources:
            out.setdefault(s.series_key, []).append(s)
        for key in out:
            out[key].sort(key=lambda s: (s.date or "", s.source))
        return dict(sorted(out.items()))


def discover(paths: Sequence[str | Path]) -> Discovery:
    """Find every version under ``paths`` (see the module docstring for the layouts)."""
    found = Discovery()
    for raw in paths:
        text = str(raw)
        if text.startswith("git:"):
            _discover_git(Path(text[4:]), found)
            continue
        p = Path(text)
        if not p.exists():
            found.problems.append(SourceProblem(text, "no such file or folder"))
        elif p.is_dir() and (p / ".git").exists():
            _discover_git(p, found)
        elif p.is_dir():
            _discover_folder(p, found)
        elif p.suffix.lower() in (".jsonl", ".csv"):
            _discover_manifest(p, found)
        else:
            date = parse_date(p.name)
            found.sources.append(
                VersionSource(str(p), "", p.stem if not date else p.parent.name, "document", date)
            )
    seen: set[str] = set()
    unique = []
    for s in found.sources:
        if s.source not in seen:
            seen.add(s.source)
            unique.append(s)
    found.sources = unique
    return found


def _is_doc(p: Path) -> bool:
    name = p.name.lower()
    if name in _IGNORED or name.startswith("."):
        return False
    return name.endswith(DOC_SUFFIXES) or "." not in name


#: Folder names that say nothing about a collection (skipped when naming one).
_GENERIC_DIRS = {"markdown", "md", "versions", "html", "snapshots", "data", "text", "txt"}


def _collection_of(parts: tuple[str, ...]) -> str:
    """The collection of ``.../<collection>/[generic/...]<Service>/<Doc type>/<file>``."""
    for name in reversed(parts[:-3]):
        if name.lower() not in _GENERIC_DIRS:
            return name
    return ""


def _discover_folder(root: Path, found: Discovery) -> None:
    base = root.resolve()
    files = sorted(f for f in root.rglob("*") if f.is_file() and ".git" not in f.parts)
    for f in files:
        if not _is_doc(f):
            continue
        rel = f.relative_to(root)
        date = parse_date(f.name)
        slug = descriptive_name(f) if date else None
        if date and slug is None:
            # Open Terms Archive layout, whatever folder of it was given:
            # .../<collection>/<Service>/<Document type>/<date>_<id>.md
            parts = base.parts + rel.parts
            service, doctype = parts[-3], parts[-2]
            collection = _collection_of(parts)
        elif date:
            # A dated file with a descriptive name in an ordinary folder
            # (``2024-01-15_chirp-privacy-policy.md``): the name after the date is the series.
            service, doctype, collection = slug, "document", base.name
        else:
            service, doctype, collection = f.stem, "document", base.name
        found.sources.append(VersionSource(str(f), collection, service, doctype, date))


def _git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C"},
    )
    if proc.returncode != 0:
        raise InputError(
            f"git {args[0]} failed: {proc.stderr.strip() or proc.returncode}",
            path=str(repo),
            fix="give the root folder of a git repository",
        )
    return proc.stdout


def _git_blob(repo: str, commit: str, path: str) -> bytes:
    proc = subprocess.run(
        ["git", "-C", repo, "cat-file", "blob", f"{commit}:{path}"],
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise InputError(
            f"cannot read {path} at commit {commit[:10]}",
            path=f"{repo}@{commit[:10]}:{path}",
            fix="check the repository",
        )
    if len(proc.stdout) > MAX_BYTES:
        raise InputError(
            "file is huge", path=f"{repo}@{commit[:10]}:{path}", fix="remove it from the history"
        )
    return proc.stdout


def _discover_git(repo: Path, found: Discovery) -> None:
    try:
        top = _git(repo, "rev-parse", "--show-toplevel").strip()
        log_text = _git(
            repo,
            "log",
            "--reverse",
            "--format=\x01%H %cI",
            "--name-only",
            "--no-renames",
            "--diff-filter=AM",
            "--",
            ".",
        )
    except InputError as exc:
        found.problems.append(
            SourceProblem(str(repo), f"not a git repository ({exc.message})", stage="discover")
        )
        return
    except OSError as exc:  # git missing
        found.problems.append(SourceProblem(str(repo), f"cannot run git: {exc}"))
        return
    collection = Path(top).name
    for chunk in log_text.split("\x01")[1:]:
        lines = [ln for ln in chunk.splitlines() if ln.strip()]
        commit, date = lines[0].split(" ", 1)
        for rel in lines[1:]:
            p = Path(rel)
            if not _is_doc(p):
                continue
            service = p.parent.name if len(p.parts) >= 2 else collection
            doctype = p.name.split(".")[0]
            found.sources.append(
                VersionSource(
                    f"{top}@{commit[:10]}:{rel}",
                    collection,
                    service,
                    doctype,
                    date[:19],
                    kind="git",
                    repo=top,
                    commit=commit,
                    path=rel,
                )
            )


def _manifest_rows(path: Path) -> Iterable[tuple[int, dict]]:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".jsonl":
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    yield n, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield n, {"_error": f"invalid JSON ({exc.msg})"}
    else:
        for n, row in enumerate(csv.DictReader(text.splitlines()), 2):
            yield n, row


def _discover_manifest(path: Path, found: Discovery) -> None:
    try:
        rows = list(_manifest_rows(path))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        found.problems.append(SourceProblem(str(path), f"cannot read manifest: {exc}"))
        return
    for n, row in rows:
        where = f"{path}:{n}"
        if not isinstance(row, dict) or "_error" in row or not row.get("path"):
            reason = row.get("_error") if isinstance(row, dict) else None
            found.problems.append(SourceProblem(where, reason or "row has no 'path'"))
            continue
        doc = Path(str(row["path"]))
        if not doc.is_absolute():
            doc = path.parent / doc
        if not doc.is_file():
            found.problems.append(SourceProblem(str(doc), f"listed in {where} but not found"))
            continue
        found.sources.append(
            VersionSource(
                str(doc),
                str(row.get("collection") or path.stem),
                str(row.get("service") or doc.stem),
                str(row.get("document_type") or "document"),
                str(row.get("date")) if row.get("date") else parse_date(doc.name),
            )
        )
