"""The seeded inventory of the report tests: a cloud/SaaS scan, then two real code scans.

Scan 1 records hand-built cloud and SaaS findings through ``Store.complete_scan`` (an AWS
SageMaker endpoint whose snippet is hostile markup and a spreadsheet formula, account-wide
Bedrock use, a ChatGPT enterprise app). Scans 2 and 3 are real scans (``run_scan``) of a small
repository; between them Anthropic, a committed OpenAI key, a GGUF model file and a second OpenAI
model arrive. The OpenAI system is then approved; the latest diff's shadow AI is Anthropic, the
model file and the key (OpenAI is only ``changed``).
"""

from __future__ import annotations

import random
import string
import struct
from dataclasses import dataclass
from pathlib import Path

from connectors.base import Coverage, Outcome, Scope
from detectors.base import Confidence, Finding, Location, Signal
from inventory_db.store import Store, SystemRecord
from scanner.run import ScanRequest, run_scan

HOSTILE = '<script>alert("owned")</script> =HYPERLINK("http://evil.example/x","y")'
"""An evidence snippet as an attacker could plant it in a resource description."""
AWS = Scope("aws", "123456789012", "prod-account")
M365 = Scope("m365", "contoso.onmicrosoft.com", "Contoso")
ENDPOINT_ARN = "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/recruiting-llm"

V1: dict[str, str | bytes] = {
    "app/bot.py": (
        "from openai import OpenAI\n"
        "\n"
        "client = OpenAI()\n"
        'reply = client.chat.completions.create(model="gpt-4o", messages=[])\n'
    ),
    "requirements.txt": "openai>=1.40\nlangchain-core>=0.3\n",
    "agent/graph.py": "from langchain_core.prompts import ChatPromptTemplate\n",
    "tests/test_fake.py": "import mistralai\n",
}
V2: dict[str, str | bytes] = {
    "app/bot.py": str(V1["app/bot.py"])
    + 'embed = client.embeddings.create(model="text-embedding-3-small", input="x")\n',
    "app/summarise.py": (
        "import anthropic\n"
        "\n"
        "client = anthropic.Anthropic()\n"
        'msg = client.messages.create(model="claude-sonnet-4-5-20250929", messages=[])\n'
    ),
}


def gguf_model() -> bytes:
    """A GGUF header naming its architecture and model (what a model card would say)."""

    def text(value: str) -> bytes:
        raw = value.encode()
        return struct.pack("<Q", len(raw)) + raw

    entries = [("general.architecture", "llama"), ("general.name", "TinyLlama 1.1B Chat")]
    out = b"GGUF" + struct.pack("<IQQ", 3, 291, len(entries))
    for key, value in entries:
        out += text(key) + struct.pack("<I", 8) + text(value)
    return out + b"\x00" * 64


def openai_key() -> str:
    """An OpenAI project key in the vendor's format, random each run (none is committed)."""
    rng = random.Random()
    alphabet = string.ascii_letters + string.digits + "_-"
    part = "".join(rng.choice(alphabet) for _ in range(74))
    return "sk-proj-" + part + "T3Blbk" + "FJ" + part[::-1]


def cloud_findings() -> list[Finding]:
    """What AWS and Microsoft 365 connectors would have produced."""
    return [
        Finding(
            fingerprint_id="aws-sagemaker",
            product_id="aws-sagemaker",
            product_name="Amazon SageMaker",
            vendor="aws",
            vendor_name="Amazon Web Services",
            category="ml-platform",
            scope=AWS,
            location=Location(ENDPOINT_ARN),
            signal=Signal.CLOUD_RESOURCE,
            confidence=Confidence.HIGH,
            attributes={"matched": "AWS::SageMaker::Endpoint", "instance_type": "ml.g5.2xlarge"},
            models=("meta-llama/Llama-3.1-8B-Instruct",),
            snippet=HOSTILE,
            area="sagemaker:eu-west-1",
            instance=ENDPOINT_ARN,
            instance_name="recruiting-llm",
        ),
        Finding(
            fingerprint_id="aws-bedrock",
            product_id="aws-bedrock",
            product_name="Amazon Bedrock",
            vendor="aws",
            vendor_name="Amazon Web Services",
            category="cloud-ai-service",
            scope=AWS,
            location=Location("cloudtrail:eu-west-1:InvokeModel"),
            signal=Signal.CLOUD_RESOURCE,
            confidence=Confidence.HIGH,
            attributes={"matched": "bedrock:InvokeModel"},
            models=("anthropic.claude-3-5-sonnet-20241022-v2:0",),
            snippet="InvokeModel by role/support-bot",
            area="cloudtrail:eu-west-1",
        ),
        Finding(
            fingerprint_id="openai-apps",
            product_id="chatgpt",
            product_name="ChatGPT",
            vendor="openai",
            vendor_name="OpenAI",
            category="saas-ai-feature",
            scope=M365,
            location=Location("servicePrincipals/5f1c"),
            signal=Signal.SAAS_APP,
            confidence=Confidence.HIGH,
            attributes={"matched": "ChatGPT"},
            snippet="ChatGPT Enterprise (publisher OpenAI)",
            area="apps",
        ),
    ]


@dataclass
class Estate:
    """The seeded inventory and what the tests need to know about it."""

    url: str
    store: Store
    repo: Path
    key: str
    scans: tuple[int, int, int]

    def by_product(self, product: str) -> SystemRecord:
        """The one system of a product."""
        (match,) = [s for s in self.store.systems() if s.product == product]
        return match


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write files under ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def code_scan(store: Store, repo: Path) -> int:
    """A real scan of ``repo`` (in-process, no result cache)."""
    result = run_scan(store, ScanRequest(targets=(str(repo),), jobs=1))
    assert result.scan.status == "succeeded", result.scan.message
    return result.scan.id


def seed(base: Path) -> Estate:
    """Build the estate in ``base``: a cloud/SaaS scan, two code scans, OpenAI approved."""
    url = f"sqlite:///{base / 'inventory.db'}"
    store = Store(url)
    cloud = store.begin_scan(["aws", "m365"], "test")
    coverage = Coverage()
    coverage.record(AWS, "sagemaker:eu-west-1", Outcome.OK)
    coverage.record(AWS, "cloudtrail:eu-west-1", Outcome.OK)
    coverage.record(M365, "apps", Outcome.OK)
    store.complete_scan(cloud, cloud_findings(), coverage, files_scanned=0)

    repo = write_tree(base / "support-bot", V1)
    first = code_scan(store, repo)
    key = openai_key()
    write_tree(repo, V2 | {".env": f"OPENAI_API_KEY={key}\n", "models/tiny.gguf": gguf_model()})
    second = code_scan(store, repo)
    openai = next(s for s in store.systems() if s.product == "openai")
    store.update_system(
        openai.id,
        {"status": "approved", "owner": "Ann", "team": "support", "business_purpose": "Support"},
        "test",
    )
    return Estate(url, store, repo, key, (cloud, first, second))
