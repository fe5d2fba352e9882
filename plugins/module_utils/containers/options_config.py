# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Registry entries: what runs (command, entrypoint, env, labels), how it is reached (ports,
networks, network mode), what it mounts, its healthcheck and its restart policy. Most of these
have real structure, so their entries carry parser, serializer and observer hooks, defined here
next to them (mount serialisation lives in mounts.py)."""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from typing import Any, Mapping, Optional

from ansible_collections.goship.containers.plugins.module_utils.containers.anonymous_volumes import as_anonymous
from ansible_collections.goship.containers.plugins.module_utils.containers.mounts import mounts_request, observed_mounts
from ansible_collections.goship.containers.plugins.module_utils.containers.option_entry import (
    FLAG, MAPPING, MORE, NONZERO, NUMBER, OWN, STRINGS, TEXT, Codec, Option, dig, nested_from_api, nested_to_api,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.options_item_keys import (
    MOUNT_SUBOPTIONS, NETWORK_SUBOPTIONS,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.parse import (
    parse_command, parse_env_file, parse_exposed_port, parse_healthcheck_spec, parse_int, parse_items, parse_mount,
    parse_network, parse_port, parse_tmpfs, parse_volume, string_dict,
)
from ansible_collections.goship.containers.plugins.module_utils.containers.values import (
    RESTART_POLICIES, SPECIAL_NETWORK_MODES, Healthcheck, Mount, NetworkAttachment, PortBinding,
)
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.user_input import as_bool

# On Linux the engine adds a default PATH to a container whose image and config lack one.
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


# ---------------------------------------------------------------- command, env, labels

def _command_with_image(desired: Any, image: Any) -> Any:
    """The CMD the engine will give the container. With an explicit entrypoint it does not take the
    image's CMD; without one (none or an empty one), an empty command (`command: []`) is the
    image's CMD, as the engine fills an empty Cmd from the image."""
    if desired.command is None:
        return () if desired.entrypoint else None
    if desired.command == () and not desired.entrypoint:
        return tuple(image.command or ())
    return desired.command


def env_dict(entries: Optional[list[str]]) -> dict[str, str]:
    env = {}
    for entry in entries or ():
        key, _sep, value = entry.partition("=")
        env[key] = value
    return env


def _env(params: Mapping[str, Any]) -> dict[str, Any]:
    """`env` over the lines of `env_file` (its text: the module reads the file, see params.py), and
    `secret_env` (the secrets rule, module_utils/secrets.py: merged in, never shown)."""
    env = None
    if params.get("env_file") is not None:
        env = parse_env_file(params["env_file"])
    if params.get("env") is not None:
        env = dict(env or {}, **string_dict(params["env"], "env"))  # type: ignore[arg-type]
    if params.get("secret_env"):
        both = sorted(set(params.get("env") or {}) & set(params["secret_env"]))
        if both:
            raise OptionError("secret_env.%s" % both[0], "is also in env; give each variable once")
        env = dict(env or {}, **string_dict(params["secret_env"], "secret_env"))  # type: ignore[arg-type]
    return {"env": env}


def _env_with_image(desired: Any, image: Any) -> Any:
    if desired.env is None:
        return None
    env = dict(image.env, **desired.env)
    env.setdefault("PATH", DEFAULT_PATH)
    return env


ENV = Codec(to_api=lambda env: ["%s=%s" % item for item in sorted(env.items())], from_api=env_dict)


# ---------------------------------------------------------------- ports

def _binding_order(binding: PortBinding) -> tuple:
    return (binding.container_port, binding.protocol, binding.host_ip, binding.host_port)


def _default_host_ip(params: Mapping[str, Any]) -> str:
    address = params.get("default_host_ip") or ""
    if address:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise OptionError("default_host_ip", "%r is not an IP address (or empty)" % (address,))
    return address


def _published_ports(params: Mapping[str, Any]) -> dict[str, Any]:
    values = params.get("published_ports")
    publish_all = params.get("publish_all_ports")
    default_ip = _default_host_ip(params)
    if values is None:
        return {"published_ports": None, "publish_all_ports": publish_all}
    bindings: list[PortBinding] = []
    for index, value in enumerate(values):
        if str(value).strip() == "all":
            if publish_all is False:
                raise OptionError("published_ports[%d]" % index, "'all' contradicts publish_all_ports=false")
            publish_all = True
            continue
        bindings.extend(replace(binding, host_ip=binding.host_ip or default_ip)
                        for binding in parse_port(value, "published_ports[%d]" % index))
    seen = set()
    for binding in bindings:
        key = (binding.host_ip, binding.host_port, binding.protocol)
        if binding.host_port and key in seen:
            raise OptionError("published_ports", "host port %s/%s is published twice" % (binding.host_port, binding.protocol))
        seen.add(key)
    return {"published_ports": tuple(sorted(set(bindings), key=_binding_order)), "publish_all_ports": publish_all}


