"""The CSC v2 test service over raw HTTP (requests): OAuth2, credentials, authorization with PIN and OTP,
signHash in every scheme, SAD and multisign limits, and each switch that injects an error a backend must map."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from pki.csc import (
    CLIENT_ID,
    CLIENT_SECRET,
    METHODS,
    PIN,
    SHA1,
    SHA256,
    SHA384,
    SHA512,
    USERS,
    CSCService,
    serve_csc_in_subprocess,
)

RSA_ENC, RSA_PSS, SHA256_RSA = "1.2.840.113549.1.1.1", "1.2.840.113549.1.1.10", "1.2.840.113549.1.1.11"
EC_KEY, ECDSA_SHA256 = "1.2.840.10045.2.1", "1.2.840.10045.4.3.2"


class Client:
    """A plain CSC v2 client over ``requests`` (one kept-alive session)."""

    def __init__(self, service: Any, verify: Any = True) -> None:
        self.service, self.http, self.verify = service, requests.Session(), verify
        self.token: str | None = None

    def login(self, user: str | None = None) -> dict[str, Any]:
        form = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
        if user is not None:
            form.update(grant_type="password", username=user, password=USERS[user])
        answer = self.http.post(self.service.root + "/oauth2/token", data=form, timeout=30, verify=self.verify)
        assert answer.status_code == 200, answer.text
        grant: dict[str, Any] = answer.json()
        self.token = grant["access_token"]
        return grant

    def call(self, method: str, body: dict[str, Any] | None = None, token: str | None = None) -> requests.Response:
        headers = {}
        if token or self.token:
            headers["Authorization"] = f"Bearer {token or self.token}"
        return self.http.post(f"{self.service.url}/{method}", json=body or {}, headers=headers, timeout=30,
                              verify=self.verify)  # per request: REQUESTS_CA_BUNDLE would override the session's

    def ok(self, method: str, body: dict[str, Any] | None = None) -> Any:
        answer = self.call(method, body)
        assert answer.status_code in (200, 204), answer.text
        return answer.json() if answer.status_code == 200 else None

    def authorize(self, credential: str, count: int = 1, **extra: Any) -> str:
        self.ok("credentials/sendOTP", {"credentialID": credential})
        body = {"credentialID": credential, "numSignatures": count, **extra,
                "authData": [{"id": "PIN", "value": PIN}, {"id": "OTP", "value": self.service.last_otp(credential)}]}
        return str(self.ok("credentials/authorize", body)["SAD"])

    def sign(self, credential: str, sad: str, digests: list[bytes], sign_algo: str = SHA256_RSA,
             **extra: Any) -> requests.Response:
        return self.call("signatures/signHash", {"credentialID": credential, "SAD": sad, "signAlgo": sign_algo,
                                                 "hashes": [base64.b64encode(d).decode() for d in digests], **extra})


def expect(answer: requests.Response, status: int, error: str, description: str | None = None) -> None:
    assert answer.status_code == status, (answer.status_code, answer.text)
    body = answer.json()
    assert body["error"] == error, body
    if description is not None:
        assert body["error_description"] == description, body


def digest(text: str = "x", algorithm: str = "sha256") -> bytes:
    return hashlib.new(algorithm, text.encode()).digest()


@pytest.fixture
def client(csc: CSCService) -> Iterator[Client]:
    c = Client(csc)
    c.login()
    yield c
    c.http.close()


# -- info and authentication ---------------------------------------------------------------------------------
def test_info_needs_no_token_and_describes_the_service(csc: CSCService) -> None:
    answer = requests.post(csc.url + "/info", json={}, timeout=30)
    assert answer.status_code == 200
    info = answer.json()
    assert info["specs"] == "2.0.0.2" and info["region"] == "VN" and info["oauth2"] == csc.root + "/"
    assert set(info["methods"]) == set(METHODS) and {"basic", "oauth2client"} <= set(info["authType"])
    assert {SHA256_RSA, RSA_PSS, ECDSA_SHA256} <= set(info["signAlgorithms"]["algos"])
    assert csc.counts() == {"info": 1}


def test_client_credentials_by_form_or_basic(csc: CSCService) -> None:
    token = csc.root + "/oauth2/token"
    grant = requests.post(token, data={"grant_type": "client_credentials", "client_id": CLIENT_ID,
                                       "client_secret": CLIENT_SECRET}, timeout=30).json()
    assert grant["token_type"] == "Bearer" and grant["expires_in"] == csc.token_lifetime
    assert "refresh_token" not in grant  # RFC 6749 §4.4.3
    basic = requests.post(token, data={"grant_type": "client_credentials"}, auth=(CLIENT_ID, CLIENT_SECRET),
                          timeout=30)
    assert basic.status_code == 200 and basic.json()["access_token"] != grant["access_token"]
    expect(requests.post(token, data={"grant_type": "client_credentials", "client_id": CLIENT_ID,
                                      "client_secret": "wrong"}, timeout=30),
           400, "invalid_request", "Invalid parameter client_secret")
    expect(requests.post(token, data={"grant_type": "client_credentials", "client_id": "someone",
                                      "client_secret": CLIENT_SECRET}, timeout=30),
           400, "invalid_request", "Invalid parameter client_id")
    expect(requests.post(token, data={"client_id": CLIENT_ID}, timeout=30),
           400, "invalid_request", "Missing parameter grant_type")
    expect(requests.post(token, data={"grant_type": "authorization_code", "client_id": CLIENT_ID,
                                      "client_secret": CLIENT_SECRET}, timeout=30),
           400, "invalid_request", "Invalid parameter grant_type")


def test_password_grant_gives_a_refresh_token(csc: CSCService) -> None:
    client = Client(csc)
    grant = client.login("an")
    assert client.ok("credentials/list")["credentialIDs"] == ["person-rsa"]
    renewed = requests.post(csc.root + "/oauth2/token", timeout=30, data={
        "grant_type": "refresh_token", "refresh_token": grant["refresh_token"], "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET}).json()
    assert renewed["access_token"] != grant["access_token"]
    assert client.call("credentials/list", token=renewed["access_token"]).json()["credentialIDs"] == ["person-rsa"]
    expect(requests.post(csc.root + "/oauth2/token", timeout=30, data={
        "grant_type": "password", "username": "an", "password": "wrong", "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET}), 400, "invalid_grant")
    expect(requests.post(csc.root + "/oauth2/token", timeout=30, data={
        "grant_type": "refresh_token", "refresh_token": "made-up", "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET}), 400, "invalid_grant", "Invalid parameter refresh_token")


def test_auth_login_with_basic_and_remember_me(csc: CSCService) -> None:
    login = csc.url + "/auth/login"
    grant = requests.post(login, json={"rememberMe": True}, auth=(b"binh", USERS["binh"].encode()), timeout=30).json()
    assert {"access_token", "refresh_token", "expires_in"} <= set(grant)
    again = requests.post(login, json={"refresh_token": grant["refresh_token"]}, timeout=30).json()
    client = Client(csc)
    assert client.call("credentials/list", token=again["access_token"]).json()["credentialIDs"] == ["person-ec"]
    expect(requests.post(login, json={}, auth=(b"binh", b"wrong"), timeout=30), 400, "authentication_error")
    expect(requests.post(login, json={}, timeout=30), 401, "invalid_request")


def test_bearer_token_errors(csc: CSCService) -> None:
    client = Client(csc)
    missing = client.call("credentials/list")
    expect(missing, 401, "invalid_request")
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    malformed = client.http.post(csc.url + "/credentials/list", json={}, headers={"Authorization": "Basic eA=="},
                                 timeout=30)
    expect(malformed, 400, "invalid_request", "Malformed authorization header")
    expect(client.call("credentials/list", token="made-up"), 401, "invalid_token")


@pytest.mark.parametrize("how", ["switch", "clock"])
def test_access_token_expires_and_is_renewed(csc: CSCService, how: str) -> None:
    client = Client(csc)
    grant = client.login("thuannam")
    assert client.call("credentials/list").status_code == 200
    if how == "switch":
        csc.expire_tokens()
    else:
        csc.advance(csc.token_lifetime)
    expired = client.call("credentials/list")
    expect(expired, 401, "expired_token", "The access token is expired")
    assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]
    renewed = requests.post(csc.root + "/oauth2/token", auth=(CLIENT_ID, CLIENT_SECRET), timeout=30, data={
        "grant_type": "refresh_token", "refresh_token": grant["refresh_token"]}).json()
    assert client.call("credentials/list", token=renewed["access_token"]).status_code == 200


def test_revoked_token_is_refused(client: Client) -> None:
    assert client.call("auth/revoke", {"token": client.token}).status_code == 204
    expect(client.call("credentials/list"), 401, "invalid_token")


# -- credentials ---------------------------------------------------------------------------------------------
def test_credentials_list_per_user_and_for_the_client(csc: CSCService, client: Client) -> None:
    assert client.ok("credentials/list")["credentialIDs"] == ["person-rsa", "person-ec", "agency-rsa", "agency-ec"]
    assert client.ok("credentials/list", {"userID": "thuannam"})["credentialIDs"] == ["agency-rsa", "agency-ec"]
    expect(client.call("credentials/list", {"userID": "nobody"}), 400, "invalid_request", "Invalid parameter userID")
    user = Client(csc)
    user.login("binh")
    expect(user.call("credentials/list", {"userID": "an"}), 400, "invalid_request", "userID parameter MUST be null")
    listed = user.ok("credentials/list", {"credentialInfo": True, "certificates": "chain", "authInfo": True})
    assert [i["credentialID"] for i in listed["credentialInfos"]] == ["person-ec"]
    assert len(listed["credentialInfos"][0]["cert"]["certificates"]) == 3
    csc.set_credential("agency-ec", disabled=True)
    only_valid = client.ok("credentials/list", {"userID": "thuannam", "onlyValid": True})
    assert only_valid == {"credentialIDs": ["agency-rsa"], "onlyValid": True}


@pytest.mark.parametrize("label", ["person-rsa", "person-ec", "agency-rsa", "agency-ec"])
def test_credentials_info_gives_the_chain_and_the_authorization_mode(pki: Any, client: Client, label: str) -> None:
    info = client.ok("credentials/info", {"credentialID": label, "certificates": "chain", "certInfo": True,
                                          "authInfo": True})
    chain = [base64.b64decode(c) for c in info["cert"]["certificates"]]
    assert chain == [pki.cert(label).dump(), *(c.dump() for c in pki.chain(label))]
    cert = pki.cert_crypto(label)
    assert info["cert"]["subjectDN"] == cert.subject.rfc4514_string()
    assert info["cert"]["serialNumber"] == format(cert.serial_number, "X")
    assert info["cert"]["validTo"] == cert.not_valid_after_utc.strftime("%Y%m%d%H%M%SZ")
    assert info["cert"]["status"] == "valid" and info["key"]["status"] == "enabled"
    if label.endswith("-ec"):
        assert info["key"] == {"status": "enabled", "len": 256, "curve": "1.2.840.10045.3.1.7",
                               "algo": [EC_KEY, ECDSA_SHA256, "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4"]}
    else:
        assert info["key"]["len"] == 2048 and {RSA_ENC, SHA256_RSA, RSA_PSS} <= set(info["key"]["algo"])
    assert info["auth"]["mode"] == "explicit" and info["auth"]["expression"] == "PIN AND OTP"
    assert [(o["type"], o["id"]) for o in info["auth"]["objects"]] == [("Password", "PIN"), ("Password", "OTP")]
    assert info["multisign"] == 500 and info["SCAL"] == "1"
    single = client.ok("credentials/info", {"credentialID": label})
    assert len(single["cert"]["certificates"]) == 1 and "subjectDN" not in single["cert"]
    assert "certificates" not in client.ok("credentials/info", {"credentialID": label, "certificates": "none"})["cert"]
    expect(client.call("credentials/info", {"credentialID": label, "certificates": "all"}),
           400, "invalid_request", "Invalid parameter certificates")


def test_unknown_and_foreign_credentials_are_not_found(csc: CSCService, client: Client) -> None:
    expect(client.call("credentials/info", {"credentialID": "no-such"}),
           400, "invalid_request", "Invalid parameter credentialID")
    expect(client.call("credentials/authorize", {"credentialID": "no-such", "numSignatures": 1}),
           400, "invalid_request", "Invalid parameter credentialID")
    expect(client.call("credentials/info", {}),
           400, "invalid_request", "Missing (or invalid type) string parameter credentialID")
    an = Client(csc)
    an.login("an")
    expect(an.call("credentials/info", {"credentialID": "person-ec"}),  # Bình's: answered like an unknown one
           400, "invalid_request", "Invalid parameter credentialID")


# -- authorization -------------------------------------------------------------------------------------------
def _authorize(client: Client, credential: str, otp: str | None, pin: str = PIN, count: int = 1) -> requests.Response:
    auth = [{"id": "PIN", "value": pin}] + ([{"id": "OTP", "value": otp}] if otp is not None else [])
    return client.call("credentials/authorize", {"credentialID": credential, "numSignatures": count,
                                                 "authData": auth})


def test_authorization_checks_pin_and_otp(csc: CSCService, client: Client) -> None:
    expect(_authorize(client, "person-rsa", "000000"), 400, "invalid_otp", "The OTP is invalid")  # none sent yet
    client.ok("credentials/sendOTP", {"credentialID": "person-rsa"})
    otp = csc.last_otp("person-rsa")
    assert otp is not None and len(otp) == 6 and otp.isdigit()
    wrong = f"{(int(otp) + 1) % 10**6:06d}"
    expect(_authorize(client, "person-rsa", otp, pin="000000"), 400, "invalid_pin", "The PIN is invalid")
    expect(_authorize(client, "person-rsa", wrong), 400, "invalid_otp", "The OTP is invalid")
    expect(_authorize(client, "person-rsa", None), 400, "invalid_request", "Missing authentication object OTP")
    good = _authorize(client, "person-rsa", otp)
    assert good.status_code == 200 and good.json()["expiresIn"] == csc.sad_lifetime
    expect(_authorize(client, "person-rsa", otp), 400, "invalid_otp", "The OTP is invalid")  # used once


@pytest.mark.parametrize("how", ["switch", "clock"])
def test_an_expired_otp_is_refused(csc: CSCService, client: Client, how: str) -> None:
    client.ok("credentials/sendOTP", {"credentialID": "agency-rsa"})
    otp = csc.last_otp("agency-rsa")
    if how == "switch":
        csc.expire_otps()
    else:
        csc.advance(csc.otp_lifetime + 1)
    expect(_authorize(client, "agency-rsa", otp), 400, "invalid_otp", "The OTP is expired")


def test_a_pin_only_credential_needs_no_otp(csc: CSCService, client: Client) -> None:
    csc.set_credential("agency-ec", otp=False)
    info = client.ok("credentials/info", {"credentialID": "agency-ec", "authInfo": True})
    assert info["auth"]["expression"] == "PIN" and len(info["auth"]["objects"]) == 1
    assert _authorize(client, "agency-ec", None).status_code == 200
    expect(client.call("credentials/sendOTP", {"credentialID": "agency-ec"}), 400, "invalid_request")


def test_multisign_limits_one_authorization(csc: CSCService, client: Client) -> None:
    csc.set_credential("agency-rsa", multisign=3)
    assert client.ok("credentials/info", {"credentialID": "agency-rsa"})["multisign"] == 3
    client.ok("credentials/sendOTP", {"credentialID": "agency-rsa"})
    otp = csc.last_otp("agency-rsa")
    expect(_authorize(client, "agency-rsa", otp, count=4), 400, "invalid_request", "Numbers of signatures is too high")
    expect(_authorize(client, "agency-rsa", otp, count=0), 400, "invalid_request",
           "Invalid value for parameter numSignatures")
    assert _authorize(client, "agency-rsa", otp, count=3).status_code == 200


def test_a_disabled_credential_cannot_be_authorized_or_used(csc: CSCService, client: Client) -> None:
    sad = client.authorize("person-rsa", 2)
    csc.set_credential("person-rsa", disabled=True)
    assert client.ok("credentials/info", {"credentialID": "person-rsa"})["key"]["status"] == "disabled"
    disabled = "The credential identified by credentialID is disabled"
    expect(client.call("credentials/authorize", {"credentialID": "person-rsa", "numSignatures": 1}),
           400, "invalid_request", disabled)
    expect(client.sign("person-rsa", sad, [digest()]), 400, "invalid_request", disabled)
    csc.set_credential("person-rsa", disabled=False)
    assert client.sign("person-rsa", sad, [digest()]).status_code == 200


# -- signHash ------------------------------------------------------------------------------------------------
def _pss_params(salt: int = 32) -> str:
    from asn1crypto import algos

    sha = {"algorithm": "sha256"}
    params = algos.RSASSAPSSParams({"hash_algorithm": sha, "salt_length": salt, "mask_gen_algorithm": {
        "algorithm": "mgf1", "parameters": sha}})
    return base64.b64encode(params.dump()).decode()


SCHEMES = [
    ("person-rsa", SHA256_RSA, None, "sha256", None),
    ("agency-rsa", RSA_ENC, SHA384, "sha384", None),
    ("person-rsa", "1.2.840.113549.1.1.13", None, "sha512", None),
    ("agency-rsa", RSA_PSS, None, "sha256", _pss_params()),
    ("person-ec", ECDSA_SHA256, None, "sha256", None),
    ("agency-ec", EC_KEY, SHA512, "sha512", None),
]


@pytest.mark.parametrize(("label", "sign_algo", "hash_oid", "hash_name", "params"), SCHEMES,
                         ids=["sha256WithRSA", "rsaEncryption+sha384", "sha512WithRSA", "rsassa-pss", "ecdsa-sha256",
                              "ecPublicKey+sha512"])
def test_sign_hash_in_every_scheme(pki: Any, client: Client, label: str, sign_algo: str, hash_oid: str | None,
                                   hash_name: str, params: str | None) -> None:
    digests = [digest(str(i), hash_name) for i in range(3)]
    sad = client.authorize(label, len(digests))
    extra = {k: v for k, v in (("hashAlgorithmOID", hash_oid), ("signAlgoParams", params)) if v is not None}
    answer = client.sign(label, sad, digests, sign_algo, **extra)
    assert answer.status_code == 200, answer.text
    signatures = [base64.b64decode(s) for s in answer.json()["signatures"]]
    assert len(signatures) == 3
    public: Any = pki.cert_crypto(label).public_key()
    algorithm = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[hash_name]
    for sig, value in zip(signatures, digests, strict=True):
        if isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(sig, value, ec.ECDSA(Prehashed(algorithm)))
        elif params is not None:
            public.verify(sig, value, padding.PSS(padding.MGF1(hashes.SHA256()), 32), Prehashed(algorithm))
        else:
            public.verify(sig, value, padding.PKCS1v15(), Prehashed(algorithm))
    with pytest.raises(InvalidSignature):  # the check above can fail: a signature over another digest does not pass
        if isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signatures[0], digests[1], ec.ECDSA(Prehashed(algorithm)))
        elif params is not None:
            public.verify(signatures[0], digests[1], padding.PSS(padding.MGF1(hashes.SHA256()), 32),
                          Prehashed(algorithm))
        else:
            public.verify(signatures[0], digests[1], padding.PKCS1v15(), Prehashed(algorithm))


def test_a_sad_covers_as_many_hashes_as_authorized(csc: CSCService, client: Client) -> None:
    sad = client.authorize("agency-ec", 3)
    assert client.sign("agency-ec", sad, [digest("a"), digest("b")], ECDSA_SHA256).status_code == 200
    expect(client.sign("agency-ec", sad, [digest("c"), digest("d")], ECDSA_SHA256),
           400, "invalid_request", "Numbers of signatures is too high")
    assert client.sign("agency-ec", sad, [digest("c")], ECDSA_SHA256).status_code == 200
    expect(client.sign("agency-ec", sad, [digest("e")], ECDSA_SHA256), 400, "invalid_request", "Invalid parameter SAD")
    assert csc.counts()["signatures/signHash"] == 4 and csc.counts()["credentials/authorize"] == 1


@pytest.mark.parametrize("how", ["switch", "clock"])
def test_an_expired_sad_is_refused_and_a_transaction_can_be_extended(csc: CSCService, client: Client,
                                                                    how: str) -> None:
    sad = client.authorize("person-rsa", 2)
    extended = client.ok("credentials/extendTransaction", {"credentialID": "person-rsa", "SAD": sad})["SAD"]
    expect(client.sign("person-rsa", sad, [digest()]), 400, "invalid_request", "Invalid parameter SAD")  # replaced
    if how == "switch":
        csc.expire_sads()
    else:
        csc.advance(csc.sad_lifetime)
    expect(client.sign("person-rsa", extended, [digest()]), 400, "invalid_request", "SAD expired")
    expect(client.call("credentials/extendTransaction", {"credentialID": "person-rsa", "SAD": extended}),
           400, "invalid_request", "SAD expired")


def test_a_sad_belongs_to_its_credential(client: Client) -> None:
    sad = client.authorize("person-rsa")
    expect(client.sign("agency-rsa", sad, [digest()]), 400, "invalid_request", "Invalid parameter SAD")
    assert client.sign("person-rsa", sad, [digest()]).status_code == 200


def test_scal2_binds_the_sad_to_the_authorized_hashes(csc: CSCService, client: Client) -> None:
    csc.set_credential("person-ec", scal="2")
    client.ok("credentials/sendOTP", {"credentialID": "person-ec"})
    auth = [{"id": "PIN", "value": PIN}, {"id": "OTP", "value": csc.last_otp("person-ec")}]
    expect(client.call("credentials/authorize", {"credentialID": "person-ec", "numSignatures": 2, "authData": auth}),
           400, "invalid_request", "Missing (or invalid type) array parameter hashes")
    one, two = digest("one"), digest("two")
    bound = [base64.urlsafe_b64encode(one).decode().rstrip("="), base64.b64encode(two).decode()]  # base64url too
    sad = client.ok("credentials/authorize", {"credentialID": "person-ec", "numSignatures": 2, "hashes": bound,
                                              "hashAlgorithmOID": SHA256, "authData": auth})["SAD"]
    expect(client.sign("person-ec", sad, [digest("three")], ECDSA_SHA256),
           400, "invalid_request", "Hash is not authorized by the SAD")
    assert client.sign("person-ec", sad, [one], ECDSA_SHA256).status_code == 200
    expect(client.sign("person-ec", sad, [one], ECDSA_SHA256), 400, "invalid_request",
           "Hash is not authorized by the SAD")  # each authorized hash is signed once
    assert client.sign("person-ec", sad, [two], ECDSA_SHA256).status_code == 200


def test_sign_hash_input_errors_do_not_use_up_the_sad(client: Client) -> None:
    sad = client.authorize("person-rsa", 1)
    cases = [
        (client.sign("person-rsa", sad, [b"short"]), "Invalid digest value length"),
        (client.sign("person-rsa", sad, [digest("x", "sha1")], RSA_ENC, hashAlgorithmOID=SHA1),
         "Invalid parameter hashAlgorithmOID"),
        (client.sign("person-rsa", sad, [digest()], RSA_ENC), "Missing (or invalid type) string parameter "
                                                               "hashAlgorithmOID"),
        (client.sign("person-rsa", sad, [digest()], SHA256_RSA, hashAlgorithmOID=SHA384),
         "String parameter hashAlgorithmOID contradicts with signAlgo parameter"),
        (client.sign("person-rsa", sad, [digest()], ECDSA_SHA256), "Invalid parameter signAlgo"),
        (client.sign("person-rsa", sad, [digest()], RSA_PSS), "Missing (or invalid type) string parameter "
                                                               "signAlgoParams"),
        (client.sign("person-rsa", sad, [digest()], RSA_PSS, signAlgoParams="AAAA"),
         "Invalid parameter signAlgoParams"),
        (client.sign("person-rsa", sad, [], SHA256_RSA), "Empty hash array"),
        (client.call("signatures/signHash", {"credentialID": "person-rsa", "SAD": sad, "signAlgo": SHA256_RSA,
                                             "hashes": ["not base64!"]}), "Invalid Base64 hash string parameter"),
        (client.call("signatures/signHash", {"credentialID": "person-rsa", "signAlgo": SHA256_RSA,
                                             "hashes": []}), "Missing (or invalid type) string parameter SAD"),
        (client.sign("person-rsa", sad, [digest()], operationMode="A"), "Invalid parameter operationMode"),
    ]
    for answer, description in cases:
        expect(answer, 400, "invalid_request", description)
    assert client.sign("person-rsa", sad, [digest()]).status_code == 200


# -- switches ------------------------------------------------------------------------------------------------
def test_fail_next_answers_with_the_injected_error(csc: CSCService, client: Client) -> None:
    csc.fail_next("signatures/signHash", times=2)
    sad = client.authorize("person-rsa", 1)
    for _ in range(2):
        expect(client.sign("person-rsa", sad, [digest()]), 503, "temporarily_unavailable")
    assert client.sign("person-rsa", sad, [digest()]).status_code == 200
    csc.fail_next("oauth2/token", 500, "server_error", "Boom")
    with pytest.raises(AssertionError, match="server_error"):
        client.login()


def test_a_refusing_service_drops_connections_even_kept_alive_ones(csc: CSCService, client: Client) -> None:
    assert client.call("credentials/list").status_code == 200  # the session now holds a kept-alive connection
    csc.refuse()
    with pytest.raises(requests.ConnectionError):
        client.call("credentials/list")
    with pytest.raises(requests.ConnectionError):
        requests.post(csc.url + "/info", json={}, timeout=30)
    assert requests.post(csc.root + "/_test/counts", json={}, timeout=30).status_code == 200  # switches still work
    csc.refuse(False)
    assert client.call("credentials/list").status_code == 200


def test_a_stopped_service_refuses_connections_and_comes_back_on_its_port(csc: CSCService, client: Client) -> None:
    port = csc.port
    assert client.call("credentials/list").status_code == 200
    csc.stop()
    with pytest.raises(requests.ConnectionError):
        client.call("credentials/list")
    with pytest.raises(requests.ConnectionError):
        requests.post(csc.url + "/info", json={}, timeout=30)
    csc.start()
    assert csc.port == port
    assert client.call("credentials/list").status_code == 200  # state (the token) survives a restart


def test_counts_per_endpoint_and_reset(csc: CSCService, client: Client) -> None:
    sad = client.authorize("person-rsa", 2)
    client.sign("person-rsa", sad, [digest()])
    client.sign("person-rsa", sad, [digest()])
    assert csc.counts() == {"oauth2/token": 1, "credentials/sendOTP": 1, "credentials/authorize": 1,
                            "signatures/signHash": 2}
    csc.reset_counts()
    assert csc.counts() == {}


def test_switches_over_http(csc: CSCService, client: Client) -> None:
    control = csc.root + "/_test/"
    client.ok("credentials/sendOTP", {"credentialID": "person-ec"})
    otp = requests.post(control + "last_otp", json={"credential_id": "person-ec"}, timeout=30).json()["result"]
    assert otp == csc.last_otp("person-ec")
    assert requests.post(control + "set_credential", json={"credential_id": "person-ec", "multisign": 7},
                         timeout=30).status_code == 200
    assert csc.credentials["person-ec"].multisign == 7
    assert requests.post(control + "counts", json={}, timeout=30).json()["result"]["credentials/sendOTP"] == 1
    assert requests.post(control + "no_such_switch", json={}, timeout=30).status_code == 404
    assert requests.post(control + "set_credential", json={"credential_id": "person-ec", "key": None},
                         timeout=30).status_code == 400


def test_switches_can_be_off(pki: Any) -> None:
    with CSCService(pki, control=False) as service:
        assert requests.post(service.root + "/_test/counts", json={}, timeout=30).status_code == 404


def test_protocol_errors(csc: CSCService, client: Client) -> None:
    expect(client.call("signatures/signDoc", {}), 501, "not_implemented")
    expect(client.http.get(csc.url + "/info", timeout=30), 405, "invalid_request")
    bad_json = client.http.post(csc.url + "/credentials/list", data=b"{", timeout=30,
                                headers={"Authorization": f"Bearer {client.token}"})
    expect(bad_json, 400, "invalid_request", "The request body is not JSON")
    expect(client.call("credentials/authorize", {"credentialID": "person-rsa", "numSignatures": "2"}),
           400, "invalid_request", "Missing (or invalid type) integer parameter numSignatures")


# -- TLS -------------------------------------------------------------------------------------------------------
def test_https_fails_verification_unless_the_test_ca_is_trusted(csc_https: CSCService, csc_tls: Any) -> None:
    assert csc_https.url.startswith("https://127.0.0.1:")
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(csc_https.url + "/info", json={}, timeout=30)
    trusted = Client(csc_https, verify=str(csc_tls.ca_file))
    trusted.login("an")
    sad = trusted.authorize("person-rsa")
    assert trusted.sign("person-rsa", sad, [digest()]).status_code == 200
    with pytest.raises(requests.ConnectionError):  # plain HTTP to the TLS port
        requests.post(csc_https.url.replace("https://", "http://") + "/info", json={}, timeout=30)


def test_https_for_another_name_fails_hostname_verification(pki: Any, tmp_path: Path) -> None:
    from pki.tls import make_tls

    tls = make_tls(tmp_path, names=("csc.example.invalid",))
    with CSCService(pki, tls=tls) as service, pytest.raises(requests.exceptions.SSLError, match="match"):
        requests.post(service.url + "/info", json={}, verify=str(tls.ca_file), timeout=30)


# -- another process -------------------------------------------------------------------------------------------
def test_the_service_in_a_process_of_its_own(tmp_path: Path) -> None:
    with serve_csc_in_subprocess(tmp_path, https=True) as remote:
        assert remote.url.startswith("https://") and remote.ca_file
        info = requests.post(remote.url + "/info", json={}, verify=remote.ca_file, timeout=30)
        assert info.status_code == 200
        client = Client(remote, verify=remote.ca_file)
        client.login("an")
        client.ok("credentials/sendOTP", {"credentialID": "person-rsa"})
        otp = remote.control("last_otp", credential_id="person-rsa")
        sad = client.ok("credentials/authorize", {"credentialID": "person-rsa", "numSignatures": 1, "authData": [
            {"id": "PIN", "value": PIN}, {"id": "OTP", "value": otp}]})["SAD"]
        value = digest()
        signature = base64.b64decode(client.sign("person-rsa", sad, [value]).json()["signatures"][0])
        # the exported certificate is the one the service signs for, and the PKI's services answer too
        cert = x509.load_pem_x509_certificate((tmp_path / "person-rsa.cert.pem").read_bytes())
        cert.public_key().verify(signature, value, padding.PKCS1v15(), Prehashed(hashes.SHA256()))  # type: ignore
        crl = requests.get(f"{remote.pki_url}/vn-test/crls/public-ca/latest.crl", timeout=30)
        assert crl.status_code == 200 and crl.content[:1] == b"\x30"
        assert remote.control("counts")["signatures/signHash"] == 1
