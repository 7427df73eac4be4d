"""A local stand-in for Google's token endpoint, the Admin SDK and the Licensing API.

The Google Workspace connector authenticates with a service-account key and domain-wide
delegation, so the token endpoint checks a real google-auth JWT-bearer exchange rather than
accepting any bearer: the assertion's signature (against the key file's public key), the service
account, the impersonated admin and the requested scope, which must be one the tenant delegated.
Each issued token carries only the scopes it was asked for, so an API called with the wrong
token answers 403 as Google does.

The Reports API (token activity), the Directory API (users and their tokens) and the Licensing
API page ``PAGE`` items at a time with ``nextPageToken`` and can answer one 429 on the way
(``throttle``), so paging and retries are exercised on a tiny tenant. Every API request is
logged with its Authorization header so tests can prove which token reached which API. Served
by pytest-httpserver (a development extra: ``pip install -e '.[dev]'``).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import jwt
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

SA_EMAIL = "aicensus-reader@acme-security.iam.gserviceaccount.com"
"""The service account the key file belongs to."""
ADMIN = "it-admin@acme.example"
"""The admin it impersonates (the JWT's ``sub``)."""
CUSTOMER = "C03az79cb"
DOMAIN = "acme.example"
AUTH = "https://www.googleapis.com/auth/"
REPORTS = AUTH + "admin.reports.audit.readonly"
LICENSING = AUTH + "apps.licensing"
DIRECTORY = (AUTH + "admin.directory.user.readonly", AUTH + "admin.directory.user.security")
TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
"""google-auth signs assertions for Google's own endpoint whatever URL it posts them to."""
CHATGPT = "1054127866212-chatgpt.apps.googleusercontent.com"
OTTER = "826301582419-otter.apps.googleusercontent.com"
LUCID = "301947722851-lucid.apps.googleusercontent.com"
GEMINI_PRODUCTS = ("101047", "101068")
"""Licensing API product ids of Gemini for Workspace."""
PAGE = 2
REPORTS_PATH = "/admin/reports/v1/activity/users/all/applications/token"


def activity(
    user: str, name: str, client_id: str, app_name: str, *scopes: str, ago: int = 1
) -> dict[str, Any]:
    """One Reports API token activity (``authorize`` or ``revoke``), in the API's shape;
    ``scopes`` are short names under ``https://www.googleapis.com/auth/``."""
    when = datetime.now(UTC) - timedelta(days=ago)
    params: list[dict[str, Any]] = [
        {"name": "client_id", "value": client_id},
        {"name": "app_name", "value": app_name},
        {"name": "client_type", "value": "WEB"},
    ]
    if scopes:
        params.append({"name": "scope", "multiValue": [AUTH + s for s in scopes]})
    return {
        "kind": "admin#reports#activity",
        "id": {
            "time": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "uniqueQualifier": str(uuid.uuid4().int)[:18],
            "applicationName": "token",
            "customerId": CUSTOMER,
        },
        "actor": {"email": user, "profileId": str(abs(hash(user)))[:18]},
        "events": [{"type": "auth", "name": name, "parameters": params}],
    }


def gemini_seat(user: str, product: str = "101047", sku: str = "1010470003") -> dict[str, Any]:
    """One Licensing API assignment of a Gemini Business seat."""
    return {
        "kind": "licensing#licenseAssignment",
        "productId": product,
        "skuId": sku,
        "skuName": "Gemini Business",
        "productName": "Gemini",
        "userId": user,
    }


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status, {"Content-Type": "application/json"})


def error(status: int, reason: str) -> Response:
    """A Google API error body; 403s carry the message Google gives a missing privilege."""
    message = "Not Authorized to access this resource/api" if status == 403 else reason
    return json_response({"error": {"code": status, "message": message, "status": reason}}, status)


def oauth_error(status: int, code: str, description: str) -> Response:
    """An OAuth token endpoint error, which google-auth reports by its ``error`` code."""
    return json_response({"error": code, "error_description": description}, status)


