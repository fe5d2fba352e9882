# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the split image modules (image_build, image_pull, ...) share, documented once."""

from __future__ import annotations


class ModuleDocFragment:

    # community.docker's `tag` option, with its meaning
    DOCUMENTATION = r"""
options:
  tag:
    description:
      - The tag added to O(name) when O(name) has none; V(latest) when neither gives one.
      - When O(name) carries its own tag (or is an image ID or a digest reference), O(name) wins,
        as in community.docker; a different O(tag) then only warns that it is not used.
    type: str
notes:
  - Runs the same code as M(goship.containers.image) (one image core), with community.docker's
    option names for this one step.
  - Secret-looking build arguments and labels never appear in results, errors or C(-vvv) output.
"""
