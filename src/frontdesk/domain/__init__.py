"""Domain vocabulary shared by every layer: value objects, events and errors."""
