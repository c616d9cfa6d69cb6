"""Workshop (car garage): what callers say for what is done.

``lemmas``: the catalogue's word → every way a caller says it (space-separated).
"""

from __future__ import annotations

from frontdesk.language.trades.schema import TradeWords

VOCABULARY: TradeWords = {
    "lemmas": {
        "wechsel": "wechseln gewechselt wechsel tauschen getauscht umstecken change",
        "inspektion": "inspektion inspizieren durchsicht service servicing inspection",
        "hauptuntersuchung": "hauptuntersuchung tüv tuev hu mot",
        "reparatur": "reparieren repariert reparatur instandsetzen repair fix",
        "reifen": "reifen pneus tyres tires tyre tire",
        "oel": "öl oel oil",
        "bremsen": "bremse bremsen brakes brake",
        "pruefung": "prüfen geprüft prüfung check checken",
    },
    "generic": "auto wagen fahrzeug pkw car vehicle",
    "ignored": "mir mich meine meinen meinem lassen machen",
}
