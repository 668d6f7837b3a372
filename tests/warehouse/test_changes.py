"""The per-post diff that re-processing records."""

from warehouse.changes import PostState, diff, summary


def state(**overrides) -> PostState:
    base = dict(
        metadata={"title": "VivaTech 2024", "author": "Ana Lopez", "tags": ("ia",)},
        body_hash="b1", body_chars=500,
        quotes={(10, 30): ("Nous irons loin", "Clara Chapaz"), (50, 70): ("Rien ne change", None)},
        entities={"e1": "Clara Chapaz", "e2": "Bpifrance", "e3": "BPI"},
        spans={(0, 12): "e1", (80, 89): "e2", (95, 98): "e3"},
        roles=frozenset({("Clara Chapaz", "ministre", None)}),
    )
    return PostState(**(base | overrides))


def kinds(changes):
    return sorted((c["change"], c["item"], c["old_value"], c["new_value"]) for c in changes)


def test_identical_states_have_no_changes():
    assert diff(state(), state()) == []


def test_a_new_post_is_one_change():
    assert kinds(diff(None, state())) == [("post_added", None, None, "500 chars")]


def test_speakers_and_quotes_added_removed_and_reattributed():
    new = state(quotes={(10, 30): ("Nous irons loin", "Nicolas Dufourcq"), (100, 120): ("Un autre mot", None)})
    assert kinds(diff(state(), new)) == [
        ("quote_added", "Un autre mot", None, None),
        ("quote_removed", "Rien ne change", None, None),
        ("speaker_changed", "Nous irons loin", "Clara Chapaz", "Nicolas Dufourcq"),
    ]


def test_a_quote_whose_span_moved_is_changed_not_added():
    new = state(quotes={(10, 34): ("Nous irons loin, dit-il", "Clara Chapaz"), (50, 70): ("Rien ne change", None)})
    assert kinds(diff(state(), new)) == [
        ("quote_text_changed", "Nous irons loin, dit-il", "Nous irons loin", "Nous irons loin, dit-il")]


def test_an_entity_whose_mentions_moved_to_another_is_merged():
    new = state(entities={"e1": "Clara Chapaz", "e2": "Bpifrance", "e4": "Le Monde"},
                spans={(0, 12): "e1", (80, 89): "e2", (95, 98): "e2", (120, 128): "e4"})
    assert kinds(diff(state(), new)) == [
        ("entity_added", "Le Monde", None, "Le Monde"),
        ("entity_merged", "BPI", "BPI", "Bpifrance"),
    ]


def test_metadata_body_and_roles():
    new = state(metadata={"title": "VivaTech 2025", "author": "Ana Lopez", "tags": ("ia", "tech")},
                body_hash="b2", body_chars=520, roles=frozenset())
    assert kinds(diff(state(), new)) == [
        ("body_changed", "body_text", "500 chars", "520 chars"),
        ("metadata_changed", "tags", "ia", "ia, tech"),
        ("metadata_changed", "title", "VivaTech 2024", "VivaTech 2025"),
        ("role_removed", "Clara Chapaz", "ministre", None),
    ]


def test_summary_counts_posts_and_kinds():
    changes = [{"post_id": "p1", "change": "speaker_changed"}, {"post_id": "p1", "change": "speaker_changed"},
               {"post_id": "p2", "change": "quote_removed"}]
    assert summary(changes) == "2 posts changed: 2 speakers changed, 1 quotes removed"
    assert summary([]) == "no post changed"
