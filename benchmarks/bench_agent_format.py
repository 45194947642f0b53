"""Offline agent answers with and without the memo of formatted numbers (`text_ptbr.format_values`), on
the demo (SQLite, the graph run once), alternating in one process. "without" is the old way: every
format call runs its own polars pass. Prints CPU milliseconds per answer (`time.process_time`) per
round, then the medians and their ratio, and checks that both give the same answers.

    .venv/bin/python benchmarks/bench_agent_format.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.core.recommendations import text_ptbr
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.runner import run_pipeline
from famachat_ml_pipeline.settings import Settings, get_settings

QUESTIONS = [
    "como está minha conta?",
    "quais campanhas estão indo mal?",
    "previsão de leads da semana",
    "tem algum alerta critico?",
    "quanto eu economizo?",
    "qual o cpl por dia da semana?",
    "quais recomendações ativas?",
    "qual campanha gastou mais esse mês?",
    "quanto gastei ontem?",
    "minha conta tá saudável?",
]


class _NoMemo(dict):
    """The old way: nothing kept, every value formatted by its call's own polars pass."""

    def update(self, *args: object, **kwargs: object) -> None:
        pass


def answers(settings: Settings, engine: object) -> tuple[float, list[str]]:
    cpu, texts = time.process_time(), []
    for account in (1, 2, 3):
        agent = open_agent(engine, account, settings, mode="offline")
        texts += [agent.ask(q).text for q in QUESTIONS]
    return (time.process_time() - cpu) / len(texts) * 1000, texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None) as tmp:
        root = Path(tmp)
        url = f"sqlite:///{root / 'famachat_ml.db'}"
        os.environ.update(
            DATABASE_URL=url,
            MODELS_STORAGE_PATH=str(root / "models"),
            FRAMES_STORAGE_PATH=str(root / "frames"),
            DAGSTER_HOME=str(root / "dagster_home"),
        )
        for name in ("DAGSTER_PG_URL", "AGENT_ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY"):
            os.environ.pop(name, None)
        get_settings.cache_clear()
        engine = get_engine(url)
        data = generate_demo(n_accounts=3, days=70, seed=11)
        write_demo(engine, data)
        run_pipeline(get_settings(), echo=lambda _: None, log_level="WARNING")
        settings = Settings(database_url=url)
        memo = text_ptbr._FORMATTED
        answers(settings, engine)  # warm-up: imports, the first reads
        ms: dict[str, list[float]] = {"without": [], "with": []}
        for round_ in range(args.rounds):
            text_ptbr._FORMATTED = _NoMemo()
            ms["without"].append((old := answers(settings, engine))[0])
            text_ptbr._FORMATTED = memo
            ms["with"].append((new := answers(settings, engine))[0])
            assert old[1] == new[1], "the memo changed an answer"
            print(
                f"round {round_}: without {ms['without'][-1]:.1f} ms/answer, with {ms['with'][-1]:.1f}",
                flush=True,
            )
    old_ms, new_ms = statistics.median(ms["without"]), statistics.median(ms["with"])
    print(f"median CPU per answer: without {old_ms:.1f} ms, with {new_ms:.1f} ms: {old_ms / new_ms:.2f}x")
    print(f"{len(QUESTIONS) * 3} answers per round, equal both ways; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
