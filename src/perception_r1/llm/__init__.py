"""The one OpenAI-protocol client and its persistent cache."""

from .cache import DiskCache, cache_key
from .client import ChatResult, LLMClient, LLMError

__all__ = ["LLMClient", "LLMError", "ChatResult", "DiskCache", "cache_key"]
