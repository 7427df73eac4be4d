"""Local stand-ins for SaaS admin APIs (Graph, GitHub, Okta, Slack) on pytest-httpserver.

Each API answers in its real JSON shape and pages in its own style with a page size of 2:
Graph ``@odata.nextLink`` (absolute, on this server), GitHub ``Link`` with ``page``, Okta
``Link`` with ``after`` cursors, Slack ``response_metadata.next_cursor``. A route can be made to
answer 429 once (``throttle``) or to refuse (``deny``). Every request is logged with its method
so tests can assert the scans are read-only, and the bearer token is checked on each call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

PAGE = 2
Route = Callable[[Request], Response]


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status, headers or {}, content_type="application/json")


@dataclass
class FakeSaas:
    """One server, many routes; ``auth`` is the exact Authorization header every call needs."""

    server: HTTPServer
    auth: str
    routes: list[tuple[re.Pattern[str], Route]] = field(default_factory=list)
    log: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    throttled: dict[tuple[str, str], str] = field(default_factory=dict)
    """(path, query page marker) -> Retry-After; answered 429 once, then removed."""
    denied: dict[str, Response] = field(default_factory=dict)
    retry_after: str = "1"

    def __post_init__(self) -> None:
        self.server.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    @property
    def base(self) -> str:
        return self.server.url_for("").rstrip("/")

    def route(self, pattern: str, handler: Route) -> None:
        self.routes.append((re.compile(pattern), handler))

    def throttle(self, path: str, marker: str = "") -> None:
        """Answer the request for ``path`` whose query holds ``marker`` with 429 once."""
        self.throttled[(path, marker)] = self.retry_after

    def deny(self, path_pattern: str, response: Response) -> None:
        self.denied[path_pattern] = response

    def handle(self, request: Request) -> Response:
        query = dict(request.args.items())
        self.log.append((request.method, request.path, query))
        if request.headers.get("Authorization") != self.auth:
            return json_response({"message": "Bad credentials"}, 401)
        query_text = request.query_string.decode()
        for (path, marker), wait in list(self.throttled.items()):
            if request.path == path and marker in query_text:
                del self.throttled[(path, marker)]
                return json_response({"error": "throttled"}, 429, {"Retry-After": wait})
        for pattern, denial in self.denied.items():
            if re.fullmatch(pattern, request.path):
                return denial
        for compiled, handler in self.routes:
            if compiled.fullmatch(request.path):
                return handler(request)
        return json_response({"message": "Not Found"}, 404)

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.log]


def _slice(items: list[Any], start: int) -> tuple[list[Any], int | None]:
    end = start + PAGE
    return items[start:end], (end if end < len(items) else None)


def graph_list(fake: FakeSaas, items: list[dict[str, Any]]) -> Route:
    """A Graph collection: ``value`` and an absolute ``@odata.nextLink`` with ``$skiptoken``."""

    def handler(request: Request) -> Response:
        start = int(request.args.get("$skiptoken", "0"))
        page, nxt = _slice(items, start)
        body: dict[str, Any] = {
            "@odata.context": f"{fake.base}/v1.0/$metadata#{request.path.rsplit('/', 1)[-1]}",
            "value": page,
        }
        if nxt is not None:
            query = {k: v for k, v in request.args.items() if k != "$skiptoken"}
            query["$skiptoken"] = str(nxt)
            body["@odata.nextLink"] = f"{fake.base}{request.path}?{urlencode(query)}"
        return json_response(body)

    return handler


def github_list(
    fake: FakeSaas, items: list[dict[str, Any]], key: str | None = None, **extra: Any
) -> Route:
    """A GitHub list paged by ``page`` with a ``Link`` header; a bare list or ``{key: [...]}``."""

    def handler(request: Request) -> Response:
        number = int(request.args.get("page", "1"))
        page, nxt = _slice(items, (number - 1) * PAGE)
        headers: dict[str, str] = {}
        links = []
        if nxt is not None:
            query = {**request.args, "page": str(number + 1)}
            links.append(f'<{fake.base}{request.path}?{urlencode(query)}>; rel="next"')
        last = max(1, -(-len(items) // PAGE))
        query = {**request.args, "page": str(last)}
        links.append(f'<{fake.base}{request.path}?{urlencode(query)}>; rel="last"')
        headers["Link"] = ", ".join(links)
        body: Any = page if key is None else {**extra, key: page}
        return json_response(body, headers=headers)

    return handler


def okta_list(fake: FakeSaas, items: list[dict[str, Any]]) -> Route:
    """An Okta list: a JSON array, ``Link: <...after=ID>; rel="next"`` while more remain."""

    def handler(request: Request) -> Response:
        after = request.args.get("after", "")
        ids = [str(i.get("id")) for i in items]
        start = ids.index(after) + 1 if after in ids else 0
        page, nxt = _slice(items, start)
        query = {k: v for k, v in request.args.items() if k != "after"}
        links = [f'<{fake.base}{request.path}?{urlencode(query)}>; rel="self"']
        if nxt is not None:
            query["after"] = str(page[-1]["id"])
            links.append(f'<{fake.base}{request.path}?{urlencode(query)}>; rel="next"')
        return json_response(page, headers={"Link": ", ".join(links)})

    return handler


def slack_list(items: list[dict[str, Any]], key: str) -> Route:
    """A Slack cursor method: ``{"ok": true, key: [...], "response_metadata": {...}}``."""

    def handler(request: Request) -> Response:
        cursor = request.args.get("cursor", "")
        start = int(cursor.removeprefix("c-")) if cursor else 0
        page, nxt = _slice(items, start)
        return json_response(
            {
                "ok": True,
                key: page,
                "response_metadata": {"next_cursor": f"c-{nxt}" if nxt is not None else ""},
            }
        )

    return handler


def slack_error(error: str, needed: str = "") -> Response:
    body: dict[str, Any] = {"ok": False, "error": error}
    if needed:
        body["needed"] = needed
        body["provided"] = "users:read"
    return json_response(body)


def graph_denied() -> Response:
    return json_response(
        {
            "error": {
                "code": "Authorization_RequestDenied",
                "message": "Insufficient privileges to complete the operation.",
            }
        },
        403,
    )


# --- Seeded tenants -------------------------------------------------------------------------

TENANT = "8f2b6c1e-3d4a-4b5c-9e7f-0a1b2c3d4e5f"
MICROSOFT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
GRAPH_APP = "00000003-0000-0000-c000-000000000000"
USER_READ_ALL_ROLE = "df021288-bdef-4463-88db-98f22de89214"
COPILOT_SKU = "639dec6b-bb19-468b-871c-c5c441c4b0cb"
E5_SKU = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
SP = {
    "chatgpt": "1a1a1a1a-0000-4000-8000-000000000001",
    "otter": "2b2b2b2b-0000-4000-8000-000000000002",
    "graph": "3c3c3c3c-0000-4000-8000-000000000003",
    "payroll": "4d4d4d4d-0000-4000-8000-000000000004",
    "docusign": "5e5e5e5e-0000-4000-8000-000000000005",
}
USERS = {
    "u-1": "ana@contoso.example",
    "u-2": "ben@contoso.example",
    "u-3": "chloe@contoso.example",
    "u-4": "dan@contoso.example",
}


def seed_graph(fake: FakeSaas) -> None:
    """Contoso: ChatGPT consented for all users, Otter.ai by 3 users with calendar scopes,
    Copilot and E5 licences; DocuSign (not AI) with an app-only permission; a home-grown app."""
    principals: list[dict[str, Any]] = [
        {
            "id": SP["chatgpt"],
            "appId": "e0476654-c1d5-430b-ab80-70cbd947616a",
            "displayName": "ChatGPT",
            "publisherName": "OpenAI",
            "verifiedPublisher": {
                "displayName": "OpenAI",
                "verifiedPublisherId": "6142530",
                "addedDateTime": "2023-08-01T00:00:00Z",
            },
            "appOwnerOrganizationId": "a48cca56-e6da-484e-a814-9c849652bcb3",
            "servicePrincipalType": "Application",
            "replyUrls": ["https://auth.openai.com/login/callback"],
            "homepage": "https://chatgpt.com/",
            "accountEnabled": True,
            "tags": ["WindowsAzureActiveDirectoryIntegratedApp"],
        },
        {
            "id": SP["graph"],
            "appId": GRAPH_APP,
            "displayName": "Microsoft Graph",
            "publisherName": "Microsoft Services",
            "verifiedPublisher": {"displayName": None, "verifiedPublisherId": None},
            "appOwnerOrganizationId": MICROSOFT,
            "servicePrincipalType": "Application",
            "replyUrls": [],
            "homepage": None,
            "accountEnabled": True,
            "tags": [],
        },
        {
            "id": SP["otter"],
            "appId": "6c3f2b1a-1b2c-4d5e-8f90-a1b2c3d4e5f6",
            "displayName": "Otter.ai",
            "publisherName": "Otter.ai, Inc.",
            "verifiedPublisher": {"displayName": None, "verifiedPublisherId": None},
            "appOwnerOrganizationId": "d2c3b4a5-0000-4000-8000-0000000000aa",
            "servicePrincipalType": "Application",
            "replyUrls": ["https://otter.ai/signin/microsoft/callback"],
            "homepage": None,
            "accountEnabled": True,
            "tags": [],
        },
        {
            "id": SP["payroll"],
            "appId": "7d7d7d7d-0000-4000-8000-000000000077",
            "displayName": "Contoso Payroll",
            "publisherName": "Contoso",
            "verifiedPublisher": {"displayName": None, "verifiedPublisherId": None},
            "appOwnerOrganizationId": TENANT,
            "servicePrincipalType": "Application",
            "replyUrls": ["https://payroll.contoso.example/auth"],
            "homepage": None,
            "accountEnabled": True,
            "tags": [],
        },
        {
            "id": SP["docusign"],
            "appId": "8e8e8e8e-0000-4000-8000-000000000088",
            "displayName": "DocuSign",
            "publisherName": "DocuSign Inc.",
            "verifiedPublisher": {"displayName": "DocuSign", "verifiedPublisherId": "5214831"},
            "appOwnerOrganizationId": "e1e1e1e1-0000-4000-8000-0000000000bb",
            "servicePrincipalType": "Application",
            "replyUrls": ["https://account.docusign.com/oauth/callback"],
            "homepage": "https://www.docusign.com/",
            "accountEnabled": True,
            "tags": [],
        },
    ]
    grants: list[dict[str, Any]] = [
        {
            "id": "g-chatgpt-all",
            "clientId": SP["chatgpt"],
            "consentType": "AllPrincipals",
            "principalId": None,
            "resourceId": SP["graph"],
            "scope": "openid profile email User.Read offline_access",
        },
        *(
            {
                "id": f"g-otter-{user}",
                "clientId": SP["otter"],
                "consentType": "Principal",
                "principalId": user,
                "resourceId": SP["graph"],
                "scope": " User.Read Calendars.Read OnlineMeetings.Read offline_access ",
            }
            for user in ("u-1", "u-2", "u-3")
        ),
        {
            "id": "g-docusign-u4",
            "clientId": SP["docusign"],
            "consentType": "Principal",
            "principalId": "u-4",
            "resourceId": SP["graph"],
            "scope": "User.Read",
        },
    ]
    skus: list[dict[str, Any]] = [
        {
            "accountId": TENANT,
            "appliesTo": "User",
            "capabilityStatus": "Enabled",
            "consumedUnits": 45,
            "skuId": COPILOT_SKU,
            "skuPartNumber": "Microsoft_365_Copilot",
            "prepaidUnits": {"enabled": 50, "suspended": 0, "warning": 0, "lockedOut": 0},
            "servicePlans": [
                {
                    "servicePlanId": "a62f8878-de10-42f3-b68f-6149a25ceb97",
                    "servicePlanName": "M365_COPILOT_APPS",
                    "provisioningStatus": "Success",
                    "appliesTo": "User",
                }
            ],
        },
        {
            "accountId": TENANT,
            "appliesTo": "User",
            "capabilityStatus": "Enabled",
            "consumedUnits": 480,
            "skuId": E5_SKU,
            "skuPartNumber": "SPE_E5",
            "prepaidUnits": {"enabled": 500, "suspended": 0, "warning": 10, "lockedOut": 0},
            "servicePlans": [],
        },
    ]
    fake.route(
        "/v1.0/organization",
        graph_list(fake, [{"id": TENANT, "displayName": "Contoso Ltd"}]),
    )
    fake.route("/v1.0/servicePrincipals", graph_list(fake, principals))
    fake.route("/v1.0/oauth2PermissionGrants", graph_list(fake, grants))
    fake.route("/v1.0/subscribedSkus", graph_list(fake, skus))
    assignments: dict[str, list[dict[str, Any]]] = {
        SP["docusign"]: [
            {
                "id": "ara-1",
                "appRoleId": USER_READ_ALL_ROLE,
                "principalId": SP["docusign"],
                "principalType": "ServicePrincipal",
                "resourceId": SP["graph"],
                "resourceDisplayName": "Microsoft Graph",
            }
        ]
    }
    assigned_to: dict[str, list[dict[str, Any]]] = {
        SP["chatgpt"]: [
            {
                "id": "at-1",
                "appRoleId": "00000000-0000-0000-0000-000000000000",
                "principalType": "Group",
                "principalDisplayName": "All employees",
                "principalId": "grp-1",
            }
        ],
        SP["docusign"]: [
            {"id": f"at-{u}", "principalType": "User", "principalId": u} for u in ("u-1", "u-4")
        ],
    }
    for sp_id in SP.values():
        fake.route(
            f"/v1.0/servicePrincipals/{sp_id}/appRoleAssignments",
            graph_list(fake, assignments.get(sp_id, [])),
        )
        fake.route(
            f"/v1.0/servicePrincipals/{sp_id}/appRoleAssignedTo",
            graph_list(fake, assigned_to.get(sp_id, [])),
        )
    fake.route(
        f"/v1.0/servicePrincipals/{SP['graph']}",
        lambda r: json_response(
            {
                "id": SP["graph"],
                "appRoles": [
                    {"id": USER_READ_ALL_ROLE, "value": "User.Read.All", "displayName": "x"},
                    {
                        "id": "810c84a8-4a9e-49e6-bf7d-12d183f40d01",
                        "value": "Mail.Read",
                        "displayName": "Read mail in all mailboxes",
                    },
                ],
            }
        ),
    )

    def user(request: Request) -> Response:
        user_id = request.path.rsplit("/", 1)[-1]
        return json_response({"id": user_id, "userPrincipalName": USERS[user_id]})

    fake.route("/v1.0/users/u-[0-9]+", user)


ORG = "acme"
SEATS = [
    {
        "created_at": "2025-01-10T09:00:00Z",
        "assignee": {"login": login, "id": n, "type": "User"},
        "last_activity_at": last,
        "last_activity_editor": editor,
        "plan_type": "business",
    }
    for n, (login, last, editor) in enumerate(
        [
            ("octocat", "2026-03-01T10:00:00Z", "vscode/1.98.0/copilot-chat/0.25.0"),
            ("hubot", "2026-02-25T10:00:00Z", "JetBrains-IC/2024.3/copilot-intellij/1.5"),
            ("monalisa", "2025-11-01T10:00:00Z", "vscode/1.90.0/copilot/1.200.0"),
            ("mona2", None, None),
            ("newbie", None, None),
        ],
        start=1,
    )
]


def seed_github(fake: FakeSaas, *, prefix: str = "") -> None:
    """acme: Copilot Business with 5 seats, CodeRabbit and a CI app installed."""
    fake.route(
        f"{prefix}/orgs/{ORG}/copilot/billing",
        lambda r: json_response(
            {
                "seat_breakdown": {
                    "total": 5,
                    "added_this_cycle": 1,
                    "pending_invitation": 0,
                    "pending_cancellation": 0,
                    "active_this_cycle": 2,
                    "inactive_this_cycle": 3,
                },
                "seat_management_setting": "assign_selected",
                "ide_chat": "enabled",
                "platform_chat": "enabled",
                "cli": "disabled",
                "public_code_suggestions": "block",
                "plan_type": "business",
            }
        ),
    )
    fake.route(
        f"{prefix}/orgs/{ORG}/copilot/billing/seats",
        github_list(fake, SEATS, "seats", total_seats=len(SEATS)),
    )
    installations = [
        {
            "id": 1001,
            "app_id": 347564,
            "app_slug": "coderabbitai",
            "target_id": 77,
            "target_type": "Organization",
            "account": {"login": ORG, "type": "Organization"},
            "repository_selection": "all",
            "permissions": {
                "checks": "write",
                "contents": "read",
                "issues": "write",
                "metadata": "read",
                "pull_requests": "write",
            },
            "events": ["issue_comment", "pull_request", "pull_request_review_comment"],
            "created_at": "2025-06-02T08:00:00Z",
            "suspended_at": None,
        },
        {
            "id": 1002,
            "app_id": 15368,
            "app_slug": "github-actions",
            "target_type": "Organization",
            "account": {"login": ORG, "type": "Organization"},
            "repository_selection": "all",
            "permissions": {"actions": "write", "metadata": "read"},
            "events": [],
            "created_at": "2024-01-01T00:00:00Z",
            "suspended_at": None,
        },
        {
            "id": 1003,
            "app_id": 99,
            "app_slug": "acme-internal-bot",
            "target_type": "Organization",
            "account": {"login": ORG, "type": "Organization"},
            "repository_selection": "selected",
            "permissions": {"metadata": "read"},
            "events": [],
            "created_at": "2024-05-01T00:00:00Z",
            "suspended_at": "2025-01-01T00:00:00Z",
        },
    ]
    fake.route(
        f"{prefix}/orgs/{ORG}/installations",
        github_list(fake, installations, "installations", total_count=len(installations)),
    )
    fake.route(
        f"{prefix}/apps/coderabbitai",
        lambda r: json_response(
            {
                "id": 347564,
                "slug": "coderabbitai",
                "name": "CodeRabbit AI",
                "owner": {"login": "coderabbitai", "type": "Organization"},
                "external_url": "https://coderabbit.ai",
                "html_url": "https://github.com/apps/coderabbitai",
            }
        ),
    )
    fake.route(
        f"{prefix}/apps/github-actions",
        lambda r: json_response(
            {
                "id": 15368,
                "slug": "github-actions",
                "name": "GitHub Actions",
                "owner": {"login": "github", "type": "Organization"},
                "external_url": "https://help.github.com/en/actions",
            }
        ),
    )


OKTA_APPS = [
    {
        "id": "0oa1chatgpt",
        "name": "openai_chatgptenterprise",
        "label": "ChatGPT Enterprise",
        "status": "ACTIVE",
        "signOnMode": "SAML_2_0",
        "created": "2025-03-01T10:00:00.000Z",
        "settings": {
            "signOn": {
                "ssoAcsUrl": "https://auth.openai.com/sso/saml/acs/acme",
                "audience": "urn:auth0:openai:acme",
            },
            "app": {},
        },
    },
    {
        "id": "0oa2slack",
        "name": "slack",
        "label": "Slack",
        "status": "ACTIVE",
        "signOnMode": "SAML_2_0",
        "settings": {"signOn": {}, "app": {"domain": "acme"}},
    },
    {
        "id": "0oa3pplx",
        "name": "acme_perplexityenterprise_1",
        "label": "Perplexity Enterprise Pro",
        "status": "ACTIVE",
        "signOnMode": "OPENID_CONNECT",
        "settings": {
            "oauthClient": {
                "redirect_uris": ["https://www.perplexity.ai/api/auth/callback/okta"],
                "initiate_login_uri": "https://www.perplexity.ai/",
            }
        },
    },
    {
        "id": "0oa4wd",
        "name": "workday",
        "label": "Workday",
        "status": "INACTIVE",
        "signOnMode": "SAML_2_0",
        "settings": {},
    },
]
OKTA_USERS = {
    "0oa1chatgpt": ["ana@acme.example", "ben@acme.example", "chloe@acme.example"],
    "0oa2slack": ["ana@acme.example"],
    "0oa3pplx": ["dan@acme.example", "eve@acme.example"],
    "0oa4wd": [],
}


def seed_okta(fake: FakeSaas) -> None:
    """acme.okta.com: ChatGPT Enterprise (3 users, 1 group) and Perplexity (2 users)."""
    fake.route("/api/v1/apps", okta_list(fake, OKTA_APPS))
    for app in OKTA_APPS:
        app_id = str(app["id"])
        users = [
            {
                "id": f"00u{n}",
                "scope": "USER",
                "status": "ACTIVE",
                "credentials": {"userName": login},
            }
            for n, login in enumerate(OKTA_USERS[app_id])
        ]
        groups = [{"id": "00g1", "priority": 0}] if app_id == "0oa1chatgpt" else []
        fake.route(f"/api/v1/apps/{app_id}/users", okta_list(fake, users))
        fake.route(f"/api/v1/apps/{app_id}/groups", okta_list(fake, groups))


SLACK_APPROVED = [
    {
        "app": {
            "id": "A04CLAUDE01",
            "name": "Claude",
            "description": "Claude, the AI assistant by Anthropic, in Slack",
            "help_url": "https://support.anthropic.com/",
            "privacy_policy_url": "https://www.anthropic.com/legal/privacy",
            "app_homepage_url": "https://claude.ai/",
            "app_directory_url": "https://acme.slack.com/apps/A04CLAUDE01-claude",
            "is_app_directory_approved": True,
            "is_internal": False,
            "additional_info": "",
        },
        "scopes": [
            {
                "name": "assistant:write",
                "description": "act as an AI assistant",
                "is_sensitive": False,
                "token_type": "bot",
            },
            {
                "name": "channels:history",
                "description": "read messages",
                "is_sensitive": True,
                "token_type": "bot",
            },
            {
                "name": "chat:write",
                "description": "send messages",
                "is_sensitive": False,
                "token_type": "bot",
            },
        ],
        "date_updated": 1740000000,
        "last_resolved_by": {"actor_id": "W0ADMIN", "actor_type": "user"},
        "enterprise_id": "E0ACME",
    },
    {
        "app": {
            "id": "A01JIRA0001",
            "name": "Jira Cloud",
            "help_url": "https://support.atlassian.com/",
            "privacy_policy_url": "https://www.atlassian.com/legal/privacy-policy",
            "app_homepage_url": "https://www.atlassian.com/software/jira",
            "is_app_directory_approved": True,
            "is_internal": False,
        },
        "scopes": [
            {"name": "chat:write", "is_sensitive": False, "token_type": "bot"},
            {"name": "links:read", "is_sensitive": False, "token_type": "bot"},
        ],
        "date_updated": 1700000000,
        "enterprise_id": "E0ACME",
    },
    {
        "app": {
            "id": "A07HELPBOT",
            "name": "Acme Helpdesk Bot",
            "is_app_directory_approved": False,
            "is_internal": True,
        },
        "scopes": [
            {"name": "assistant:write", "is_sensitive": False, "token_type": "bot"},
            {"name": "im:history", "is_sensitive": True, "token_type": "bot"},
        ],
        "date_updated": 1745000000,
        "enterprise_id": "E0ACME",
    },
]


def seed_slack(fake: FakeSaas, *, grid: bool = True) -> None:
    """Acme's Slack: Claude (an AI assistant app), Jira and an internal assistant bot."""
    fake.route(
        "/api/auth.test",
        lambda r: json_response(
            {
                "ok": True,
                "url": "https://acme.slack.com/",
                "team": "Acme",
                "user": "secops",
                "team_id": "T0ACME",
                "user_id": "U0SECOPS",
                "enterprise_id": "E0ACME" if grid else None,
                "is_enterprise_install": False,
            }
        ),
    )
    if grid:
        fake.route("/api/admin.apps.approved.list", slack_list(SLACK_APPROVED, "approved_apps"))
    else:
        fake.route(
            "/api/admin.apps.approved.list",
            lambda r: slack_error("not_an_enterprise"),
        )
    logs = [  # newest first, as Slack returns them
        {
            "app_id": "A04CLAUDE01",
            "app_type": "Claude",
            "user_id": "U3",
            "user_name": "chloe",
            "date": "1745000000",
            "change_type": "added",
            "scope": "assistant:write,chat:write",
        },
        {
            "service_id": "S0RSS",
            "service_type": "RSS",
            "user_id": "U1",
            "user_name": "ana",
            "date": "1744000000",
            "change_type": "removed",
            "channel": "C1",
        },
        {
            "app_id": "A04CLAUDE01",
            "app_type": "Claude",
            "user_id": "U1",
            "user_name": "ana",
            "date": "1743000000",
            "change_type": "added",
            "scope": "assistant:write,channels:history",
        },
        {
            "service_id": "S0RSS",
            "service_type": "RSS",
            "user_id": "U1",
            "user_name": "ana",
            "date": "1742000000",
            "change_type": "enabled",
            "channel": "C1",
        },
        {
            "app_id": "A01JIRA0001",
            "app_type": "Jira Cloud",
            "user_id": "U2",
            "user_name": "ben",
            "date": "1741000000",
            "change_type": "added",
            "scope": "chat:write",
        },
    ]

    def integration_logs(request: Request) -> Response:
        count = 2
        page = int(request.args.get("page", "1"))
        chunk = logs[(page - 1) * count : page * count]
        pages = -(-len(logs) // count)
        return json_response(
            {
                "ok": True,
                "logs": chunk,
                "paging": {"count": count, "total": len(logs), "page": page, "pages": pages},
            }
        )

    fake.route("/api/team.integrationLogs", integration_logs)
