"""Customer and business messages (ADR 0024, docs/messages.md): a message job per appointment
change written in the change's transaction, sent by e-mail (with an .ics) and SMS through ports;
reminders claimed once; unsubscribe links."""
