# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The `prune` module: what would be removed is planned from list calls (plan.py, pure), then the
engine's prunes and the retention rule run (run.py)."""
