"""The report's words, in French (the default) and English, and how numbers and dates are written.

Owns every label shown to a reader and the locale rules for figures ("2 000" in French,
"2,000" in English) and dates. It must not hold data: warehouse strings never pass here.
"""

from __future__ import annotations

from datetime import date, datetime

LANGUAGES = ("fr", "en")

_MONTHS = {
    "fr": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Couverture des événements",
        "title_event": "Couverture de {event}",
        "generated": "Rapport généré le {date} depuis {db}",
        "since": "Billets publiés depuis le {date}",
        "index": "Événements",
        "index_intro": "{events} événements, {posts} billets rattachés à un événement.",
        "without_event": "{posts} billets ne sont rattachés à aucun événement et n’apparaissent pas ici.",
        "empty": "Aucun billet ne couvre d’événement dans cet entrepôt{since}.",
        "empty_hint": "Ajoutez des billets avec « covpipe ingest DOSSIER », puis générez le rapport à nouveau.",
        "event": "Événement", "posts": "Billets", "stories": "Articles (copies comptées une fois)",
        "sites": "Sites", "authors": "Auteurs", "quotes": "Citations",
        "attributed": "Citations attribuées", "speakers": "Personnes citées", "period": "Période",
        "first": "Premier billet", "last": "Dernier billet", "site": "Site", "author": "Auteur",
        "unknown_site": "Site inconnu", "unknown_author": "Auteur inconnu", "other_sites": "Autres sites",
        "undated": "{posts} billets sans date ne figurent pas sur la courbe.",
        "coverage": "La couverture dans le temps",
        "coverage_chart": "Billets par {grain} et par site, {event}",
        "grain_day": "jour", "grain_week": "semaine", "grain_month": "mois", "grain_year": "année",
        "no_dates": "Aucun billet daté : pas de courbe dans le temps.",
        "sites_authors": "Les sites et les auteurs",
        "editions": "Les éditions", "edition": "Édition", "dates": "Dates",
        "no_edition": "Sans édition",
        "who_quoted": "Qui a été cité",
        "speakers_chart": "Citations par personne, {event}",
        "rank": "Rang", "speaker": "Personne", "roles": "Fonctions", "organisations": "Organisations",
        "no_speakers": "Aucune citation attribuée à une personne nommée.",
        "wall": "Le mur des citations",
        "wall_intro": "Les citations les plus longues des {speakers} personnes les plus citées, "
                      "{per_speaker} au plus chacune, avec leur contexte.",
        "context": "Contexte",
        "read_post": "Lire le billet",
        "no_link": "billet sans adresse web",
        "mentioned": "Les organisations et les personnes les plus mentionnées",
        "orgs_chart": "Mentions par organisation, {event}",
        "people_chart": "Mentions par personne, {event}",
        "type": "Type", "name": "Nom", "mentions": "Mentions", "ORG": "Organisation", "PERSON": "Personne",
        "no_mentions": "Aucune organisation ni personne repérée.",
        "together": "Qui apparaît ensemble",
        "together_intro": "Les paires d’organisations et de personnes nommées dans les mêmes billets.",
        "entity_a": "Nommé", "entity_b": "avec", "posts_together": "Billets en commun",
        "no_pairs": "Aucune paire nommée dans un même billet.",
        "runs": "L’historique des ingestions",
        "last_run": "Dernière ingestion : {date}, {status}, {posts} billets écrits, {failures} échecs.",
        "no_runs": "Aucune ingestion enregistrée.",
        "started": "Début", "flow": "Traitement", "status": "État", "duration": "Durée (s)",
        "inputs": "Entrées", "written": "Écrits", "unchanged": "Inchangés", "failures": "Échecs",
        "failures_title": "Les documents à examiner",
        "statuses": {"completed": "terminée", "completed_with_failures": "terminée avec des échecs",
                     "running": "en cours", "crashed": "arrêtée net", "interrupted": "interrompue"},
        "flows": {"ingest": "ingestion", "poll": "relève", "reprocess": "retraitement", "events add": "événement ajouté",
                  "events remove": "événement retiré", "events load": "événements chargés"},
        "no_failures": "Aucun document en échec.",
        "stage": "Étape", "reason": "Raison", "documents": "Documents", "examples": "Exemples",
        "more_rows": "{shown} lignes affichées sur {total} ; toutes avec « covpipe sql ».",
        "sort_hint": "Cliquez sur un en-tête de colonne pour trier le tableau.",
        "back": "Retour aux événements",
        "posts_chart": "Billets par événement",
        "footer": "Chiffres issus des vues report_* de l’entrepôt covpipe.",
    },
    "en": {
        "title": "Event coverage",
        "title_event": "Coverage of {event}",
        "generated": "Report generated on {date} from {db}",
        "since": "Posts published since {date}",
        "index": "Events",
        "index_intro": "{events} events, {posts} posts linked to an event.",
        "without_event": "{posts} posts are linked to no event and do not appear here.",
        "empty": "No post covers an event in this warehouse{since}.",
        "empty_hint": "Add posts with “covpipe ingest FOLDER”, then build the report again.",
        "event": "Event", "posts": "Posts", "stories": "Stories (copies counted once)",
        "sites": "Sites", "authors": "Authors", "quotes": "Quotes",
        "attributed": "Attributed quotes", "speakers": "People quoted", "period": "Period",
        "first": "First post", "last": "Last post", "site": "Site", "author": "Author",
        "unknown_site": "Unknown site", "unknown_author": "Unknown author", "other_sites": "Other sites",
        "undated": "{posts} undated posts are not on the chart.",
        "coverage": "Coverage over time",
        "coverage_chart": "Posts per {grain} and site, {event}",
        "grain_day": "day", "grain_week": "week", "grain_month": "month", "grain_year": "year",
        "no_dates": "No dated post: no chart over time.",
        "sites_authors": "Sites and authors",
        "editions": "Editions", "edition": "Edition", "dates": "Dates",
        "no_edition": "No edition",
        "who_quoted": "Who was quoted",
        "speakers_chart": "Quotes per person, {event}",
        "rank": "Rank", "speaker": "Person", "roles": "Roles", "organisations": "Organisations",
        "no_speakers": "No quote attributed to a named person.",
        "wall": "The quote wall",
        "wall_intro": "The longest quotes of the {speakers} most quoted people, up to {per_speaker} each, "
                      "with their context.",
        "context": "Context",
        "read_post": "Read the post",
        "no_link": "post without a web address",
        "mentioned": "The organisations and people most mentioned",
        "orgs_chart": "Mentions per organisation, {event}",
        "people_chart": "Mentions per person, {event}",
        "type": "Type", "name": "Name", "mentions": "Mentions", "ORG": "Organisation", "PERSON": "Person",
        "no_mentions": "No organisation or person found.",
        "together": "Who appears together",
        "together_intro": "Pairs of organisations and people named in the same posts.",
        "entity_a": "Named", "entity_b": "with", "posts_together": "Posts in common",
        "no_pairs": "No pair named in the same post.",
        "runs": "Ingestion history",
        "last_run": "Last ingestion: {date}, {status}, {posts} posts written, {failures} failures.",
        "no_runs": "No ingestion recorded.",
        "started": "Started", "flow": "Flow", "status": "Status", "duration": "Duration (s)",
        "inputs": "Inputs", "written": "Written", "unchanged": "Unchanged", "failures": "Failures",
        "failures_title": "Documents to look at",
        "statuses": {"completed": "completed", "completed_with_failures": "completed with failures",
                     "running": "running", "crashed": "crashed", "interrupted": "interrupted"},
        "flows": {"ingest": "ingest", "poll": "poll", "reprocess": "reprocess", "events add": "event added",
                  "events remove": "event removed", "events load": "events loaded"},
        "no_failures": "No failing document.",
        "stage": "Stage", "reason": "Reason", "documents": "Documents", "examples": "Examples",
        "more_rows": "{shown} of {total} rows shown; all of them with “covpipe sql”.",
        "sort_hint": "Click a column header to sort the table.",
        "back": "Back to the events",
        "posts_chart": "Posts per event",
        "footer": "Figures from the report_* views of the covpipe warehouse.",
    },
}


def number(value: float | None, lang: str) -> str:
    """A figure as a reader of `lang` writes it: 2 000 (narrow no-break space) or 2,000."""
    if value is None:
        return "–"
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def day(value: date | datetime | None, lang: str, *, with_time: bool = False) -> str:
    """A date written out: 18 févr. 2020 or 18 Feb 2020 (and the time, UTC, when asked)."""
    if value is None:
        return "–"
    text = f"{value.day} {_MONTHS[lang][value.month - 1]} {value.year}"
    if with_time and isinstance(value, datetime):
        text += f" {value:%H:%M} UTC"
    return text


def short_day(value: date, lang: str) -> str:
    """A date without its year, for chart ticks: 18 févr."""
    return f"{value.day} {_MONTHS[lang][value.month - 1]}"


def month(value: date, lang: str) -> str:
    """A month for chart ticks: févr. 2020."""
    return f"{_MONTHS[lang][value.month - 1]} {value.year}"
