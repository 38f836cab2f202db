#!/usr/bin/env python3
"""Ingestion and search on both index backends, SQLite and PostgreSQL, at 10k and 100k chunks.

Renders examples/it-helpdesk.yml (index_backend postgres; or uses --project, an already
synced generated project), starts a throwaway PostgreSQL cluster with the project's own
test helper (tests/postgres_server.py: initdb and pg_ctl, fsync off), then in that
project's environment, in one process and one run:

  ingest     10,000 generated small Markdown files (60 to 120 words each) through
             `ingest()`: read, hash, chunk, stem and write, once into each backend, then a
             second `ingest()` that finds nothing changed. Baseline: reading and chunking
             the same files without any index (what every ingest costs before writing).
  search     `index.search(question, 5)` for generated 2-to-4-word questions, at 10k chunks
             (the ingested files) and at 100k chunks (90k more written straight through
             the index writer). Baseline: SQLite at 10k chunks.
  hybrid     the same 10k files into PostgreSQL with pgvector and embeddings
             (APP_EMBEDDING_MODEL, 256 dimensions) from the tests' fake OpenAI server on
             127.0.0.1, then the same questions: the cost of the vector index, the
             nearest-neighbour search and rank fusion, and a local embeddings round trip
             (a hosted model adds its own, typically 100 to 300 ms).

Wall and CPU seconds (this process only; PostgreSQL's own CPU is not counted) for
ingestion, median and 95th percentile for search, each with its ratio to the baseline.
It never asserts a time.

    python benchmarks/index_backends.py
    python benchmarks/index_backends.py --project /path/to/project --questions 500
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from generated_project import REPO, render_and_sync, run_inside

INNER = r"""
import json, random, statistics, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, ".")
from tests.postgres_server import fresh_database, running_cluster
from {package}.ingest import ingest
from {package}.retrieval import Chunk, open_index
from {package}.retrieval.chunking import chunk_document
from {package}.settings import Settings
from {package}.sources import load_documents

questions_wanted, work = int(sys.argv[1]), Path(sys.argv[2])
rng = random.Random(9)
syllables = ["ka", "lo", "mi", "ner", "sto", "val", "ren", "tis", "por", "dun", "cha", "bel"]
common = ("the user opens a ticket when the laptop vpn password printer account access email "
          "server backup network policy request reset install update configure report").split()
vocabulary = common + sorted({"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(6000)})
weights = [1 / (rank + 1) for rank in range(len(vocabulary))]  # Zipf-like, as words are

def sentence(n):
    return " ".join(rng.choices(vocabulary, weights, k=n)).capitalize() + "."

data = work / "data"
data.mkdir(parents=True)
for i in range(10_000):
    body = " ".join(sentence(rng.randint(10, 20)) for _ in range(6))
    (data / f"doc-{i:05}.md").write_text(f"# Note {i}\n\n{body}\n", encoding="utf-8")
questions = [" ".join(rng.choices(vocabulary, weights, k=rng.randint(2, 4))) for _ in range(questions_wanted)]

def clock(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu

def latencies(index):
    for q in questions[:20]:
        index.search(q, 5)  # warm caches and connections
    out = []
    for q in questions:
        start = time.perf_counter()
        index.search(q, 5)
        out.append((time.perf_counter() - start) * 1000)
    return [statistics.median(out), statistics.quantiles(out, n=20)[18], len(out)]

def more_chunks(index, total):
    with index.writer() as writer:
        for d in range(total - index.chunk_count()):
            text = " ".join(sentence(rng.randint(10, 20)) for _ in range(5))
            writer.put(f"extra/{d}", "x", [Chunk(f"extra/{d}", f"Extra {d}", 0, text)])

base = dict(_env_file=None, llm_provider="offline", fallback_provider="none", data_dir=data, data_sources=["files"],
            goals_file=work / "none.md")
ingest_figures, search_figures = {}, {}
_, wall, cpu = clock(lambda: sum(len(chunk_document(d, 900)) for d in load_documents(Settings(**base, state_dir=work / "b", index_backend="sqlite"))))
ingest_figures["read and chunk only (baseline)"] = [wall, cpu]
with running_cluster() as server:
    backends = {
        "sqlite": Settings(**base, state_dir=work / "sqlite", index_backend="sqlite"),
        "postgres": Settings(**base, state_dir=work / "pg", index_backend="postgres", database_url=fresh_database(server)),
    }
    for name, settings in backends.items():
        index = open_index(settings)
        report, wall, cpu = clock(lambda: ingest(settings, index))
        ingest_figures[f"{name}: first ingest ({report.chunks} chunks)"] = [wall, cpu]
        report, wall, cpu = clock(lambda: ingest(settings, index))
        ingest_figures[f"{name}: second ingest, nothing changed"] = [wall, cpu]
        search_figures[f"{name}, {index.chunk_count()} chunks"] = latencies(index)
    for name, settings in backends.items():
        index = open_index(settings)
        more_chunks(index, 100_000)
        search_figures[f"{name}, {index.chunk_count()} chunks"] = latencies(index)
# Hybrid search (APP_EMBEDDING_MODEL) at 10k chunks: PostgreSQL with pgvector (pgserver) and
# the tests' fake OpenAI embeddings on 127.0.0.1, in this process (its CPU counts here).
from tests.fake_openai import FakeOpenAI, running
from tests.postgres_server import vector_server_binaries
with running_cluster(vector_server_binaries()) as server, running(FakeOpenAI()) as fake:
    settings = Settings(**base, state_dir=work / "hybrid", index_backend="postgres",
                        database_url=fresh_database(server), embedding_model="openai:text-embedding-3-small",
                        embedding_dimensions=256, openai_api_key="sk-bench", openai_base_url=fake.base_url)
    index = open_index(settings)
    report, wall, cpu = clock(lambda: ingest(settings, index))
    ingest_figures[f"postgres hybrid: first ingest ({report.chunks} chunks)"] = [wall, cpu]
    search_figures[f"postgres hybrid, {index.chunk_count()} chunks"] = latencies(index)
print(json.dumps({"ingest": ingest_figures, "search": search_figures}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--example", default=str(REPO / "examples" / "it-helpdesk.yml"))
    parser.add_argument("--project", type=Path, help="an already synced generated project with tests/postgres_server.py")
    parser.add_argument("--questions", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = args.project or render_and_sync(args.example, Path(tmp) / "project")
        output = run_inside(project, INNER, str(args.questions), str(Path(tmp) / "work"))
    figures = json.loads(output.strip().splitlines()[-1])
    ingest, search = figures["ingest"], figures["search"]
    base_wall, base_cpu = next(iter(ingest.values()))
    print(f"{'ingest, 10,000 documents':48} {'wall s':>8} {'x base':>7} {'CPU s':>8} {'x base':>7}")
    for name, (wall, cpu) in ingest.items():
        print(f"{name:48} {wall:8.2f} {wall / base_wall:7.2f} {cpu:8.2f} {cpu / base_cpu:7.2f}")
    base_median = next(iter(search.values()))[0]
    print(f"\n{'search, top 5':48} {'median ms':>10} {'p95 ms':>8} {'x base':>7} {'n':>5}")
    for name, (median, p95, count) in search.items():
        print(f"{name:48} {median:10.3f} {p95:8.3f} {median / base_median:7.2f} {count:5d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
