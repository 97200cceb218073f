"""The talent ladder: tiers, programmes, enrolments, titles, targets and attainment."""
