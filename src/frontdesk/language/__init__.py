"""Pure German/English language layer: dates and times, speech, matching, phone numbers."""
