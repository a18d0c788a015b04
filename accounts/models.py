from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # Emails are stored in lower case (a database check), so an exact match uses the
        # unique index.
        return self.get(email=self.normalize_email(email).lower())

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Keyed by email address; there is no username."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "site administrator",
        default=False,
        help_text=(
            "Runs the service: manages organisations, people and the administration site. "
            "Does not give access to incident details."
        ),
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        # Lists of people by name (an organisation's members) read it in order and stop.
        indexes = [models.Index(fields=["full_name", "id"], name="user_by_name")]
        constraints = [
            models.CheckConstraint(
                condition=Q(email=Lower("email")),
                name="user_email_lower_case",
                violation_error_message="Email addresses are stored in lower case.",
            )
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_site_admin(self) -> bool:
        """Runs the service: organisations, people and the admin (GlobalRole.SITE_ADMIN)."""
        return self.is_active and self.is_staff


# An MSO's professional registration ------------------------------------------------------


class Profession(models.TextChoices):
    PHARMACIST = "pharmacist", "Pharmacist"
    PHARMACY_TECHNICIAN = "pharmacy-technician", "Pharmacy technician"
    DOCTOR = "doctor", "Doctor"
    NURSE = "nurse", "Nurse"
    MIDWIFE = "midwife", "Midwife"
    ALLIED_HEALTH = "allied-health", "Allied health professional"


class Regulator(models.TextChoices):
    GPHC = "gphc", "General Pharmaceutical Council (GPhC)"
    GMC = "gmc", "General Medical Council (GMC)"
    NMC = "nmc", "Nursing and Midwifery Council (NMC)"
    HCPC = "hcpc", "Health and Care Professions Council (HCPC)"

    @property
    def short(self) -> str:
        return self.label[self.label.index("(") + 1 : -1]


# Who registers each profession in the UK.
REGULATOR_OF = {
    Profession.PHARMACIST: Regulator.GPHC,
    Profession.PHARMACY_TECHNICIAN: Regulator.GPHC,
    Profession.DOCTOR: Regulator.GMC,
    Profession.NURSE: Regulator.NMC,
    Profession.MIDWIFE: Regulator.NMC,
    Profession.ALLIED_HEALTH: Regulator.HCPC,
}


class PharmacyTeam(models.TextChoices):
    INSIDE = "inside", "Inside the pharmacy team"
    OUTSIDE = "outside", "Outside the pharmacy team"


class ProfessionalRegistration(models.Model):
    """The person's profession and their registration with its regulator (an MSO is a
    registered healthcare professional), and where they work. Network leads see it on the
    register; nobody else sees the registration number."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="registration")
    profession = models.CharField(max_length=32, choices=Profession.choices)
    regulator = models.CharField(max_length=8, choices=Regulator.choices)
    number = models.CharField("registration number", max_length=12)
    pharmacy_team = models.CharField(
        "works inside or outside the pharmacy team", max_length=8, choices=PharmacyTeam.choices
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["regulator", "number"], name="one_person_a_registration"
            )
        ]

    def __str__(self):
        return f"{Regulator(self.regulator).short} {self.number}"

    def clean(self):
        from .validators import registration_number_errors

        super().clean()
        if self.profession and self.regulator:
            expected = REGULATOR_OF[Profession(self.profession)]
            if self.regulator != expected:
                raise ValidationError(
                    {
                        "regulator": f"{Profession(self.profession).label}s register with the "
                        f"{expected.label}"
                    },
                    code="wrong_regulator",
                )
        if self.regulator and self.number:
            self.number = normalise_registration_number(self.number)
            message = registration_number_errors(Regulator(self.regulator), self.number)
            if message:
                raise ValidationError({"number": message}, code="invalid_number")


def normalise_registration_number(number: str) -> str:
    return "".join(number.split()).upper()


class Training(models.Model):
    """A course or development the person has done as an MSO: the national MSO induction,
    the patient safety syllabus, a medication safety course."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="training")
    title = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, blank=True)
    completed_on = models.DateField("date completed")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on", "-pk"]
        indexes = [models.Index(fields=["user", "-completed_on"], name="training_latest")]

    def __str__(self):
        return self.title


class SyllabusLevel(models.TextChoices):
    """The levels of the National Patient Safety Syllabus (NHS England, Health Education
    England and the Academy of Medical Royal Colleges): levels 1 and 2 for all staff and for
    boards, levels 3 to 5 for Patient Safety Specialists and those who become expert."""

    ESSENTIALS = "1", "Level 1: Essentials of patient safety"
    BOARDS = "1-boards", "Level 1: Essentials of patient safety for boards and senior leaders"
    ACCESS = "2", "Level 2: Access to practice"
    LEVEL_3 = "3", "Level 3: Patient safety specialist training"
    LEVEL_4 = "4", "Level 4: Patient safety specialist training, advanced"
    LEVEL_5 = "5", "Level 5: Expert patient safety practice"


class SyllabusTraining(models.Model):
    """A level of the national patient safety syllabus the person has completed, and when:
    shown against each Patient Safety Specialist on their register."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="syllabus")
    level = models.CharField(max_length=16, choices=SyllabusLevel.choices)
    completed_on = models.DateField("date completed")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["level"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "level"],
                name="syllabus_level_once",
                violation_error_message="You have recorded this level already",
            )
        ]

    def __str__(self):
        return self.get_level_display()