def _published_ports_request(spec: Any, config: dict[str, Any], host: dict[str, Any]) -> None:
    bindings: dict[str, list[dict[str, str]]] = {}
    for binding in spec.published_ports or ():
        config.setdefault("ExposedPorts", {})[binding.key] = {}
        bindings.setdefault(binding.key, []).append({"HostIp": binding.host_ip, "HostPort": binding.host_port})
    if bindings:
        host["PortBindings"] = bindings


def _observed_ports(inspect: dict[str, Any]) -> tuple[PortBinding, ...]:
    bindings = []
    for key, entries in (dig(inspect, "HostConfig.PortBindings") or {}).items():
        port, _sep, protocol = key.partition("/")
        for entry in entries or ():
            bindings.append(PortBinding(int(port), protocol or "tcp", entry.get("HostIp") or "", entry.get("HostPort") or ""))
    return tuple(sorted(set(bindings), key=_binding_order))


def _exposed_ports(values: list, option: str) -> tuple[str, ...]:
    return tuple(sorted({port for index, value in enumerate(values)
                         for port in parse_exposed_port(value, "%s[%d]" % (option, index))}))


def _exposed_ports_request(spec: Any, config: dict[str, Any], host: dict[str, Any]) -> None:
    for port in spec.exposed_ports or ():
        config.setdefault("ExposedPorts", {})[port] = {}


def _exposed_with_image(desired: Any, image: Any) -> Any:
    if desired.exposed_ports is None:
        return None
    ports = set(desired.exposed_ports) | set(image.exposed_ports)
    ports |= {binding.key for binding in desired.published_ports or ()}
    return tuple(sorted(ports))


# ---------------------------------------------------------------- mounts

def _mounts(params: Mapping[str, Any]) -> dict[str, Any]:
    if params.get("volumes") is None and params.get("mounts") is None and params.get("tmpfs") is None:
        return {"mounts": None}
    mounts = (parse_items(params.get("volumes"), "volumes", parse_volume)
              + parse_items(params.get("mounts"), "mounts", parse_mount)
              + parse_items(params.get("tmpfs"), "tmpfs", parse_tmpfs))
    targets: dict[str, int] = {}
    for mount in mounts:
        if mount.target in targets:
            raise OptionError("volumes", "two mounts have the target %s" % mount.target)
        targets[mount.target] = 1
    return {"mounts": tuple(sorted(mounts, key=lambda m: m.target))}


def _mounts_with_image(desired: Any, image: Any) -> Any:
    """The image's VOLUMEs become anonymous volumes unless something else is mounted there."""
    if desired.mounts is None:
        return None
    targets = {mount.target for mount in desired.mounts}
    extra = [Mount(target=path.rstrip("/") or "/") for path in image.volumes if (path.rstrip("/") or "/") not in targets]
    return tuple(sorted(desired.mounts + tuple(extra), key=lambda m: m.target))


# ---------------------------------------------------------------- networks

def _networks(params: Mapping[str, Any]) -> dict[str, Any]:
    values = params.get("networks")
    if values is None:
        return {"networks": None}
    networks = parse_items(values, "networks", parse_network)
    names = [n.name for n in networks]
    if len(set(names)) != len(names):
        raise OptionError("networks", "a network is listed twice")
    mode = params.get("network_mode")
    if networks and mode and (mode in ("host", "none") or mode.startswith("container:")):
        raise OptionError("networks", "cannot join networks with network_mode %s" % mode)
    if params.get("networks_cli_compatible") is False and networks and not mode:
        # community.docker's networks_cli_compatible=false: the default bridge too, joined at create
        networks = [NetworkAttachment("bridge")] + [n for n in networks if n.name not in ("bridge", "default")]
    if networks and mode and mode != networks[0].name:
        # network_mode names the primary network: keep it first so it is joined at create.
        primary = [n for n in networks if n.name == mode]
        networks = primary + [n for n in networks if n.name != mode]
    return {"networks": tuple(networks)}


