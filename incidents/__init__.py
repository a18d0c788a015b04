"""Medication incident reporting and learning (LFPSE-aligned). Built in a later issue."""
