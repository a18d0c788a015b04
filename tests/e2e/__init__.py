# A package, so browser journeys can share base names with unit tests elsewhere in tests/
# (tests/accounts/test_sign_in.py and tests/e2e/test_sign_in.py): pytest imports these as
# e2e.test_sign_in instead of a clashing top-level test_sign_in.