def _first_network_request(spec: Any, config: dict[str, Any], host: dict[str, Any]) -> None:
    """The first network's endpoint goes into the create request; engine.create_container joins
    the others right after."""
    mode = spec.effective_network_mode
    first = spec.first_network
    if first is not None and mode not in SPECIAL_NETWORK_MODES and not (mode or "").startswith("container:"):
        endpoint = first.endpoint_config()
        if first.name in ("bridge", "default") and first.links:
            # Legacy links on the default bridge live in HostConfig, not in the endpoint.
            host["Links"] = list(endpoint.pop("Links"))
        config["NetworkingConfig"] = {"EndpointsConfig": {first.name: endpoint}}


def _observed_networks(inspect: dict[str, Any]) -> tuple[NetworkAttachment, ...]:
    container_id = inspect["Id"]
    attachments = []
    for name, endpoint in (dig(inspect, "NetworkSettings.Networks") or {}).items():
        ipam = endpoint.get("IPAMConfig") or {}
        # The engine adds the short container ID as an alias on user networks: not the user's.
        aliases = tuple(sorted(a for a in endpoint.get("Aliases") or () if not container_id.startswith(a)))
        attachments.append(NetworkAttachment(
            name=name, aliases=aliases, ipv4_address=ipam.get("IPv4Address") or None,
            ipv6_address=ipam.get("IPv6Address") or None, links=tuple(sorted(endpoint.get("Links") or ())),
            driver_opts=tuple(sorted((endpoint.get("DriverOpts") or {}).items())),
            mac_address=(endpoint.get("MacAddress") or "").lower() or None,
            gw_priority=endpoint.get("GwPriority") or None,  # API 1.48+; 0 is the default (plan.py compares so)
        ))
    return tuple(attachments)


def _network_mode_request(spec: Any, config: dict[str, Any], host: dict[str, Any]) -> None:
    mode = spec.effective_network_mode
    if mode:
        host["NetworkMode"] = mode


def normal_network_mode(mode: Optional[str]) -> Optional[str]:
    return "bridge" if mode == "default" else mode


# ---------------------------------------------------------------- legacy links

def _links(value: Any, option: str) -> tuple[str, ...]:
    """`container` or `container:alias` → "container:alias" (the alias defaults to the name)."""
    links = set()
    for index, item in enumerate(value):
        name, _sep, alias = str(item).strip().partition(":")
        if not name or "/" in name or ":" in alias:
            raise OptionError("%s[%d]" % (option, index), "%r is not 'container' or 'container:alias'" % (item,))
        links.add("%s:%s" % (name, alias or name))
    return tuple(sorted(links))


def _observed_links(value: Optional[list]) -> tuple[str, ...]:
    """HostConfig.Links as the engine reports them, "/db:/web/alias", → "db:alias"."""
    links = set()
    for entry in value or ():
        name, _sep, alias = entry.partition(":")
        links.add("%s:%s" % (name.lstrip("/"), alias.rsplit("/", 1)[-1]))
    return tuple(sorted(links))


def _check_links(spec: Any) -> None:
    """The engine keeps legacy links on the default bridge only: on any other network it drops them
    without a word, so they are refused there."""
    if not spec.links:
        return
    mode = spec.effective_network_mode
    if mode not in (None, "bridge", "default"):
        raise OptionError("links", "legacy links work on the default bridge network only, and the container's network "
                                   "is %s (on a user-defined network, use networks[].links)" % mode)
    if spec.first_network is not None and spec.first_network.links:
        raise OptionError("links", "cannot be combined with networks[].links on the default bridge: list the links in "
                                   "one of the two")


# ---------------------------------------------------------------- healthcheck

def _healthcheck(value: Any, option: str) -> Healthcheck:
    """The parser family's healthcheck (containers/parse.py, the container module's rules); the
    suboptions below say how each field reaches the Engine API and back. `test_cli_compatible` is
    community.docker's switch for a healthcheck given without a test: false disables the check (as
    its default does), true or unset completes the keys given with the image's (the Docker CLI's way)."""
    cli_compatible = True
    if isinstance(value, dict) and "test_cli_compatible" in value:
        value = dict(value)
        switch = value.pop("test_cli_compatible")
        cli_compatible = True if switch is None else as_bool(switch, option + ".test_cli_compatible")
    spec = parse_healthcheck_spec(value, option)
    if not cli_compatible and spec.test is None:
        return Healthcheck(test=("NONE",))
    return spec.healthcheck


