"""Training-hour ledgers: cycles and rule sets, courses, providers, records, compliance."""
