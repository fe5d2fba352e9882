# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Docker connection options every module shares, documented once."""

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r"""
options:
  docker_host:
    description:
      - The Docker daemon to talk to, as a URL such as C(unix:///var/run/docker.sock),
        C(tcp://192.0.2.10:2376) or C(ssh://user@host).
      - When not set, the value of the E(DOCKER_HOST) environment variable is used, and when that
        is not set either, the local socket C(unix:///var/run/docker.sock).
    type: str
    aliases: [docker_url]
  tls:
    description:
      - Connect with TLS. Implied by O(validate_certs=true) or by client certificates.
    type: bool
    default: false
  validate_certs:
    description:
      - Connect with TLS and verify the daemon's certificate against O(ca_path).
      - When not set, E(DOCKER_TLS_VERIFY) decides.
    type: bool
    default: false
    aliases: [tls_verify]
  ca_path:
    description:
      - CA certificate used to verify the daemon's certificate.
    type: path
    aliases: [ca_cert, tls_ca_cert]
  client_cert:
    description:
      - Client certificate presented to the daemon.
    type: path
    aliases: [tls_client_cert, cert_path]
  client_key:
    description:
      - Key of O(client_cert).
    type: path
    aliases: [tls_client_key, key_path]
  tls_hostname:
    description:
      - Host name expected in the daemon's certificate, when it differs from the host of O(docker_host).
    type: str
  api_version:
    description:
      - Docker Engine API version to speak, such as C(1.41).
      - V(auto) asks the daemon and uses the newest version both sides support.
    type: str
    default: auto
    aliases: [docker_api_version]
  timeout:
    description:
      - Seconds to wait for an answer from the daemon before giving up.
    type: int
    default: 60

requirements:
  - Docker SDK for Python 7.0 or newer (C(pip install docker)) on the managed host
  - Docker Engine API 1.41 or newer (Docker 20.10)

notes:
  - The options above can be given once for all modules of this collection with
    C(module_defaults) and the action group C(group/goship.containers.docker).
"""