def healthcheck_from_api(body: Optional[dict[str, Any]]) -> Optional[Healthcheck]:
    """Config.Healthcheck of a container or an image → Healthcheck (None when there is none)."""
    if not body:
        return None
    check = nested_from_api(HEALTHCHECK, Healthcheck, body)
    return Healthcheck(test=check.test) if check.disabled else check


def healthcheck_api(healthcheck: Healthcheck) -> dict[str, Any]:
    """A healthcheck as the Engine API's Config.Healthcheck (the image config of go_image too)."""
    return nested_to_api(HEALTHCHECK, healthcheck)


def _healthcheck_request(spec: Any, config: dict[str, Any], host: dict[str, Any]) -> None:
    if spec.healthcheck is not None:
        config["Healthcheck"] = nested_to_api(HEALTHCHECK, spec.healthcheck)


def _healthcheck_with_image(desired: Any, image: Any) -> Any:
    """The engine fills each unset healthcheck field from the image's healthcheck."""
    mine, theirs = desired.healthcheck, image.healthcheck
    if mine is None or mine.disabled or theirs is None or theirs.disabled:
        return mine
    return replace(mine, **{sub.field: getattr(mine, sub.field) or getattr(theirs, sub.field)
                            for sub in HEALTHCHECK.suboptions if sub.field})


_DURATION = dict(codec=NONZERO)  # nanoseconds; the parser family reads them
HEALTHCHECK = Option(
    "healthcheck", "Healthcheck; unset fields are taken from the image's healthcheck. C(test=[NONE]) disables it.",
    type="dict", suboptions=(
        Option("test", ("A string (run by the shell, C(CMD-SHELL)) or a list (exec form, C(CMD) added when missing; "
                        "or starting with C(CMD), C(CMD-SHELL) or C(NONE)).",
                        "Not given (or empty): see O(healthcheck.test_cli_compatible)."),
               type="raw", field="test", api="Test", codec=STRINGS),
        Option("test_cli_compatible", (
            "What a healthcheck without O(healthcheck.test) means. V(true) (and when not set): the keys given "
            "replace the image's and the image's test stays, as the Docker CLI does. V(false): the container's "
            "healthcheck is disabled (C(test=[NONE])) and the other keys are not used, as community.docker's "
            "docker_container does by default.",
            "Not set, this collection behaves as V(true), unlike community.docker (whose default is V(false)).",
        ), type="bool"),
        Option("interval", "Time between checks, such as C(30s), C(1m30s) or C(500ms).",
               field="interval_ns", api="Interval", **_DURATION),
        Option("timeout", "Time a check may take.", field="timeout_ns", api="Timeout", **_DURATION),
        Option("retries", "Consecutive failures that make the container unhealthy.", type="int",
               field="retries", api="Retries",
               codec=NONZERO),
        Option("start_period", "Grace period after the start during which failures do not count.",
               field="start_period_ns", api="StartPeriod", min_api="1.29", **_DURATION,
               sample={"healthcheck": {"test": ["CMD", "true"], "start_period": "5s"}}),
        Option("start_interval", ("Time between checks during the start period, such as C(1s), so a container "
                                  "can be healthy before the first O(healthcheck.interval) has passed.",
                                  "Needs Docker Engine API 1.44 or newer (Docker 25): refused on an older engine, "
                                  "which would silently drop it."),
               field="start_interval_ns", api="StartInterval", min_api="1.44", **_DURATION,
               sample={"healthcheck": {"test": ["CMD", "true"], "start_interval": "1s"}}),
    ),
    field="healthcheck", parse=_healthcheck, serialize=_healthcheck_request,
    observe=lambda inspect: healthcheck_from_api(dig(inspect, "Config.Healthcheck")),
    image_merge=_healthcheck_with_image, compare="value",
    sample={"healthcheck": {"test": "true", "interval": "2s", "timeout": "3s", "retries": 5}},
)


# ---------------------------------------------------------------- restart policy

def _restart_policy(value: Any, option: str) -> str:
    if value not in RESTART_POLICIES:
        raise OptionError(option, "%r is not one of %s" % (value, ", ".join(RESTART_POLICIES)))
    return value


