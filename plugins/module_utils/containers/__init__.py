# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that knows how a container option maps to the Docker Engine API.

Used by the `container` module and by the compose engine. Entry points:

- `options.OPTIONS`: the option registry, every `container` option declared once (argument spec
  and documentation, parser, spec field, Engine API path, comparison, update or recreate,
  container_info field, minimum API version), split by area over `options_*.py`; the entry type
  is `option_entry.Option`. Everything below is derived from it.
- `spec.ContainerSpec` (+ `PortBinding`, `Mount`, `NetworkAttachment`, `Healthcheck`, `Ulimit`,
  `Device`, `DeviceRate` from values.py): the desired container, typed and normalised, free of
  Ansible specifics; its fields are the registry's.
- `spec.to_create_request(spec)`: the POST /containers/create body (config, HostConfig,
  NetworkingConfig for the first network). `spec.spec_digest(spec)`: a stable hash of a spec.
- `engine.create_container(client, spec)` (creates and joins the other networks),
  `engine.create_and_start(client, spec)`, `engine.start_container`, `engine.stop_container`,
  `engine.remove_container`, `engine.connect_network`, `engine.disconnect_network`.
- `params.spec_from_params(params)`: module options (community.docker docker_container names) →
  ContainerSpec, raising `OptionError` naming the option. The `parse.parse_*` helpers (ports,
  mounts, ulimits, ...) accept the short string syntaxes Compose uses too.
- `observed.observed_container(container_inspect)`: engine inspect data → the same normal form;
  `observed.with_image_defaults(spec, image_defaults(image_inspect))` merges the image's defaults.
- `image_pull`: docker_container's `pull` policy: `parse_pull_policy`, `pull_reason` (pure: pull
  or use the local image, or fail naming `pull` or `image`) and `resolve_image` (inspect, pull
  through images/store.pull_image unless in check mode, record the pull only when it brought
  another image).
- `plan.plan_container(desired, observed, comparisons, state)`: a pure plan (actions + reasons);
  `apply.apply_plan(...)`: runs it. `api_versions.options_needing_newer_api(spec, version)`.
"""
