"""The benchmark harness's own measurements (scripts/benchmark.py): what its peak memory counts, and the memory limit
it builds with. The benchmark itself is not run here (minutes and gigabytes)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]

if not sys.platform.startswith("linux"):
    pytest.skip("the harness samples /proc (Linux)", allow_module_level=True)


def load_benchmark():
    spec = importlib.util.spec_from_file_location("benchmark_harness", PROJECT / "scripts" / "benchmark.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


# A process tree shaped like the explanation workers': the root starts a server, which touches SHARED_MIB of memory
# and forks two workers that keep it (copy-on-write: one copy in memory, three resident sets).
SHARED_MIB = 200
TREE = textwrap.dedent(
    f"""
    import os, sys, time
    if os.fork() == 0:
        shared = bytearray({SHARED_MIB} * 2**20)
        for i in range(0, len(shared), 4096):
            shared[i] = 1
        for _ in range(2):
            if os.fork() == 0:  # a worker
                time.sleep(60)
                os._exit(0)
        print("ready", flush=True)
        time.sleep(60)
        os._exit(0)
    time.sleep(60)
    """
)


def test_forked_workers_count_the_memory_they_share_once():
    benchmark = load_benchmark()
    tree = subprocess.Popen([sys.executable, "-c", TREE], stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        # the server prints once it has touched its memory and forked both workers
        server_ready = subprocess.run(
            ["timeout", "30", "head", "-n", "1"], stdin=tree.stdout, capture_output=True, text=True, check=False
        )
        assert server_ready.stdout.strip() == "ready"
        processes = list(benchmark.process_tree(tree.pid))
        assert len(processes) == 4  # root, server, two workers
        resident_sum = sum(benchmark._status_kib(pid, "VmRSS:") * 1024 for pid in processes)
        measured = benchmark.tree_memory_bytes(tree.pid)
    finally:
        subprocess.run(["kill", "--", f"-{tree.pid}"], check=False)
        tree.wait()
    shared = SHARED_MIB * 2**20
    # what the resident sets said: the shared pages three times over
    assert resident_sum > 2.8 * shared
    # what the harness counts: them once, plus a few interpreters' own pages
    assert shared < measured < 1.5 * shared


def test_the_benchmark_builds_with_the_projects_default_memory_limit():
    profiles = (PROJECT / "profiles.yml").read_text()
    dev = profiles[profiles.index("    dev:") : profiles.index("    ci:")]
    default = re.search(r"env_var\('CUSTOMER_AI_DUCKDB_MEMORY_LIMIT', '([^']+)'\)", dev).group(1)
    assert load_benchmark().DEFAULT_MEMORY_LIMIT == default
