# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One `prune` run: validate → observe (list calls) → plan (plan.py) → apply.

Check mode stops after the plan and lists what would be removed. Applying runs, in this order,
the container prune (so their images, networks and volumes count as unused afterwards), the
retention rule (`DELETE /images/<repo:tag>` of each old version, never forced), then the engine's
own image, network, volume and builder cache prunes with the same filters - whose answers (what
was deleted, space reclaimed) are what the task reports.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set

from ansible_collections.goship.containers.plugins.module_utils.client import APIError, NotFound
from ansible_collections.goship.containers.plugins.module_utils.errors import OptionError
from ansible_collections.goship.containers.plugins.module_utils.images.store import split_reference
from ansible_collections.goship.containers.plugins.module_utils.prune import plan as P

KINDS = ("containers", "images", "networks", "volumes")


def prune_options() -> Dict[str, Dict[str, Any]]:
    options: Dict[str, Dict[str, Any]] = {}
    for kind in KINDS:
        options[kind] = dict(type="bool", default=False)
        options[kind + "_filters"] = dict(type="dict")
    options["builder_cache"] = dict(type="bool", default=False)
    options["keep_versions"] = dict(type="list", elements="dict", default=[], options=dict(
        repository=dict(type="str", required=True),
        keep=dict(type="int", default=3),
    ))
    return options


class PruneRequest:
    def __init__(self, params: Dict[str, Any], now: float) -> None:
        self.enabled = {kind: bool(params.get(kind)) for kind in KINDS}
        self.builder_cache = bool(params.get("builder_cache"))
        self.filters = {}
        for kind in KINDS:
            given = params.get(kind + "_filters")
            if given and not self.enabled[kind]:
                raise OptionError(kind + "_filters", "only used with %s=true" % kind)
            self.filters[kind] = P.parse_filters(kind, given, now)
        self.retention = []
        seen: Set[str] = set()
        for index, rule in enumerate(params.get("keep_versions") or []):
            path = "keep_versions[%d]" % index
            repository = str(rule.get("repository") or "").strip()
            try:
                repo, _tag = split_reference(repository, path + ".repository")
            except ValueError as exc:
                raise OptionError(path + ".repository", str(exc).split(": ", 1)[-1])
            if ":" in repository.rsplit("/", 1)[-1]:
                raise OptionError(path + ".repository", "%r: give the repository without a tag" % repository)
            if rule.get("keep") is None or int(rule["keep"]) < 0:
                raise OptionError(path + ".keep", "must be 0 or more")
            if repo in seen:
                raise OptionError(path + ".repository", "%s is listed twice" % repo)
            seen.add(repo)
            self.retention.append((repo, int(rule["keep"])))


def _explain(exc: Exception) -> str:
    return str(getattr(exc, "explanation", None) or exc)


