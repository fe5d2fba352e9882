#!/bin/sh
# The app's start script: proves the package was installed and the script copied.
greeting
echo "run.sh: started as $(id -u)"
