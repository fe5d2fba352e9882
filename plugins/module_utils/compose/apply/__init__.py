# Copyright (c) goship.containers contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan → Engine API calls.

executor.py runs the steps (parallel.py: each as soon as its own `after` are done) and maps every
action kind to its handler (containers.py, resources.py); waits.py waits on dependencies and on
`wait: true`; errors.py says what fails a run. Only runs that change something load this package.
"""
