"""From raw bytes to a clean article and its metadata: HTML and text-dump cleaning, title, author, date, site, categories and tags, language."""