class PruneTask:
    def __init__(self, client: Any, request: PruneRequest, outcome: Any) -> None:
        self.client = client
        self.request = request
        self.outcome = outcome
        self.result: Dict[str, Any] = {}
        self._listed: Optional[List[Dict[str, Any]]] = None

    # --- observe and plan -----------------------------------------------------------------------
    def plan(self) -> Dict[str, Any]:
        """What would be removed, from list calls only (and one inspect per image of a kept repository)."""
        r = self.request
        need_containers = any(r.enabled.values()) or bool(r.retention)
        containers = self.client.containers(all=True) if need_containers else []
        plan: Dict[str, Any] = {}
        gone = P.containers_to_prune(containers, r.filters["containers"]) if r.enabled["containers"] else []
        plan["containers"] = gone
        gone_ids = {c["Id"] for c in gone}
        remaining = [c for c in containers if c["Id"] not in gone_ids]
        used_images = {c.get("ImageID") for c in remaining}
        plan["retention"] = [self._retention(repo, keep, used_images) for repo, keep in r.retention]
        retained_away = {i for rule in plan["retention"] for i in rule.removed}
        if r.enabled["images"]:
            images = self.client.images(filters={"dangling": True} if r.filters["images"].dangling else None)
            plan["images"] = [i for i in P.images_to_prune(images, used_images, r.filters["images"])
                              if i["Id"] not in retained_away]
        if r.enabled["networks"]:
            attached = set()
            for c in remaining:
                if c.get("State") == "running":
                    for name, net in ((c.get("NetworkSettings") or {}).get("Networks") or {}).items():
                        attached.update([name, net.get("NetworkID")])
            plan["networks"] = P.networks_to_prune(self.client.networks(), attached, r.filters["networks"])
        if r.enabled["volumes"]:
            used_volumes = {m.get("Name") for c in remaining for m in c.get("Mounts") or [] if m.get("Type") == "volume"}
            # every volume: one the pruned containers used becomes unused too
            listed = (self.client.volumes() or {}).get("Volumes") or []
            plan["volumes"] = P.volumes_to_prune(listed, used_volumes, r.filters["volumes"],
                                                 getattr(self.client, "api_version_tuple", (1, 41)))
        if r.builder_cache and self.outcome.check_mode:
            cache = (self.client.df() or {}).get("BuildCache") or []
            plan["builder_cache"] = [b for b in cache if not b.get("InUse")]
        return plan

    def _retention(self, repository: str, keep: int, used_images: set) -> P.Retention:
        if self._listed is None:
            self._listed = self.client.images() or []  # top-level images, tagged or not: one call for every rule
        images = []
        for summary in self._listed:
            if not P.repository_references(summary, repository):
                continue
            try:
                images.append(self.client.inspect_image(summary["Id"]))  # LastTagTime is only in inspect
            except NotFound:
                continue
        return P.plan_retention(repository, keep, images, used_images)

    # --- apply ------------------------------------------------------------------------------------
    def run(self) -> Dict[str, Any]:
        plan = self.plan()
        check = self.outcome.check_mode
        r = self.request
        if r.enabled["containers"]:
            self._engine_prune("containers", plan["containers"], lambda c: c["Id"], "ContainersDeleted",
                               lambda: self.client.prune_containers(filters=r.filters["containers"].engine or None))
        versions = []
        for rule in plan["retention"]:
            for ref in rule.references:
                self.outcome.apply("untag %s (an older version of %s; keep %d)" % (ref, rule.repository, rule.keep),
                                   lambda ref=ref: self._remove_reference(ref))
            versions.append(rule.report())
        self.result["versions"] = versions
        if r.enabled["images"]:
            self._engine_prune("images", plan["images"], lambda i: i["Id"], "ImagesDeleted",
                               lambda: self.client.prune_images(filters=r.filters["images"].engine or None))
        if r.enabled["networks"]:
            self._engine_prune("networks", plan["networks"], lambda n: n["Name"], "NetworksDeleted",
                               lambda: self.client.prune_networks(filters=r.filters["networks"].engine or None))
        if r.enabled["volumes"]:
            self._engine_prune("volumes", plan["volumes"], lambda v: v["Name"], "VolumesDeleted",
                               lambda: self.client.prune_volumes(filters=r.filters["volumes"].engine or None))
        if r.builder_cache:
            if check:
                entries = plan.get("builder_cache") or []
                if entries:
                    self.outcome.apply("prune the builder cache (%d entries)" % len(entries))
                self.result["builder_cache"] = [b.get("ID") for b in entries]
            else:
                answer = self.client.prune_builds() or {}
                self.result["builder_cache_space_reclaimed"] = answer.get("SpaceReclaimed") or 0
                if answer.get("CachesDeleted") or self.result["builder_cache_space_reclaimed"]:
                    self.outcome.apply("prune the builder cache")
                self.result["builder_cache"] = answer.get("CachesDeleted") or []
        return self.result

    def _remove_reference(self, ref: str) -> None:
        try:
            self.client.remove_image(ref, force=False)
        except NotFound:
            return
        except APIError as exc:
            raise PruneFailed("untag %s: %s" % (ref, _explain(exc)))

    def _engine_prune(self, kind: str, planned: List[Dict[str, Any]], key: Any, answer_key: str, call: Any) -> None:
        names = [key(item) for item in planned]
        if self.outcome.check_mode:
            self.result[kind] = names
            if names:
                self.outcome.apply("prune %d %s: %s" % (len(names), kind, ", ".join(_short(n) for n in names)))
            return
        try:
            answer = call() or {}
        except APIError as exc:
            raise PruneFailed("prune %s: %s" % (kind, _explain(exc)))
        deleted = answer.get(answer_key) or []
        if kind == "images":  # the engine lists untagged references and deleted images: keep the images
            deleted = [d["Deleted"] for d in deleted if isinstance(d, dict) and d.get("Deleted")]
        self.result[kind] = deleted
        if kind != "networks":
            self.result[kind + "_space_reclaimed"] = answer.get("SpaceReclaimed") or 0
        if deleted:
            self.outcome.apply("prune %d %s: %s" % (len(deleted), kind, ", ".join(_short(n) for n in deleted)))


def _short(name: Optional[str]) -> str:
    name = name or ""
    return name[7:19] if name.startswith("sha256:") else (name[:12] if len(name) == 64 else name)


class PruneFailed(Exception):
    """The engine refused a removal; what was removed before is reported."""


def run_prune_module(module: Any, client_factory: Any, outcome: Any) -> None:
    try:
        request = PruneRequest(dict(module.params), P.now())
    except OptionError as exc:
        outcome.fail(str(exc))
        return
    client = client_factory(module)
    task = PruneTask(client, request, outcome)
    try:
        result = task.run()
    except (PruneFailed, APIError) as exc:
        outcome.fail(str(exc), **task.result)
        return
    outcome.result.update(result)
    outcome.result["api_requests"] = getattr(client, "request_count", None)
    outcome.exit()
