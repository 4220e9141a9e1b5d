"""The program's rules: plain functions over plain values, standard library only.

Membership (terms, pace, eligibility, verification), benefits, and reading what people type (Slack's
command text, form values). Nothing here touches Slack or the database, so every rule is tested with
plain dates.
"""
