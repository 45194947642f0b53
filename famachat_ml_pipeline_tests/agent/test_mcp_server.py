"""MCP: a client from the official SDK starts `famachat-ml mcp` as a subprocess over stdio."""

from __future__ import annotations

import json
import os
import sys

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client

from famachat_ml_pipeline.agent.tools import TOOLS, ToolContext, run_tool
from famachat_ml_pipeline_tests.agent.conftest import DemoDb

# The first test pays for the shared demo pipeline run, which takes minutes on a loaded 2-core machine.
pytestmark = pytest.mark.timeout(1200)

CID = 1


async def _session_calls(url: str) -> tuple[list, list]:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "famachat_ml_pipeline.cli", "mcp", "--config-id", str(CID)],
        env={**os.environ, "DATABASE_URL": url},
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        listed = await session.list_tools()
        results = [
            await session.call_tool("get_account_summary", {}),
            await session.call_tool("get_underperformers", {"limit": 3}),
            await session.call_tool("get_account_summary", {"config_id": 2}),
        ]
    return listed.tools, results


def test_mcp_lists_the_tools_and_calls_two(demo_db: DemoDb) -> None:
    tools, (summary, under, smuggled) = anyio.run(_session_calls, demo_db.url)
    assert {t.name for t in tools} == set(TOOLS)
    assert all("config_id" not in json.dumps(t.input_schema) for t in tools)

    # same functions, same account: what MCP returns is what the agent's tools return
    ctx = ToolContext(demo_db.engine, CID)
    assert not summary.is_error
    assert json.loads(summary.content[0].text) == run_tool(ctx, "get_account_summary", {})
    assert json.loads(under.content[0].text) == run_tool(ctx, "get_underperformers", {"limit": 3})
    assert under.structured_content["total"] == run_tool(ctx, "get_underperformers", {})["total"]
    # an account smuggled into the arguments is refused, not honoured
    assert smuggled.is_error
