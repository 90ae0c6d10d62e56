#!/usr/bin/env python3
"""An independent, plain reference of `flowrun evaluate`'s figures, for its tests.

For each label: the candidates are the documents with a score for it (kept by --where), ranked by
score descending, ties by id ascending (numbers before strings). With graded relevance rel:
  DCG@k = sum over the first k ranks i (1-based) of (2^rel - 1) / log2(i + 1)
  NDCG@k = DCG@k / DCG@k of the judged candidates sorted by relevance (0 when that is 0)
  condensed NDCG@k = the same, with the unjudged candidates removed from the ranking first
  AP = mean over the relevant candidates (rel > 0) of the precision at each one's rank
  condensed AP = the same, with the unjudged candidates removed from the ranking first
  R-precision = relevant among the first R ranks / R, R the number of relevant candidates
Usage: ranking_metrics_reference.py --scores S --labels a,b [--judgments CSV | --documents D
       --relevant-field F [--unjudged-when-empty]] [--documents D --where FIELD=VALUE] [--k 10]
With --unjudged-when-empty, a document whose field is missing or holds no text is not judged.
Lines of the scores that are not JSON objects with an id are skipped. Prints JSON: {"labels": [{"label", "candidates", "judged", "relevant", "ndcg", "condensed_ndcg",
"average_precision", "condensed_average_precision", "r_precision"}]}.
"""
import argparse
import csv
import json
import math
import unicodedata


def field_name(label):
    kept = "".join(c for c in unicodedata.normalize("NFC", label.lower())
                   if unicodedata.category(c)[0] in "LMN" or c == "_")
    return "classification_" + kept


def id_key(value):
    return (0, value, "") if isinstance(value, int) else (1, 0, value)


def parse_id(text):
    try:
        return int(text)
    except ValueError:
        return text


def dcg(relevances):
    return sum((2 ** rel - 1) / math.log2(i + 2) for i, rel in enumerate(relevances) if rel > 0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scores", required=True)
    parser.add_argument("--labels", required=True)
    parser.add_argument("--judgments")
    parser.add_argument("--documents")
    parser.add_argument("--relevant-field")
    parser.add_argument("--unjudged-when-empty", action="store_true")
    parser.add_argument("--where")
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    labels = [label.strip() for label in args.labels.split(",") if label.strip()]

    scores = {}
    for line in open(args.scores, encoding="utf-8"):
        try:
            row = json.loads(line)
        except ValueError:
            continue  # not JSON: skipped
        if not isinstance(row, dict) or "id" not in row:
            continue
        if "label" in row and "score" in row:
            scores.setdefault(field_name(row["label"]), {})[row["id"]] = row["score"]
        for key, value in row.items():
            if key.startswith("classification_") and key != "classification_model":
                scores.setdefault(key, {})[row["id"]] = value

    documents = [json.loads(line) for line in open(args.documents, encoding="utf-8") if line.strip()] if args.documents else []
    kept = None
    if args.where:
        field, value = args.where.split("=", 1)
        kept = set()
        for document in documents:
            values = document.get(field)
            values = values if isinstance(values, list) else [values]
            if value in [str(v) if not isinstance(v, str) else v for v in values if v is not None]:
                kept.add(document["id"])

    judgments = {}
    if args.judgments:
        with open(args.judgments, newline="") as handle:
            for row in csv.DictReader(handle):
                label = row.get("label") or labels[0]
                judgments.setdefault(field_name(label), {})[parse_id(row["document_id"].strip())] = int(row["relevance"])
    else:
        for document in documents:
            values = document.get(args.relevant_field)
            values = values if isinstance(values, list) else [values]
            held = {v.lower().strip().lstrip("#") for v in values if isinstance(v, str)} - {""}
            if args.unjudged_when_empty and not held:
                continue
            for label in labels:
                judgments.setdefault(field_name(label), {})[document["id"]] = 1 if label.lower().strip().lstrip("#") in held else 0

    results = []
    for label in labels:
        name = field_name(label)
        scored = {i: s for i, s in scores.get(name, {}).items() if kept is None or i in kept}
        ranking = sorted(scored, key=lambda i: (-scored[i], id_key(i)))
        judged = judgments.get(name, {})
        relevances = [judged.get(i) for i in ranking]
        judged_relevances = [r for r in relevances if r is not None]
        ideal = dcg(sorted(judged_relevances, reverse=True)[: args.k])
        relevant_ranks = [rank for rank, r in enumerate(relevances, 1) if r is not None and r > 0]
        count = len(relevant_ranks)
        judged_relevant_ranks = [rank for rank, r in enumerate(judged_relevances, 1) if r > 0]
        results.append({
            "label": label,
            "candidates": len(ranking),
            "judged": len(judged_relevances),
            "relevant": count,
            "ndcg": dcg([r or 0 for r in relevances[: args.k]]) / ideal if ideal else 0.0,
            "condensed_ndcg": dcg(judged_relevances[: args.k]) / ideal if ideal else 0.0,
            "average_precision": sum((n + 1) / rank for n, rank in enumerate(relevant_ranks)) / count if count else None,
            "condensed_average_precision": sum((n + 1) / rank for n, rank in enumerate(judged_relevant_ranks)) / count if count else None,
            "r_precision": len([rank for rank in relevant_ranks if rank <= count]) / count if count else None,
        })
    print(json.dumps({"labels": results}))


if __name__ == "__main__":
    main()
