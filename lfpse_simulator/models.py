from django.db import models


class Record(models.Model):
    """An AdverseEvent the simulator accepted: its own id and reference number, the submitting
    system's identifier (one record per identifier: a second create of it is the same record),
    and the resource as last sent."""

    record_id = models.CharField(max_length=40, unique=True)
    reference = models.CharField(max_length=40, unique=True, blank=True)
    identifier_system = models.CharField(max_length=300)
    identifier_value = models.CharField(max_length=100)
    resource = models.JSONField()
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["identifier_system", "identifier_value"], name="lfpse_record_identifier"
            )
        ]

    def __str__(self):
        return f"{self.reference} ({self.identifier_value})"
