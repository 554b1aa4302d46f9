"""Full-text search over the capability schedules (DESIGN §2): jieba segmentation, one search row per
capability (CapabilitySearch), a PostgreSQL tsvector + trigram index with a LIKE fallback on SQLite."""
