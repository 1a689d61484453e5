"""Small helpers shared by several features, one module per concept. No feature imports here."""
