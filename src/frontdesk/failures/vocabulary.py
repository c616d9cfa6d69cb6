"""The one table of what can go wrong, and how each code is told (ADR 0018).

Every failure is one of three kinds:

* ``domain`` — a business outcome the rules decided (a taken time, a cancellation too late).
  Its code, HTTP status and title are declared with the error class (``domain.errors``, and
  ``UNAVAILABLE`` for the reasons a time is not bookable); its speech is here.
* ``integration`` — a dependency failed (the database, Redis, the calendar provider, Retell)
  or did not answer in time. Everything about it is here.
* ``bug`` — anything else: our own mistake. One entry, ``internal_error``; it never says more
  than that to the outside.

``meaning(code)`` gives every surface the same answer: the problem JSON fields for REST, the
sentence the voice agent speaks (German first, English second), and the ``kind`` the metric
``frontdesk_errors_total{kind,code,where}`` counts. Pure: imports nothing but the domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from frontdesk.domain.errors import DomainError


class Kind(StrEnum):
    DOMAIN = "domain"
    INTEGRATION = "integration"
    BUG = "bug"


@dataclass(frozen=True, slots=True)
class Meaning:
    """How one code is answered: problem JSON (``status``, ``title``, ``detail``), speech
    (``de``, ``en``: at most two short sentences, no placeholders) and its ``kind``.
    ``retry_after`` (seconds) is the hint REST sends with a 503."""

    kind: Kind
    status: int
    title: str
    detail: str
    de: str
    en: str
    retry_after: int | None = None


# The apology for a dependency that failed: the caller learns that the calendar cannot be
# looked at now and that someone will call back, nothing about which system failed.
_OUTAGE_DE = "Ich kann gerade nicht in den Kalender sehen. Darf ich Sie später zurückrufen lassen?"
_OUTAGE_EN = "I can't look at the calendar right now. May we call you back later?"
# When a client may try again after an outage (seconds; a hint, not a promise).
RETRY_AFTER_OUTAGE_S = 5

INTEGRATION: dict[str, Meaning] = {
    "database_unavailable": Meaning(
        Kind.INTEGRATION,
        503,
        "Service unavailable",
        "The database cannot be reached; try again shortly.",
        _OUTAGE_DE,
        _OUTAGE_EN,
        RETRY_AFTER_OUTAGE_S,
    ),
    "redis_unavailable": Meaning(
        Kind.INTEGRATION,
        503,
        "Service unavailable",
        "A shared store cannot be reached; try again shortly.",
        _OUTAGE_DE,
        _OUTAGE_EN,
        RETRY_AFTER_OUTAGE_S,
    ),
    "calendar_unavailable": Meaning(
        Kind.INTEGRATION,
        503,
        "Calendar unavailable",
        "The business's calendar provider cannot be reached; try again shortly.",
        _OUTAGE_DE,
        _OUTAGE_EN,
        RETRY_AFTER_OUTAGE_S,
    ),
    "calendar_failed": Meaning(
        Kind.INTEGRATION,
        502,
        "Calendar provider refused",
        "The business's calendar provider refused the request.",
        _OUTAGE_DE,
        _OUTAGE_EN,
    ),
    "retell_unavailable": Meaning(
        Kind.INTEGRATION,
        502,
        "Voice platform unavailable",
        "The voice platform (Retell) could not be reached or refused the request.",
        _OUTAGE_DE,
        _OUTAGE_EN,
    ),
    "timeout": Meaning(
        Kind.INTEGRATION,
        503,
        "Service unavailable",
        "The request could not be answered in time; try again shortly.",
        _OUTAGE_DE,
        _OUTAGE_EN,
        RETRY_AFTER_OUTAGE_S,
    ),
}

INTERNAL_ERROR = "internal_error"
BUG = Meaning(
    Kind.BUG,
    500,
    "Internal error",
    "The request failed unexpectedly; the error has been logged.",
    "Entschuldigung, da ist bei mir gerade etwas schiefgegangen. "
    "Darf ich Sie später zurückrufen lassen?",
    "Sorry, something went wrong on my side. May we call you back later?",
)

# What the agent says when a business refusal reaches the caller without the function's own
# wording (the functions word the refusals they expect, with times and alternatives).
DOMAIN_SPEECH: dict[str, tuple[str, str]] = {
    "domain_error": (
        "Das kann ich leider so nicht erledigen. Kann ich sonst etwas für Sie tun?",
        "I can't do that, I'm afraid. Is there anything else I can do for you?",
    ),
    "not_found": (
        "Das finde ich leider nicht. Können Sie es mir noch einmal sagen?",
        "I can't find that, I'm afraid. Could you tell me again?",
    ),
    "unknown_service": (
        "Diese Leistung bieten wir leider nicht an. Welche Leistung möchten Sie buchen?",
        "We don't offer that service, I'm afraid. Which service would you like to book?",
    ),
    "unknown_staff": (
        "Diese Person kenne ich bei uns leider nicht. Bei wem möchten Sie den Termin?",
        "I don't know that person here, I'm afraid. Who would you like the appointment with?",
    ),
    # A customer's manage link (ADR 0026) is a page, never a call; told for completeness.
    "link_gone": (
        "Dieser Link gilt leider nicht mehr. Kann ich den Termin für Sie nachsehen?",
        "That link is no longer valid, I'm afraid. Shall I look up the appointment for you?",
    ),
    "appointment_not_found": (
        "Diesen Termin finde ich leider nicht. Welchen Termin meinen Sie?",
        "I can't find that appointment, I'm afraid. Which one do you mean?",
    ),
    "call_not_found": (
        "Dieses Gespräch finde ich leider nicht. Kann ich sonst etwas für Sie tun?",
        "I can't find that call, I'm afraid. Is there anything else I can do for you?",
    ),
    "customer_not_found": (
        "Unter diesen Angaben finde ich leider niemanden. Auf welchen Namen läuft der Termin?",
        "I can't find anyone under those details, I'm afraid. Whose name is the booking under?",
    ),
    "customer_erased": (
        "Zu diesen Angaben haben wir keine Daten mehr gespeichert. "
        "Möchten Sie einen neuen Termin vereinbaren?",
        "We no longer keep any data under those details. Would you like to book a new appointment?",
    ),
    # Marked on the schedule by staff, never by the agent; the sentence is for completeness.
    "not_begun": (
        "Dieser Termin hat noch nicht begonnen. Kann ich sonst etwas für Sie tun?",
        "That appointment has not begun yet. Is there anything else I can do for you?",
    ),
    # Settings are changed on the owner's pages, never by the agent; should one of these reach a
    # caller all the same, they hear that it cannot be done now, not a settings detail.
    "setting_not_found": (
        "Das kann ich gerade leider nicht finden. Kann ich sonst etwas für Sie tun?",
        "I can't find that right now, I'm afraid. Is there anything else I can do for you?",
    ),
    "invalid_setting": (
        "Das kann ich so leider nicht eintragen. Kann ich sonst etwas für Sie tun?",
        "I'm afraid I can't enter it like that. Is there anything else I can do for you?",
    ),
    "phone_number_taken": (
        "Das kann ich so leider nicht eintragen. Kann ich sonst etwas für Sie tun?",
        "I'm afraid I can't enter it like that. Is there anything else I can do for you?",
    ),
    "invalid_phone": (
        "Die Telefonnummer habe ich nicht richtig verstanden. Können Sie sie bitte wiederholen?",
        "I didn't quite get that phone number. Could you repeat it, please?",
    ),
    "validation_error": (
        "Das habe ich nicht richtig verstanden. Können Sie es bitte wiederholen?",
        "I didn't quite understand that. Could you repeat it, please?",
    ),
    "invalid_email": (
        "Die E-Mail-Adresse habe ich nicht richtig verstanden. Können Sie sie bitte buchstabieren?",
        "I didn't quite get that email address. Could you spell it for me, please?",
    ),
    "slot_unavailable": (
        "Diese Zeit ist leider nicht möglich. Welche andere Zeit passt Ihnen?",
        "That time isn't possible, I'm afraid. Which other time suits you?",
    ),
    "slot_taken": (
        "Diese Zeit wurde gerade vergeben. Welche andere Zeit passt Ihnen?",
        "That time has just been taken. Which other time suits you?",
    ),
    "taken": (
        "Diese Zeit ist leider schon vergeben. Welche andere Zeit passt Ihnen?",
        "That time is already taken, I'm afraid. Which other time suits you?",
    ),
    "outside_hours": (
        "Zu dieser Zeit ist leider kein Termin möglich. Welche andere Zeit passt Ihnen?",
        "No appointment is possible at that time, I'm afraid. Which other time suits you?",
    ),
    "closed": (
        "An diesem Tag haben wir geschlossen. Welcher andere Tag passt Ihnen?",
        "We are closed that day. Which other day suits you?",
    ),
    "too_soon": (
        "So kurzfristig kann ich leider nicht mehr buchen. Welche spätere Zeit passt Ihnen?",
        "That is too short notice, I'm afraid. Which later time suits you?",
    ),
    "beyond_horizon": (
        "So weit im Voraus kann ich noch keine Termine vergeben. Passt Ihnen ein früherer Tag?",
        "I can't book that far ahead yet. Would an earlier day suit you?",
    ),
    "in_past": (
        "Diese Zeit ist leider schon vorbei. Welche andere Zeit passt Ihnen?",
        "That time has already passed. Which other time suits you?",
    ),
    "staff_cannot_perform": (
        "Diese Leistung bietet die gewünschte Person leider nicht an. "
        "Darf es jemand anderes aus dem Team sein?",
        "That person doesn't offer this service, I'm afraid. "
        "Would someone else from the team suit you?",
    ),
    "calendar_unknown": (
        "Für diesen Tag kann ich gerade nicht in unseren Kalender sehen. "
        "Darf unser Team Sie zurückrufen?",
        "I can't see our calendar for that day right now. May our team call you back?",
    ),
    "already_cancelled": (
        "Dieser Termin ist bereits storniert.",
        "That appointment is already cancelled.",
    ),
    "not_changeable": (
        "Dieser Termin kann leider nicht mehr geändert werden.",
        "That appointment can no longer be changed, I'm afraid.",
    ),
    "too_late_to_cancel": (
        "So kurzfristig kann ich den Termin leider nicht mehr absagen. "
        "Bitte klären Sie das direkt mit unserem Team vor Ort.",
        "It is too late to cancel this appointment by phone, I'm afraid. "
        "Please speak to our team directly.",
    ),
    "fee_applies": (
        "Für eine so kurzfristige Absage fällt eine Gebühr an. "
        "Möchten Sie den Termin trotzdem absagen?",
        "Cancelling this late costs a fee. Do you still want to cancel?",
    ),
    "concurrent_update": (
        "Der Termin wurde gerade von jemand anderem geändert. Soll ich ihn noch einmal nachsehen?",
        "The appointment has just been changed by someone else. Shall I look it up again?",
    ),
}

# The code of a refusal the table does not know (a reason added to the engine but not here):
# counted and spoken under this one, so the metric's labels stay bounded.
UNKNOWN_DOMAIN = "domain_error"


def domain_code(exc: DomainError) -> str:
    """The error's code when this table knows it, else ``domain_error`` (bounded labels)."""
    return exc.code if exc.code in DOMAIN_SPEECH else UNKNOWN_DOMAIN


def domain_meaning(exc: DomainError) -> Meaning:
    """A domain error's meaning: its own status, title and detail, the table's speech."""
    de, en = DOMAIN_SPEECH[domain_code(exc)]
    return Meaning(Kind.DOMAIN, exc.status, exc.title, exc.detail, de, en)


def meaning(code: str) -> Meaning:
    """The meaning of an integration or bug code (``KeyError`` for one not in the table: a
    code is added here, with its speech, before anything answers with it)."""
    if code == INTERNAL_ERROR:
        return BUG
    return INTEGRATION[code]


def speech(code: str, language: str) -> str:
    """What the agent says for ``code`` (any kind) in ``language`` ("de" or "en")."""
    if code in DOMAIN_SPEECH:
        de, en = DOMAIN_SPEECH[code]
    else:
        found = meaning(code)
        de, en = found.de, found.en
    return en if language == "en" else de


__all__ = [
    "BUG",
    "DOMAIN_SPEECH",
    "INTEGRATION",
    "INTERNAL_ERROR",
    "Kind",
    "Meaning",
    "domain_code",
    "domain_meaning",
    "meaning",
    "speech",
]
