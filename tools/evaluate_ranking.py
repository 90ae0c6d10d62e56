#!/usr/bin/env python3
"""Ranks the movies of one genre by a label's score and prints DCG@10 and NDCG@10 against a
judgments CSV (document_id,relevance).

Gain is 2^relevance - 1, the discount log2(rank + 1); unjudged documents count 0. The ideal DCG
is that of all judged documents sorted by relevance (not of the ten retrieved ones re-sorted,
which overrates a poor ranking). Movies are ranked by score descending, ties by id ascending.

Usage: tools/evaluate_ranking.py --scores SCORES.jsonl --movies MOVIES.jsonl --genre Family \
           --label christmas --judgments JUDGMENTS.csv [--k 10]
SCORES.jsonl: lines {"id": …, "classification_<label>": score, …} (flowrun's score sink).
"""
import argparse
import csv
import json
import math
import re


def field(label):
    return "classification_" + re.sub(r"[^a-z0-9_]", "", label.lower())


def dcg(relevances):
    return sum((2 ** rel - 1) / math.log2(rank + 2) for rank, rel in enumerate(relevances))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scores", required=True)
    parser.add_argument("--movies", required=True)
    parser.add_argument("--genre", required=True)
    parser.add_argument("--label", required=True)
    parser.add_argument("--judgments", required=True)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()

    genre_ids = set()
    titles = {}
    for line in open(args.movies, encoding="utf-8"):
        if line.strip():
            movie = json.loads(line)
            titles[movie["id"]] = movie.get("title", "")
            if args.genre in movie.get("genres", []):
                genre_ids.add(movie["id"])
    name = field(args.label)
    scores = {}
    for line in open(args.scores, encoding="utf-8"):
        if line.strip():
            row = json.loads(line)
            if row["id"] in genre_ids and name in row:
                scores[row["id"]] = row[name]
    judgments = {}
    with open(args.judgments, newline="") as handle:
        for row in csv.DictReader(handle):
            judgments[int(row["document_id"])] = int(row["relevance"])

    ranking = sorted(scores, key=lambda movie: (-scores[movie], movie))[: args.k]
    achieved = dcg([judgments.get(movie, 0) for movie in ranking])
    ideal = dcg(sorted(judgments.values(), reverse=True)[: args.k])
    for rank, movie in enumerate(ranking, 1):
        print(f"{rank:>2}. {movie:>8} {scores[movie]:.6f} relevance {judgments.get(movie, '-')}  {titles.get(movie, '')}")
    print(f"DCG@{args.k} = {achieved:.4f}")
    print(f"NDCG@{args.k} = {achieved / ideal if ideal > 0 else 0:.4f}  ({len(scores)} {args.genre} movies ranked by {name})")


if __name__ == "__main__":
    main()
