"""Evidence attached to activities: checked by content, stored by hash, served as downloads."""
