"""Medicines as the NHS Dictionary of Medicines and Devices (dm+d) names them: the substances
(VTMs), the generic products (VMPs) with their controlled-drug category, and the branded
products (AMPs), loaded from NHSBSA's dm+d release by ``import_dmd``. Reference data that
incidents and alerts read; it imports no other app."""

from django.apps import AppConfig


class MedicinesConfig(AppConfig):
    name = "medicines"
    verbose_name = "Medicines (dm+d)"
    routes = {"medicines/": "medicines.urls"}
