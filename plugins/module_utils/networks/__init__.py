# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `network` module's core, in the order a run goes through it.

- spec.py: options → NetworkSpec (validated, normalised; every error names its option)
- observed.py: engine data → NetworkState and the containers attached to it
- plan.py: NetworkSpec + NetworkState → NetworkPlan (pure: unit-tested without Docker)
- apply.py: NetworkPlan → API calls, through Outcome.apply (nothing is written in check mode)

Only the set of connected containers can change on an existing Docker network; every other option
is fixed at creation. So a plan either connects/disconnects containers, or recreates the network:
disconnect every container, remove, create, and reconnect the containers that should stay (with
their aliases). Options the user leaves unset are carried over from the old network on recreate,
so a recreate changes exactly what was asked for.
"""
