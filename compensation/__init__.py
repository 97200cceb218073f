"""Pay parity: pay reports, pay adjustments and the parity checks derived from them."""