def _check_restart_retries(spec: Any) -> None:
    # 0 is the engine's "unset" (MaximumRetryCount of every other policy), as community.docker takes it
    if spec.restart_retries and spec.restart_policy not in (None, "on-failure"):
        raise OptionError("restart_retries", "applies only with restart_policy on-failure (0, unset, goes with any "
                                             "policy)")


def _restart_request(spec: Any, config: dict[str, Any], host: dict[str, Any]) -> None:
    if spec.restart_policy is not None:
        policy: dict[str, Any] = {"Name": "" if spec.restart_policy == "no" else spec.restart_policy}
        if spec.restart_policy == "on-failure" and spec.restart_retries is not None:
            policy["MaximumRetryCount"] = spec.restart_retries
        host["RestartPolicy"] = policy


def _restart_update(desired: Any, observed: Any) -> dict[str, Any]:
    """The whole RestartPolicy of an update, what is not asked for kept from the container."""
    name = desired.restart_policy or observed.spec.restart_policy or "no"
    policy: dict[str, Any] = {"Name": "" if name == "no" else name}
    if name == "on-failure":
        retries = desired.restart_retries if desired.restart_retries is not None else observed.spec.restart_retries
        policy["MaximumRetryCount"] = retries or 0
    return policy


# ---------------------------------------------------------------- the entries

