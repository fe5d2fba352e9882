# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Image no-op benchmark: deciding that an unchanged build needs nothing, on a big context.

Context: --files files (default 5,000) of ~10 KB random data (~50 MB) in 50 directories.
Compared, in one run on the same context (medians of --repeat runs):
- `docker build` (classic builder, DOCKER_BUILDKIT=0) with a warm cache: every step cached, but the
  CLI still tars and sends the whole context and the engine checks every file;
- `ensure_built()` no-op (what the `image` module and the compose engine call): digest of the context
  after .dockerignore + one inspect; no build request;
- the `image` module run by `ansible localhost -m ...` (whole process), with `-m ping` as
  Ansible's floor; the difference is the module's own cost.
Target: ensure_built no-op <= 0.2 x warm `docker build`.

    .venv/bin/python benchmarks/image_noop.py [--files 5000] [--repeat 3]

Images are tagged gs-img-bench-* and removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_context(path: str, files: int) -> int:
    rng = random.Random(42)
    total = 0
    for index in range(files):
        directory = os.path.join(path, "d%02d" % (index % 50), "s%d" % (index % 7))
        os.makedirs(directory, exist_ok=True)
        data = bytes(rng.getrandbits(8) for dummy in range(64)) * (150 + index % 10)  # ~10 KB
        with open(os.path.join(directory, "f%05d.bin" % index), "wb") as handle:
            handle.write(data)
        total += len(data)
    with open(os.path.join(path, "Dockerfile"), "w") as handle:
        handle.write("FROM goship-test/busybox:latest\nCOPY . /ctx\nRUN ls /ctx > /dev/null\n")
    with open(os.path.join(path, ".dockerignore"), "w") as handle:
        handle.write("*.tmp\n")
    return total


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def docker_build(context: str) -> None:
    env = dict(os.environ, DOCKER_BUILDKIT="0")
    subprocess.run(["docker", "build", "-q", "-t", "gs-img-bench-cli:1", context], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def ansible_run(context: str, repeat: int) -> tuple:
    """(median seconds of `ansible localhost -m image` no-op, of `-m ping`, last image result):
    whole ansible processes, so both include Ansible's start-up; their difference is the module's."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build"), ANSIBLE_LOCALHOST_WARNING="false",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="false", ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
               ANSIBLE_STDOUT_CALLBACK="oneline")
    ansible = os.path.join(ROOT, ".venv", "bin", "ansible")
    image_args = ["-m", "goship.containers.image", "-a", "name=gs-img-bench-mod:1 path=%s" % context]

    def run(extra: list) -> str:
        process = subprocess.run([ansible, "localhost"] + extra, env=env, capture_output=True, check=False)
        if process.returncode != 0:
            raise SystemExit("ansible failed:\n%s\n%s" % (process.stdout.decode()[-3000:], process.stderr.decode()[-2000:]))
        return process.stdout.decode()

    run(image_args)  # first run builds
    image_times, ping_times, last = [], [], ""
    for dummy in range(repeat):
        start = time.perf_counter()
        last = run(image_args)
        image_times.append(time.perf_counter() - start)
        ping_times.append(timed(lambda: run(["-m", "ansible.builtin.ping"])))
    result = json.loads(last.split("=>", 1)[1]) if "=>" in last else {}
    return statistics.median(image_times), statistics.median(ping_times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    subprocess.run([os.path.join(ROOT, "scripts", "collection-tree")], check=True, stdout=subprocess.DEVNULL)
    sys.path.insert(0, os.path.join(ROOT, ".build"))
    from ansible_collections.goship.containers.plugins.module_utils.client import EngineClient
    from ansible_collections.goship.containers.plugins.module_utils.images.build import BuildRequest, ensure_built

    work = tempfile.mkdtemp(prefix="gs-img-bench-")
    context = os.path.join(work, "ctx")
    os.makedirs(context)
    try:
        size = make_context(context, args.files)
        print("context: %d files, %.1f MB" % (args.files, size / 1e6))
        docker_build(context)  # cold: fills the builder's cache
        cli = [timed(lambda: docker_build(context)) for dummy in range(args.repeat)]

        client = EngineClient(base_url=os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock"), version="auto")
        first = ensure_built(client, BuildRequest(name="gs-img-bench-fn:1", path=context), check_mode=False)
        assert not first.build_skipped
        results = []

        def noop() -> None:
            results.append(ensure_built(client, BuildRequest(name="gs-img-bench-fn:1", path=context), check_mode=False))

        ours = [timed(noop) for dummy in range(args.repeat)]
        assert all(r.build_skipped and not r.changed for r in results), "the no-op sent a build"

        module_s, ping_s, last = ansible_run(context, args.repeat)
        assert last and last.get("build_skipped") and not last.get("changed"), last

        cli_m, ours_m = statistics.median(cli), statistics.median(ours)
        print()
        print("| what (median of %d) | seconds | x docker build |" % args.repeat)
        print("|---|---:|---:|")
        print("| `docker build`, warm cache (classic builder) | %.3f | 1.00 |" % cli_m)
        print("| ensure_built() no-op (digest + 1 inspect, no build call) | %.3f | %.2f |" % (ours_m, ours_m / cli_m))
        print("| `ansible localhost -m goship.containers.image`, no-op (whole process) | %.3f | %.2f |" % (module_s, module_s / cli_m))
        print("| `ansible localhost -m ping` (whole process: Ansible's floor) | %.3f | %.2f |" % (ping_s, ping_s / cli_m))
        print("| module's own cost (image minus ping) | %.3f | %.2f |" % (module_s - ping_s, (module_s - ping_s) / cli_m))
        print()
        verdict = "PASS" if ours_m <= 0.2 * cli_m else "MISS"
        print("target ensure_built no-op <= 0.2 x docker build: %.2f -> %s" % (ours_m / cli_m, verdict))
        return 0
    finally:
        for tag in ("gs-img-bench-cli:1", "gs-img-bench-fn:1", "gs-img-bench-mod:1"):
            subprocess.run(["docker", "rmi", "-f", tag], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
