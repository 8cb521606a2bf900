"""Delegation of signing or direction by a leader to a deputy (ND30 Điều 13; DOMAIN §4.4)."""
