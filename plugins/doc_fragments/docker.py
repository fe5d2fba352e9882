# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Docker connection options every module shares, documented once."""

from __future__ import annotations


class ModuleDocFragment:

    # The options, shared by the modules and the controller's plugins; the requirements and notes
    # differ by where the options are read: MODULES and PLUGINS. (Each attribute must be one
    # literal string: ansible-test's yamllint reads them without running the file.)
    DOCUMENTATION = r"""
options:
  docker_host:
    description:
      - The Docker daemon to talk to, as a URL such as C(unix:///var/run/docker.sock),
        C(tcp://192.0.2.10:2376) or C(ssh://user@host).
      - When not set, the value of the E(DOCKER_HOST) environment variable is used, and when that
        is not set either, the local socket C(unix:///var/run/docker.sock).
      - A C(tcp://) address is plain HTTP unless TLS is asked for (O(tls), O(validate_certs), O(ca_path),
        O(client_cert), or E(DOCKER_TLS) or E(DOCKER_TLS_VERIFY)). C(https://) always means TLS.
        Plain HTTP to a daemon that speaks TLS fails, saying so.
      - TLS options in a task whose O(docker_host) is a C(unix://) or C(ssh://) address are refused.
        The TLS environment variables are ignored for such addresses.
    type: str
    aliases: [docker_url]
  tls:
    description:
      - Encrypt the connection with TLS B(without verifying the daemon). Nobody on the path can read
        the traffic, but whoever answers at O(docker_host) is trusted, so an impersonated daemon is not detected. Use O(validate_certs) to verify the daemon.
      - O(validate_certs=true) and O(ca_path) take precedence over this option; with either, the daemon is verified.
      - When not set, E(DOCKER_TLS) decides. Any value of it other than empty, V(0), V(false), V(no) or V(off) means V(true).
      - A client certificate (O(client_cert)) is presented in either mode.
    type: bool
  validate_certs:
    description:
      - Connect with TLS and verify the daemon before any request is sent. Its certificate must be signed
        by O(ca_path) and be valid for the host of O(docker_host) (or O(tls_hostname)); otherwise the task
        fails naming the file or the name that did not match, and nothing is changed.
      - Without O(ca_path), the CA is C(ca.pem) in E(DOCKER_CERT_PATH) when that is set, else the host's
        trusted CAs (OpenSSL's default store).
      - Only the CA named here is trusted. E(REQUESTS_CA_BUNDLE) and E(CURL_CA_BUNDLE) are never used,
        neither to trust a CA nor to turn verification on or off.
      - When not set, E(DOCKER_TLS_VERIFY) decides (V(1) means verify; the same values as E(DOCKER_TLS)).
        Giving O(ca_path) in the task also means verify.
      - V(false) together with O(ca_path) is refused, because a CA is only used to verify.
    type: bool
    aliases: [tls_verify]
  ca_path:
    description:
      - CA certificate (PEM) that must have signed the daemon's certificate (the daemon's C(--tlscacert)
        when it uses one CA for both sides).
      - Giving it turns verification on, as O(validate_certs=true) does. community.docker ignores the CA
        unless O(validate_certs) is set.
      - When not set and E(DOCKER_CERT_PATH) is set, C(ca.pem) in that directory is used when verifying.
        A missing file is an error; verification never falls back to other CAs.
    type: path
    aliases: [ca_cert, tls_ca_cert, cacert_path]
  client_cert:
    description:
      - Client certificate (PEM) presented to the daemon. A daemon started with C(--tlsverify) accepts only
        client certificates signed by its C(--tlscacert).
      - Goes with O(client_key). Giving both in the task turns TLS on. Without O(validate_certs) or O(ca_path),
        the daemon is not verified, as with O(tls).
      - When not set and E(DOCKER_CERT_PATH) is set, C(cert.pem) in that directory is used, if it is there.
        E(DOCKER_CERT_PATH) alone does not turn TLS on, as with the docker CLI.
    type: path
    aliases: [tls_client_cert, cert_path]
  client_key:
    description:
      - Key of O(client_cert), in PEM without a passphrase.
      - When not set and E(DOCKER_CERT_PATH) is set, C(key.pem) in that directory is used.
    type: path
    aliases: [tls_client_key, key_path]
  tls_hostname:
    description:
      - The name the daemon's certificate must be valid for, instead of the host of O(docker_host).
        For example, connect to an IP address when the certificate carries only the daemon's DNS name.
      - Used only when the daemon is verified. Giving it without verification is refused.
      - When not set, E(DOCKER_TLS_HOSTNAME) is used.
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

"""

    # The modules: the options are read where the module runs.
    MODULES = r"""
options: {}  # ansible-core takes a fragment only with options or attributes
requirements:
  - Docker SDK for Python 7.0 or newer (C(pip install docker)) on the managed host
  - Docker Engine API 1.41 or newer (Docker 20.10)

notes:
  - A connection option given in the task overrides its environment variable, which overrides the default.
    The variables are the docker CLI's E(DOCKER_HOST), E(DOCKER_TLS), E(DOCKER_TLS_VERIFY), E(DOCKER_CERT_PATH)
    and E(DOCKER_TLS_HOSTNAME). They are read where the module runs.
  - The options above can be given once for all modules of this collection with
    C(module_defaults) and the action group C(group/goship.containers.docker).
"""

    # The connection and inventory plugins: the same options, read on the controller.
    PLUGINS = r"""
options: {}  # ansible-core takes a fragment only with options or attributes
requirements:
  - Docker SDK for Python 7.0 or newer (C(pip install docker)) in the Python that runs Ansible on the controller
  - Docker Engine API 1.41 or newer (Docker 20.10)

notes:
  - The environment variables E(DOCKER_HOST), E(DOCKER_TLS), E(DOCKER_TLS_VERIFY), E(DOCKER_CERT_PATH) and
    E(DOCKER_TLS_HOSTNAME) are read from the controller's environment, with the same precedence as for the
    modules (an option that is set wins over its variable) and the same checks.
"""

    # The connection plugin takes the options above as host or group variables (community.docker's names).
    CONNECTION_VARS = r"""
options:
  docker_host:
    vars:
      - name: ansible_docker_docker_host
  tls:
    vars:
      - name: ansible_docker_tls
  validate_certs:
    vars:
      - name: ansible_docker_validate_certs
  ca_path:
    vars:
      - name: ansible_docker_ca_path
      - name: ansible_docker_ca_cert
  client_cert:
    vars:
      - name: ansible_docker_client_cert
  client_key:
    vars:
      - name: ansible_docker_client_key
  tls_hostname:
    vars:
      - name: ansible_docker_tls_hostname
  api_version:
    vars:
      - name: ansible_docker_api_version
  timeout:
    vars:
      - name: ansible_docker_timeout
"""
