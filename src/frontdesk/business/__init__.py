"""The owner's settings as use cases (issue 14, item 5; ADR 0021): opening hours, staff weeks,
absences, closures, services, phone numbers and the tenant's Retell key.

One short function per use case over the booking ``UnitOfWork``; each change is checked before
anything is written (``rules``), bumps what the availability caches key on and is audited in
the same transaction (``owner.record``). Results are plain values a page renders (``views``).
Like booking/, this package speaks no SQLAlchemy: SQL lives in db/repositories.
"""
