"""gemini-live: a fast, resilient asyncio client for the Gemini Multimodal Live API."""

__version__ = "0.1.0"
