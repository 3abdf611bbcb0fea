"""The words on the page, in one place: change them here, not in the template."""

from __future__ import annotations

TITLE = "Follow-up flows: daily report"

FUNNEL = (
    "Each flow starts with the people who triggered it today. Some are excluded (the "
    "reason is shown: an invalid or duplicate address, a suppression, no marketing "
    "consent, a recent mail of the same flow, too many mails lately, or a more important "
    "flow that wins the day), a random few are held out as a control group, and the rest "
    "are sent the mail."
)

UPLIFT_METHOD = (
    "Uplift is the conversion rate of the people sent the mail minus that of the held-out "
    "control group; the bar is its 95 % Wald confidence interval and the p-value comes "
    "from a two-sided two-proportion z-test."
)

# The rule behind is_too_small (docs/semantics.md, "Measuring results"); the page fills
# in the thresholds the day's flow_uplift rows were built with.
TOO_SMALL_PARTS = (
    "Too small to conclude: fewer than ",
    "uplift_min_group_size",
    " people in the send group or in the holdout group, or fewer than ",
    "uplift_min_outcomes",
    " conversions or non-conversions in either group. Below that the interval and the "
    "p-value cannot be trusted; such flows are greyed out.",
)

UPLIFT_READING = (
    "A point right of the zero line means the mail brought more orders than doing "
    "nothing; the bar is the range the true effect lies in with 95 % confidence. A flow "
    "is marked significant when the p-value is below 0.05 and the groups are not too small."
)

ENGAGEMENT = (
    "How people reacted to each flow's mails: the totals over the last days (as the "
    "warehouse counts them), the mails sent on the day, and day by day over the last "
    "30 days how many were sent, opened and clicked (one line per step of the flow)."
)

SEGMENTS = (
    "How the contact base is split, day by day over the last 90 days: by lifecycle "
    "stage, by RFM segment (recency, frequency, money spent) and by lead band. Each line "
    "is one segment's share of all contacts; the table gives the day's numbers."
)

TRANSITIONS = (
    "Where contacts moved between lifecycle stages. A row is the stage they were in, a "
    "column the stage they are in now; a cell is the share of that row's contacts (the "
    "darker, the larger) and their number. The diagonal is people who stayed."
)

RFM = (
    "Customers by recency (R, 5 = bought most recently) and frequency (F, 5 = buys "
    "most often). Each cell shows how many customers have that pair of scores, their "
    "average spend and the RFM segment they belong to."
)

NOT_BUILT = "Table analytics.{table} is not in this warehouse (yet)."


def not_built(table: str) -> str:
    """The message of a section whose table the warehouse does not have."""
    return NOT_BUILT.format(table=table)


NO_DATA = "No data for this day."
