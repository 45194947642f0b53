"""The HTTP API FamaChat calls: the agent's chat and conversations, health, and users' decisions.

`create_app(settings)` builds it; `famachat-ml api` serves it with uvicorn.
"""
