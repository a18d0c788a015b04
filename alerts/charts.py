"""An alert's responses in each region, where they stand, as a chart with its table (core/
charts.py): for the national view of an alert, from its tallies grouped by region."""

from core.charts import Part, Row, by_region
from organisations.choices import Region

# Where a response stands, one part each: closed (completed, or not applicable), open within
# its deadlines (acknowledged and under way, or not acknowledged yet), or past a deadline. In
# the colours of the responses' tags (alerts/includes/state_tag.html), some hatched.
PARTS = [
    Part("completed", "Completed", "#007f3b"),
    Part("not_applicable", "Not applicable", "#aeb7bd"),
    Part("under_way", "Under way", "#00a499"),
    Part("waiting", "Not acknowledged yet", "#005eb8", hatched=True),
    Part("overdue", "Past a deadline", "#d5281b", hatched=True),
]


def compliance_by_region(grouped: list[dict]) -> dict:
    """The chart and its table, from the tallies' sums in each region (``grouped``: rows with
    ``region`` and the sums total, completed, not_applicable, open, overdue and waiting: open,
    not acknowledged and within its deadlines)."""
    regions = dict(Region.choices)
    order = {region: i for i, region in enumerate(Region.values)}
    rows = [
        Row(
            regions.get(row["region"], "No region"),
            {
                "completed": row["completed"],
                "not_applicable": row["not_applicable"],
                "under_way": row["open"] - row["overdue"] - row["waiting"],
                "waiting": row["waiting"],
                "overdue": row["overdue"],
            },
        )
        for row in sorted(grouped, key=lambda row: order.get(row["region"], len(order)))
    ]
    return by_region(
        rows,
        PARTS,
        title="Responses in each region",
        bars="organisations the alert reached, split by where their responses stand",
        key="responses",
    )
