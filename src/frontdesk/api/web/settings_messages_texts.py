"""Texts of the owner's messages settings page (``/admin/settings/messages``, ADR 0024), German
first, English second; merged into ``messages.MESSAGES`` so the one translator and its
completeness test cover them."""

from __future__ import annotations

SETTINGS_MESSAGES_TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "msgset.title": "Nachrichten",
        "msgset.what_title": "Was Ihre Kundschaft bekommt",
        "msgset.what_changes": "Eine Bestätigung bei jeder Buchung und eine Nachricht bei jeder "
        "Verschiebung und Absage – per E-Mail mit Kalendereintrag und per SMS.",
        "msgset.what_reminder": "Eine Erinnerung vor dem Termin, wenn Sie sie unten einschalten; "
        "keine für Termine, die kürzer vorher gebucht wurden, und keine nach einer Absage.",
        "msgset.what_sms": "SMS nur an Handynummern und nur, wenn die Kundin oder der Kunde "
        "zugestimmt hat; E-Mail nur, wenn eine Adresse bekannt ist.",
        "msgset.what_night": "Keine SMS zwischen 21 und 8 Uhr: Die Erinnerung kommt dann um 8 Uhr "
        "oder entfällt, wenn das zu knapp vor dem Termin ist.",
        "msgset.what_link": "Jede Nachricht nennt Ihr Unternehmen, die Adresse der Filiale, "
        "Leistung, Mitarbeiter/in, Datum und Uhrzeit; Erinnerungen lassen sich abbestellen.",
        "msgset.reminders_title": "Erinnerungen und Absender",
        "msgset.reminders": "Erinnerungen",
        "msgset.reminders_on": "Erinnerungen senden",
        "msgset.reminders_off": "Keine Erinnerungen",
        "msgset.hours": "Stunden vor dem Termin",
        "msgset.hours_hint": "1 bis {max} Stunden, zum Beispiel 24.",
        "msgset.channels": "Erinnern per",
        "msgset.channel_email": "E-Mail",
        "msgset.channel_sms": "SMS",
        "msgset.mail_from": "Absenderadresse",
        "msgset.mail_from_hint": "Leer: die Absenderadresse der Installation.",
        "msgset.addresses_title": "Adressen der Filialen",
        "msgset.addresses_hint": "Eine Zeile mit Straße, Postleitzahl und Ort, so wie sie in "
        "den Nachrichten steht; leer: keine Adresse.",
        "msgset.address_of": "Adresse der Filiale {name}",
        "msgset.logins_title": "Benachrichtigung Ihres Teams",
        "msgset.logins_hint": "Wer eine E-Mail bekommt, wenn am Telefon gebucht oder ein Termin "
        "abgesagt wird oder ein Termin nicht mit dem Kalender übereinstimmt.",
        "msgset.login_email": "E-Mail-Adresse",
        "msgset.role": "Rolle",
        "msgset.role.owner": "Inhaber/in",
        "msgset.role.staff": "Mitarbeiter/in",
        "msgset.notify": "E-Mail bei Telefonbuchungen, Absagen und Sync-Konflikten",
        "msgset.notify_on": "an",
        "msgset.notify_off": "aus",
        "msgset.switch_on": "Einschalten",
        "msgset.switch_off": "Ausschalten",
    },
    "en": {
        "msgset.title": "Messages",
        "msgset.what_title": "What your customers receive",
        "msgset.what_changes": "A confirmation of every booking and a message on every move and "
        "cancellation – by e-mail with a calendar entry and by SMS.",
        "msgset.what_reminder": "A reminder before the appointment when you switch it on below; "
        "none for appointments booked closer to the time, and none after a cancellation.",
        "msgset.what_sms": "SMS only to mobile numbers and only when the customer agreed; e-mail "
        "only when an address is known.",
        "msgset.what_night": "No SMS between 9 pm and 8 am: the reminder then comes at 8 am, or "
        "not at all when that is too close to the appointment.",
        "msgset.what_link": "Every message names your business, the branch's address, the "
        "service, the staff member, date and time; customers can unsubscribe from reminders.",
        "msgset.reminders_title": "Reminders and sender",
        "msgset.reminders": "Reminders",
        "msgset.reminders_on": "Send reminders",
        "msgset.reminders_off": "No reminders",
        "msgset.hours": "Hours before the appointment",
        "msgset.hours_hint": "1 to {max} hours, for example 24.",
        "msgset.channels": "Remind by",
        "msgset.channel_email": "E-mail",
        "msgset.channel_sms": "SMS",
        "msgset.mail_from": "Sender address",
        "msgset.mail_from_hint": "Empty: the installation's sender address.",
        "msgset.addresses_title": "Branch addresses",
        "msgset.addresses_hint": "One line with street, postcode and town, as the messages show "
        "it; empty: no address.",
        "msgset.address_of": "Address of branch {name}",
        "msgset.logins_title": "Telling your team",
        "msgset.logins_hint": "Who gets an e-mail when someone books by phone, an appointment is "
        "cancelled or an appointment disagrees with the calendar.",
        "msgset.login_email": "E-mail address",
        "msgset.role": "Role",
        "msgset.role.owner": "Owner",
        "msgset.role.staff": "Staff",
        "msgset.notify": "E-mail on phone bookings, cancellations and sync conflicts",
        "msgset.notify_on": "on",
        "msgset.notify_off": "off",
        "msgset.switch_on": "Switch on",
        "msgset.switch_off": "Switch off",
    },
}
