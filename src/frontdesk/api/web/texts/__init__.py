"""The web app's texts, one module per area; ``api.web.messages`` merges them."""
