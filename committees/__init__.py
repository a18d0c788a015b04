"""Medication safety committees, meetings and assurance reports. Built in a later issue."""
