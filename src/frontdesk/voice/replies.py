"""Every sentence the agent is handed, in German (default) and English.

Each message is at most two sentences and says what happened plus the next question, so the
agent can speak it as is. Dates, times, options and prices come from ``language.speech`` so they
read back through the date grammar. Templates are ``str.format`` strings keyed by situation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from frontdesk.language import speech

_TEXT: dict[str, tuple[str, str]] = {
    # check_availability
    "available": (
        "{when} ist noch frei, bei {staff}. Soll ich den Termin für Sie buchen?",
        "{when} is free, with {staff}. Shall I book it for you?",
    ),
    "options": (
        "Für {service} hätte ich {options} frei. Was passt Ihnen am besten?",
        "For {service} I have {options}. Which suits you best?",
    ),
    "taken": (
        "{when} ist leider schon vergeben. Ich kann Ihnen {options} anbieten.",
        "{when} is already taken, I'm afraid. I can offer you {options}.",
    ),
    "past": (
        "{when} ist leider schon vorbei. Ich kann Ihnen {options} anbieten.",
        "{when} has already passed. I can offer you {options}.",
    ),
    "too_soon": (
        "So kurzfristig kann ich {when} leider nicht mehr buchen. "
        "Ich kann Ihnen {options} anbieten.",
        "{when} is too short notice, I'm afraid. I can offer you {options}.",
    ),
    "outside_hours": (
        "{when} ist leider kein Termin möglich. Ich kann Ihnen {options} anbieten.",
        "{when} is not possible, I'm afraid. I can offer you {options}.",
    ),
    "too_far": (
        "{when} liegt leider zu weit in der Zukunft. Ich kann Ihnen {options} anbieten.",
        "{when} is too far ahead, I'm afraid. I can offer you {options}.",
    ),
    "window_full": (
        "{when} ist für {service} leider nichts mehr frei. Ich kann Ihnen {options} anbieten.",
        "{when} there is nothing free for {service}, I'm afraid. I can offer you {options}.",
    ),
    "holiday": (
        "{day} ist {holiday}, da haben wir geschlossen. Frei wäre {options}.",
        "{day} is a public holiday ({holiday}) and we are closed. I could offer {options}.",
    ),
    "closed": (
        "{day} haben wir geschlossen. Frei wäre {options}.",
        "We are closed {day}. I could offer {options}.",
    ),
    "no_availability": (
        "Für {service} ist in den nächsten {days} Tagen leider nichts frei. "
        "Möchten Sie es mit einem späteren Zeitraum versuchen?",
        "There is nothing free for {service} in the next {days} days, I'm afraid. "
        "Would a later period work for you?",
    ),
    "beyond_horizon": (
        "So weit im Voraus kann ich noch keine Termine vergeben. Termine gibt es bis {last}.",
        "I can't book that far ahead yet. Appointments are available until {last}.",
    ),
    # questions back
    "ask_service": (
        "Welche Leistung möchten Sie buchen? Wir bieten {services} an.",
        "Which service would you like to book? We offer {services}.",
    ),
    "ask_which_service": ("Meinen Sie {choices}?", "Do you mean {choices}?"),
    "unknown_staff": (
        "{name} kenne ich bei uns nicht. Bei uns arbeiten {staff}.",
        "I don't know {name} here. Our team is {staff}.",
    ),
    "ask_which_staff": ("Meinen Sie {choices}?", "Do you mean {choices}?"),
    "staff_cannot": (
        "{staff} bietet {service} leider nicht an. Das machen bei uns {others}.",
        "{staff} doesn't offer {service}, I'm afraid. That is done by {others}.",
    ),
    "ask_time": (
        "Zu welcher Uhrzeit möchten Sie den Termin?",
        "What time would you like the appointment?",
    ),
    "ask_day": (
        "An welchem Tag möchten Sie den Termin?",
        "Which day would you like the appointment?",
    ),
    "ask_name": (
        "Auf welchen Namen darf ich den Termin buchen?",
        "What name shall I book the appointment under?",
    ),
    "ask_email": (
        "Die E-Mail-Adresse habe ich nicht richtig verstanden. Können Sie sie bitte buchstabieren?",
        "I didn't quite get that email address. Could you spell it for me, please?",
    ),
    "bad_slot": (
        "Diesen Termin kann ich leider nicht zuordnen. Welchen Tag und welche Uhrzeit möchten Sie?",
        "I can't match that appointment, I'm afraid. Which day and time would you like?",
    ),
    # book_appointment
    "booked": (
        "Ihr Termin ist gebucht: {service} {when} bei {staff}. "
        "Kann ich sonst noch etwas für Sie tun?",
        "Your appointment is booked: {service} {when} with {staff}. Is there anything else?",
    ),
    "booked_pending": (
        "Ich habe {service} {when} bei {staff} für Sie notiert, die Bestätigung aus unserem "
        "Kalender folgt in Kürze. Kann ich sonst noch etwas für Sie tun?",
        "I have noted {service} {when} with {staff} for you, the confirmation from our calendar "
        "follows shortly. Is there anything else?",
    ),
    "calendar_unknown": (
        "Für {when} kann ich gerade nicht in unseren Kalender sehen. "
        "Darf unser Team Sie zurückrufen, um den Termin zu vereinbaren?",
        "I can't see our calendar for {when} right now. "
        "May our team call you back to arrange the appointment?",
    ),
    "duplicate": (
        "Sie haben {when} bereits einen Termin für {service}. Soll es bei diesem Termin bleiben?",
        "You already have an appointment for {service} {when}. Shall we keep that one?",
    ),
    "slot_taken": (
        "{when} wurde gerade vergeben. Ich kann Ihnen {options} anbieten.",
        "{when} has just been taken. I can offer you {options}.",
    ),
    "slot_taken_none": (
        "{when} wurde gerade vergeben, und in den nächsten Tagen ist leider nichts frei. "
        "Möchten Sie es mit einem späteren Zeitraum versuchen?",
        "{when} has just been taken and nothing else is free in the next days. "
        "Would a later period work for you?",
    ),
    # find_appointments
    "found_one": ("Sie haben einen Termin: {list}.", "You have one appointment: {list}."),
    "found_many": ("Sie haben {count} Termine: {list}.", "You have {count} appointments: {list}."),
    "none": (
        "Unter Ihrer Nummer finde ich keinen anstehenden Termin.",
        "I can't find an upcoming appointment under your number.",
    ),
    "none_anonymous": (
        "Ihre Rufnummer ist unterdrückt, daher sehe ich nur Termine aus diesem Gespräch. "
        "Dort finde ich keinen.",
        "Your number is withheld, so I can only see appointments made in this call. "
        "There are none.",
    ),
    # cancel / reschedule
    "not_found": (
        "Diesen Termin finde ich unter Ihrer Nummer nicht. Welchen Termin meinen Sie?",
        "I can't find that appointment under your number. Which one do you mean?",
    ),
    "not_found_anonymous": (
        "Bei unterdrückter Rufnummer kann ich nur Termine aus diesem Gespräch ändern. "
        "Bitte rufen Sie dafür mit Ihrer Nummer an.",
        "With a withheld number I can only change appointments made in this call. "
        "Please call again with your number shown.",
    ),
    "ask_which_appointment": (
        "Welchen Termin meinen Sie: {list}?",
        "Which appointment do you mean: {list}?",
    ),
    "fee_applies": (
        "Für eine so kurzfristige Absage fällt eine Gebühr von {fee} an. "
        "Möchten Sie den Termin trotzdem absagen?",
        "Cancelling this late costs a fee of {fee}. Do you still want to cancel?",
    ),
    "cancelled": (
        "Ihr Termin {when} für {service} ist storniert.",
        "Your appointment {when} for {service} is cancelled.",
    ),
    "cancelled_fee": (
        "Ihr Termin {when} für {service} ist storniert. Dafür fällt eine Gebühr von {fee} an.",
        "Your appointment {when} for {service} is cancelled. A fee of {fee} applies.",
    ),
    "too_late": (
        "So kurzfristig kann ich den Termin leider nicht mehr absagen. "
        "Bitte klären Sie das direkt mit unserem Team vor Ort.",
        "It is too late to cancel this appointment by phone, I'm afraid. "
        "Please speak to our team directly.",
    ),
    "already_cancelled": (
        "Dieser Termin ist bereits storniert.",
        "That appointment is already cancelled.",
    ),
    "not_changeable": (
        "Dieser Termin kann leider nicht mehr geändert werden.",
        "That appointment can no longer be changed, I'm afraid.",
    ),
    "rescheduled": (
        "Ihr Termin ist verlegt auf {when} bei {staff}. Kann ich sonst noch etwas für Sie tun?",
        "Your appointment is moved to {when} with {staff}. Is there anything else?",
    ),
    "other_service_slot": (
        "Dieser Termin gehört zu einer anderen Leistung. Wann möchten Sie stattdessen kommen?",
        "That slot is for a different service. When would you like to come instead?",
    ),
    # admission control (failures — outages, bugs, unworded refusals — are spoken from
    # ``failures.vocabulary``, ADR 0018)
    "busy": (
        "Entschuldigung, gerade ist sehr viel los. Einen kleinen Moment bitte, dann frage ich "
        "noch einmal nach.",
        "Sorry, it's very busy right now. One moment please, and I'll check again.",
    ),
}


def language_of(locale: str) -> str:
    """ "de" or "en" from a tenant locale such as "de-DE"; anything else speaks German."""
    return "en" if locale.lower().startswith("en") else "de"


def say(key: str, language: str, **values: object) -> str:
    """The ``key`` sentence in ``language`` with ``values`` filled in, first letter upper-case."""
    german, english = _TEXT[key]
    text = (english if language == "en" else german).format(**values)
    return text[:1].upper() + text[1:]


def join_or(items: Sequence[str], language: str) -> str:
    """ "A, B oder C" / "A, B or C"."""
    return _join(items, "or" if language == "en" else "oder")


def join_and(items: Sequence[str], language: str) -> str:
    """ "A, B und C" / "A, B and C"."""
    return _join(items, "and" if language == "en" else "und")


def _join(items: Sequence[str], word: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def when_text(moment: datetime, today: date, language: str) -> str:
    """ "morgen um 10 Uhr" for a start in the branch's zone."""
    return speech.say_datetime(moment, today, language)


def day_text(day: date, today: date, language: str) -> str:
    """ "am Freitag, dem 25. Dezember" / "morgen"."""
    return speech.say_date(day, today, language)


def options_text(
    starts: Sequence[datetime],
    tz: tzinfo,
    today: date,
    language: str,
    context: date | None = None,
) -> str:
    """Up to three starts as one phrase in the branch's zone ``tz`` (the starts may be in any
    zone: slots are UTC), the date said only when it changes."""
    local = [start.astimezone(tz) for start in list(starts)[: speech.MAX_OPTIONS]]
    return speech.say_options(local, today, language, context_date=context)


def price_text(cents: int, language: str) -> str:
    return speech.say_price(cents, language)


def long_date(day: date, language: str) -> str:
    """ "Dienstag, 1. Dezember" / "Tuesday, 1 December" for the agent's prompt."""
    weekday = speech.weekday_name(day.weekday(), language)
    month = speech.month_name(day.month, language)
    if language == "en":
        return f"{weekday}, {day.day} {month}"
    return f"{weekday}, {day.day}. {month}"
