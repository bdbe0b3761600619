"""Candidates and positions (openings owned by a hiring manager)."""
