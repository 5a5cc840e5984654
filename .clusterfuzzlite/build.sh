#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0
# ClusterFuzzLite builds exactly what OSS-Fuzz builds.
exec "$SRC/vmadiff/oss-fuzz/build.sh"
