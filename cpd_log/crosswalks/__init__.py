"""Crosswalks between competency frameworks: data files, their checks, and the mapping logic."""
