"""Question sets, assessments, responses, grading, scorecards and reports."""
