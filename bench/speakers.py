"""Train the speaker ranker on the development gold and cross-validate it by page.

    python -m bench.speakers cv      # in-sample and held-out figures (part of `make eval`)
    python -m bench.speakers train   # the same, then write tasks/data/speaker_model.json

Examples (bench/speaker_pages.py): each candidate of each quote that has gold, labelled by
whether it is the gold speaker. The ranker is scikit-learn's L2 logistic regression over the
candidates' features; it is fitted twice, first with the gold's previous speakers, then with
the previous speakers it chose itself, as it will when it runs. The gate, a second logistic
regression, learns whether the ranker's first candidate is right, from decisions of rankers
that had not seen the page (inner folds). The regularisation C and the gate's threshold are
chosen on held-out pages: 5 folds by page over fr-web and the seeds, pages dealt by number
of gold quotes so that folds are alike, three times with the ties dealt anew, figures
averaged; the threshold is the lowest whose held-out wrong-speaker rate stays within
WRONG_MAX. The novels of fr-quotes-litbank are folded by
novel the same way and reported apart (named-speaker accuracy); with --litbank they are
also training data for every fold.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from schemas import Post
from tasks.speech.attribution_context import Passage
from tasks.speech.people import People
from tasks.speech.speaker_ranker import Candidates, Linear, Model, Turns, decide, gate_features, ranked
from tasks.speech.speakers import attribute_speakers, echoes, feature_digest

from bench.devset import score
from bench.speaker_pages import Page, litbank_pages, named_accuracy, normalise, web_pages

MODEL_FILE = Path(__file__).resolve().parents[1] / "tasks" / "data" / "speaker_model.json"
FOLDS = 5
GATE_C = None  # the gate's regularisation (None: the ranker's)
REPEATS = 3  # cross-validations, pages dealt to folds anew each time, whose figures are averaged
INNER_FOLDS = 4
ROUNDS = 2
PREVIOUS = 0.4  # the ranker's first candidate carries a run of quotes on from this probability
WRONG_MAX = 0.05
C_GRID = (0.3, 1.0, 3.0)
THRESHOLDS = tuple(round(0.2 + 0.01 * i, 2) for i in range(66))
FIGURES = ("quotes_f1", "speaker_strict_accuracy", "speaker_lenient_accuracy", "wrong_speaker_rate",
           "roles_recall", "entities_f1")


def candidate_rows(shared: Path, page: Page, model: Model | None = None, gate: bool = False
                   ) -> list[tuple[dict[str, float], int]]:
    """(features, is the speaker) of every candidate of every quote with gold, or with `gate`, of the
    ranker's first candidate (gate features). The previous speaker is the gold's without a model,
    else the one the model carries on."""
    post = page.post
    passage = Passage(page.doc, post.quotes, post.mentions, post.entities)
    candidates = Candidates(passage, People(passage, post.roles))
    forms: dict[str, set[str]] = {}
    for m in post.mentions:
        forms.setdefault(m.entity_id, set()).add(normalise(shared, m.surface))
    for e in post.entities:
        forms.setdefault(e.entity_id, set()).add(normalise(shared, e.name))

    def names(entity_id: str) -> set[str]:
        added = candidates.added.get(entity_id)
        return forms.get(entity_id, set()) | ({normalise(shared, added.name)} if added else set())

    out, turns = [], Turns()
    for i, quote in enumerate(post.quotes):
        if quote.kind != "speech":
            continue
        found = candidates.of(quote, turns)
        if model is not None:
            turns.add(decide(found, model)[1], quote)
        if i not in page.speakers or not found:
            continue
        if gate:
            order = ranked(found, model)
            out.append((gate_features(order), int(page.is_speaker(i, names(order[0][1].entity_id)))))
            continue
        out.extend((c.features, int(page.is_speaker(i, names(entity_id)))) for entity_id, c in found.items())
        if model is None:
            turns.add(next((eid for eid in forms if page.is_speaker(i, names(eid))), None), quote)
    return out


def train(shared: Path, pages: list[Page], c: float, threshold: float) -> Model:
    """The ranker on all training pages; the gate on decisions of rankers that had not seen the page."""
    ranker = fit_ranker(shared, pages, c)
    rows = []
    inner = folds(pages, INNER_FOLDS)
    for k, test in enumerate(inner):
        rest = [p for j, fold in enumerate(inner) if j != k for p in fold]
        unseen = Model(fit_ranker(shared, rest, c), None, 0.0, PREVIOUS)
        rows += [row for page in test for row in candidate_rows(shared, page, unseen, gate=True)]
    return Model(ranker, _logistic(rows, GATE_C or c), threshold, PREVIOUS)


def fit_ranker(shared: Path, pages: list[Page], c: float) -> Linear:
    """Fit with the gold's previous speakers, then with the previous speakers the ranker itself chose."""
    ranker = None
    for _ in range(ROUNDS):
        model = Model(ranker, None, 0.0, PREVIOUS) if ranker else None
        ranker = _logistic([row for page in pages for row in candidate_rows(shared, page, model)], c)
    return ranker


def _logistic(rows: list[tuple[dict[str, float], int]], c: float) -> Linear:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([f for f, _ in rows])
    fitted = LogisticRegression(C=c, max_iter=2000).fit(x, [label for _, label in rows])
    weights = {name: round(float(w), 4) for name, w in zip(vectorizer.feature_names_, fitted.coef_[0], strict=True)}
    return Linear(weights=weights, bias=round(float(fitted.intercept_[0]), 4))


def predict(page: Page, model: Model, echo: bool = True) -> Post:
    return _predict(page, model, echo)[0]


