"""A security key made in software, for tests that register one or sign in with one as a
browser would: genuine WebAuthn "none" attestations and signed assertions, built with fido2
(allauth's own WebAuthn library) and a P-256 key pair."""

import json
import os
import re

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import sha256, websafe_decode, websafe_encode
from fido2.webauthn import (
    Aaguid,
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorData,
    CollectedClientData,
)

JS_DATA = re.compile(r'<script id="js_data" type="application/json">(.*?)</script>', re.S)


def js_data(page) -> dict | None:
    """The WebAuthn options a page hands its script (allauth's ``js_data``), or None."""
    found = JS_DATA.search(page.content.decode()) if page.status_code == 200 else None
    return json.loads(found.group(1)) if found else None


def challenge_of(options: dict | None) -> bytes:
    """The challenge of a page's creation or request options; a made-up one without a page."""
    if not options:
        return os.urandom(32)
    inner = options.get("creation_options") or options.get("request_options")
    return websafe_decode(inner["publicKey"]["challenge"])


class SoftwareKey:
    """One key pair and credential, answering for ``rp_id`` from ``origin``."""

    def __init__(self, rp_id="testserver", origin=None):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.rp_id = rp_id
        self.origin = origin or f"http://{rp_id}"
        self.counter = 0

    def _client_data(self, kind, challenge: bytes) -> CollectedClientData:
        return CollectedClientData.create(type=kind, challenge=challenge, origin=self.origin)

    def registration(self, challenge: bytes | None = None) -> dict:
        """What a browser sends when this key is registered against ``challenge``."""
        credential = AttestedCredentialData.create(
            Aaguid.NONE,
            self.credential_id,
            ES256.from_cryptography_key(self.private_key.public_key()),
        )
        flags = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.AT
        authenticator = AuthenticatorData.create(
            sha256(self.rp_id.encode()), flags, self.counter, credential
        )
        client = self._client_data(CollectedClientData.TYPE.CREATE, challenge or os.urandom(32))
        attestation = AttestationObject.create("none", authenticator, {})
        return self._credential(client, attestationObject=websafe_encode(bytes(attestation)))

    def assertion(self, challenge: bytes) -> dict:
        """What a browser sends when this key is used to answer ``challenge``: the
        authenticator data and the client data, signed with the key."""
        self.counter += 1
        flags = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.UV
        authenticator = AuthenticatorData.create(sha256(self.rp_id.encode()), flags, self.counter)
        client = self._client_data(CollectedClientData.TYPE.GET, challenge)
        signature = self.private_key.sign(
            bytes(authenticator) + client.hash, ec.ECDSA(hashes.SHA256())
        )
        return self._credential(
            client,
            authenticatorData=websafe_encode(bytes(authenticator)),
            signature=websafe_encode(signature),
            userHandle=None,
        )

    def _credential(self, client: CollectedClientData, **response) -> dict:
        """The credential as the browser's WebAuthn JSON gives it to the page's script."""
        return {
            "type": "public-key",
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "response": {"clientDataJSON": websafe_encode(client), **response},
            "clientExtensionResults": {},
        }


def add_key(user, name="Blue key", key: SoftwareKey | None = None):
    """A security key on record for the person (``key``, or a new software key), recorded
    directly, as if registered earlier."""
    from allauth.mfa.models import Authenticator

    key = key or SoftwareKey()
    return Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": name, "credential": key.registration()},
    )
