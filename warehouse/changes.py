"""What re-parsing a post changed: quotes, speakers, entities, roles and metadata, per post.

A post's derived output is reduced to a `PostState`, built either from the rows the
warehouse holds (`read_states`) or from a freshly parsed `Post` (`state_of`), and two
states are compared by `diff`. The same comparison serves `reprocess --dry-run`, which
writes nothing, and the `reprocess_changes` table. This module never imports tasks.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

import duckdb

from schemas import Post

# Metadata fields compared one by one; lists are compared as tuples.
METADATA = ("title", "author", "published_at", "language", "site_name", "description", "categories", "tags",
            "hashtags")
_SHORT = 80


@dataclass(frozen=True)
class PostState:
    """The user-visible output of parsing one post."""

    metadata: dict[str, object]
    body_hash: str
    body_chars: int
    quotes: dict[tuple[int, int], tuple[str, str | None]] = field(default_factory=dict)  # speech span -> text, speaker
    entities: dict[str, str] = field(default_factory=dict)  # entity_id -> name
    spans: dict[tuple[int, int], str] = field(default_factory=dict)  # mention span -> entity_id
    roles: frozenset[tuple[str, str | None, str | None]] = frozenset()  # person, role, organisation


def content_hash(post: Post) -> str:
    """Hash of everything parsed from the document, parser version and document id excluded: a
    page whose bytes changed around the same article (a sidebar, a nonce) keeps its hash."""
    dump = post.model_dump_json(exclude={"parser_version", "doc_id"})
    return hashlib.sha256(dump.encode()).hexdigest()[:32]


def _body_hash(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def state_of(post: Post) -> PostState:
    names = {e.entity_id: e.name for e in post.entities}
    return PostState(
        metadata={f: _plain(getattr(post, f)) for f in METADATA},
        body_hash=_body_hash(post.body_text),
        body_chars=len(post.body_text),
        quotes={(q.char_start, q.char_end): (q.text, q.speaker) for q in post.quotes if q.kind == "speech"},
        entities=names,
        spans={(m.char_start, m.char_end): m.entity_id for m in post.mentions},
        roles=frozenset((names.get(r.entity_id, r.entity_id), r.role, r.organisation) for r in post.roles),
    )


def _plain(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def read_states(con: duckdb.DuckDBPyConnection, post_ids: list[str]) -> dict[str, PostState]:
    """The stored state of each of these posts that the warehouse holds."""
    if not post_ids:
        return {}
    ids = [post_ids]
    where = "post_id IN (SELECT unnest(?))"
    posts = con.execute(f"SELECT post_id, body_text, {', '.join(METADATA)} FROM posts WHERE {where}", ids).fetchall()
    grouped: dict[str, dict] = {
        row[0]: {"metadata": {f: _plain(v) for f, v in zip(METADATA, row[2:], strict=True)},
                 "body_hash": _body_hash(row[1]), "body_chars": len(row[1]),
                 "quotes": {}, "entities": {}, "spans": {}, "roles": set()}
        for row in posts
    }
    for post_id, start, end, text, speaker in con.execute(
            f"SELECT post_id, char_start, char_end, text, speaker FROM quotations WHERE kind = 'speech' AND {where}",
            ids).fetchall():
        grouped[post_id]["quotes"][(start, end)] = (text, speaker)
    for post_id, start, end, entity_id, name in con.execute(
            f"SELECT m.post_id, m.char_start, m.char_end, m.entity_id, e.name FROM mentions m"
            f" JOIN entities e USING (entity_id) WHERE m.{where}", ids).fetchall():
        grouped[post_id]["spans"][(start, end)] = entity_id
        grouped[post_id]["entities"][entity_id] = name
    for post_id, person, role, organisation in con.execute(
            f"SELECT r.post_id, coalesce(e.name, r.entity_id), r.role, r.organisation FROM roles r"
            f" LEFT JOIN entities e USING (entity_id) WHERE r.{where}", ids).fetchall():
        grouped[post_id]["roles"].add((person, role, organisation))
    return {pid: PostState(**{**g, "roles": frozenset(g["roles"])}) for pid, g in grouped.items()}


def diff(old: PostState | None, new: PostState) -> list[dict[str, str | None]]:
    """The changes from `old` (None: the post is new) to `new`, one dict per change."""
    if old is None:
        return [_change("post_added", None, None, f"{new.body_chars} chars")]
    changes = []
    if old.body_hash != new.body_hash:
        changes.append(_change("body_changed", "body_text", f"{old.body_chars} chars", f"{new.body_chars} chars"))
    for name in METADATA:
        if old.metadata.get(name) != new.metadata.get(name):
            changes.append(_change("metadata_changed", name, old.metadata.get(name), new.metadata.get(name)))
    changes += _quote_changes(old, new) + _entity_changes(old, new)
    for person, role, organisation in sorted(old.roles - new.roles, key=str):
        changes.append(_change("role_removed", person, _role(role, organisation), None))
    for person, role, organisation in sorted(new.roles - old.roles, key=str):
        changes.append(_change("role_added", person, None, _role(role, organisation)))
    return changes


def _quote_changes(old: PostState, new: PostState) -> list[dict]:
    changes = []
    unmatched_new = set(new.quotes) - set(old.quotes)
    for span in sorted(old.quotes):
        text, speaker = old.quotes[span]
        if span in new.quotes:
            _, now_speaker = new.quotes[span]
        else:
            overlap = next((s for s in sorted(unmatched_new) if s[0] < span[1] and span[0] < s[1]), None)
            if overlap is None:
                changes.append(_change("quote_removed", _short(text), speaker, None))
                continue
            unmatched_new.discard(overlap)
            now_text, now_speaker = new.quotes[overlap]
            changes.append(_change("quote_text_changed", _short(now_text), _short(text), _short(now_text)))
        if now_speaker != speaker:
            changes.append(_change("speaker_changed", _short(text), speaker, now_speaker))
    for span in sorted(unmatched_new):
        text, speaker = new.quotes[span]
        changes.append(_change("quote_added", _short(text), None, speaker))
    return changes


def _entity_changes(old: PostState, new: PostState) -> list[dict]:
    changes = []
    for entity_id in sorted(old.entities.keys() - new.entities.keys(), key=old.entities.get):
        spans = [s for s, e in old.spans.items() if e == entity_id]
        into = {new.spans[s] for s in spans if s in new.spans}
        if len(into) == 1:
            target = next(iter(into))
            changes.append(_change("entity_merged", old.entities[entity_id], old.entities[entity_id],
                                   new.entities.get(target, target)))
        else:
            changes.append(_change("entity_removed", old.entities[entity_id], old.entities[entity_id], None))
    for entity_id in sorted(new.entities.keys() - old.entities.keys(), key=new.entities.get):
        changes.append(_change("entity_added", new.entities[entity_id], None, new.entities[entity_id]))
    return changes


def _change(change: str, item: str | None, old: object, new: object) -> dict[str, str | None]:
    return {"change": change, "item": item, "old_value": _text(old), "new_value": _text(new)}


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value)


def _short(text: str) -> str:
    return text if len(text) <= _SHORT else text[: _SHORT - 1] + "…"


def _role(role: str | None, organisation: str | None) -> str:
    return " de ".join(x for x in (role, organisation) if x) or "affiliation"


_PHRASES = {
    "post_added": "new posts", "post_failed": "posts now failing", "body_changed": "bodies changed",
    "metadata_changed": "metadata fields changed", "quote_added": "quotes added", "quote_removed": "quotes removed",
    "quote_text_changed": "quote spans changed", "speaker_changed": "speakers changed",
    "entity_added": "entities added", "entity_removed": "entities removed", "entity_merged": "entities merged",
    "role_added": "roles added", "role_removed": "roles removed", "details_changed": "posts with finer changes",
}


def summary(changes: list[dict]) -> str:
    """One line: "12 posts changed: 9 speakers changed, 3 quotes removed"."""
    posts = len({c["post_id"] for c in changes})
    if not posts:
        return "no post changed"
    kinds = Counter(c["change"] for c in changes)
    parts = ", ".join(f"{n} {_PHRASES.get(kind, kind)}" for kind, n in kinds.most_common())
    return f"{posts} post{'s' if posts > 1 else ''} changed: {parts}"
