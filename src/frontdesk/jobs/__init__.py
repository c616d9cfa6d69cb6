"""Background jobs: the transactional outbox, its worker, handlers and periodic schedule."""
