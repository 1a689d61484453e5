"""CPD schemes: scheme files, enrolments and cycles, and the rules engine that counts activities."""
