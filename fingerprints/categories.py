"""The fixed category vocabulary (DESIGN.md). Adding a category is a design change, not data."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """What kind of AI thing a product is."""

    LLM_API = "llm-api"
    AGENT_FRAMEWORK = "agent-framework"
    MCP = "mcp"
    VECTOR_DB = "vector-db"
    ML_FRAMEWORK = "ml-framework"
    ML_PLATFORM = "ml-platform"
    MODEL_SERVER = "model-server"
    MODEL_FILE = "model-file"
    CLOUD_AI_SERVICE = "cloud-ai-service"
    SAAS_AI_FEATURE = "saas-ai-feature"
    AI_WEB_APP = "ai-web-app"
    API_KEY = "api-key"
