"""Practice (doctor, dentist, physiotherapist): what callers say for what is done.

``lemmas``: the catalogue's word → every way a caller says it (space-separated).
"""

from __future__ import annotations

from frontdesk.language.trades.schema import TradeWords

VOCABULARY: TradeWords = {
    "lemmas": {
        "untersuchung": "untersuchen untersucht untersuchung checkup vorsorge",
        "reinigung": "reinigen gereinigt reinigung putzen cleaning clean",
        "impfung": "impfen geimpft impfung spritze vaccination vaccine jab",
        "abnahme": "abnehmen abgenommen abnahme",
        "kontrolle": "kontrolle kontrollieren kontrolliert nachsorge",
        "massage": "massage massieren massiert",
        "behandlung": "behandeln behandelt behandlung treatment",
        "gespraech": "gespräch besprechen sprechen",
    },
    "generic": "zahn zaehne zähne teeth tooth",
    "ignored": "mir mich meine meinen lassen",
}
