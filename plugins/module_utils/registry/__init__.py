# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Registries: credentials in the managed host's Docker config (docker_config.py), the `login`
module (login.py). Pulls and pushes of the other modules send these credentials through the docker
SDK, which reads the same file (images/store.py)."""
