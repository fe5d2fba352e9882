# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writes to stdout a `docker load` archive of a one-file image that says it is for OS/ARCH[/VARIANT]:
`python3 platform_image.py TAG linux/arm64 | docker load`. Nothing is pulled and nothing runs: the engine
keeps the image's platform as given, so a container can be created (not started) from it."""

import hashlib
import io
import json
import sys
import tarfile


def tar_bytes(files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def main(tag, platform):
    os_name, arch, *variant = platform.split("/")
    layer = tar_bytes([("platform.txt", (platform + "\n").encode())])
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = {"architecture": arch, "os": os_name, "created": "2026-01-01T00:00:00Z",
              "config": {"Cmd": ["/platform.txt"], "Labels": {"io.goship.test.platform": platform}},
              "rootfs": {"type": "layers", "diff_ids": [diff_id]}}
    if variant:
        config["variant"] = variant[0]
    config_bytes = json.dumps(config, sort_keys=True).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    manifest = [{"Config": config_name, "RepoTags": [tag], "Layers": ["layer/layer.tar"]}]
    sys.stdout.buffer.write(tar_bytes([(config_name, config_bytes), ("layer/layer.tar", layer),
                                       ("manifest.json", json.dumps(manifest).encode())]))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
