"""Portfolio documents: the PDF, the ZIP bundle, their fonts, and background export jobs."""
