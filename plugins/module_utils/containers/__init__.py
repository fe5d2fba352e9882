# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that knows how a container option maps to the Docker Engine API.

Used by the `container` module and by the compose engine. Entry points:

- `spec.ContainerSpec` (+ `PortBinding`, `Mount`, `NetworkAttachment`, `Healthcheck`, `Ulimit`,
  `Device`): the desired container, typed and normalised, free of Ansible specifics.
- `spec.to_create_request(spec)`: the POST /containers/create body (config, HostConfig,
  NetworkingConfig for the first network). `spec.spec_digest(spec)`: a stable hash of a spec.
- `engine.create_container(client, spec)` (creates and joins the other networks),
  `engine.create_and_start(client, spec)`, `engine.start_container`, `engine.stop_container`,
  `engine.remove_container`, `engine.connect_network`, `engine.disconnect_network`.
- `parse.spec_from_params(params)`: module options (community.docker docker_container names) →
  ContainerSpec, raising `parse.OptionError` naming the option. The `parse_*` helpers there
  (ports, mounts, healthcheck, ulimits, ...) accept the short string syntaxes Compose uses too.
- `observed.observed_spec(container_inspect, image_inspect)`: engine inspect data → the same
  normal form, with the image's defaults told apart.
- `image_pull`: docker_container's `pull` policy: `parse_pull_policy`, `pull_reason` (pure: pull
  or use the local image, or fail naming `pull` or `image`) and `resolve_image` (inspect, pull
  through images/store.pull_image unless in check mode, record the pull only when it brought
  another image).
- `plan.plan_container(desired, observed, comparisons, state)`: a pure plan (actions + reasons);
  `apply.apply_plan(...)`: runs it.
"""
