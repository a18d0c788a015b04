"""The national value lists alerts are described with (shared/reference/README.md):

- **Alert types** as the Central Alerting System (CAS) carries them, with the MHRA's medicines
  recall and notification classes (naming since February 2021): Class 1 to act on at once,
  Class 2 within 48 hours, Class 3 within 5 days, Class 4 a notification (caution in use).
- **National Patient Safety Alert references** ``NatPSA/YYYY/NNN/ISSUER``: one number sequence a
  year whoever issues (NHS England's patient safety team NHSPS, MHRA, DHSC, its Commercial
  Medicines Unit CMU, UKHSA).
"""

import re
from datetime import timedelta

from django.db import models


class Issuer(models.TextChoices):
    NHS_ENGLAND = "nhs-england", "NHS England"
    MHRA = "mhra", "Medicines and Healthcare products Regulatory Agency (MHRA)"
    DHSC = "dhsc", "Department of Health and Social Care (DHSC)"
    CMU = "cmu", "DHSC Commercial Medicines Unit"
    UKHSA = "ukhsa", "UK Health Security Agency (UKHSA)"


class AlertType(models.TextChoices):
    NATPSA = "natpsa", "National Patient Safety Alert"
    # The MHRA issues Class 1 medicines recalls as National Patient Safety Alerts (NatPSA
    # references, its own issuer code), numbered in the NatPSAs' one sequence.
    RECALL_1 = "recall-1", "National Patient Safety Alert: Class 1 Medicines Recall"
    RECALL_2 = "recall-2", "Medicines Recall: Class 2"
    RECALL_3 = "recall-3", "Medicines Recall: Class 3"
    NOTIFICATION_4 = "notification-4", "Medicines Notification: Class 4"
    DEVICE = "device", "Medical Device Alert or Field Safety Notice"
    SUPPLY = "supply", "Supply disruption alert"
    DEAR_DOCTOR = "dear-doctor", "Dear Doctor letter"
    OTHER = "other", "Other"


# The types issued as National Patient Safety Alerts: a NatPSA reference, required actions.
NATPSA_TYPES = frozenset({AlertType.NATPSA, AlertType.RECALL_1})

# A recall's class sets the default deadline of its actions, from the day it is issued:
# Class 1 at once (the same day), Class 2 within 48 hours, Class 3 within 5 days.
RECALL_DEADLINE = {
    AlertType.RECALL_1: timedelta(days=0),
    AlertType.RECALL_2: timedelta(days=2),
    AlertType.RECALL_3: timedelta(days=5),
}

# The issuers a NatPSA reference names, as they appear in it.
NATPSA_ISSUERS = {
    "NHSPS": Issuer.NHS_ENGLAND,
    "MHRA": Issuer.MHRA,
    "DHSC": Issuer.DHSC,
    "CMU": Issuer.CMU,
    "UKHSA": Issuer.UKHSA,
}
NATPSA_REFERENCE = re.compile(r"NatPSA/(?P<year>\d{4})/(?P<number>\d{3})/(?P<issuer>[A-Z]+)")
# An MHRA medicines recall's or notification's own reference: EL (26)A/05.
EL_REFERENCE = re.compile(r"EL ?\(\d{2}\) ?A/\d{1,3}")
# Any other alert's reference, as CAS shows them: MDA/2020/005, EL (26)A/05, CHT/2020/002.
OTHER_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9()/.\- ]{2,59}")


class ResponseState(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    IN_PROGRESS = "in-progress", "In progress"
    COMPLETED = "completed", "Completed"
    NOT_APPLICABLE = "not-applicable", "Not applicable"


OPEN_STATES = (ResponseState.NEW, ResponseState.ACKNOWLEDGED, ResponseState.IN_PROGRESS)


class ActionState(models.TextChoices):
    TO_DO = "to-do", "To do"
    IN_PROGRESS = "in-progress", "In progress"
    DONE = "done", "Done"
    NOT_NEEDED = "not-needed", "Not needed here"
