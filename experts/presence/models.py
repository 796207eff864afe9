"""Presence: available, away or offline."""


from django.db import models
from django.db.models import Q

from experts.profiles.models import ExpertProfile


class PresenceStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    AWAY = "away", "Away"
    OFFLINE = "offline", "Offline"


class ExpertPresence(models.Model):
    """Kept by the websocket heartbeat. `chosen_status` is what the expert set by hand
    (available or away); `status` is what routing sees."""

    expert = models.OneToOneField(ExpertProfile, on_delete=models.CASCADE,
                                  related_name="presence")
    status = models.CharField(max_length=16, choices=PresenceStatus.choices,
                              default=PresenceStatus.OFFLINE)
    chosen_status = models.CharField(max_length=16, choices=PresenceStatus.choices,
                                     default=PresenceStatus.AVAILABLE)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "expert presence"
        constraints = [
            models.CheckConstraint(condition=~Q(chosen_status="offline"),
                                   name="presence_chosen_is_available_or_away"),
        ]
        indexes = [
            models.Index(fields=["last_heartbeat_at"], condition=~Q(status="offline"),
                         name="presence_online_heartbeat"),
        ]

    def __str__(self) -> str:
        return f"{self.expert} is {self.status}"
