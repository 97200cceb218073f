"""Honours earned by years of service: honour types and rules, candidates, awards."""
