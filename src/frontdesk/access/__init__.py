"""Who may use the web app: sign-in, sessions, password changes and the login throttle
(ADR 0019). HTTP-free use cases over repositories, like ``booking/``."""
