"""API tokens: how another system (Power BI, a data warehouse) reads the data API.

A token is a random key shown once to the person who made it; only its SHA-256
digest and a short prefix (to find it, and for people to tell tokens apart)
are stored, so a copy of the database gives no working key (decision 0026).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

# The default life of a token and the longest anyone may ask for (decision 0026).
DEFAULT_LIFETIME = datetime.timedelta(days=90)
LONGEST_LIFETIME = datetime.timedelta(days=365)
# Characters of the key kept in the clear: enough to find the token, far too few to guess it.
PREFIX_LENGTH = 8
# How often a token's last use is written (at most once a minute: a fixed query count).
LAST_USED_EVERY = datetime.timedelta(minutes=1)


class ApiTokenQuerySet(models.QuerySet):
    def live_on(self, moment: datetime.datetime):
        """Tokens that work at `moment`: not revoked and not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=moment)


class ApiToken(models.Model):
    """A named key that reads the data API with its owner's access, until it expires or is revoked."""

    name = models.CharField(
        max_length=100, help_text="What the token is for, e.g. 'Power BI: locality returns'."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True)
    # SHA-256 of the whole key, hex; never the key itself.
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["last_used_at"])
    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_created",
                violation_error_message="A token must expire after it is made.",
            ),
        ]

    def __str__(self):
        return f"{self.name} (lc_{self.prefix}…, {self.owner})"

    def clean(self):
        too_long = LONGEST_LIFETIME + datetime.timedelta(seconds=1)
        if self.expires_at and self.created_at and self.expires_at - self.created_at > too_long:
            raise ValidationError({"expires_at": "A token may last a year at most."})

    def state(self, moment: datetime.datetime) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        return "Active" if self.expires_at > moment else "Expired"
