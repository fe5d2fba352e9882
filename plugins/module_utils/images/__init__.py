# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Images: content-addressed builds, archives, registry operations, Dockerfile-less Go images.

Entry points for other parts of the collection (all take the low-level client from client.connect()):

- ``build.ensure_built(client, BuildRequest(name, path, dockerfile, args, target, labels, ...),
  check_mode) -> BuildResult``: the compose engine's ``build:`` — no build call when the build record
  (``records.BuildRecords``, on the host) lists the tagged image for the inputs' digest, a re-tag when
  the engine has another image it lists, else a build whose result keeps the tagged image's ID when
  layers and config are the same; ``BuildResult.changed`` is true only when a tag moved. Raises
  ``ValueError`` (bad input, names the option; ``buildx.BuildKitRequired`` when the Dockerfile needs
  BuildKit this host lacks), ``build.BuildFailure`` (``.step``, ``.output``; no tag moved) or
  ``store.ImageError``.
- ``build.planned_digest(path, dockerfile, args, target, labels)`` and
  ``build.matching_digest(image_id, labels, digest)``: compose's planner — the digest of a service's
  build (refusing a BuildKit-only Dockerfile this host cannot build, before any step), and whether
  an image is what that digest built.
- ``dockerfile.buildkit_features(text)``: the lines only BuildKit runs; ``buildx.select_builder``.
- ``context.BuildContext(path, dockerfile)``: the files sent after ``.dockerignore`` (CLI semantics,
  ``dockerignore.PatternMatcher``), ``.digest()``, ``.write_tar(fileobj)``.
- ``archive.read_manifest(path)`` -> image IDs and tags of a ``docker save`` archive;
  ``archive.missing_images(client, images)``, ``archive.load_archive(client, path)``,
  ``archive.archive_holds(path, image_id)``, ``archive.save_archive(client, names, path)``: the fleet's
  shipping by image ID (stream an archive only to hosts that lack its IDs).
- ``goimage.ensure_go_image(client, GoImageRequest, check_mode, runner) -> GoImageResult``
  (``runner`` = ``lambda argv, cwd, env: module.run_command(argv, cwd=cwd, environ_update=env)``): compile a Go main
  package and assemble/load a reproducible image with no Dockerfile and no base image (go_image module,
  go_app role).
- ``store``: ``split_reference``, ``inspect_image``, ``tag_image``, ``remove_image``, ``pull_image``,
  ``push_image`` (credentials: the managed host's Docker config, as the docker SDK reads it).
"""
