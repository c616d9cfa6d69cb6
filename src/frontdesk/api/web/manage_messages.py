"""Texts of the customer's manage page (``/m/{token}``, ADR 0026), German first, English
second; merged into ``messages.MESSAGES`` so the one translator and its completeness test
cover them. Polite and short: the reader is a customer, not the business."""

from __future__ import annotations

MANAGE_MESSAGES: dict[str, dict[str, str]] = {
    "de": {
        "manage.title": "Ihr Termin",
        "manage.heading": "Ihr Termin bei {business}",
        "manage.when": "Wann",
        "manage.service": "Leistung",
        "manage.staff": "Bei",
        "manage.where": "Wo",
        "manage.move": "Termin verschieben",
        "manage.move_day": "Tag",
        "manage.show_times": "Freie Zeiten zeigen",
        "manage.times": "Freie Zeiten am {day}",
        "manage.no_times": "An diesem Tag ist leider nichts frei. Bitte wählen Sie einen "
        "anderen Tag.",
        "manage.alternatives": "Stattdessen frei",
        "manage.move_submit": "Auf diese Zeit verschieben",
        "manage.choose_time": "Bitte wählen Sie eine freie Zeit.",
        "manage.cancel": "Termin absagen",
        "manage.cancel_free": "Sie können kostenlos absagen bis {until}.",
        "manage.cancel_free_always": "Sie können kostenlos absagen.",
        "manage.cancel_free_past": "Kostenlos absagen konnten Sie bis {until}.",
        "manage.cancel_fee_tier": "Bei einer Absage weniger als {hours} vor dem Termin fällt "
        "eine Gebühr von {fee} an.",
        "manage.cancel_min_notice": "Absagen sind bis {hours} vor dem Termin möglich.",
        "manage.cancel_online_free_only": "Online können Sie nur kostenlos absagen.",
        "manage.cancel_submit": "Termin absagen",
        "manage.refused.fee": "Eine Absage so kurz vor dem Termin kostet {fee} (weniger als "
        "{hours} vorher). Online ist sie deshalb nicht möglich – bitte rufen Sie {business} an.",
        "manage.refused.too_late": "Absagen sind nur bis {hours} vor dem Termin möglich. Bitte "
        "rufen Sie {business} an.",
        "manage.done.cancelled": "Ihr Termin wurde abgesagt. Vielen Dank, dass Sie Bescheid "
        "gegeben haben.",
        "manage.done.moved": "Ihr Termin wurde verschoben.",
        "manage.gone.title": "Link nicht mehr gültig",
        "manage.gone.invalid": "Dieser Link ist leider ungültig. Bitte verwenden Sie den Link "
        "aus Ihrer letzten Nachricht oder rufen Sie uns an.",
        "manage.gone.expired": "Dieser Termin hat bereits begonnen oder ist vorbei – der Link "
        "gilt deshalb nicht mehr.",
        "manage.gone.replaced": "Dieser Link gehört zu einem früheren Stand Ihres Termins, er "
        "wurde inzwischen geändert. Bitte verwenden Sie den Link aus Ihrer neuesten Nachricht.",
        "manage.gone.cancelled": "Dieser Termin ist abgesagt. Für einen neuen Termin rufen Sie "
        "uns gern an.",
        "manage.gone.form": "Das Formular war nicht mehr gültig. Bitte laden Sie die Seite neu "
        "und versuchen Sie es noch einmal.",
        "manage.gone.unavailable": "Das hat gerade leider nicht geklappt. Bitte versuchen Sie "
        "es gleich noch einmal.",
        "manage.hours_one": "1 Stunde",
        "manage.hours": "{n} Stunden",
        "manage.minutes": "{n} Minuten",
        "manage.copy_link": "Link für den Kunden",
        "manage.copy_hint": "Mit diesem Link kann der Kunde den Termin ohne Anmeldung sehen, "
        "absagen oder verschieben.",
    },
    "en": {
        "manage.title": "Your appointment",
        "manage.heading": "Your appointment at {business}",
        "manage.when": "When",
        "manage.service": "Service",
        "manage.staff": "With",
        "manage.where": "Where",
        "manage.move": "Move appointment",
        "manage.move_day": "Day",
        "manage.show_times": "Show free times",
        "manage.times": "Free times on {day}",
        "manage.no_times": "Sorry, nothing is free on this day. Please choose another day.",
        "manage.alternatives": "Free instead",
        "manage.move_submit": "Move to this time",
        "manage.choose_time": "Please choose a free time.",
        "manage.cancel": "Cancel appointment",
        "manage.cancel_free": "You can cancel free of charge until {until}.",
        "manage.cancel_free_always": "You can cancel free of charge.",
        "manage.cancel_free_past": "Free cancellation was possible until {until}.",
        "manage.cancel_fee_tier": "Cancelling less than {hours} before the appointment costs "
        "a fee of {fee}.",
        "manage.cancel_min_notice": "Cancellations are possible up to {hours} before the "
        "appointment.",
        "manage.cancel_online_free_only": "Online you can only cancel free of charge.",
        "manage.cancel_submit": "Cancel appointment",
        "manage.refused.fee": "Cancelling this close to the appointment costs {fee} (less than "
        "{hours} before). It cannot be done online – please call {business}.",
        "manage.refused.too_late": "Cancellations are possible only up to {hours} before the "
        "appointment. Please call {business}.",
        "manage.done.cancelled": "Your appointment has been cancelled. Thank you for letting "
        "us know.",
        "manage.done.moved": "Your appointment has been moved.",
        "manage.gone.title": "Link no longer valid",
        "manage.gone.invalid": "Sorry, this link is not valid. Please use the link in your "
        "latest message or give us a call.",
        "manage.gone.expired": "This appointment has already begun or is over, so the link no "
        "longer works.",
        "manage.gone.replaced": "This link belongs to an earlier state of your appointment; it "
        "has been changed since. Please use the link in your latest message.",
        "manage.gone.cancelled": "This appointment has been cancelled. Call us any time for a "
        "new one.",
        "manage.gone.form": "The form had expired. Please reload the page and try again.",
        "manage.gone.unavailable": "Sorry, that did not work just now. Please try again in a "
        "moment.",
        "manage.hours_one": "1 hour",
        "manage.hours": "{n} hours",
        "manage.minutes": "{n} minutes",
        "manage.copy_link": "Link for the customer",
        "manage.copy_hint": "With this link the customer can see, cancel or move the "
        "appointment without signing in.",
    },
}