def _predict(page: Page, model: Model, echo: bool) -> tuple[Post, frozenset[int]]:
    post = page.post
    found = attribute_speakers(page.doc, post.quotes, post.mentions, post.entities, post.roles, model=model, echo=echo)
    return post.model_copy(update=dict(quotes=found.quotes, entities=found.entities, mentions=found.mentions)), found.cued


def folds(pages: list[Page], n: int = FOLDS, seed: int = 0) -> list[list[Page]]:
    """Pages dealt to n folds by number of labelled quotes, most first, back and forth (`seed` breaks
    the ties between pages of as many quotes another way)."""
    ordered = sorted(pages, key=lambda p: (-len(p.speakers), hashlib.sha256(f"{seed}{p.name}".encode()).digest()))
    out: list[list[Page]] = [[] for _ in range(n)]
    for i, page in enumerate(ordered):
        lap, k = divmod(i, n)
        out[k if lap % 2 == 0 else n - 1 - k].append(page)
    return out


def held_out(shared: Path, pages: list[Page], extra: list[Page], c: float, seed: int = 0) -> dict[float, list[Post]]:
    """For each threshold, every page predicted by a model that never saw it (`extra` pages are
    training data for every fold)."""
    out: dict[float, list[Post | None]] = {t: [None] * len(pages) for t in THRESHOLDS}
    where = {id(p): i for i, p in enumerate(pages)}
    split = folds(pages, FOLDS, seed)
    for k, test in enumerate(split):
        rest = [p for j, fold in enumerate(split) if j != k for p in fold] + extra
        model = train(shared, rest, c, 0.0)
        for page in test:
            everyone, cued = _predict(page, model, echo=False)  # threshold 0: each quote with the gate's probability
            for t in THRESHOLDS:
                out[t][where[id(page)]] = at_threshold(page, everyone, cued, t)
    return out


def at_threshold(page: Page, post: Post, cued: frozenset[int], threshold: float) -> Post:
    """The post as a model with this threshold predicts it, from its prediction at threshold 0
    without echoes: speakers below it dropped, with the entities and mentions only their cues
    had added, then the echoes."""
    quotes = [q if (q.speaker_confidence or 0) >= threshold else q.model_copy(update=dict(
        speaker=None, speaker_entity_id=None, cue=None, cue_start=None, cue_end=None, attribution_rule=None,
        speaker_confidence=None, speaker_phrase=None)) for q in post.quotes]
    quotes = echoes(quotes, cued)
    kept = {e.entity_id for e in page.post.entities} | {q.speaker_entity_id for q in quotes}
    return post.model_copy(update=dict(quotes=quotes, entities=[e for e in post.entities if e.entity_id in kept],
                                       mentions=[m for m in post.mentions if m.entity_id in kept]))


def figures(shared: Path, pages: list[Page], posts: list[Post]) -> dict:
    summary = score(shared, [_as_dev(p) for p in pages], posts)
    return {k: summary[k] for k in FIGURES}


def _as_dev(page: Page):
    class Dev:  # what bench.devset.score reads
        gold = page.gold
    return Dev


def choose(shared: Path, web: list[Page], extra: list[Page]) -> tuple[float, float, dict]:
    """C and threshold: the best held-out strict + lenient accuracy whose wrong-speaker rate is within
    WRONG_MAX, each figure the mean of REPEATS cross-validations with pages dealt to folds anew."""
    best = None
    for c in C_GRID:
        runs = [held_out(shared, web, extra, c, seed) for seed in range(REPEATS)]
        for t in THRESHOLDS:
            each = [figures(shared, web, run[t]) for run in runs]
            f = {k: round(sum(e[k] for e in each) / len(each), 4) if each[0][k] is not None else None
                 for k in FIGURES}
            key = ((f["wrong_speaker_rate"] or 0) <= WRONG_MAX,
                   f["speaker_lenient_accuracy"] + f["speaker_strict_accuracy"], -t)
            if best is None or key > best[0]:
                best = (key, c, t, f)
    return best[1], best[2], best[3]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("cv", "train"))
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--litbank", action="store_true", help="train on the development novels too")
    args = parser.parse_args()
    shared = args.shared.resolve()
    if not (shared / "gold").is_dir():
        print(f"skipped: {shared}/gold is absent")
        return 0
    web, novels = web_pages(shared), litbank_pages(shared)
    extra = novels if args.litbank else []
    c, threshold, held = choose(shared, web, extra)
    model = train(shared, web + extra, c, threshold)
    in_sample = figures(shared, web, [predict(p, model) for p in web])
    report = {"C": c, "threshold": threshold, "in_sample": in_sample, "held_out": held,
              "gap": {k: round(in_sample[k] - held[k], 4) for k in FIGURES if in_sample[k] is not None}}
    if novels:
        unseen = held_out(shared, novels, web, c)[threshold] if args.litbank else [predict(p, model) for p in novels]
        report["litbank"] = named_accuracy(shared, novels, unseen) | {
            "held_out": args.litbank, "in_sample": named_accuracy(shared, novels, [predict(p, model) for p in novels])}
    print(json.dumps(report, indent=1))
    if args.command == "train":
        data = {"ranker": {"weights": dict(sorted(model.ranker.weights.items())), "bias": model.ranker.bias},
                "gate": {"weights": dict(sorted(model.gate.weights.items())), "bias": model.gate.bias},
                "threshold": threshold, "previous": PREVIOUS, "features_from": feature_digest(),
                "trained_on": "fr-web + seeds development gold"
                + (" + fr-quotes-litbank development novels" if args.litbank else ""), "cross_validated": report}
        MODEL_FILE.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")
        print(f"written {MODEL_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
