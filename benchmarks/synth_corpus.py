"""A synthetic collection of N services x M versions built from the shared histories' real text.

Each service starts from the latest capture of one real series (round robin over the
histories), with the companies' names replaced by the service's own and a share of its
sentences reworded with service-specific synonyms, so services do not share their whole
text. Each following version applies realistic edits to the previous text:

* reworded paragraphs (a word swapped for a synonym),
* added paragraphs (taken from other real policies) and removed ones,
* moved paragraphs (a paragraph taken out and put back elsewhere),
* once per service, near the middle of its history, an AI-training clause taken from the
  labelled real sentences of ``ai_clauses`` (label ``trains``): the change a feed must show
  (paragraphs that talk about AI or training are left out of the base texts, so the clause
  is an addition, as in Facebook's 2024 change),
* capture noise: byte-identical re-captures, failed captures (a few hundred bytes of an
  error page) and flip-flops back to the previous rendering.

The output is an Open Terms Archive layout ``ROOT/<Service>/Privacy Policy/<date>_<id>.md``
that ``policydiff scan`` reads. Deterministic for a given seed.

Usage::

    python benchmarks/synth_corpus.py OUT --services 10 --versions 50 [--corpora DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = ROOT.parent / "shared" / "corpora"

COMPANIES = re.compile(
    r"\b(?:Google|YouTube|LinkedIn|OpenAI|ChatGPT|Anthropic|Claude(?:\.ai)?|Facebook|"
    r"Instagram|Twitter|Meta|Gemini|Alphabet|Microsoft)\b"
)
SYNONYMS = [
    ("information", "data"),
    ("use", "process"),
    ("provide", "offer"),
    ("improve", "enhance"),
    ("third parties", "partners"),
    ("may", "might"),
    ("services", "products"),
    ("personal data", "personal information"),
    ("share", "disclose"),
    ("collect", "gather"),
    ("keep", "retain"),
    ("help", "assist"),
]
#: paragraphs about AI or model training are left out of the base texts and the pool, so that
#: each service's AI-training clause is an addition (as for Facebook's 2024 change)
AI_TALK = re.compile(
    r"\b(?:train\w*|AI|artificial intelligence|machine[- ]learning|models?|generative|LLMs?)\b",
    re.I,
)
ERROR_PAGE = "# Access denied\n\nThe page you requested could not be displayed.\n"


def real_documents(corpora: Path) -> list[str]:
    """The latest capture of each real series under ``policy_versions`` (Markdown only)."""
    base = corpora / "policy_versions"
    docs = []
    for folder in sorted({p.parent for p in base.rglob("*.md") if p.name[:4].isdigit()}):
        files = sorted(f for f in folder.glob("*.md") if f.name[:4].isdigit())
        if not files:
            continue
        text = files[-1].read_text(encoding="utf-8", errors="replace")
        if len(text) > 5000:
            docs.append(text)
    if not docs:
        raise SystemExit(f"no policy versions under {base}")
    return docs


def ai_sentences(corpora: Path) -> list[str]:
    path = corpora / "ai_clauses" / "clauses.jsonl"
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["label"] == "trains" and not row.get("hard") and len(row["text"]) > 60:
                out.append(row["text"])
    return out


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a text that do not talk about AI or model training."""
    return [p for p in re.split(r"\n\s*\n", text) if p.strip() and not AI_TALK.search(p)]


def reword(p: str, rng: random.Random) -> str:
    """Swap one word of ``p`` for its synonym (either way round), if one occurs."""
    pairs = SYNONYMS[:]
    rng.shuffle(pairs)
    for a, b in pairs:
        for old, new in ((a, b), (b, a)):
            m = re.search(rf"\b{re.escape(old)}\b", p)
            if m:
                return p[: m.start()] + new + p[m.end() :]
    return p


def build(
    out: Path,
    services: int,
    versions: int,
    corpora: Path = DEFAULT_CORPORA,
    seed: int = 14,
    *,
    edits: int = 3,
) -> dict[str, int]:
    """Write the synthetic collection under ``out``; return counts of what was made."""
    docs = [paragraphs(d) for d in real_documents(corpora)]
    pool = [p for d in docs for p in d if 80 < len(p) < 600 and not p.lstrip().startswith("|")]
    ai = ai_sentences(corpora)
    counts = {"files": 0, "ai_added": 0, "duplicates": 0, "failed": 0, "flipflops": 0}
    for s in range(services):
        name = f"Svc{s:03d}"
        rng = random.Random(f"{seed}:{name}")
        body = [COMPANIES.sub(name, p) for p in docs[s % len(docs)]]
        body = [reword(p, rng) if rng.random() < 0.3 else p for p in body]
        folder = out / name / "Privacy Policy"
        folder.mkdir(parents=True, exist_ok=True)
        day = date(2015, 1, 1) + timedelta(days=rng.randrange(60))
        ai_at = versions // 2 + rng.randrange(max(1, versions // 4)) if versions > 2 else -1
        previous: list[str] = body
        last_text = ""
        ai_done = False
        for v in range(versions):
            roll = rng.random()
            if v and roll < 0.06:  # byte-identical re-capture
                text = last_text
                counts["duplicates"] += 1
            elif v and roll < 0.09:  # a failed capture
                text = ERROR_PAGE
                counts["failed"] += 1
            elif v > 1 and roll < 0.14:  # flip-flop: the previous rendering comes back
                text = "\n\n".join(previous) + "\n"
                counts["flipflops"] += 1
            else:
                previous = body[:]
                if v:
                    for _ in range(rng.randint(1, edits)):
                        op = rng.random()
                        k = rng.randrange(len(body))
                        if op < 0.45:
                            body[k] = reword(body[k], rng)
                        elif op < 0.7:
                            body.insert(k, COMPANIES.sub(name, rng.choice(pool)))
                        elif op < 0.85 and len(body) > 20:
                            del body[k]
                        else:
                            p = body.pop(k)
                            body.insert(rng.randrange(len(body) + 1), p)
                if v >= ai_at >= 0 and not ai_done and ai:
                    ai_done = True
                    k = rng.randrange(len(body) // 3, len(body))
                    body.insert(k, COMPANIES.sub(name, rng.choice(ai)))
                    counts["ai_added"] += 1
                text = "\n\n".join(body) + "\n"
            last_text = text
            ident = hashlib.sha1(f"{name}:{v}".encode()).hexdigest()[:10]
            (folder / f"{day.isoformat()}T00-00-00_{ident}.md").write_text(text, encoding="utf-8")
            counts["files"] += 1
            day += timedelta(days=7 + rng.randrange(40))
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--services", type=int, default=10)
    ap.add_argument("--versions", type=int, default=50)
    ap.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args(argv)
    counts = build(args.out, args.services, args.versions, args.corpora, args.seed)
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
