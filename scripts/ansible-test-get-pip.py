"""Offline stand-in for the get-pip.py bootstrap script that ansible-test downloads.

ansible-test creates an empty virtual environment for some sanity tests and bootstraps pip into it
with a get-pip script fetched from its CI file server, which is not reachable from these machines.
This does the same job with what is at hand: the pip bundled with Python (ensurepip), then the
requested pins installed from the configured package index. scripts/setup places it in
~/.ansible/test/cache/ under the name ansible-test looks for.
"""

import os
import subprocess
import sys

# ensurepip in a child process: in-process it points PIP_CONFIG_FILE at /dev/null for the rest of
# this process, which would hide the machine's pip configuration (index, CA bundle) from the install.
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"], stdout=subprocess.DEVNULL)
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "pip", "install", "-q"] + args, env=dict(os.environ))
