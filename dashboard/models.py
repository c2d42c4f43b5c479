"""Read models: figures the dashboards would otherwise recompute from every row on each page.

They hold nothing of their own. Each is derived from programme data, kept up to
date by the signals in the module that owns it, and can be rebuilt from scratch
at any time, so they keep no history and are not edited in Django admin.
"""

from django.db import models

from localities.models import OutcomeMeasure, Quarter, QuarterlyUpdate


class OutcomeTotal(models.Model):
    """The sum of one outcome measure's figures in one quarter, over the updates in one status.

    Derived from OutcomeFigure by dashboard.outcome_totals, in the same
    transaction as the write it follows. The outcomes page and the board pack
    add these up for "Kent and Medway" instead of summing every approved
    figure (100,000 at factor 100) on each request.
    """

    measure = models.ForeignKey(OutcomeMeasure, on_delete=models.CASCADE, related_name="+")
    quarter = models.ForeignKey(Quarter, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=QuarterlyUpdate.Status.choices)
    total = models.DecimalField(max_digits=20, decimal_places=1)
    figures = models.PositiveIntegerField(help_text="Figures summed: one per reporting locality.")
    illustrative_figures = models.PositiveIntegerField(
        help_text="How many of them come from updates marked illustrative."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quarter", "status", "measure"], name="outcome_total_one_per_key"
            )
        ]

    def __str__(self):
        return f"{self.measure_id} in {self.quarter_id} ({self.status}): {self.total}"
