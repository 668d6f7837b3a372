"""Where documents come from: files and folders (acquire), live pages fetched politely and safely (fetch, pinned_transport), and what feeds, sitemaps and WordPress sites list (listings)."""
