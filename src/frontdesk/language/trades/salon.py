"""Salon (hairdresser, barber): what callers say for what is done.

``lemmas``: the catalogue's word → every way a caller says it (space-separated).
"""

from __future__ import annotations

from frontdesk.language.trades.schema import TradeWords

VOCABULARY: TradeWords = {
    "lemmas": {
        # what is done
        "schnitt": (
            "schneiden schneide schneidet geschnitten schnitt schnitte haarschneiden "
            "abschneiden kuerzen kürzen gekürzt cut cutting haircut"
        ),
        "waschen": "waschen wasche wäscht gewaschen wäsche haarwäsche wash washing",
        "föhnen": (
            "föhnen fönen föhn fön geföhnt gefönt foehnen foenen fohnen fonen "
            "blowdry blow dry styling"
        ),
        "färben": (
            "färben färbe gefärbt farbe färbung faerben farben coloration colorieren "
            "tönen tönung getönt toenen strähnchen straehnchen colour color dye"
        ),
        "trimmen": "trimmen trimme getrimmt stutzen gestutzt trim trimming",
        "rasur": "rasur rasieren rasiert nassrasur shave shaving",
        "bart": "bart bartes beard",
        "beratung": "beratung beraten berate beratungsgespräch consultation advice",
        "dauerwelle": "dauerwelle locken perm",
        # who it is for
        "damen": "damen dame frauen frau mädchen woman women ladies lady womens",
        "herren": "herren herr männer mann jungen men man gentlemen gents mens",
        "kinder": "kinder kind kids kid children child",
    },
    "generic": "haar haare haaren frisur kopf spitzen pflege hair",
    "ignored": "mir mich meine meinen lassen machen",
}
