"""Proof by fuzzing: thousands of generated worlds in which the safety rules never break.

``followup fuzz --worlds N --seed S`` draws N small adversarial worlds (hypothesis),
builds them all in one warehouse (and again incrementally from D - 1), exports their
send lists and checks every invariant per world (:mod:`followup.fuzz.checks`) against
an independent reading of the rules (:mod:`followup.fuzz.oracle`). A failing world is
shrunk to a minimal one and saved under tests/fuzz/regressions/, which every later run
replays.
"""

# How `followup fuzz run` says that a build step (load, dbt build, export) failed.
BUILD_FAILED = "a build step failed"
