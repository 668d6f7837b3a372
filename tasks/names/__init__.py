"""People, organisations, places and events in the text (spaCy plus rules), merged across spellings, with the roles the text gives them."""
