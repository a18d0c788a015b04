"""An authenticator app's current code, for tests that sign in with one."""

import time

import pyotp


def current_code(secret):
    """The code for `secret`, read with at least 5 seconds of its 30-second step left, so it is
    still the code when the form arrives (the portal accepts no step either side of now)."""
    totp = pyotp.TOTP(secret)
    left = totp.interval - time.time() % totp.interval
    if left < 5:
        time.sleep(left + 0.1)
    return totp.now()


def next_code(secret, *, after):
    """The first code for `secret` that is not `after`: waits for the app's next step."""
    while (code := current_code(secret)) == after:
        totp = pyotp.TOTP(secret)
        time.sleep(totp.interval - time.time() % totp.interval + 0.1)
    return code
