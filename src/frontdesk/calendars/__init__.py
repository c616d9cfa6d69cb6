"""The business's calendar behind one port: the built-in calendar or an outside provider."""
