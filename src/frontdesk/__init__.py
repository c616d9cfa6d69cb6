"""frontdesk: the booking backend for AI phone receptionists."""
