"""A statistical second opinion on a statement's categories, learnt from labelled
statements (tests/data/demands_dev.tsv), next to the patterns of core/flags.py.

Patterns fitted to sentences miss the many other ways people say the same thing; a model of
the statement's character n-grams (one to four characters of the normalised text, weighted
by how rare they are) generalises better to speech nobody wrote the patterns for, and it
also knows when words a pattern found are, taken as a whole, ordinary talk. core/flags.py
combines the two: a category is given when the model is fairly sure of it alone, or when a
pattern finds it and the model does not think it unlikely.

The model is one logistic regression per category. Using it needs nothing beyond the
standard library (the weights are stored in a compact file beside the rules, nothing is
fetched);
training it again from a labelled file (``make model``, docs/demands.md says when) needs
scikit-learn, which the app itself never imports.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import math
import os
import sys
import zlib
from array import array
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

NGRAMS = (1, 2, 3, 4)
FORMAT = 2
MAGIC = b"CallHelper demand model\n"


class ModelError(ValueError):
    """A model file that cannot be used."""


def ngrams(normal: str) -> Counter[str]:
    """How often each n-gram occurs in the normalised text."""
    found: Counter[str] = Counter()
    for size in NGRAMS:
        for start in range(len(normal) - size + 1):
            found[normal[start:start + size]] += 1
    return found


@dataclass(frozen=True)
class Opinion:
    """The model's probability for each category it knows, and the n-gram of two or more
    characters that spoke most for each (so a flag it alone gives can still point at
    words)."""

    probabilities: dict[str, float]
    strongest: dict[str, str]
    #: The share of the statement's n-grams the model learnt from.
    known: float = 1.0


@dataclass(frozen=True)
class CategoryModel:
    """A statement-level model. For the n-gram numbered ``i`` in ``index``: its inverse
    document frequency is ``idf[i]``, and its weights are at positions ``starts[i]`` to
    ``starts[i + 1]`` of ``columns`` (the category's number) and ``weights`` — only the
    weights that matter, in compact arrays (the model takes a few MB of memory)."""

    categories: tuple[str, ...]
    index: dict[str, int]
    idf: array
    starts: array
    columns: array
    weights: array
    bias: tuple[float, ...]
    trained_on: str = ""

    @classmethod
    def of(cls, categories: tuple[str, ...], rows: dict[str, dict[int, float]],
           idf: dict[str, float], bias: tuple[float, ...], trained_on: str = ""
           ) -> CategoryModel:
        """From each n-gram's weights by category number."""
        grams = sorted(rows)
        starts, columns, weights = array("I", [0]), array("H"), array("f")
        for gram in grams:
            for column, weight in sorted(rows[gram].items()):
                columns.append(column)
                weights.append(weight)
            starts.append(len(columns))
        return cls(categories, {gram: row for row, gram in enumerate(grams)},
                   array("f", (idf[gram] for gram in grams)), starts, columns, weights,
                   bias, trained_on)

    def opinion(self, normal: str) -> Opinion:
        counts = ngrams(normal)
        known = {self.index[gram]: (gram, times) for gram, times in counts.items()
                 if gram in self.index}
        vector = {row: (gram, (1.0 + math.log(times)) * self.idf[row])
                  for row, (gram, times) in known.items()}
        length = math.sqrt(sum(value * value for _, value in vector.values())) or 1.0
        totals = list(self.bias)
        best: list[tuple[float, str]] = [(0.0, "")] * len(self.categories)
        starts, columns, weights = self.starts, self.columns, self.weights
        for row, (gram, value) in vector.items():
            value /= length
            for position in range(starts[row], starts[row + 1]):
                category = columns[position]
                part = weights[position] * value
                totals[category] += part
                if part > best[category][0] and len(gram) > 1:
                    best[category] = (part, gram)
        probabilities = {category: _sigmoid(total)
                         for category, total in zip(self.categories, totals)}
        return Opinion(
            probabilities,
            {category: gram for category, (_, gram) in zip(self.categories, best) if gram},
            sum(times for _, times in known.values()) / max(1, sum(counts.values())))

    def to_bytes(self) -> bytes:
        """The stored form: a line of JSON (what the model is), then, compressed, the
        n-grams one per line and the four arrays, little-endian."""
        grams = "\n".join(sorted(self.index, key=self.index.__getitem__)).encode("utf-8")
        arrays = [array(a.typecode, a) for a in (self.idf, self.starts, self.columns,
                                                 self.weights)]
        if sys.byteorder == "big":
            for part in arrays:
                part.byteswap()
        header = json.dumps({"format": FORMAT, "trained_on": self.trained_on,
                             "categories": list(self.categories), "bias": list(self.bias),
                             "ngrams": len(self.index), "weights": len(self.weights),
                             "text_bytes": len(grams)},
                            ensure_ascii=False)
        return (MAGIC + header.encode("utf-8") + b"\n"
                + zlib.compress(grams + b"".join(part.tobytes() for part in arrays), 9))


def _sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


def load_model(path: Path) -> CategoryModel:
    """The model stored at ``path``, read again only when the file has changed (its
    size, times or inode): each statement saved asks for it, and reading the 1.6 MB file
    each time would cost more than the rest of the note's write."""
    try:
        status = os.stat(path)
    except OSError as exc:
        raise ModelError(f"{path}: {exc}") from exc
    return _model_of(str(path), (status.st_size, status.st_mtime_ns, status.st_ctime_ns,
                                 status.st_ino))


@functools.lru_cache(maxsize=4)
def _model_of(path: str, version: tuple[int, ...]) -> CategoryModel:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ModelError(f"{path}: {exc}") from exc
    if not data.startswith(MAGIC):
        raise ModelError(f"{path}: not a CallHelper model file")
    try:
        line, _, packed = data[len(MAGIC):].partition(b"\n")
        header = json.loads(line)
        if header.get("format") != FORMAT:
            raise ModelError(f"{path}: format {header.get('format')!r}, not {FORMAT}")
        categories = tuple(str(c) for c in header["categories"])
        bias = tuple(float(b) for b in header["bias"])
        count, total = int(header["ngrams"]), int(header["weights"])
        payload = memoryview(zlib.decompress(packed))
        position = int(header["text_bytes"])
        grams = bytes(payload[:position]).decode("utf-8").split("\n") if count else []
        arrays = []
        for typecode, length in (("f", count), ("I", count + 1), ("H", total), ("f", total)):
            part = array(typecode)
            part.frombytes(payload[position:position + length * part.itemsize])
            position += length * part.itemsize
            arrays.append(part)
    except ModelError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, zlib.error) as exc:
        raise ModelError(f"{path}: a damaged model file ({exc})") from exc
    if sys.byteorder == "big":
        for part in arrays:
            part.byteswap()
    idf, starts, columns, weights = arrays
    if (len(bias) != len(categories) or len(grams) != count or len(idf) != count
            or len(starts) != count + 1 or len(weights) != total or len(columns) != total
            or position != len(payload) or (count and starts[-1] != total)
            or max(columns, default=0) >= max(1, len(categories))):
        raise ModelError(f"{path}: a damaged model file (its sizes do not agree)")
    return CategoryModel(categories, {gram: row for row, gram in enumerate(grams)}, idf,
                         starts, columns, weights, bias, str(header.get("trained_on", "")))


