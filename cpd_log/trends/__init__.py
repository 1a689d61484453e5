"""Trends: minutes per month by kind, and each active cycle's burn-up against its pace."""