CONFIG_OPTIONS: tuple[Option, ...] = (
    Option("command", "Command (CMD) to run, as a string (split like a shell does) or a list.", type="raw",
           field="command", parse=parse_command, api="Config.Cmd", codec=STRINGS, image_merge=_command_with_image,
           compare="value", sample={"command": ["sleep", "1"]}),
    Option("entrypoint", "Entrypoint, as a list (or a string split like a shell does).", type="list", elements="str",
           field="entrypoint", parse=parse_command, api="Config.Entrypoint", codec=STRINGS, compare="value",
           sample={"entrypoint": ["/bin/sh", "-c"], "command": ["true"]}),
    Option("env", ("Environment variables. Values are converted to strings; quote booleans.",
                   "Compared with the container's environment after merging the image's environment.",
                   "The values of variables whose names look secret (C(PASSWORD), C(TOKEN), C(SECRET) ... see "
                   "O(sensitive_keys)) never appear in the result, the diff, errors or C(-vvv) output."),
           type="dict", field="env", build=_env, api="Config.Env", codec=ENV, image_merge=_env_with_image,
           compare="dict", mode=MORE, sample={"env": {"MODE": "prod"}}),
    # the secrets rule (module_utils/secrets.py): merged into env, never shown
    Option("secret_env", (
        "Environment variables whose values are secrets, merged into O(env). The option is C(no_log) - Ansible "
        "masks every value in everything the task prints or returns, whatever its length - and the names are "
        "recorded on the container (label C(io.goship.masked-keys)) so later runs, "
        "M(goship.containers.container_exec) and M(goship.containers.container_info) mask those variables too.",
        "A name in both O(env) and O(secret_env) is an error naming the variable.",
        "Compared like O(env); the diff shows each value as C(********), and one that changed as C(********) "
        "followed by the word C(changed)."),
        type="dict", no_log=True, part_of="env", sample={"secret_env": {"SHOP_LICENSE": "gs-canary"}}),
    Option("sensitive_keys", (
        "More names (exact, or shell-style patterns such as V(MYAPP_*); case-insensitive) of variables in "
        "O(env) and O(env_file), and of O(labels), whose values are secrets.",
        "Built in, names containing C(PASSWORD), C(PASSWD), C(PASSPHRASE), C(SECRET), C(TOKEN), C(CREDENTIAL), "
        "C(API_KEY), C(APIKEY), C(PRIVATE_KEY), C(ACCESS_KEY), C(BASICAUTH), or with a word C(PASS), C(PWD), "
        "C(AUTH) or C(AUTHORIZATION), are secrets (not C(PWD) itself, nor names ending in C(_FILE), which hold "
        "a path). The password of a URL (C(scheme://user:password@host)) is masked in any value.",
        "Secret values show as C(********) in the result, the diff and the invocation; values of 6 characters "
        "or more (other than true, false, yes, no, on, off) are also masked wherever else they appear (command "
        "output, engine errors). The names matched here are recorded on the container like those of "
        "O(secret_env)."),
        type="list", elements="str", default=[], no_log=False),  # read by main() (the secrets rule)
    Option("env_file", ("File of C(KEY=VALUE) lines on the managed host; O(env) wins over it.",
                        "Its values follow the same rule as those of O(env); errors about a line name its number "
                        "only."),
           type="path", part_of="env", sample={"env_file": "FROM_FILE=1\n"}),
    Option("labels", ("Labels; compared after merging the image's labels.",
                      "Values of labels whose names look secret (see O(sensitive_keys); for example "
                      "C(traefik.http.middlewares.x.basicauth.users)) are masked like those of O(env)."),
           type="dict",
           field="labels", parse=string_dict, api="Config.Labels", codec=MAPPING,
           image_merge=lambda desired, image: None if desired.labels is None else dict(image.labels, **desired.labels),
           compare="dict", mode=MORE, sample={"labels": {"team": "web"}}),
    Option("published_ports", (
        "Ports to publish, C([host_ip:][host_port[-range]:]container_port[-range][/protocol]), such as "
        "C(127.0.0.1:8080:80), C(8000-8001:80-81/udp) or C(80) (random host port).",
        "V(all) publishes every exposed port on a random host port."),
        type="list", elements="str", aliases=("ports",), field="published_ports", build=_published_ports,
        serialize=_published_ports_request, observe=_observed_ports, compare="set", mode=MORE,
        comparison_aliases=("ports",),
        sample={"published_ports": ["127.0.0.1:8080:80", "9000/udp"]}),
    Option("publish_all_ports", (
        "Publish every exposed port on a random host port (C(docker run -P)); O(published_ports) are published as "
        "well. The same as V(all) in O(published_ports).",),
        type="bool", field="publish_all_ports", api="HostConfig.PublishAllPorts",
        codec=FLAG, compare="value", sample={"publish_all_ports": True}),
    Option("default_host_ip", (
        "Host IP address the ports of O(published_ports) that name none are published on, as community.docker's "
        "docker_container's option of this name; empty or unset leaves the choice to the engine (every "
        "address, IPv4 and IPv6), which is what this module does by default (it does not read the default "
        "bridge's C(host_binding_ipv4) as community.docker does).",),
        part_of="published_ports", sample={"published_ports": ["8080:80"], "default_host_ip": "127.0.0.1"}),
    Option("exposed_ports", "Ports to expose without publishing, C(port[-range][/protocol]).", type="list",
           elements="str", aliases=("expose",), field="exposed_ports", parse=_exposed_ports,
           serialize=_exposed_ports_request, observe=lambda inspect: tuple(sorted(dig(inspect, "Config.ExposedPorts") or {})),
           image_merge=_exposed_with_image, compare="set", mode=MORE, comparison_aliases=("expose",),
           sample={"exposed_ports": ["7000-7001/udp"]}),
    Option("volumes", (
        "Volumes and bind mounts, C(/target) (anonymous volume), C(name:/target[:mode]) (named volume) or "
        "C(/host/path:/target[:mode]) (bind), as C(docker run -v).",
        "The mode is a comma separated list, as the engine takes it, such as C(ro,Z) or C(rw,rshared) - one of "
        "C(ro) and C(rw); C(nocopy) (volumes only); one bind propagation (C(rprivate), C(private), C(rshared), "
        "C(shared), C(rslave), C(slave); binds only); one SELinux label, C(z) (shared) or C(Z) (private), which "
        "the engine applies only when its SELinux support is enabled and otherwise accepts and ignores; "
        "C(consistent), C(cached) and C(delegated) are accepted and ignored, as the engine on Linux does. The "
        "order of the flags does not matter.",
        "As with C(docker run -v), the engine creates the host path of a bind mount when it is missing (an empty "
        "directory owned by root). Use O(mounts) with C(type=bind) to refuse a missing host path instead."),
        type="list", elements="str", part_of="mounts", sample={"volumes": ["/anon", "vol:/v:ro", "/h:/b:rw"]}),
    Option("mounts", (
        "Mounts with options that the O(volumes) syntax cannot express, as C(docker run --mount).",
        "A C(type=bind) mount needs its host path to exist, as with C(docker run --mount) - the engine refuses to "
        "create the container otherwise and the task fails naming C(mounts[N].source), with nothing created or "
        "changed (a recreate leaves the old container as it was)."),
        type="list", elements="dict",
        suboptions=MOUNT_SUBOPTIONS,
        field="mounts", build=_mounts, serialize=lambda spec, config, host: mounts_request(spec.mounts or (), config, host),
        observe=observed_mounts, image_merge=_mounts_with_image, compare="set", mode=MORE,
        normal=as_anonymous,  # a volume handed on by a recreate is the anonymous one asked for
        comparison_aliases=("volumes", "tmpfs"), min_api="1.30", api_label="volumes/mounts",
        sample={"mounts": [{"target": "/d", "source": "dv", "volume_driver": "local",
                            "volume_options": {"type": "tmpfs", "device": "tmpfs"}}]}),
    Option("tmpfs", "tmpfs mounts, C(/path[:size=64m,mode=1777])", type="list", elements="str", part_of="mounts",
           sample={"tmpfs": ["/run:size=1m,mode=1777"]}),
    Option("volume_driver", (
        "Driver of the volumes the engine creates for the container: its anonymous volumes, and the named "
        "volumes of O(volumes) that do not exist yet (HostConfig C(VolumeDriver)). A volume that exists keeps "
        "its driver.",
        "A change recreates the container.",),
        field="volume_driver", api="HostConfig.VolumeDriver", codec=TEXT, compare="value",
        sample={"volume_driver": "local"}),
    Option("networks", (
        "Networks to connect the container to. The first one (or O(network_mode)) is joined when the container "
        "is created, the others right after.",
        "By default (C(comparisons.networks=allow_more_present)) other networks the container is on are left "
        "alone; with C(strict) it is disconnected from them."),
        type="list", elements="dict", suboptions=NETWORK_SUBOPTIONS,
        field="networks", build=_networks, serialize=_first_network_request, observe=_observed_networks,
        compare=OWN, mode=MORE,
        sample={"networks": [{"name": "front", "aliases": ["web"], "ipv4_address": "10.1.0.5"},
                             {"name": "back", "links": ["db:database"]}]}),
    Option("networks_cli_compatible", (
        "V(true) (the default) joins the networks of O(networks) as C(docker run --network) does: the default "
        "bridge network only when O(networks) is not set.",
        "V(false), as community.docker's docker_container: with O(networks) and no O(network_mode), the container "
        "joins the default bridge network too (at create, then the listed networks). It stays on it with "
        "C(comparisons.networks=strict), since it is then one of the container's networks.",),
        type="bool", default=True, part_of="networks",
        sample={"networks": [{"name": "front"}], "networks_cli_compatible": False}),
    Option("links", (
        "Legacy links to other containers, C(container) or C(container:alias): the alias (and the container's "
        "name) resolve to that container inside this one, as with C(docker run --link) (HostConfig C(Links)).",
        "Only on the default bridge network (O(network_mode) unset or V(bridge)): the engine drops them on any "
        "other network, so they are refused there; on a user-defined network use O(networks[].links).",
        "Compared as a set; a change recreates the container."),
        type="list", elements="str", field="links", parse=_links, check=_check_links, api="HostConfig.Links",
        codec=Codec(to_api=list, from_api=_observed_links), compare="set", mode=MORE,
        sample={"links": ["db:database", "cache"]}),
    Option("network_mode", ("V(bridge), V(host), V(none), C(container:NAME) or a network name. Defaults to the first "
                            "of O(networks)."),
           field="network_mode", parse=lambda value, option: value or None, serialize=_network_mode_request,
           api="HostConfig.NetworkMode", codec=Codec(from_api=lambda value: value or "default"), compare="value",
           read=lambda spec: spec.effective_network_mode, normal=normal_network_mode,
           sample={"network_mode": "host"}),
    HEALTHCHECK,
    Option("restart_policy", "Restart policy; changed in place with the update API.",
           choices=("no", "on-failure", "always", "unless-stopped"), field="restart_policy", parse=_restart_policy,
           serialize=_restart_request, api="HostConfig.RestartPolicy.Name", codec=Codec(from_api=lambda v: v or "no"),
           compare="value", update="RestartPolicy", update_value=_restart_update, comparison_aliases=("restart",),
           sample={"restart_policy": "always"}),
    Option("restart_retries", "Maximum restarts with O(restart_policy=on-failure).", type="int",
           field="restart_retries", parse=lambda value, option: parse_int(value, option, minimum=0),
           check=_check_restart_retries, part_of="restart_policy", api="HostConfig.RestartPolicy.MaximumRetryCount",
           codec=NUMBER, compare="value", update="RestartPolicy",
           update_value=_restart_update, sample={"restart_policy": "on-failure", "restart_retries": 3}),
)
