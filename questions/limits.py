"""Sizes the bank accepts: checked by forms, the API, services and every importer alike,
before any work that grows with the input (parsing, sanitising, rendering)."""

# One markdown field (prompt, explanation, reference answer, a choice's text). The longest in the
# bank family today is under 4,000 characters; 20,000 leaves room without letting one field make
# every page that shows it slow.
MARKDOWN_MAX_CHARS = 20_000

# Bank title, category and skill names: the database columns' length.
NAME_MAX_CHARS = 200

# Raw HTML elements open at once inside one markdown field. Sanitising time grows with the
# square of the depth; real questions nest a few levels (a table in a details block).
HTML_MAX_NESTING = 32
