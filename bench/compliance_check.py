"""Benchmark of the content check (LAW-02, CAT-02) on a product description.

    .venv/bin/python bench/compliance_check.py [--chars 5000] [--repeat 300]

Prints the time of one ``check()`` of a description of ``--chars`` characters (with the two small
queries that tell whether the lists changed), its parts, the throughput, and the ratio against the
raw limit of the same work on the same machine: plain ``str.find`` of every active term over the
same text (exact spellings only: no folding, no disguises, no allow-list, no positions mapping).

It builds a throwaway test database (a SQLite file in the temp directory, or ``test_<name>`` on
PostgreSQL when DATABASE_URL is set), migrates it, which seeds the lists, measures, and drops it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecomops.settings")

PLAIN = [
    "西湖龙井产自杭州西湖产区，", "明前采摘，一芽一叶，", "手工炒制，色泽翠绿，", "汤色清澈明亮，", "香气清高持久，",
    "滋味鲜爽回甘，", "叶底嫩绿匀齐。", "建议使用80至85度的水冲泡，", "玻璃杯或盖碗皆可，", "每次投茶约3克。",
    "密封、避光、冷藏保存。", "支持七天无理由退货，", "顺丰包邮，下单后48小时内发货。", "Net weight 250 g, ",
    "brewed at 85 °C for 2 minutes, ", "store in a cool dry place. ", "礼盒装适合送长辈、送客户。",
]
DISGUISED = ["全网第一", "最 * 佳", "ＮＯ．１", "T O P 1", "顶级", "史上最低价", "No1", "独 一 无 二", "the best",
             "极品"]


def description(chars: int, seed: int = 42) -> str:
    """A deterministic description of ``chars`` characters with a barred term every ~500 characters."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test text, nothing secret
    parts: list[str] = []
    length = 0
    next_term = 250
    while length < chars:
        if length >= next_term:
            part = rng.choice(DISGUISED)
            next_term += 500
        else:
            part = rng.choice(PLAIN)
        parts.append(part)
        length += len(part)
    return "".join(parts)[:chars]


def median_seconds(function, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    print(f"setting up a throwaway {connection.vendor} database …", file=sys.stderr)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args.chars, args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(chars: int, repeat: int) -> None:
    from django.db import connection

    from ecomops.compliance import checker
    from ecomops.compliance.folding import fold
    from ecomops.compliance.models import BarredTerm

    text = description(chars)
    terms = list(BarredTerm.objects.filter(is_active=True).values_list("term", flat=True))

    checker.forget()
    started = time.perf_counter()
    library = checker.library()
    compile_seconds = time.perf_counter() - started

    hits = checker.check(text)
    check_seconds = median_seconds(lambda: checker.check(text), repeat)
    version_seconds = median_seconds(checker._version, repeat)
    fold_seconds = median_seconds(lambda: fold(text), repeat)
    folded = fold(text)
    match_seconds = median_seconds(lambda: library.barred.find(folded), repeat)

    def raw_find() -> int:
        found = 0
        for term in terms:
            at = text.find(term)
            while at >= 0:
                found += 1
                at = text.find(term, at + 1)
        return found

    raw_found = raw_find()
    raw_seconds = median_seconds(raw_find, repeat)
    in_memory = check_seconds - version_seconds

    print(f"content check (LAW-02) on {connection.vendor}: {len(text):,} characters, {len(terms)} active terms, "
          f"median of {repeat} runs")
    print(f"  hits found                      {len(hits)}  (str.find of the exact spellings: {raw_found} occurrences, "
          "nested ones counted twice, disguised ones missed)")
    print(f"  compile the lists (cold)        {compile_seconds * 1e3:8.2f} ms  (once per change of the lists)")
    throughput = len(text) / check_seconds
    print(f"  check(), warm                   {check_seconds * 1e3:8.3f} ms  = {throughput:,.0f} chars/s")
    print(f"    of which: version queries     {version_seconds * 1e3:8.3f} ms")
    print(f"              fold the text       {fold_seconds * 1e3:8.3f} ms")
    print(f"              match the terms     {match_seconds * 1e3:8.3f} ms")
    print(f"  raw limit: str.find of terms    {raw_seconds * 1e3:8.3f} ms  = {len(text) / raw_seconds:,.0f} chars/s")
    print(f"  ratio check() / raw             {check_seconds / raw_seconds:8.1f} x")
    print(f"  ratio in memory / raw           {in_memory / raw_seconds:8.1f} x  (check() without the version queries)")


if __name__ == "__main__":
    main()