def write_service_account_key(path: Path, token_uri: str = "http://127.0.0.1:9/token") -> str:
    """Write a fresh service-account key file for ``SA_EMAIL`` to ``path``; return the public
    key (PEM) the stand-in verifies assertions with.

    The file's own ``token_uri`` points at a closed port by default, so a scan that reaches
    the stand-in proves the configured token endpoint override was used.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    info = {
        "type": "service_account",
        "project_id": "acme-security",
        "private_key_id": "0123456789abcdef",
        "private_key": private,
        "client_email": SA_EMAIL,
        "client_id": "1234567890",
        "token_uri": token_uri,
    }
    path.write_text(json.dumps(info), encoding="utf-8")
    return public


@dataclass
class FakeGoogle:
    """Google's token endpoint and Workspace admin APIs on one pytest-httpserver server.

    Constructing it installs its handler for every path on ``server`` (clear the server first
    when reusing one). ``public_pem`` is the service account's public key.
    """

    server: HTTPServer
    public_pem: str
    delegated: set[str] = field(default_factory=lambda: {REPORTS, LICENSING, *DIRECTORY})
    """The scopes the tenant granted the service account by domain-wide delegation."""
    activities: list[dict[str, Any]] = field(default_factory=list)
    """Reports API token activities, newest first (as the API returns them)."""
    licences: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Licensing API product id -> its assignments."""
    users: list[str] = field(default_factory=list)
    """Directory users (primary e-mail addresses)."""
    tokens: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Directory tokens per user e-mail."""
    denied_apis: set[str] = field(default_factory=set)
    """APIs (``reports``, ``directory``, ``licensing``) answering 403 whatever the token."""
    throttle: set[str] = field(default_factory=lambda: {"reports"})
    """APIs answering 429 once, on their second page."""
    issued: dict[str, set[str]] = field(default_factory=dict)
    """Every access token issued -> the scopes it grants."""
    log: list[tuple[str, str]] = field(default_factory=list)
    """(path with query, Authorization header) of every API request."""

    def __post_init__(self) -> None:
        self.server.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    def url(self, path: str = "") -> str:
        return self.server.url_for(path).rstrip("/")

    def handle(self, request: Request) -> Response:
        if request.path == "/token":
            return self.token(request)
        self.log.append((request.full_path, request.headers.get("Authorization", "")))
        granted = self.issued.get(request.headers.get("Authorization", "").removeprefix("Bearer "))
        if granted is None:
            return error(401, "UNAUTHENTICATED")
        if request.path == REPORTS_PATH:
            return self.page("reports", REPORTS, granted, request, self.activities, "items")
        if request.path == "/admin/directory/v1/users":
            users = [{"primaryEmail": u} for u in self.users]
            return self.page("directory", DIRECTORY[0], granted, request, users, "users")
        m = re.fullmatch(r"/admin/directory/v1/users/([^/]+)/tokens", request.path)
        if m:
            if DIRECTORY[1] not in granted:
                return error(403, "PERMISSION_DENIED")
            return json_response({"items": self.tokens.get(m.group(1), [])})
        m = re.fullmatch(r"/apps/licensing/v1/product/(\d+)/users", request.path)
        if m:
            if request.args.get("customerId") != CUSTOMER:
                return error(400, "INVALID_ARGUMENT")
            rows = self.licences.get(m.group(1), [])
            return self.page("licensing", LICENSING, granted, request, rows, "items")
        return error(404, "NOT_FOUND")

    def page(
        self, api: str, needs: str, granted: set[str], request: Request, rows: list[Any], key: str
    ) -> Response:
        """One page of ``rows`` under ``key``, ``nextPageToken`` being the next offset."""
        if api in self.denied_apis or needs not in granted:
            return error(403, "PERMISSION_DENIED")
        start = int(request.args.get("pageToken", "0"))
        if start and api in self.throttle:
            self.throttle.discard(api)
            return Response("{}", 429, {"Retry-After": "0"})
        body: dict[str, Any] = {key: rows[start : start + PAGE]}
        if start + PAGE < len(rows):
            body["nextPageToken"] = str(start + PAGE)
        return json_response(body)

    def token(self, request: Request) -> Response:
        """The JWT-bearer grant: a signed assertion in, a scoped access token out."""
        form = parse_qs(request.get_data(as_text=True))
        if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
            return oauth_error(400, "unsupported_grant_type", "Invalid grant_type")
        try:
            claims = jwt.decode(  # type: ignore[no-untyped-call]
                form["assertion"][0], certs=self.public_pem, audience=TOKEN_AUDIENCE
            )
        except (KeyError, ValueError):
            return oauth_error(400, "invalid_grant", "Invalid JWT Signature.")
        if (claims.get("iss"), claims.get("sub")) != (SA_EMAIL, ADMIN):
            return oauth_error(400, "invalid_grant", "Invalid email or User ID")
        scopes = set(str(claims.get("scope", "")).split())
        if not scopes <= self.delegated:
            return oauth_error(
                401,
                "unauthorized_client",
                "Client is unauthorized to retrieve access tokens using this method, or client "
                "not authorized for any of the scopes requested.",
            )
        token = f"ya29.{uuid.uuid4().hex}"
        self.issued[token] = scopes
        return json_response({"access_token": token, "expires_in": 3600, "token_type": "Bearer"})


def seed_tenant(fake: FakeGoogle) -> FakeGoogle:
    """acme.example: ChatGPT authorised by ann, bob and cara with Drive scopes (eve authorised
    and then revoked it), Otter.ai authorised by dan with calendar scopes, Lucidchart (not AI),
    and two Gemini Business seats. Seven activities, so the Reports API pages four times."""
    fake.activities = [
        activity("eve@acme.example", "revoke", CHATGPT, "ChatGPT", ago=1),
        activity("ann@acme.example", "authorize", CHATGPT, "ChatGPT", "drive.readonly", ago=2),
        activity("dan@acme.example", "authorize", OTTER, "Otter.ai", "calendar.readonly", ago=3),
        activity("bob@acme.example", "authorize", CHATGPT, "ChatGPT", "drive", ago=4),
        activity("eve@acme.example", "authorize", CHATGPT, "ChatGPT", "drive.file", ago=5),
        activity("fay@acme.example", "authorize", LUCID, "Lucidchart", "drive.file", ago=6),
        activity("cara@acme.example", "authorize", CHATGPT, "ChatGPT", "drive.readonly", ago=9),
    ]
    fake.licences = {
        "101047": [gemini_seat(user) for user in ("ann@acme.example", "bob@acme.example")],
        "101068": [],
    }
    return fake
