"""The voice side: Retell's mid-call functions, its webhooks, and the agent as code."""
