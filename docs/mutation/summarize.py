#!/usr/bin/env python3
"""Merges the PIT reports of `./mvnw -Pmutation verify -DskipITs` into docs/mutation/README.md.

A mutant counts as killed when any run detected it (killed, timed out, out of memory, run error): impl's mutants are
run against impl's tests and again against the properties module's deterministic checks. Every mutant no run
detected must have a reason in reasons.tsv (tab-separated: class, method, line, description, category, reason);
the categories are `equivalent` (no test can tell it apart: left out of the score), `weak-memory` (only a CPU that
reorders more than x86 can show it), `jcstress` (only a concurrent schedule shows it: the jcstress gate and the
concurrent properties, which PIT cannot run) and `open` (killable, not killed yet). The score is
killed / (all - equivalent). Run from the repository root after the mutation build; exits 1 when a surviving mutant
has no reason.
"""
import csv
import sys
import xml.etree.ElementTree as ET
from collections import Counter, OrderedDict
from pathlib import Path

REPORTS = OrderedDict([
    ("reference", Path("reference/target/pit-reports/mutations.xml")),
    ("impl", Path("impl/target/pit-reports/mutations.xml")),
    ("properties (impl, cross-module)", Path("properties/target/pit-reports/mutations.xml")),
])
DETECTED = {"KILLED", "TIMED_OUT", "MEMORY_ERROR", "RUN_ERROR"}
HERE = Path(__file__).parent


def mutants(path):
    for m in ET.parse(path).getroot():
        text = {child.tag: (child.text or "") for child in m}
        indexes = ",".join(i.text for i in m.find("indexes")) if m.find("indexes") is not None else ""
        key = (text["mutatedClass"], text["mutatedMethod"], text["methodDescription"], text["lineNumber"],
               text["mutator"], indexes)
        yield key, m.get("status"), text


def main():
    merged = OrderedDict()
    per_run = OrderedDict()
    for run, path in REPORTS.items():
        if not path.exists():
            sys.exit(f"missing {path}: run ./mvnw -Pmutation verify -DskipITs first")
        counts = Counter()
        for key, status, text in mutants(path):
            counts[status] += 1
            entry = merged.setdefault(key, {"text": text, "detected": False, "statuses": set()})
            entry["detected"] |= status in DETECTED
            entry["statuses"].add(status)
        per_run[run] = counts
    reasons = {}
    with open(HERE / "reasons.tsv", newline="") as f:
        for row in csv.reader(f, delimiter="\t"):
            if row and not row[0].startswith("#"):
                reasons[tuple(row[:4])] = (row[4], row[5])
    survivors, missing = [], []
    for key, entry in merged.items():
        if entry["detected"]:
            continue
        t = entry["text"]
        short = (t["mutatedClass"].rsplit(".", 1)[-1], t["mutatedMethod"], t["lineNumber"], t["description"])
        category, reason = reasons.get(short, ("", ""))
        if not category:
            missing.append(short)
        survivors.append((short, category or "NO REASON", reason, "/".join(sorted(entry["statuses"]))))
    total = len(merged)
    killed = sum(1 for e in merged.values() if e["detected"])
    equivalent = sum(1 for s in survivors if s[1] == "equivalent")
    score = 100.0 * killed / (total - equivalent) if total > equivalent else 100.0
    by_category = Counter(s[1] for s in survivors)

    out = ["# Mutation testing", "",
           "PIT " + "over `dev.allocspec.impl` and `dev.allocspec.spec` (`./mvnw -Pmutation verify -DskipITs`, then",
           "`python3 docs/mutation/summarize.py`, which writes this page from the reports and `reasons.tsv`). impl's",
           "mutants run against impl's tests and again against the properties module's seeded, single-threaded",
           "checks (the state machine and the differential run); a mutant counts as killed when either run kills it.",
           "A full run takes about 28 minutes on two cores (the cross-module run 19 of them): not part of CI.",
           "", f"**Score: {score:.1f} %** of the non-equivalent mutants killed ({killed} of {total - equivalent}; "
           f"{equivalent} equivalent left out of the {total}).", "",
           "| run | mutants | killed | survived | no coverage | timed out | other |", "|---|---|---|---|---|---|---|"]
    for run, c in per_run.items():
        other = sum(c.values()) - c["KILLED"] - c["SURVIVED"] - c["NO_COVERAGE"] - c["TIMED_OUT"]
        out.append(f"| {run} | {sum(c.values())} | {c['KILLED']} | {c['SURVIVED']} | {c['NO_COVERAGE']} | "
                   f"{c['TIMED_OUT']} | {other} |")
    out += ["", "Surviving mutants by reason: " + ", ".join(f"{k} {v}" for k, v in sorted(by_category.items())) + ".",
            "", "| class | method | line | mutation | status | reason |", "|---|---|---|---|---|---|"]
    for (cls, method, line, desc), category, reason, statuses in sorted(survivors):
        out.append(f"| {cls} | {method} | {line} | {desc} | {statuses.lower()} | **{category}**: {reason} |")
    (HERE / "README.md").write_text("\n".join(out) + "\n")
    print(f"score {score:.1f} % ({killed}/{total - equivalent}), survivors {len(survivors)}: {dict(by_category)}")
    if missing:
        print(f"{len(missing)} surviving mutants have no reason in reasons.tsv:")
        for m in missing:
            print("\t".join(m))
        sys.exit(1)


if __name__ == "__main__":
    main()
