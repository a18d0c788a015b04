"""Django's password validators, with messages in the NHS.UK style (what to do, not what went
wrong). The rules are Django's own."""

from django.contrib.auth import password_validation as django


class MinimumLengthValidator(django.MinimumLengthValidator):
    def get_error_message(self):
        return f"Password must be {self.min_length} characters or more"


class UserAttributeSimilarityValidator(django.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return "Password must not be like your name or email address"


class CommonPasswordValidator(django.CommonPasswordValidator):
    def get_error_message(self):
        return "Password is too common. Choose one that is harder to guess"


class NumericPasswordValidator(django.NumericPasswordValidator):
    def get_error_message(self):
        return "Password must include letters or symbols, not only numbers"
