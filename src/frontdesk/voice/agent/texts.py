"""What the agent says and reads, per language: begin message, tool descriptions, fillers
and parameter descriptions (data; the system prompts are ``voice/prompts/*.md.j2``).

Both languages must describe the same parameters of the same functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from frontdesk.voice.names import (
    BOOK_APPOINTMENT,
    CANCEL_APPOINTMENT,
    CHECK_AVAILABILITY,
    FIND_APPOINTMENTS,
    RESCHEDULE_APPOINTMENT,
)


@dataclass(frozen=True, slots=True)
class ToolText:
    description: str
    filler: str
    parameters: Mapping[str, str]
    """Parameter name → description; the order is the order the model sees."""


@dataclass(frozen=True, slots=True)
class Texts:
    """Everything the agent says or reads in one language."""

    template: str
    begin_message: str
    tools: Mapping[str, ToolText]
    end_call: str


GERMAN = Texts(
    template="system_de.md.j2",
    # An unknown caller's empty name leaves "guten Tag !", which the voice speaks as "guten Tag!".
    begin_message="{{business_name}}, guten Tag {{caller_name}}! Wie kann ich Ihnen helfen?",
    tools={
        CHECK_AVAILABILITY: ToolText(
            description=(
                "Prüft freie Termine für eine Leistung. Einmal pro Terminwunsch aufrufen. Das "
                "Ergebnis enthält status, message und slots (je slot_id und spoken)."
            ),
            filler="Einen Moment, ich schaue in den Kalender.",
            parameters={
                "service": "Gewünschte Leistung in den Worten des Anrufers, z. B. 'Herrenschnitt'.",
                "date": (
                    "Wunschtag so, wie der Anrufer ihn sagt ('morgen', 'übermorgen', 'nächsten "
                    "Dienstag', '12. Mai'), oder ein ISO-Datum. Nicht umrechnen. Weglassen, wenn "
                    "kein Tag genannt wurde."
                ),
                "time": (
                    "Wunschzeit so, wie der Anrufer sie sagt ('halb drei', '14 Uhr', "
                    "'nachmittags'). Weglassen, wenn keine genannt wurde."
                ),
                "staff": "Gewünschte Mitarbeiterin oder gewünschter Mitarbeiter, nur wenn genannt.",
            },
        ),
        BOOK_APPOINTMENT: ToolText(
            description=(
                "Bucht den Termin, den der Anrufer angenommen hat. Nur nach seinem Ja aufrufen, "
                "mit der slot_id aus check_availability."
            ),
            filler="Einen Moment, ich trage den Termin ein.",
            parameters={
                "slot_id": "slot_id des angenommenen Termins aus dem letzten Ergebnis.",
                "service": "Nur ohne slot_id: die Leistung.",
                "date": "Nur ohne slot_id: der Tag, wie der Anrufer ihn sagt.",
                "time": "Nur ohne slot_id: die Uhrzeit, wie der Anrufer sie sagt.",
                "customer_name": (
                    "Vor- und Nachname des Anrufers. Nur bei unbekannten Anrufern, sonst weglassen."
                ),
                "staff": "Gewünschte Mitarbeiterin oder gewünschter Mitarbeiter, nur wenn genannt.",
                "notes": "Kurze Notiz des Anrufers zum Termin, nur wenn er eine nennt.",
                "email": "E-Mail-Adresse, nur wenn der Anrufer sie von sich aus nennt.",
                "sms_consent": (
                    "Vor dem Buchen einmal fragen, ob der Anrufer Terminbestätigung und "
                    "Erinnerung per SMS an diese Nummer möchte; 'true' nur bei seinem Ja."
                ),
            },
        ),
        FIND_APPOINTMENTS: ToolText(
            description=(
                "Findet die kommenden Termine des Anrufers über seine Rufnummer. Für Auskunft, "
                "Absage oder Verschiebung."
            ),
            filler="Einen Moment, ich suche Ihre Termine heraus.",
            parameters={},
        ),
        CANCEL_APPOINTMENT: ToolText(
            description="Sagt einen Termin des Anrufers ab. Nur nach seinem Ja aufrufen.",
            filler="Einen Moment, ich sage den Termin ab.",
            parameters={
                "appointment_id": "appointment_id aus find_appointments, wenn bekannt.",
                "date": "Ohne appointment_id: der Tag des Termins, wie der Anrufer ihn nennt.",
                "accept_fee": (
                    "'true' nur, wenn der Anrufer nach status fee_applies der Gebühr zustimmt."
                ),
                "reason": "Grund der Absage, nur wenn der Anrufer einen nennt.",
            },
        ),
        RESCHEDULE_APPOINTMENT: ToolText(
            description=(
                "Verlegt einen Termin des Anrufers auf einen geprüften neuen Termin. Nur nach "
                "seinem Ja aufrufen."
            ),
            filler="Einen Moment, ich verlege den Termin.",
            parameters={
                "appointment_id": "appointment_id des Termins aus find_appointments.",
                "old_date": "Ohne appointment_id: der bisherige Tag, wie der Anrufer ihn nennt.",
                "slot_id": "slot_id des neuen Termins aus check_availability.",
                "new_date": "Nur ohne slot_id: der neue Tag, wie der Anrufer ihn sagt.",
                "new_time": "Nur ohne slot_id: die neue Uhrzeit, wie der Anrufer sie sagt.",
            },
        ),
    },
    end_call="Beendet das Gespräch, nachdem du dich verabschiedet hast.",
)

ENGLISH = Texts(
    template="system_en.md.j2",
    begin_message="{{business_name}}, hello {{caller_name}}! How can I help you?",
    tools={
        CHECK_AVAILABILITY: ToolText(
            description=(
                "Checks free slots for a service. Call once per request. The result has status, "
                "message and slots (each with slot_id and spoken)."
            ),
            filler="One moment, let me check the calendar.",
            parameters={
                "service": "The service in the caller's words, e.g. 'men's haircut'.",
                "date": (
                    "The day as the caller says it ('tomorrow', 'the day after tomorrow', 'next "
                    "Tuesday', '12 May'), or an ISO date. Do not convert. Leave out if no day "
                    "was mentioned."
                ),
                "time": (
                    "The time as the caller says it ('half past two', '2 pm', 'afternoon'). "
                    "Leave out if none was mentioned."
                ),
                "staff": "The preferred staff member, only if mentioned.",
            },
        ),
        BOOK_APPOINTMENT: ToolText(
            description=(
                "Books the slot the caller accepted. Call only after their yes, with the slot_id "
                "from check_availability."
            ),
            filler="One moment, I'm booking that for you.",
            parameters={
                "slot_id": "slot_id of the accepted slot from the last result.",
                "service": "Only without slot_id: the service.",
                "date": "Only without slot_id: the day as the caller says it.",
                "time": "Only without slot_id: the time as the caller says it.",
                "customer_name": (
                    "The caller's first and last name. Only for unknown callers, otherwise leave "
                    "out."
                ),
                "staff": "The preferred staff member, only if mentioned.",
                "notes": "A short note from the caller about the appointment, only if given.",
                "email": "Email address, only if the caller offers it.",
                "sms_consent": (
                    "Ask once before booking whether the caller wants the confirmation and "
                    "reminder by SMS to this number; 'true' only if they say yes."
                ),
            },
        ),
        FIND_APPOINTMENTS: ToolText(
            description=(
                "Finds the caller's upcoming appointments by their phone number. For questions, "
                "cancelling or moving."
            ),
            filler="One moment, let me look up your appointments.",
            parameters={},
        ),
        CANCEL_APPOINTMENT: ToolText(
            description="Cancels one of the caller's appointments. Call only after their yes.",
            filler="One moment, I'm cancelling the appointment.",
            parameters={
                "appointment_id": "appointment_id from find_appointments, if known.",
                "date": "Without appointment_id: the day of the appointment as the caller says it.",
                "accept_fee": "'true' only if the caller accepts the fee after status fee_applies.",
                "reason": "Why the caller cancels, only if they say.",
            },
        ),
        RESCHEDULE_APPOINTMENT: ToolText(
            description=(
                "Moves one of the caller's appointments to a checked new slot. Call only after "
                "their yes."
            ),
            filler="One moment, I'm moving the appointment.",
            parameters={
                "appointment_id": "appointment_id of the appointment from find_appointments.",
                "old_date": "Without appointment_id: the current day as the caller says it.",
                "slot_id": "slot_id of the new slot from check_availability.",
                "new_date": "Only without slot_id: the new day as the caller says it.",
                "new_time": "Only without slot_id: the new time as the caller says it.",
            },
        ),
    },
    end_call="Ends the call after you have said goodbye.",
)


def texts_for(english: bool) -> Texts:
    """The English texts, or the German ones (the default language)."""
    return ENGLISH if english else GERMAN