@dataclass(frozen=True)
class Labelled:
    normal: str
    categories: frozenset[str]


def train(statements: list[Labelled], categories: list[str], *, strength: float = 10.0,
          min_weight: float = 0.05, trained_on: str = "") -> CategoryModel:
    """One logistic regression per category over the statements' n-grams (each weighted by
    its sub-linear count times its inverse document frequency, the statement's vector of
    unit length, as ``CategoryModel.opinion`` does), classes weighted to balance (a category is rare among all the
    statements) and L2-regularised with C = ``strength``; weights smaller than
    ``min_weight`` are dropped to keep the file small.

    Fitting uses scikit-learn, needed only here: ``pip install -e ".[train]"``.
    """
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:
        raise ModelError('training needs scikit-learn: pip install -e ".[train]"') from exc
    vectorizer = TfidfVectorizer(analyzer=lambda normal: list(ngrams(normal).elements()),
                                 sublinear_tf=True)
    matrix = vectorizer.fit_transform([statement.normal for statement in statements])
    grams = vectorizer.get_feature_names_out()
    weights: dict[str, list[tuple[int, float]]] = {}
    bias = []
    for index, category in enumerate(categories):
        labels = [category in statement.categories for statement in statements]
        if len(set(labels)) < 2:
            bias.append(8.0 if all(labels) else -8.0)
            continue
        fitted = LogisticRegression(C=strength, max_iter=5000, class_weight="balanced")
        fitted.fit(matrix, labels)
        bias.append(float(fitted.intercept_[0]))
        for column in (abs(fitted.coef_[0]) >= min_weight).nonzero()[0]:
            weights.setdefault(str(grams[column]), []).append(
                (index, float(fitted.coef_[0][column])))
    idf = dict(zip((str(g) for g in grams), (float(v) for v in vectorizer.idf_)))
    return CategoryModel.of(tuple(categories),
                            {gram: dict(pairs) for gram, pairs in weights.items()}, idf,
                            tuple(bias), trained_on)


def read_labelled(path: Path) -> list[tuple[str, frozenset[str]]]:
    """The statements of a labelled file (text, flags, requests, variety, trap; tab-separated
    with a header) and their categories."""
    with open(path, encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader, None)
        return [(row[0], frozenset(part.strip() for cell in row[1:3]
                                   for part in cell.split(",") if part.strip()))
                for row in reader if row]


def fingerprint(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    """python -m callhelper.core.model LABELLED.tsv RULES.toml OUT.json"""
    from callhelper.core.flags import load_rules, normalize

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3:
        print(main.__doc__, file=sys.stderr)
        return 2
    labelled, rules_path, out = (Path(arg) for arg in args)
    rules = load_rules(rules_path)
    statements = [Labelled(normalize(text)[0], categories)
                  for text, categories in read_labelled(labelled)]
    model = train(statements, [category.id for category in rules.categories],
                  trained_on=f"{labelled.name} {fingerprint(labelled)}")
    out.write_bytes(model.to_bytes())
    print(f"{out}: {len(model.categories)} categories, {len(model.index)} n-grams",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
